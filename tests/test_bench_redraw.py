"""``make bench``'s slider pass: a notebook is run with a timing cell appended."""

from __future__ import annotations

import os

import nbformat
import pytest

from coursekit import bench


@pytest.fixture(autouse=True)
def _restore_environment():
    """bench.measure_redraws sets the headless variables in this process: undo that."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)

EXPLORER = """import matplotlib.pyplot as plt
from coursekit.widgets import Slider, explore


def fit(a):
    return a * 2


def draw_tiny(model, a):
    plt.subplots()[1].plot([0, 1], [0, model])


explore(draw_tiny, compute=fit, a=Slider(1, 0, 2, 1))"""


def _notebook(tmp_path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_notebook_without_explore_has_no_slider(tmp_path):
    assert not bench.has_slider(_notebook(tmp_path, "print(1)"))
    assert bench.has_slider(_notebook(tmp_path, EXPLORER))


def test_redraws_are_measured_per_explorer_after_preparing_every_position(tmp_path):
    figures = bench.measure_redraws(_notebook(tmp_path, EXPLORER, "1 / 0  # unrelated error"))
    assert list(figures) == ["draw_tiny"]
    tiny = figures["draw_tiny"]
    assert tiny["prerendered"] and tiny["positions_prepared"] == 3
    assert tiny["render_ms"] > 0 and tiny["max_ms"] >= tiny["median_ms"] > 0


def test_a_failed_slider_cell_is_reported(tmp_path):
    with pytest.raises(RuntimeError, match="no slider could be timed"):
        bench.measure_redraws(_notebook(tmp_path, "explore(undefined)"))
