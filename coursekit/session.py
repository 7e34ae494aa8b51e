"""One set-up call per notebook: seeds, TensorFlow determinism, quiet logs, plot defaults.

Every lesson starts with::

    from coursekit.session import setup_notebook
    rng = setup_notebook(seed=0)

and uses the returned ``rng`` (a ``numpy.random.Generator``) for everything random it does in
numpy. This is the only place in coursekit that touches global random state, on purpose: Keras
and TensorFlow draw their initial weights and dropout masks from global seeds.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import warnings

import numpy as np

#: Environment settings that must be in place *before* TensorFlow is imported. They silence the
#: C++ start-up log lines (which nbval would otherwise compare) and turn off oneDNN's reordered
#: float arithmetic, whose low-order digits differ between CPUs.
TF_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

#: Plot defaults shared by every lesson: readable on a projector, stable file size.
PLOT_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "legend.frameon": False,
}


def quiet_tensorflow_environment() -> None:
    """Set the environment variables that keep TensorFlow's import silent and deterministic.

    Call it before the first ``import tensorflow`` or ``import keras``. It is harmless to call
    it again. If TensorFlow was already imported, the variables can no longer take effect, so a
    short note is printed to stdout (not stderr) saying how to fix it.
    """
    for key, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if "tensorflow" in sys.modules and os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0":
        print(
            "Note: TensorFlow was imported before setup_notebook(); restart the kernel and run "
            "the set-up cell first for silent, repeatable runs."
        )


#: Kept alive for the whole session: dropping it would not undo the limit, but keeping it makes
#: the intent explicit and lets a learner call ``_BLAS_LIMIT.restore_original_limits()``.
_BLAS_LIMIT = None


def limit_blas_threads() -> None:
    """Run numpy's BLAS on one thread.

    The lessons multiply small matrices, where extra BLAS threads only add overhead (about 5×
    slower on a busy 2-core machine) and make floating-point sums depend on thread scheduling.
    """
    global _BLAS_LIMIT
    from threadpoolctl import threadpool_limits

    _BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")


def setup_notebook(seed: int = 0, *, use_keras: bool = True) -> np.random.Generator:
    """Prepare a lesson notebook: seed everything, make TensorFlow deterministic, set plot style.

    It also silences TensorFlow's import-time logs and runs numpy's BLAS on one thread
    (:func:`limit_blas_threads`).

    Parameters
    ----------
    seed : int, default=0
        Seed for Python's ``random``, numpy's legacy global generator, Keras/TensorFlow, and the
        returned generator. Must be a non-negative int.
    use_keras : bool, default=True
        Import Keras and TensorFlow, seed them and enable op determinism. Lessons that only use
        numpy pass ``False`` and start faster.

    Returns
    -------
    numpy.random.Generator
        The notebook's random generator; pass it (``rng=rng``) to every coursekit function that
        draws random numbers.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    quiet_tensorflow_environment()
    limit_blas_threads()
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds legacy global state that third-party code may use
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="jupyter_client")
    if use_keras:
        _setup_keras(seed)
    _setup_matplotlib()
    return np.random.default_rng(seed)


def _setup_keras(seed: int) -> None:
    import keras
    import tensorflow as tf

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    keras.config.disable_interactive_logging()


def _setup_matplotlib() -> None:
    import matplotlib as mpl

    mpl.rcParams.update(PLOT_STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    set_matplotlib_formats("png")
