"""Lesson 07 exercises: a correct learner passes, a stub is "not implemented", typical bugs fail."""

import numpy as np
from exercise_helpers import stub

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED


def correct_tune(evaluate, l2_grid, rate_grid):
    results = [
        (evaluate(l2=l2, rate=rate)["val_loss"], index, l2, rate)
        for index, (l2, rate) in enumerate((a, b) for a in l2_grid for b in rate_grid)
    ]
    val_loss, _, l2, rate = min(results)
    return l2, rate, val_loss


def tune_on_test(evaluate, l2_grid, rate_grid):
    best = None
    for l2 in l2_grid:
        for rate in rate_grid:
            scores = evaluate(l2=l2, rate=rate)
            if best is None or scores["test_loss"] < best[3]:
                best = (l2, rate, scores["val_loss"], scores["test_loss"])
    return best[:3]


def tune_on_train(evaluate, l2_grid, rate_grid):
    best = None
    for l2 in l2_grid:
        for rate in rate_grid:
            scores = evaluate(l2=l2, rate=rate)
            if best is None or scores["train_loss"] < best[3]:
                best = (l2, rate, scores["val_loss"], scores["train_loss"])
    return best[:3]


def tune_last_tie_wins(evaluate, l2_grid, rate_grid):
    best = None
    for l2 in l2_grid:
        for rate in rate_grid:
            val_loss = evaluate(l2=l2, rate=rate)["val_loss"]
            if best is None or val_loss <= best[2]:
                best = (l2, rate, val_loss)
    return best


def correct_summary(train_scores, val_scores):
    val = np.array(val_scores, dtype=float)
    gap = np.array(train_scores, dtype=float) - val
    return val.mean(), np.std(val, ddof=1), gap.mean(), np.std(gap, ddof=1)


def summary_population_std(train_scores, val_scores):
    val = np.array(val_scores, dtype=float)
    gap = np.array(train_scores, dtype=float) - val
    return val.mean(), np.std(val), gap.mean(), np.std(gap)


def summary_gap_spread_from_spreads(train_scores, val_scores):
    train, val = np.array(train_scores, dtype=float), np.array(val_scores, dtype=float)
    gap_std = abs(np.std(train, ddof=1) - np.std(val, ddof=1))
    return val.mean(), np.std(val, ddof=1), train.mean() - val.mean(), gap_std


def summary_gap_reversed(train_scores, val_scores):
    val = np.array(val_scores, dtype=float)
    gap = val - np.array(train_scores, dtype=float)
    return val.mean(), np.std(val, ddof=1), gap.mean(), np.std(gap, ddof=1)


def check(name, function):
    return run_check(get_exercise(name), function, np.random.default_rng(7))


def test_a_correct_tuning_loop_passes():
    result = check("tune", correct_tune)
    assert result.status == PASSED, result.summary()


def test_an_unstarted_tuning_loop_is_not_implemented():
    assert check("tune", stub).status == NOT_IMPLEMENTED


def test_choosing_by_the_test_loss_fails_and_is_named():
    result = check("tune", tune_on_test)
    assert result.status == FAILED
    assert "validation loss" in result.summary()
    peeking = [c for c in result.cases if c.label == "the choice ignores the test and training losses"]
    assert peeking and not peeking[0].passed and "TEST loss" in peeking[0].message


def test_choosing_by_the_training_loss_fails_and_is_named():
    result = check("tune", tune_on_train)
    assert result.status == FAILED
    peeking = [c for c in result.cases if c.label == "the choice ignores the test and training losses"]
    assert "TRAINING loss" in peeking[0].message


def test_every_random_grid_catches_a_test_peeker():
    # The grader runs no extra checks: the cases alone must catch peeking, on any seed.
    exercise = get_exercise("tune")
    for seed in range(5):
        result = run_check(exercise, tune_on_test, np.random.default_rng(seed))
        multi_point = [c for c in result.cases if "grid" in c.label and "single" not in c.label]
        assert all(not c.passed for c in multi_point if "tie" not in c.label)


def test_letting_the_last_tie_win_fails_on_the_tie_case():
    result = check("tune", tune_last_tie_wins)
    failed = [c.label for c in result.cases if not c.passed]
    assert result.status == FAILED and any("tie" in label for label in failed)


def test_a_correct_summary_passes():
    result = check("summarize_seeds", correct_summary)
    assert result.status == PASSED, result.summary()


def test_an_unstarted_summary_is_not_implemented():
    assert check("summarize_seeds", stub).status == NOT_IMPLEMENTED


def test_the_population_std_fails_with_a_ddof_hint():
    result = check("summarize_seeds", summary_population_std)
    assert result.status == FAILED and "ddof=1" in result.summary()


def test_the_gap_spread_must_come_from_per_seed_gaps():
    result = check("summarize_seeds", summary_gap_spread_from_spreads)
    assert result.status == FAILED and "gap_std" in result.summary()


def test_a_reversed_gap_fails_with_its_sign_convention():
    result = check("summarize_seeds", summary_gap_reversed)
    assert result.status == FAILED and "train - val" in result.summary()
