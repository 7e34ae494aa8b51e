"""Tests for coursekit.plotting: what a learner reads off the shared plots."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from coursekit.plotting import plot_decision_boundary  # noqa: E402


def _points():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    return X, np.array([0, 1, 0, 1])


def _probability_of_class_1(plane):
    return 1 / (1 + np.exp(-(plane[:, 0] - 0.5)))


def test_decision_boundary_colour_bar_is_labelled_probability_of_class_1():
    X, y = _points()
    figure, ax = plt.subplots()
    plot_decision_boundary(_probability_of_class_1, X, y, ax=ax, colorbar=True, resolution=20)
    colour_bar_axes = [other for other in figure.axes if other is not ax]
    assert len(colour_bar_axes) == 1
    assert colour_bar_axes[0].get_ylabel() == "P(class 1)"
    plt.close(figure)


def test_decision_boundary_without_colour_bar_adds_no_axes():
    X, y = _points()
    figure, ax = plt.subplots()
    plot_decision_boundary(_probability_of_class_1, X, y, ax=ax, resolution=20)
    assert figure.axes == [ax]
    plt.close(figure)


def test_decision_boundary_points_have_black_edges_and_one_legend_entry_per_class():
    X, y = _points()
    figure, ax = plt.subplots()
    plot_decision_boundary(_probability_of_class_1, X, y, ax=ax, resolution=20)
    handles, labels = ax.get_legend_handles_labels()
    assert labels == ["class 0", "class 1"]
    for handle in handles:
        np.testing.assert_allclose(handle.get_edgecolor()[0][:3], (0, 0, 0), atol=1e-12)
    plt.close(figure)


def test_a_precomputed_probability_map_draws_the_same_picture_without_the_model():
    import io

    from coursekit.plotting import probability_map

    X, y = _points()
    calls = []

    def counted(plane):
        calls.append(len(plane))
        return _probability_of_class_1(plane)

    surface = probability_map(counted, X, resolution=20)
    assert surface.proba.shape == (20, 20) and calls == [400]
    pictures = []
    for shown in (_probability_of_class_1, surface):
        figure, ax = plt.subplots()
        plot_decision_boundary(shown, X, y, ax=ax, resolution=20, colorbar=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pictures.append(buffer.getvalue())
        plt.close(figure)
    assert pictures[0] == pictures[1]
    assert calls == [400]  # drawing from the map did not call the model
