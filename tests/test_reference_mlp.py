"""Tests for coursekit.reference.mlp: gradients, learning, determinism and early stopping."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from coursekit.gradcheck import GOOD_THRESHOLD, numerical_gradient, relative_error
from coursekit.reference.early_stopping import EarlyStopper
from coursekit.reference.label_smoothing import categorical_crossentropy, softmax
from coursekit.reference.mlp import MLP, History
from coursekit.reference.penalties import l1_l2_penalty

# Identities that hold up to float64 rounding only.
RTOL_EXACT = 1e-10
ALL_OPTIONS = dict(l1=0.01, l2=0.05, rate=0.3, batch_norm=True, label_smoothing=0.1)
SIZES = (5, 6, 4, 3)


def _gradcheck_case(seed, **options):
    """A tiny float64 model and batch; moving statistics set away from their initial values."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=8)
    model = MLP(SIZES, rng=seed, **options)
    for value in model.moving_stats.values():
        value[...] = rng.uniform(0.5, 1.5, size=value.shape)
    return model, X, y


def _relative_errors(model, X, y, training, seed):
    """Relative error of every parameter's gradient, the dropout mask fixed by the int seed."""
    _, grads = model.loss_and_grads(X, y, training=training, rng=seed)
    errors = {}
    for name, param in model.params.items():
        numerical = numerical_gradient(
            lambda _: model.loss_and_grads(X, y, training=training, rng=seed)[0], param
        )
        errors[name] = relative_error(grads[name], numerical)
    return errors


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


# Elementwise relative errors are harsh on gradient entries that happen to be tiny (~1e-5),
# where float64 roundoff of the finite differences (~1e-11) alone reaches 1e-7; the seeds below
# have none. A wrong backward pass gives errors of 1e-3 or more.
@pytest.mark.parametrize(
    "name", ["kernel_0", "gamma_0", "beta_0", "kernel_1", "gamma_1", "beta_1", "kernel_2", "bias_2"]
)
def test_training_gradient_with_every_option_passes_gradient_check(name):
    model, X, y = _gradcheck_case(0, **ALL_OPTIONS)
    assert _relative_errors(model, X, y, training=True, seed=0)[name] < GOOD_THRESHOLD


def test_inference_gradient_with_batch_norm_passes_gradient_check():
    model, X, y = _gradcheck_case(1, **ALL_OPTIONS)
    assert max(_relative_errors(model, X, y, training=False, seed=1).values()) < GOOD_THRESHOLD


def test_gradient_without_batch_norm_passes_gradient_check():
    options = dict(ALL_OPTIONS, batch_norm=False)
    model, X, y = _gradcheck_case(2, **options)
    assert max(_relative_errors(model, X, y, training=True, seed=2).values()) < GOOD_THRESHOLD


def test_batch_norm_replaces_hidden_biases_by_gamma_and_beta():
    model = MLP(SIZES, batch_norm=True, rng=0)
    assert sorted(model.params) == sorted(
        ["kernel_0", "gamma_0", "beta_0", "kernel_1", "gamma_1", "beta_1", "kernel_2", "bias_2"]
    )
    assert sorted(model.moving_stats) == sorted(
        ["moving_mean_0", "moving_var_0", "moving_mean_1", "moving_var_1"]
    )


def test_parameter_shapes_follow_layer_sizes():
    model = MLP(SIZES, rng=0)
    assert model.params["kernel_1"].shape == (6, 4)
    assert model.params["bias_2"].shape == (3,)


def test_loss_is_cross_entropy_plus_kernel_penalties():
    model, X, y = _gradcheck_case(3, l1=0.02, l2=0.1, label_smoothing=0.2)
    onehot = np.eye(SIZES[-1])[y]
    kernels = [model.params[f"kernel_{i}"] for i in range(3)]
    expected = categorical_crossentropy(onehot, model.predict_proba(X), 0.2) + l1_l2_penalty(
        kernels, 0.02, 0.1
    )
    loss, _ = model.loss_and_grads(X, onehot, training=False)
    np.testing.assert_allclose(loss, expected, rtol=RTOL_EXACT)


