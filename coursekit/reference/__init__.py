"""Reference implementations in pure numpy, with Keras 3 conventions.

One module per technique; numbers can be compared with Keras directly. Importing this package
never imports TensorFlow or Keras.

==================  ==============================================================
module              contents
==================  ==============================================================
penalties           L1, L2, L1L2 penalties and gradients; decoupled weight decay
dropout             inverted dropout forward / backward (``rate`` = fraction dropped)
batchnorm           batch normalization forward / backward, moving statistics
layernorm           layer normalization forward / backward (Keras ``LayerNormalization``)
groupnorm           group normalization forward / backward (Keras ``GroupNormalization``)
constraints         ``max_norm`` projection (Keras ``constraints.MaxNorm``)
early_stopping      ``EarlyStopper``, epoch-for-epoch equal to Keras ``EarlyStopping``
label_smoothing     smoothed labels, cross-entropies, softmax, ECE, NLL, Brier score,
                    reliability curve, temperature scaling
augmentation        shift, rotation, noise, flip and cutout of image batches; mixup
capacity            polynomial features and fits (lesson 00)
cross_validation    ``kfold_indices``, k-fold (train, val) splits (scikit-learn ``KFold``)
mlp                 a small multilayer perceptron combining all of the above
==================  ==============================================================
"""

from coursekit.reference.augmentation import (
    add_gaussian_noise,
    cutout,
    mixup,
    random_flip,
    random_rotation,
    random_shift,
    rotate_images,
    shift_images,
)
from coursekit.reference.batchnorm import batchnorm_backward, batchnorm_forward
from coursekit.reference.capacity import (
    fit_polynomial,
    mean_squared_error,
    polynomial_features,
    predict_polynomial,
)
from coursekit.reference.constraints import max_norm
from coursekit.reference.cross_validation import kfold_indices
from coursekit.reference.dropout import dropout_backward, dropout_forward
from coursekit.reference.early_stopping import EarlyStopper
from coursekit.reference.groupnorm import groupnorm_backward, groupnorm_forward
from coursekit.reference.label_smoothing import (
    binary_crossentropy,
    brier_score,
    categorical_crossentropy,
    expected_calibration_error,
    negative_log_likelihood,
    reliability_curve,
    smooth_binary_labels,
    smooth_labels,
    softmax,
    softmax_crossentropy_grad,
    temperature_scale,
)
from coursekit.reference.layernorm import layernorm_backward, layernorm_forward
from coursekit.reference.penalties import (
    l1_l2_penalty,
    l1_l2_penalty_grad,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
    weight_decay_step,
)

__all__ = [
    "EarlyStopper",
    "add_gaussian_noise",
    "batchnorm_backward",
    "batchnorm_forward",
    "binary_crossentropy",
    "brier_score",
    "categorical_crossentropy",
    "cutout",
    "dropout_backward",
    "dropout_forward",
    "expected_calibration_error",
    "fit_polynomial",
    "groupnorm_backward",
    "groupnorm_forward",
    "kfold_indices",
    "l1_l2_penalty",
    "l1_l2_penalty_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "l2_penalty",
    "l2_penalty_grad",
    "layernorm_backward",
    "layernorm_forward",
    "max_norm",
    "mean_squared_error",
    "mixup",
    "negative_log_likelihood",
    "polynomial_features",
    "predict_polynomial",
    "random_flip",
    "random_rotation",
    "random_shift",
    "reliability_curve",
    "rotate_images",
    "shift_images",
    "smooth_binary_labels",
    "smooth_labels",
    "softmax",
    "softmax_crossentropy_grad",
    "temperature_scale",
    "weight_decay_step",
]
