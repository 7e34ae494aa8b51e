"""One set-up call per notebook: seeds, TensorFlow determinism, quiet logs, plot defaults.

Every lesson starts with::

    from coursekit.session import seeds, setup_notebook
    rng = setup_notebook(seed=0)

and uses the returned ``rng`` (a ``numpy.random.Generator``) for everything random it does in
numpy. This is the only place in coursekit that touches global random state, on purpose: Keras
and TensorFlow draw their initial weights and dropout masks from global seeds.

It is also the course's one source of seeds. Every seed a lesson uses (the set-up seed, data
splits, initial weights, masks, augmentation, Keras, multi-seed loops) comes from
:func:`seed_for` or :func:`seeds`, which add the offset read from ``COURSEKIT_SEED_OFFSET``
(default 0). Re-running the course with another offset therefore re-runs every experiment on
seeds nobody chose, and every asserted claim must still hold::

    COURSEKIT_SEED_OFFSET=1000 make execute

A lesson never looks a result up by a literal seed value: it indexes by position
(``results[i]`` for the i-th of ``seeds(5)``).
"""

from __future__ import annotations

import logging
import os
import random
import sys
import warnings

import numpy as np

#: Environment variable that shifts every seed of the course by a fixed, non-negative amount.
SEED_OFFSET_VARIABLE = "COURSEKIT_SEED_OFFSET"


def seed_offset() -> int:
    """The offset added to every seed: ``COURSEKIT_SEED_OFFSET`` as an int, 0 when unset.

    Raises
    ------
    ValueError
        If the variable is set to anything but a non-negative integer.
    """
    text = os.environ.get(SEED_OFFSET_VARIABLE, "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(
            f"{SEED_OFFSET_VARIABLE} must be a non-negative integer, got {text!r}. "
            f"Unset it (or set it to 0) for the seeds the stored outputs were made with."
        )
    return int(text)


def seed_for(base: int = 0) -> int:
    """The seed for one random draw of a lesson: ``base`` plus :func:`seed_offset`.

    Parameters
    ----------
    base : int, default=0
        The lesson's own, fixed seed for this draw. Must be a non-negative int. Use different
        bases for draws that must be independent (for example ``seed_for(100)`` for a data set and
        ``seed_for(0)`` for the weights).

    Returns
    -------
    int
        ``base + seed_offset()``.
    """
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise ValueError(f"seed base must be a non-negative int, got {base!r}.")
    return base + seed_offset()


def seeds(n: int, start: int = 0) -> list[int]:
    """``n`` consecutive seeds for a multi-seed experiment, moved by :func:`seed_offset`.

    Parameters
    ----------
    n : int
        How many seeds. Must be a positive int.
    start : int, default=0
        The first base seed; the bases are ``start, start + 1, ..., start + n - 1``.

    Returns
    -------
    list of int, of length n
        ``[seed_for(start), seed_for(start + 1), ...]``. Index results by position, never by value.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}.")
    return [seed_for(start + i) for i in range(n)]


def reseed(value: int) -> np.random.Generator:
    """Re-seed the global generators (Python, numpy, Keras) for one run; return a generator.

    Use it before building each Keras model of a multi-seed loop, so that run ``i`` gets its
    own, repeatable initial weights and dropout masks::

        for run_seed in seeds(5):
            reseed(run_seed)
            model = build_mlp(...)

    Parameters
    ----------
    value : int
        A seed *from* :func:`seed_for` or :func:`seeds`, used as it is (the offset is already in
        it). Must be a non-negative int.

    Returns
    -------
    numpy.random.Generator
        ``numpy.random.default_rng(value)``.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"seed must be a non-negative int, got {value!r}.")
    random.seed(value)
    np.random.seed(value)  # noqa: NPY002 - seeds legacy global state that third-party code may use
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(value)
    return np.random.default_rng(value)

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
        Base seed for Python's ``random``, numpy's legacy global generator, Keras/TensorFlow, and
        the returned generator. Must be a non-negative int. The seed actually used is
        ``seed + seed_offset()`` (see :func:`seed_for`).
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
    actual = seed + seed_offset()
    quiet_tensorflow_environment()
    limit_blas_threads()
    random.seed(actual)
    np.random.seed(actual)  # noqa: NPY002 - seeds legacy global state that third-party code may use
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="jupyter_client")
    if use_keras:
        _setup_keras(actual)
    _setup_matplotlib()
    return np.random.default_rng(actual)


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