def test_loss_and_grads_leaves_moving_statistics_unchanged():
    model, X, y = _gradcheck_case(4, **ALL_OPTIONS)
    before = {name: value.copy() for name, value in model.moving_stats.items()}
    model.loss_and_grads(X, y, training=True, rng=4)
    for name, value in model.moving_stats.items():
        np.testing.assert_array_equal(value, before[name])


def test_predicted_probabilities_sum_to_one():
    model, X, _ = _gradcheck_case(5, **ALL_OPTIONS)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=RTOL_EXACT)


def test_softmax_of_the_logits_is_predict_proba():
    model = MLP((4, 5, 3), batch_norm=True, rng=0)
    X = np.random.default_rng(1).normal(size=(6, 4))
    np.testing.assert_allclose(softmax(model.predict_logits(X)), model.predict_proba(X), rtol=1e-12)


def test_logits_stay_finite_where_probabilities_underflow():
    model = MLP((1, 2), rng=0)
    model.params["kernel_0"][...] = [[1000.0, -1000.0]]
    logits = model.predict_logits(np.ones((1, 1)))
    assert model.predict_proba(np.ones((1, 1)))[0, 1] == 0.0
    np.testing.assert_allclose(logits[0, 0] - logits[0, 1], 2000.0, rtol=1e-12)


def test_sgd_learns_digits(digits):
    X, y = digits
    model = MLP((64, 32, 10), rng=0)
    history = model.fit(X, y, epochs=8, batch_size=32, lr=0.1, rng=0)
    assert history.history["accuracy"][-1] > 0.95


def test_adam_learns_digits_with_every_technique_on(digits):
    X, y = digits
    model = MLP(
        (64, 32, 10), l1=1e-5, l2=1e-4, rate=0.2, batch_norm=True, label_smoothing=0.1, rng=0
    )
    model.fit(X, y, epochs=8, batch_size=32, lr=0.003, optimizer="adam", rng=0)
    assert model.evaluate(X, y)[1] > 0.95


def test_fit_is_deterministic_given_the_seed(digits):
    X, y = digits
    runs = []
    for _ in range(2):
        model = MLP((64, 16, 10), rate=0.3, batch_norm=True, rng=7)
        history = model.fit(X[:300], y[:300], X_val=X[300:400], y_val=y[300:400], epochs=2, rng=8)
        runs.append((history.history, model.get_weights()))
    assert runs[0][0] == runs[1][0]
    for name, value in runs[0][1].items():
        np.testing.assert_array_equal(value, runs[1][1][name])


def test_fit_updates_moving_statistics(digits):
    X, y = digits
    model = MLP((64, 8, 10), batch_norm=True, rng=0)
    model.fit(X[:200], y[:200], epochs=1, rng=0)
    assert not np.allclose(model.moving_stats["moving_mean_0"], 0.0)


def test_history_has_keras_keys_per_epoch(digits):
    X, y = digits
    history = MLP((64, 10), rng=0).fit(
        X[:100], y[:100], X_val=X[100:150], y_val=y[100:150], epochs=3, rng=0
    )
    assert isinstance(history, History)
    assert history.epoch == [0, 1, 2]
    assert {key: len(values) for key, values in history.history.items()} == {
        "loss": 3,
        "accuracy": 3,
        "val_loss": 3,
        "val_accuracy": 3,
    }


def test_sgd_weight_decay_equals_l2_penalty_with_half_the_strength(digits):
    X, y = digits
    decayed = MLP((64, 16, 10), rng=0)
    penalized = MLP((64, 16, 10), l2=0.005, rng=0)
    decayed.fit(X[:200], y[:200], epochs=2, lr=0.05, weight_decay=0.01, rng=1)
    penalized.fit(X[:200], y[:200], epochs=2, lr=0.05, rng=1)
    for name, value in decayed.params.items():
        np.testing.assert_allclose(value, penalized.params[name], rtol=RTOL_EXACT, atol=1e-12)


