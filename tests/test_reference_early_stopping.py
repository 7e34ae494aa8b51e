"""Tests for coursekit.reference.early_stopping: EarlyStopper against keras.callbacks.EarlyStopping.

Each scripted sequence of monitored values is fed to Keras through a real ``fit``: a callback
placed before ``EarlyStopping`` overwrites the monitored entry of ``logs`` with the scripted value
and records the model's weights at every epoch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit.reference.early_stopping import EarlyStopper

MONITOR = "val_score"

# (id, values, EarlyStopper/EarlyStopping arguments); mode is "min" unless stated.
KERAS_CASES = [
    ("patience_0", [1.0, 0.9, 0.95, 0.8, 0.7], {"patience": 0}),
    ("plateau_ties_do_not_improve", [1.0, 0.8, 0.8, 0.8, 0.7, 0.6], {"patience": 2}),
    (
        "min_delta",
        [1.0, 0.94, 0.92, 0.88, 0.87, 0.86, 0.85],
        {"patience": 2, "min_delta": 0.05},
    ),
    ("max_mode", [0.5, 0.6, 0.6, 0.7, 0.65, 0.64, 0.9], {"patience": 2, "monitor_mode": "max"}),
    (
        "max_mode_min_delta",
        [0.5, 0.52, 0.58, 0.6, 0.61, 0.7],
        {"patience": 2, "monitor_mode": "max", "min_delta": 0.05},
    ),
    ("start_from_epoch", [1.0, 2.0, 3.0, 2.5, 2.6, 1.0], {"patience": 0, "start_from_epoch": 3}),
    (
        "restore_best_weights",
        [1.0, 0.5, 0.7, 0.6, 0.4],
        {"patience": 2, "restore_best_weights": True},
    ),
    (
        "restore_without_stopping",
        [1.0, 0.9, 0.95, 0.92],
        {"patience": 3, "restore_best_weights": True},
    ),
    (
        "restore_after_warm_up",
        [0.1, 1.0, 0.9, 0.95, 0.97],
        {"patience": 1, "start_from_epoch": 1, "restore_best_weights": True},
    ),
    ("never_stops", [5.0, 4.0, 4.5, 3.0, 3.5, 2.0], {"patience": 2}),
    ("nan_after_finite", [1.0, math.nan, math.nan, 0.5], {"patience": 1}),
    ("nan_first", [math.nan, 1.0, 0.5, 0.2], {"patience": 1}),
    ("float32_resolution_ties", [1.0, 1.0 - 1e-9, 1.0 - 2e-9, 0.5], {"patience": 1}),
]


def _keras_arguments(arguments: dict) -> dict:
    keras_arguments = dict(arguments)
    keras_arguments["mode"] = keras_arguments.pop("monitor_mode", "min")
    return keras_arguments


@pytest.fixture(scope="module")
def keras_run():
    """Return a function that runs Keras EarlyStopping on a scripted sequence of values."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    x = np.array([[1.0], [2.0]], dtype=np.float32)
    y = np.array([[1.0], [3.0]], dtype=np.float32)

    class ScriptedMonitor(keras.callbacks.Callback):
        def __init__(self, values):
            super().__init__()
            self.values = values
            self.weights_per_epoch = []

        def on_epoch_end(self, epoch, logs=None):
            logs[MONITOR] = self.values[epoch]
            self.weights_per_epoch.append(self.model.get_weights())

    def run(values, arguments):
        scripted = ScriptedMonitor(values)
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=MONITOR, **_keras_arguments(arguments)
        )
        history = model.fit(
            x,
            y,
            batch_size=2,
            epochs=len(values),
            verbose=0,
            callbacks=[scripted, early_stopping],
        )
        return {
            "early_stopping": early_stopping,
            "epochs_run": len(history.history["loss"]),
            "weights_per_epoch": scripted.weights_per_epoch,
            "final_weights": model.get_weights(),
        }

    return run


