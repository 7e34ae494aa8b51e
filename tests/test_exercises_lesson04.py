"""Lesson 04 exercises: a correct learner passes, a stub is "not implemented", typical bugs fail."""

import numpy as np
import pytest

from coursekit.exercises import get_exercise, run_check
from coursekit.exercises.core import FAILED, NOT_IMPLEMENTED, PASSED


def correct_early_stopping_epoch(val_losses, patience=0, min_delta=0.0):
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(val_losses):
        if best is None or value < best - min_delta:
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait >= patience:
            return epoch, best_epoch
    return None, best_epoch


def stop_one_epoch_late(val_losses, patience=0, min_delta=0.0):
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(val_losses):
        if best is None or value < best - min_delta:
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait > patience:
            return epoch, best_epoch
    return None, best_epoch


def tie_counts_as_improvement(val_losses, patience=0, min_delta=0.0):
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(val_losses):
        if best is None or value <= best - min_delta:
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait >= patience:
            return epoch, best_epoch
    return None, best_epoch


def ignores_min_delta(val_losses, patience=0, min_delta=0.0):
    return correct_early_stopping_epoch(val_losses, patience, 0.0)


def correct_fit(weights, step, val_loss, max_epochs, patience, restore_best_weights=True):
    weights = weights.copy()
    best, best_weights, wait, n_epochs = np.inf, weights.copy(), 0, 0
    for _ in range(max_epochs):
        step(weights)
        n_epochs += 1
        loss = val_loss(weights)
        if loss < best:
            best, best_weights, wait = loss, weights.copy(), 0
        else:
            wait += 1
            if wait >= patience:
                break
    return (best_weights if restore_best_weights else weights), n_epochs


def keeps_a_reference_not_a_copy(weights, step, val_loss, max_epochs, patience,
                                 restore_best_weights=True):
    weights = weights.copy()
    best, best_weights, wait, n_epochs = np.inf, weights, 0, 0
    for _ in range(max_epochs):
        step(weights)
        n_epochs += 1
        loss = val_loss(weights)
        if loss < best:
            best, best_weights, wait = loss, weights, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return (best_weights if restore_best_weights else weights), n_epochs


def restores_only_after_an_early_stop(weights, step, val_loss, max_epochs, patience,
                                      restore_best_weights=True):
    weights = weights.copy()
    best, best_weights, wait = np.inf, weights.copy(), 0
    for epoch in range(max_epochs):
        step(weights)
        loss = val_loss(weights)
        if loss < best:
            best, best_weights, wait = loss, weights.copy(), 0
        else:
            wait += 1
            if wait >= patience:
                return (best_weights if restore_best_weights else weights), epoch + 1
    return weights, max_epochs


def modifies_the_initial_weights(weights, step, val_loss, max_epochs, patience,
                                 restore_best_weights=True):
    result = correct_fit(weights, step, val_loss, max_epochs, patience, restore_best_weights)
    step(weights)
    return result


def test_a_correct_stopping_rule_passes_every_case():
    result = run_check(get_exercise("early_stopping_epoch"), correct_early_stopping_epoch)
    assert result.status == PASSED, result.summary()
    assert len(result.cases) >= 10


@pytest.mark.parametrize("seed", range(5))
def test_the_stopping_rule_passes_on_other_graders_seeds(seed):
    result = run_check(
        get_exercise("early_stopping_epoch"), correct_early_stopping_epoch,
        np.random.default_rng(seed),
    )
    assert result.status == PASSED, result.summary()


def test_an_unimplemented_stopping_rule_is_reported_as_such():
    def stub(val_losses, patience=0, min_delta=0.0):
        raise NotImplementedError

    result = run_check(get_exercise("early_stopping_epoch"), stub)
    assert result.status == NOT_IMPLEMENTED
    assert "not implemented yet" in result.summary()


def test_stopping_one_epoch_late_is_named_as_such():
    result = run_check(get_exercise("early_stopping_epoch"), stop_one_epoch_late)
    assert result.status == FAILED
    assert "1 epoch(s) too late" in result.summary()


def test_counting_a_tie_as_an_improvement_fails_on_the_tie_case():
    result = run_check(get_exercise("early_stopping_epoch"), tie_counts_as_improvement)
    failed = [case.label for case in result.cases if not case.passed]
    assert result.status == FAILED
    assert any("tie" in label for label in failed)


def test_ignoring_min_delta_fails():
    result = run_check(get_exercise("early_stopping_epoch"), ignores_min_delta)
    assert result.status == FAILED
    assert "min_delta" in result.summary()


def test_a_wrongly_shaped_answer_gets_a_clear_message():
    result = run_check(get_exercise("early_stopping_epoch"), lambda v, patience=0, min_delta=0: 3)
    assert result.status == FAILED
    assert "pair (stopped_epoch, best_epoch)" in result.summary()


def test_a_correct_training_loop_passes_every_case():
    result = run_check(get_exercise("fit_with_early_stopping"), correct_fit)
    assert result.status == PASSED, result.summary()


@pytest.mark.parametrize("seed", range(3))
def test_the_training_loop_passes_on_other_graders_seeds(seed):
    result = run_check(
        get_exercise("fit_with_early_stopping"), correct_fit, np.random.default_rng(seed)
    )
    assert result.status == PASSED, result.summary()


def test_an_unimplemented_training_loop_is_reported_as_such():
    def stub(weights, step, val_loss, max_epochs, patience, restore_best_weights=True):
        raise NotImplementedError

    result = run_check(get_exercise("fit_with_early_stopping"), stub)
    assert result.status == NOT_IMPLEMENTED


def test_keeping_a_reference_instead_of_a_copy_fails_with_the_hint():
    result = run_check(get_exercise("fit_with_early_stopping"), keeps_a_reference_not_a_copy)
    summary = result.summary()
    assert result.status == FAILED
    assert "not the weights of the right epoch" in summary
    assert "must be a copy" in summary


def test_not_restoring_when_training_runs_to_max_epochs_fails():
    result = run_check(get_exercise("fit_with_early_stopping"), restores_only_after_an_early_stop)
    failed = [case.label for case in result.cases if not case.passed]
    assert result.status == FAILED
    assert failed == ["max_epochs reached before patience runs out: still restore"]


def test_modifying_the_callers_weights_is_reported():
    result = run_check(get_exercise("fit_with_early_stopping"), modifies_the_initial_weights)
    assert result.status == FAILED
    assert "in place" in result.summary()
