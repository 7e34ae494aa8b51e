"""make claims: a lesson is executed at several seed offsets and every failing assert is named."""

import nbformat
import pytest

from coursekit.claims import main, report, run_notebook


@pytest.fixture()
def offset_notebook(tmp_path):
    """A notebook whose second claim holds only at even offsets, with a later cell that passes."""
    cells = [
        "from coursekit.session import seed_for",
        'assert seed_for(0) % 2 == 0, "holds on even seeds only"',
        "print('still runs after a failure')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_failing_assert_is_reported_with_its_cell_and_message(offset_notebook):
    run = run_notebook(offset_notebook, offset=3)
    assert [(f.cell, f.error, f.message) for f in run.failures] == [(1, "AssertionError", "holds on even seeds only")]
    assert run.failures[0].source.startswith("assert seed_for(0) % 2 == 0")


def test_running_at_an_offset_leaves_this_process_at_offset_zero(offset_notebook, monkeypatch):
    import os

    monkeypatch.delenv("COURSEKIT_SEED_OFFSET", raising=False)
    run_notebook(offset_notebook, offset=5)
    assert "COURSEKIT_SEED_OFFSET" not in os.environ, "nbval, run later in this process, must stay at offset 0"


def test_every_offset_is_run_and_the_table_counts_the_failures(offset_notebook, tmp_path, capsys):
    status = main(["--offsets", "0", "1", "2", "--workers", "1", "--out", str(tmp_path / "claims.json"),
                   str(offset_notebook)])
    printed = capsys.readouterr().out
    assert status == 1
    assert "99_demo.ipynb: 2/3 offsets pass" in printed
    assert "cell   1 failed at 1/3 (offsets 1)" in printed


def test_a_clean_sweep_exits_zero(offset_notebook, tmp_path):
    assert main(["--offsets", "0", "2", "--workers", "1", "--out", str(tmp_path / "c.json"),
                 str(offset_notebook)]) == 0


def test_report_of_passing_runs_has_no_failure_lines():
    from coursekit.claims import Run

    text = report([Run("00_x.ipynb", 0, 1.0), Run("00_x.ipynb", 5, 2.0)])
    assert "2/2 offsets pass" in text and "failed" not in text