def test_early_stopping_stops_when_the_monitored_value_does_not_improve(digits):
    X, y = digits
    stopper = EarlyStopper(patience=0)
    history = MLP((64, 10), rng=0).fit(
        X[:100],
        y[:100],
        X_val=X[100:200],
        y_val=y[100:200],
        epochs=10,
        lr=0.0,
        early_stopping=stopper,
        rng=0,
    )
    assert history.epoch == [0, 1]
    assert stopper.stopped_epoch == 1


def test_restore_best_weights_brings_back_the_best_epoch(digits):
    X, y = digits
    X_val, y_val = X[1000:1300], y[1000:1300]
    model = MLP((64, 64, 10), rng=0)
    stopper = EarlyStopper(patience=2, restore_best_weights=True)
    history = model.fit(
        X[:40],
        y[:40],
        X_val=X_val,
        y_val=y_val,
        epochs=300,
        batch_size=40,
        lr=0.5,
        early_stopping=stopper,
        rng=0,
    )
    assert stopper.stopped_epoch > stopper.best_epoch
    np.testing.assert_allclose(
        model.evaluate(X_val, y_val)[0],
        history.history["val_loss"][stopper.best_epoch],
        rtol=RTOL_EXACT,
    )


def test_float32_model_keeps_float32_parameters(digits):
    X, y = digits
    model = MLP((64, 8, 10), batch_norm=True, dtype="float32", rng=0)
    model.fit(X[:100], y[:100], epochs=1, rng=0)
    assert {value.dtype for value in model.get_weights().values()} == {np.dtype("float32")}


def test_negative_l2_is_rejected():
    with pytest.raises(ValueError, match=r"l2 must be .*>= 0.*got -0\.1"):
        MLP(SIZES, l2=-0.1, rng=0)


def test_rate_of_one_is_rejected():
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\).*got 1\.0"):
        MLP(SIZES, rate=1.0, rng=0)


def test_layer_sizes_with_zero_units_are_rejected():
    with pytest.raises(ValueError, match=r"layer_sizes\[1\] must be an int >= 1, got 0"):
        MLP((5, 0, 3), rng=0)


def test_integer_inputs_are_rejected():
    with pytest.raises(TypeError, match=r"X must have a floating-point dtype.*int64"):
        MLP(SIZES, rng=0).predict(np.ones((2, 5), dtype=np.int64))


def test_labels_out_of_range_are_rejected():
    with pytest.raises(
        ValueError, match=r"y must hold class labels in \[0, 2\], got values from 0 to 3"
    ):
        MLP(SIZES, rng=0).fit(np.ones((2, 5)), np.array([0, 3]), epochs=1, rng=0)


def test_missing_validation_data_for_monitor_is_rejected():
    with pytest.raises(
        ValueError, match=r"monitor must be one of \['loss', 'accuracy'\], got 'val_loss'"
    ):
        MLP(SIZES, rng=0).fit(
            np.ones((2, 5)), np.array([0, 1]), epochs=1, early_stopping=EarlyStopper(), rng=0
        )


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match=r"optimizer must be \"sgd\" or \"adam\", got 'rmsprop'"):
        MLP(SIZES, rng=0).fit(
            np.ones((2, 5)), np.array([0, 1]), epochs=1, optimizer="rmsprop", rng=0
        )


# --- Layer norm, max-norm and mixup (issue 13) ----------------------------------------------

LAYER_NORM_OPTIONS = dict(ALL_OPTIONS, batch_norm=False, layer_norm=True)


def test_training_gradient_with_layer_norm_passes_gradient_check():
    model, X, y = _gradcheck_case(5, **LAYER_NORM_OPTIONS)
    assert max(_relative_errors(model, X, y, training=True, seed=5).values()) < GOOD_THRESHOLD


