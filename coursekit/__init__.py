"""coursekit: the companion package of the course *Regularization in Deep Learning*.

Sub-packages
------------
reference
    Pure-numpy reference implementations with Keras 3 conventions (never imports TensorFlow).
exercises
    Self-checks that judge a learner's function against the reference.
gradcheck
    Numerical gradients and relative errors.
data, plotting, keras_models, session
    Offline datasets, plots, small Keras builders and the one-call notebook set-up.
"""

__version__ = "0.1.0"
