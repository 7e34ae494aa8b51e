"""Reference implementations in pure numpy, with Keras 3 conventions.

One module per technique; numbers can be compared with Keras directly. Importing this package
never imports TensorFlow or Keras.

==================  ==============================================================
module              contents
==================  ==============================================================
penalties           L1, L2, L1L2 penalties and gradients; decoupled weight decay
dropout             inverted dropout forward / backward (``rate`` = fraction dropped)
batchnorm           batch normalization forward / backward, moving statistics
early_stopping      ``EarlyStopper``, epoch-for-epoch equal to Keras ``EarlyStopping``
label_smoothing     smoothed labels, cross-entropies, softmax, ECE, NLL, Brier score
augmentation        shift, rotation, noise and flip of image batches
capacity            polynomial features and fits (lesson 00)
mlp                 a small multilayer perceptron combining all of the above
==================  ==============================================================
"""

from coursekit.reference.augmentation import (
    add_gaussian_noise,
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
from coursekit.reference.dropout import dropout_backward, dropout_forward
from coursekit.reference.early_stopping import EarlyStopper
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
)
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
    "dropout_backward",
    "dropout_forward",
    "expected_calibration_error",
    "fit_polynomial",
    "l1_l2_penalty",
    "l1_l2_penalty_grad",
    "l1_penalty",
    "l1_penalty_grad",
    "l2_penalty",
    "l2_penalty_grad",
    "mean_squared_error",
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
    "weight_decay_step",
]