def test_layer_norm_replaces_hidden_biases_and_keeps_no_moving_statistics():
    model = MLP(SIZES, layer_norm=True, rng=0)
    assert sorted(model.params) == sorted(
        ["kernel_0", "gamma_0", "beta_0", "kernel_1", "gamma_1", "beta_1", "kernel_2", "bias_2"]
    )
    assert model.moving_stats == {}


def test_layer_norm_predictions_do_not_depend_on_the_rest_of_the_batch():
    model, X, _ = _gradcheck_case(6, layer_norm=True)
    batch, _, _ = model._forward(X, training=True, rng=None)
    single, _, _ = model._forward(X[:1], training=True, rng=None)
    np.testing.assert_allclose(batch[:1], single, rtol=RTOL_EXACT)


def test_batch_norm_and_layer_norm_together_are_rejected():
    with pytest.raises(ValueError, match=r"batch_norm and layer_norm cannot both be True"):
        MLP(SIZES, batch_norm=True, layer_norm=True, rng=0)


def test_max_norm_bounds_every_kernel_column_after_training(digits):
    X, y = digits
    model = MLP((64, 16, 10), max_norm=0.5, rng=0)
    model.fit(X[:200], y[:200], epochs=3, lr=0.5, rng=0)
    for i in range(2):
        norms = np.linalg.norm(model.params[f"kernel_{i}"], axis=0)
        assert norms.max() <= 0.5 + 1e-9


def test_max_norm_is_a_projection_after_each_update():
    model, X, y = _gradcheck_case(7, max_norm=0.3)
    manual, _, _ = _gradcheck_case(7)
    _, grads = manual.loss_and_grads(X, y, training=True, rng=7)
    expected = {}
    for name, value in manual.params.items():
        stepped = value - 0.1 * grads[name]
        if name.startswith("kernel_"):
            norms = np.linalg.norm(stepped, axis=0, keepdims=True)
            stepped = stepped * np.clip(norms, 0, 0.3) / (1e-7 + norms)
        expected[name] = stepped
    model.fit(X, y, epochs=1, batch_size=len(X), lr=0.1, rng=np.random.default_rng(7))
    for name, value in expected.items():
        np.testing.assert_allclose(model.params[name], value, rtol=1e-9, atol=1e-12)


def test_negative_max_norm_is_rejected():
    with pytest.raises(ValueError, match=r"max_norm must be .*>= 0.*got -1\.0"):
        MLP(SIZES, max_norm=-1.0, rng=0)


def test_mixup_alpha_zero_trains_exactly_as_without_mixup(digits):
    X, y = digits
    histories = []
    for options in [{}, {"mixup_alpha": 0.0}]:
        model = MLP((64, 8, 10), rng=0)
        histories.append(model.fit(X[:100], y[:100], epochs=2, rng=1, **options).history)
    assert histories[0] == histories[1]


def test_mixup_mixes_each_batch_before_its_step():
    from coursekit.reference.augmentation import mixup

    model, X, y = _gradcheck_case(8)
    manual, _, _ = _gradcheck_case(8)
    generator = np.random.default_rng(8)
    order = generator.permutation(len(X))
    X_mixed, y_mixed = mixup(X[order], np.eye(SIZES[-1])[y[order]], 0.4, rng=generator)
    _, grads = manual.loss_and_grads(X_mixed, y_mixed, training=True)
    model.fit(X, y, epochs=1, batch_size=len(X), lr=0.1, mixup_alpha=0.4, rng=8)
    for name, value in manual.params.items():
        np.testing.assert_allclose(model.params[name], value - 0.1 * grads[name], rtol=1e-9)


def test_negative_mixup_alpha_is_rejected():
    with pytest.raises(ValueError, match=r"mixup_alpha must be .*>= 0.*got -0\.2"):
        MLP(SIZES, rng=0).fit(np.ones((2, 5)), np.array([0, 1]), epochs=1, mixup_alpha=-0.2, rng=0)