def _run_stopper(values, arguments, weights_per_epoch):
    """Feed the values (and Keras's recorded weights) to an EarlyStopper until it says stop."""
    stopper = EarlyStopper(**arguments)
    epochs_run = 0
    for epoch, value in enumerate(values):
        epochs_run += 1
        if stopper.update(value, weights=weights_per_epoch[epoch]):
            break
    return stopper, epochs_run


@pytest.mark.parametrize(
    ("values", "arguments"),
    [case[1:] for case in KERAS_CASES],
    ids=[case[0] for case in KERAS_CASES],
)
def test_stops_on_the_same_epoch_as_keras(keras_run, values, arguments):
    keras_result = keras_run(values, arguments)
    keras_stopping = keras_result["early_stopping"]
    stopper, epochs_run = _run_stopper(values, arguments, keras_result["weights_per_epoch"])

    assert epochs_run == keras_result["epochs_run"]
    assert stopper.stopped_epoch == keras_stopping.stopped_epoch
    assert stopper.best_epoch == keras_stopping.best_epoch
    assert stopper.wait == keras_stopping.wait
    np.testing.assert_allclose(stopper.best, keras_stopping.best, rtol=0, atol=0)


RESTORE_CASES = [case for case in KERAS_CASES if case[2].get("restore_best_weights")]


@pytest.mark.parametrize(
    ("values", "arguments"),
    [case[1:] for case in RESTORE_CASES],
    ids=[case[0] for case in RESTORE_CASES],
)
def test_best_weights_are_the_weights_keras_restores(keras_run, values, arguments):
    keras_result = keras_run(values, arguments)
    recorded = keras_result["weights_per_epoch"]
    best_epoch = keras_result["early_stopping"].best_epoch
    assert best_epoch != len(recorded) - 1, "the case must restore an epoch other than the last"
    stopper, _ = _run_stopper(values, arguments, recorded)

    for restored, at_best in zip(keras_result["final_weights"], recorded[best_epoch], strict=True):
        np.testing.assert_array_equal(restored, at_best)
    for ours, at_best in zip(stopper.best_weights, recorded[best_epoch], strict=True):
        np.testing.assert_array_equal(ours, at_best)


def test_patience_counts_epochs_without_improvement():
    stopper = EarlyStopper(patience=2)
    decisions = [stopper.update(value) for value in [1.0, 0.8, 0.9, 0.85]]
    assert decisions == [False, False, False, True]
    assert (stopper.best_epoch, stopper.stopped_epoch) == (1, 3)


def test_state_before_any_update_matches_keras_defaults():
    stopper = EarlyStopper()
    assert stopper.best is None
    assert (stopper.best_epoch, stopper.stopped_epoch, stopper.wait) == (0, 0, 0)
    assert stopper.best_weights is None


def test_best_weights_is_a_deep_copy():
    stopper = EarlyStopper(restore_best_weights=True)
    weights = [np.array([1.0, 2.0]), np.array([3.0])]
    stopper.update(0.5, weights=weights)
    weights[0][0] = 99.0
    np.testing.assert_array_equal(stopper.best_weights[0], [1.0, 2.0])


def test_best_weights_stay_none_without_restore():
    stopper = EarlyStopper()
    stopper.update(0.5, weights=[np.ones(2)])
    assert stopper.best_weights is None


def test_restore_best_weights_requires_weights():
    stopper = EarlyStopper(restore_best_weights=True)
    with pytest.raises(ValueError, match="weights"):
        stopper.update(0.5)


@pytest.mark.parametrize(
    ("arguments", "error", "name"),
    [
        ({"patience": -1}, ValueError, "patience"),
        ({"patience": 1.5}, TypeError, "patience"),
        ({"min_delta": -0.1}, ValueError, "min_delta"),
        ({"monitor_mode": "auto"}, ValueError, "monitor_mode"),
        ({"start_from_epoch": -2}, ValueError, "start_from_epoch"),
        ({"restore_best_weights": "yes"}, TypeError, "restore_best_weights"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(arguments, error, name):
    with pytest.raises(error, match=name):
        EarlyStopper(**arguments)


def test_non_numeric_value_raises_type_error():
    stopper = EarlyStopper()
    with pytest.raises(TypeError, match="value"):
        stopper.update("0.5")
