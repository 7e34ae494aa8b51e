"""Explorers: a live slider in JupyterLab, one static figure in headless runs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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


def _counting_explorer(draws):
    from coursekit.widgets import Explorer

    calls = []

    def compute(rate, width):
        calls.append((rate, width))
        return f"model({rate}, {width})"

    def draw(result, rate, width):
        draws.append((result, rate, width))

    explorer = Explorer(draw, {"rate": Slider(0.3, 0.0, 0.95, 0.05), "width": Slider(2, 1, 3, 1)},
                        compute)
    return explorer, calls


def test_a_redraw_through_the_explorer_reuses_the_cached_computation():
    draws = []
    explorer, calls = _counting_explorer(draws)
    explorer.redraw(rate=0.35000000000000003, width=2)  # as a browser slider sends 0.35
    explorer.redraw(rate=0.35, width=2)
    explorer.redraw(rate=0.36, width=2)  # between grid points: snapped to 0.35
    assert calls == [(0.35, 2)]
    assert explorer.computed == 1
    assert draws == [("model(0.35, 2)", 0.35, 2)] * 3


def test_prepare_computes_every_position_once_and_moves_then_only_draw():
    draws = []
    explorer, calls = _counting_explorer(draws)
    assert explorer.prepare() == 20 * 3
    assert len(calls) == len(set(calls)) == 60
    assert {rate for rate, _ in calls} == {round(0.05 * k, 10) for k in range(20)}
    for rate in (0.0, 0.5, 0.95):
        explorer.redraw(rate=rate, width=3)
    assert explorer.computed == 60 and len(calls) == 60
    assert explorer.prepare() == 0  # nothing left to compute
    assert explorer.positions()[0] == {"rate": 0.0, "width": 1}


def test_prepare_reports_progress_after_each_position():
    explorer, calls = _counting_explorer([])
    steps = []
    explorer.prepare(progress=lambda done, total: steps.append((done, total)))
    assert steps == [(done, 60) for done in range(1, 61)]
    assert len(calls) == 60


def test_prepare_skips_explorers_with_too_many_positions():
    explorer, calls = _counting_explorer([])
    assert explorer.prepare(limit=10) == 0
    assert calls == []


def test_the_default_value_is_kept_exactly_and_integer_sliders_stay_ints():
    slider = Slider(0.123, 0.0, 1.0, 0.1)
    assert slider.snap(0.123) == 0.123
    assert slider.snap(0.2999999) == 0.3
    assert slider.snap(7) == 1.0  # clipped to max
    assert Slider(3, 0, 40, 1).snap(5.4) == 5 and isinstance(Slider(3, 0, 40, 1).snap(5.4), int)
    assert Slider(3, 0, 40, 1).count == 41


def test_headless_explore_with_compute_computes_only_the_default(monkeypatch, capsys):
    from coursekit import widgets

    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    calls, draws = [], []

    def fit(rate):
        calls.append(rate)
        return rate * 10

    def draw_fit(model, rate):
        draws.append((model, rate))

    explore(draw_fit, compute=fit, rate=Slider(0.3, 0.0, 0.95, 0.05))
    assert calls == [0.3] and draws == [(3.0, 0.3)]
    assert capsys.readouterr().out.startswith("Static view at rate = 0.3.")
    assert widgets.explorers()[-1].name == "draw_fit"


def test_measure_redraws_prepares_then_times_each_explorer(monkeypatch):
    import matplotlib.pyplot as plt

    from coursekit import widgets

    monkeypatch.setenv(HEADLESS_VARIABLE, "1")
    monkeypatch.setattr(widgets, "_EXPLORERS", {})
    calls = []

    def fit(rate):
        calls.append(rate)
        return rate

    def draw_line(model, rate):
        plt.subplots()[1].plot([0, 1], [0, model])

    explore(draw_line, compute=fit, rate=Slider(0.5, 0.0, 1.0, 0.25))
    report = widgets.measure_redraws(positions=2, repeats=2)
    assert list(report) == ["draw_line"]
    figures = report["draw_line"]
    assert figures["prerendered"] and figures["positions_prepared"] == 5
    assert sorted(calls) == [0.0, 0.25, 0.5, 0.75, 1.0]  # each position computed once
    assert figures["render_ms"] > 0 and figures["max_ms"] >= figures["median_ms"] > 0
    assert widgets.explorers()[0].image(rate=0.25).startswith(b"\x89PNG")


def test_images_are_rendered_once_per_position():
    from coursekit.widgets import Explorer

    calls, draws = [], []
    explorer = Explorer(lambda result, rate: (draws.append(rate), plt.subplots()),
                        {"rate": Slider(0.5, 0.0, 1.0, 0.25)}, lambda rate: calls.append(rate))
    first = explorer.image(rate=0.75)
    assert explorer.image(rate=0.75000001) is first and first.startswith(b"\x89PNG")
    assert (explorer.rendered, calls, draws) == (1, [0.75], [0.75])
    assert not explorer.prerendered
    assert explorer.prepare(images=True) == 4 + 4  # the other four computed, and rendered
    assert explorer.prerendered and explorer.prepare(images=True) == 0
    explorer.image(rate=0.0)
    assert len(calls) == len(draws) == 5


def test_compute_must_be_callable():
    with pytest.raises(TypeError, match="compute must be a function"):
        explore(lambda model, rate: None, compute=3, rate=Slider(0.5, 0.0, 1.0, 0.25))


def test_a_live_move_swaps_in_the_prerendered_image_without_drawing(monkeypatch, capsys):
    import IPython.display

    from coursekit import widgets

    shown = []
    monkeypatch.setattr(widgets, "interactive_frontend", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    calls, draws = [], []

    def fit(rate):
        calls.append(rate)
        return rate

    def draw_live(model, rate):
        draws.append(rate)
        plt.subplots()[1].plot([0, 1], [0, model])

    explore(draw_live, compute=fit, rate=Slider(0.5, 0.0, 1.0, 0.25))
    assert capsys.readouterr().out.startswith("Prepared 5 slider positions in ")
    bar, box = shown
    assert type(bar).__name__ == "IntProgress" and bar.value == bar.max == 5
    slider, picture = box.children
    assert type(picture).__name__ == "Image"
    assert sorted(calls) == sorted(draws) == [0.0, 0.25, 0.5, 0.75, 1.0]
    slider.value = 0.75
    explorer = widgets.explorers()[-1]
    assert picture.value == explorer.image(rate=0.75) != explorer.image(rate=0.5)
    assert len(calls) == len(draws) == 5  # the move drew nothing
