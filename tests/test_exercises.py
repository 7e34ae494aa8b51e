"""The self-check mechanism: verdicts, messages, and robustness against odd learner code."""

import numpy as np
import pytest

from coursekit.exercises import Case, Exercise, check, compare, get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED, USES_REFERENCE
from coursekit.reference.capacity import polynomial_features as reference_polynomial_features


def correct_polynomial_features(x, degree):
    return np.stack([x**k for k in range(degree + 1)], axis=1)


def test_a_correct_function_passes_every_case():
    result = run_check(get_exercise("polynomial_features"), correct_polynomial_features)
    assert result.status == PASSED and result.n_passed == len(result.cases) >= 5


def test_a_stub_reports_not_implemented_instead_of_raising():
    def stub(x, degree):
        raise NotImplementedError

    result = run_check(get_exercise("polynomial_features"), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()
    assert result.function.__wrapped__ is reference_polynomial_features


def test_failure_names_the_case_expected_got_and_hint():
    def off_by_one(x, degree):
        return np.stack([x**k for k in range(1, degree + 2)], axis=1)

    result = run_check(get_exercise("polynomial_features"), off_by_one)
    summary = result.summary()
    assert result.status == FAILED
    assert "case 'five points, degree 3'" in summary
    assert "expected 1, got" in summary
    assert "Hint:" in summary


def test_a_learner_exception_is_reported_not_raised():
    def broken(x, degree):
        return x.nonexistent_attribute

    result = run_check(get_exercise("polynomial_features"), broken)
    assert result.status == FAILED
    assert "AttributeError" in result.cases[0].message


def test_in_place_modification_of_an_input_is_reported():
    def mutating(x, degree):
        out = correct_polynomial_features(x, degree)
        x[...] = 0.0
        return out

    result = run_check(get_exercise("polynomial_features"), mutating)
    assert result.status == FAILED and "in place" in result.cases[0].message


def test_wrong_dtype_is_reported():
    def float64_always(x, degree):
        return correct_polynomial_features(x.astype(np.float64), degree)

    result = run_check(get_exercise("polynomial_features"), float64_always)
    assert result.status == FAILED
    assert any("dtype float32" in c.message for c in result.cases)


def test_returning_the_reference_itself_is_flagged():
    result = run_check(get_exercise("polynomial_features"), reference_polynomial_features)
    assert result.status == USES_REFERENCE and not result.passed


def test_a_passing_function_is_the_one_the_notebook_goes_on_with():
    result = run_check(get_exercise("polynomial_features"), correct_polynomial_features)
    assert result.function is correct_polynomial_features


def test_check_prints_one_verdict_and_never_raises_for_unknown_names(capsys):
    result = check("polynomial_feature", correct_polynomial_features, record=False)
    assert not result.passed
    assert "Did you mean 'polynomial_features'" in capsys.readouterr().out


def test_check_records_progress_through_the_progress_module(tmp_path, monkeypatch):
    progress = pytest.importorskip("coursekit.progress")
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))
    check("polynomial_features", correct_polynomial_features)
    assert "polynomial_features" in str(progress.load_progress())


def test_result_serialises_to_plain_data():
    result = run_check(get_exercise("polynomial_features"), correct_polynomial_features)
    as_dict = result.to_dict()
    assert as_dict["status"] == "passed" and as_dict["n_cases"] == len(as_dict["cases"])


def test_different_seeds_draw_different_cases():
    exercise = get_exercise("polynomial_features")
    first = exercise.make_cases(np.random.default_rng(0))[0].args[0]
    second = exercise.make_cases(np.random.default_rng(1))[0].args[0]
    assert not np.array_equal(first, second)


# --- compare(): the trusted comparison -------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __bool__(self):
        return True


class SneakyArray(np.ndarray):
    pass


@pytest.mark.parametrize(
    ("got", "fragment"),
    [
        (AlwaysEqual(), "should be a numpy array"),
        (np.ones((2, 3)).view(SneakyArray), "plain numpy array"),
        (np.ones(3), "should have shape (2, 3), got shape (3,) (it broadcasts"),
        (np.ones((2, 3), dtype=np.float32), "dtype float64"),
        (np.full((2, 3), np.nan), "differs at 6 of 6 entries"),
        ([[1.0] * 3] * 2, "should be a numpy array"),
    ],
)
def test_compare_rejects_look_alikes(got, fragment):
    assert fragment in compare(np.ones((2, 3)), got, rtol=1e-6, atol=0.0)


def test_compare_accepts_values_within_tolerance():
    assert compare(np.ones(4), np.ones(4) + 1e-9, rtol=1e-6, atol=0.0) == ""
    assert compare(2.0, np.float64(2.0 + 1e-9), rtol=1e-6, atol=0.0) == ""


