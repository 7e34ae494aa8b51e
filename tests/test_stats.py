"""paired_difference: per-seed claims stated as a mean difference with its uncertainty."""

import numpy as np
import pytest
from scipy import stats

from coursekit.stats import paired_difference


def test_mean_standard_error_and_interval_match_a_paired_t_test():
    a = np.array([0.9, 0.8, 0.85, 0.95, 0.7])
    b = np.array([0.7, 0.75, 0.6, 0.8, 0.72])
    effect = paired_difference(a, b)
    np.testing.assert_allclose(effect.mean, np.mean(a - b), rtol=1e-12)
    np.testing.assert_allclose(effect.standard_error, stats.sem(a - b), rtol=1e-12)
    np.testing.assert_allclose(effect.standard_errors, stats.ttest_rel(a, b).statistic, rtol=1e-12)
    low, high = stats.t.interval(0.95, df=4, loc=effect.mean, scale=effect.standard_error)
    np.testing.assert_allclose([effect.low, effect.high], [low, high], rtol=1e-12)
    assert effect.positive == 4 and effect.n == 5


def test_description_is_rounded_and_names_the_sign_count():
    text = paired_difference([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]).describe(digits=1)
    assert text == "mean 2.0 ± 0.6 (SE), 95% CI [-0.5, 4.5], positive on 3/3 seeds"


def test_identical_differences_are_infinitely_many_standard_errors_away():
    assert paired_difference([2.0, 3.0], [1.0, 2.0]).standard_errors == np.inf


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [([1.0, 2.0], [1.0], "same length"), ([1.0], [2.0], "at least 2 seeds"), ([[1.0, 2.0]], [[1.0, 2.0]], "1-D")],
)
def test_bad_input_is_named(a, b, match):
    with pytest.raises(ValueError, match=match):
        paired_difference(a, b)
