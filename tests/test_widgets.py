"""Explorers: a live slider in JupyterLab, one static figure in headless runs."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from coursekit.display import HEADLESS_VARIABLE, interactive_frontend  # noqa: E402
from coursekit.widgets import Slider, explore  # noqa: E402


def test_headless_runs_draw_once_at_the_default_values(monkeypatch, capsys):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    calls = []
    explore(lambda alpha, rate: calls.append((alpha, rate)), alpha=Slider(0.1, 0.0, 1.0, 0.1), rate=Slider(2, 0, 5, 1))
    assert calls == [(0.1, 2)]
    assert capsys.readouterr().out == "Static view at alpha = 0.1, rate = 2. Run the notebook in JupyterLab to move the slider.\n"


def test_outside_a_notebook_kernel_there_is_no_widget_frontend(monkeypatch):
    monkeypatch.delenv(HEADLESS_VARIABLE, raising=False)
    assert interactive_frontend() is False


def test_slider_type_follows_its_values():
    assert Slider(3, 0, 10, 1).is_integer
    assert not Slider(0.5, 0.0, 1.0, 0.1).is_integer
    assert type(Slider(3, 0, 10, 1).widget("degree")).__name__ == "IntSlider"


@pytest.mark.parametrize(("args", "match"), [((5, 0, 1, 1), "value must lie in"), ((0.5, 0, 1, 0), "step must be > 0")])
def test_bad_slider_is_rejected_with_its_values(args, match):
    with pytest.raises(ValueError, match=match):
        Slider(*args)


def test_explore_rejects_a_non_slider_by_name(monkeypatch):
    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    with pytest.raises(TypeError, match="alpha must be a coursekit.widgets.Slider"):
        explore(lambda alpha: None, alpha=(0, 1))