def test_compare_scalar_rejects_non_numbers_and_nan():
    assert "should be a number" in compare(1.0, "1.0", rtol=1e-6, atol=0.0)
    assert "not a finite number" in compare(1.0, float("nan"), rtol=1e-6, atol=0.0)
    assert "should be a number" in compare(1.0, AlwaysEqual(), rtol=1e-6, atol=0.0)


def test_compare_walks_tuples_and_names_the_position():
    message = compare((np.zeros(2), 1.0), (np.zeros(2), 2.0), rtol=1e-6, atol=0.0)
    assert message.startswith("the result[1]")


def test_compare_booleans_need_real_booleans():
    assert "True or False" in compare(True, AlwaysEqual(), rtol=0, atol=0)
    assert compare(True, np.bool_(True), rtol=0, atol=0) == ""


def test_split_exercise_accepts_any_valid_shuffle_and_rejects_sorted_output():
    def shuffled(n_samples, val_fraction, test_fraction, rng):
        order = rng.permutation(n_samples)[::-1]
        n_val, n_test = round(val_fraction * n_samples), round(test_fraction * n_samples)
        return order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test]

    def unshuffled(n_samples, val_fraction, test_fraction, rng):
        order = np.arange(n_samples)
        n_val, n_test = round(val_fraction * n_samples), round(test_fraction * n_samples)
        return order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test]

    exercise = get_exercise("split_indices")
    assert run_check(exercise, shuffled).passed
    assert "shuffle" in run_check(exercise, unshuffled).summary()


def _cut(order, val_fraction, test_fraction):
    n_val, n_test = round(val_fraction * len(order)), round(test_fraction * len(order))
    return order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test]


def test_split_exercise_accepts_a_random_split_whose_parts_are_sorted():
    def sorted_parts(n_samples, val_fraction, test_fraction, rng):
        return tuple(np.sort(part) for part in _cut(rng.permutation(n_samples), val_fraction, test_fraction))

    assert run_check(get_exercise("split_indices"), sorted_parts).passed


def test_split_exercise_catches_a_split_that_ignores_rng():
    def global_random(n_samples, val_fraction, test_fraction, rng):
        return _cut(np.random.permutation(n_samples), val_fraction, test_fraction)  # noqa: NPY002

    result = run_check(get_exercise("split_indices"), global_random)
    assert result.status == FAILED
    assert "draw every random number from the rng argument" in result.cases[0].message


def test_custom_exercise_with_extra_check_failing():
    from coursekit.exercises import CaseOutcome

    exercise = Exercise(
        name="double",
        lesson="99",
        reference=lambda x: 2 * x,
        make_cases=lambda rng: [Case("one", (np.ones(2),))],
        hint="multiply by two",
        extra_checks=(lambda fn, rng: CaseOutcome("gradient", False, "gradient is off"),),
    )
    result = run_check(exercise, lambda x: 2 * x)
    assert result.status == FAILED and result.cases[-1].label == "gradient"


def _split_with(size):
    def split(n_samples, val_fraction, test_fraction, rng):
        order = rng.permutation(n_samples)
        n_val, n_test = size(val_fraction * n_samples), size(test_fraction * n_samples)
        n_train = n_samples - n_val - n_test
        return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]

    return split


def test_split_feedback_blames_the_part_cut_down_by_int_not_the_training_part():
    result = run_check(get_exercise("split_indices"), _split_with(int))
    message = next(case.message for case in result.cases if not case.passed)
    assert message.startswith("the val part should hold 6 indices, round(val_fraction * n_samples), got 5.")
    assert "int() cuts the product down" in message and "train" not in message


def test_split_feedback_on_rounding_half_up_says_python_rounds_halves_to_even():
    result = run_check(get_exercise("split_indices"), _split_with(lambda product: int(product + 0.5)))
    failed = [case for case in result.cases if not case.passed]
    assert [case.label for case in failed] == ["no test set", "a half to round (2.5 rounds to 2)"]
    assert "Python's round() rounds halves to even, round(2.5) == 2." in failed[0].message


def test_a_split_with_the_right_sizes_but_a_wrong_train_part_names_the_train_part():
    def drops_one(n_samples, val_fraction, test_fraction, rng):
        train, val, test = _split_with(round)(n_samples, val_fraction, test_fraction, rng)
        return train[:-1], val, test

    message = next(c.message for c in run_check(get_exercise("split_indices"), drops_one).cases if not c.passed)
    assert message.startswith("the train part should hold 60 indices, the rest (n_samples = 100")
