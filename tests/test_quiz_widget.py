"""The notebook quiz: widgets with an interactive front end, stable plain text without one."""

from __future__ import annotations

import os
from pathlib import Path

import IPython.display
import nbformat
import numpy as np
import pytest

from coursekit import progress
from coursekit.quiz import show_quiz
from coursekit.quiz.banks import load_bank, load_glossary_from
from coursekit.quiz.render import bank_text
from coursekit.quiz.widget import QuizForm, widget_frontend_available

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
SHOW_QUIZ_CELL = "from coursekit.quiz import show_quiz\nshow_quiz('00')"


@pytest.fixture(autouse=True)
def _fixture_banks(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("COURSEKIT_QUIZ_MODE", raising=False)


@pytest.fixture
def form():
    return QuizForm(load_bank("00"), load_glossary_from())


def test_no_widget_front_end_outside_a_kernel():
    assert widget_frontend_available() is False


def test_text_mode_prints_the_questions_and_records_nothing(capsys, tmp_path):
    show_quiz("00")
    printed = capsys.readouterr().out
    assert printed == bank_text(load_bank("00")) + "\n"
    assert "coursekit quiz take 00" in printed
    assert not (tmp_path / "progress.json").exists()


def test_text_never_shows_an_answer():
    text = bank_text(load_bank("00"))
    assert "0.08" not in text.split("What is the gap")[1]
    assert "validation data" not in text


def test_unknown_mode_is_rejected(monkeypatch):
    monkeypatch.setenv("COURSEKIT_QUIZ_MODE", "fancy")
    with pytest.raises(ValueError, match="mode must be one of text, widget"):
        show_quiz("00")


def test_widget_mode_displays_the_widget_with_the_text_as_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    show_quiz("00", mode="widget")
    assert len(shown) == 1
    assert shown[0]["text/plain"] == bank_text(load_bank("00"))
    assert "application/vnd.jupyter.widget-view+json" in shown[0]


def test_check_gives_immediate_feedback(form):
    form.controls["q00-single"].value = 1
    form.check_buttons["q00-single"].click()
    assert "Correct." in form.feedback["q00-single"].value


def test_check_reports_text_in_a_numeric_box_as_wrong_type(form):
    form.controls["q00-num"].value = "about 8%"
    result = form.check("q00-num")
    assert result.status == "wrong_type"
    assert "expected a number" in form.feedback["q00-num"].value


def test_unanswered_question_is_missing(form):
    assert form.check("q00-match").status == "missing"


def test_submit_shows_the_score_and_records_it(form):
    form.controls["q00-single"].value = 1
    form.controls["q00-tf"].value = False
    for box, right in zip(
        form.controls["q00-match"],
        ["fit the weights", "choose hyperparameters", "final estimate"],
        strict=True,
    ):
        box.value = right
    form.submit_button.click()
    assert "Score: 3 / 6 (50%)" in form.score.value
    quiz = progress.load_progress()["lessons"]["00"]["quiz"]
    np.testing.assert_allclose([quiz["best_score"], quiz["best_max_score"]], [3.0, 6.0], rtol=0)


def test_matching_choices_are_shuffled_the_same_way_every_time(form):
    again = QuizForm(load_bank("00"))
    options = [option for option, _ in form.controls["q00-match"][0].options[1:]]
    assert options == [option for option, _ in again.controls["q00-match"][0].options[1:]]
    assert options != [right for _, right in load_bank("00").by_id["q00-match"].pairs]


@pytest.fixture(scope="module")
def kernel_client():
    """A kernel that sees the fixture banks and is not marked headless."""
    from jupyter_client.manager import start_new_kernel

    environment = {key: value for key, value in os.environ.items() if key != "COURSEKIT_HEADLESS"}
    environment["COURSEKIT_QUIZZES"] = str(FIXTURES)
    environment.pop("COURSEKIT_QUIZ_MODE", None)
    manager, client = start_new_kernel(kernel_name="python3", env=environment)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run_in_kernel(client, code: str) -> list[dict]:
    """Run ``code`` as JupyterLab would (stdin allowed); return its display and stream outputs."""
    messages = []
    client.execute_interactive(
        code,
        allow_stdin=True,
        output_hook=messages.append,
        stdin_hook=lambda message: None,
        timeout=60,
    )
    return [message for message in messages if message["msg_type"] in ("display_data", "stream")]


def test_interactive_front_end_gets_the_widget(kernel_client):
    outputs = run_in_kernel(kernel_client, SHOW_QUIZ_CELL)
    assert [output["msg_type"] for output in outputs] == ["display_data"]
    bundle = outputs[0]["content"]["data"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == bank_text(load_bank("00"))


def test_headless_variable_gives_text_even_in_an_interactive_front_end(kernel_client):
    code = (
        "import os\nos.environ['COURSEKIT_HEADLESS'] = '1'\n"
        f"try:\n    {SHOW_QUIZ_CELL.splitlines()[1]}\nfinally:\n    del os.environ['COURSEKIT_HEADLESS']"
    )
    outputs = run_in_kernel(kernel_client, "from coursekit.quiz import show_quiz\n" + code)
    assert [output["msg_type"] for output in outputs] == ["stream"]


def test_executed_notebook_output_is_identical_text_on_two_runs(monkeypatch):
    from nbclient import NotebookClient

    # Without the headless variable, the text comes from the allow_stdin=False detection alone.
    monkeypatch.delenv("COURSEKIT_HEADLESS", raising=False)
    outputs = []
    for _ in range(2):
        notebook = nbformat.v4.new_notebook()
        notebook.cells.append(nbformat.v4.new_code_cell(SHOW_QUIZ_CELL))
        NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
        outputs.append(notebook.cells[0].outputs)
    assert outputs[0] == outputs[1]
    assert [output["output_type"] for output in outputs[0]] == ["stream"]
    assert outputs[0][0]["text"] == bank_text(load_bank("00")) + "\n"


def test_a_numeric_box_reads_a_fraction_and_its_placeholder_is_no_answer(form):
    box = form.controls["q00-num"]
    assert box.placeholder == "a number to 2 decimal places, e.g. 0.25 or 3/4"
    box.value = "2/25"
    assert form.check("q00-num").status == "correct"
    box.value = box.placeholder.split("e.g. ")[1].split(" or ")[0]
    assert form.check("q00-num").status == "incorrect"


def test_bank_text_in_the_form_is_escaped_and_free_of_control_characters():
    from dataclasses import replace

    bank = load_bank("00")
    hostile = replace(bank.questions[0], prompt="Pick \x1b[2J<b>one</b>", explanation="x\x07")
    form = QuizForm(replace(bank, questions=(hostile,), title="T\x1b]0;x\x07"), load_glossary_from())
    form.controls[hostile.id].value = 0
    form.check(hostile.id)
    shown = [
        getattr(child, "value", "") for box in form.widget.children for child in getattr(box, "children", [box])
    ]
    shown.append(form.feedback[hostile.id].value)
    html_text = "".join(value for value in shown if isinstance(value, str))
    assert "Pick [2J&lt;b&gt;one&lt;/b&gt;" in html_text
    assert "\x1b" not in html_text and "\x07" not in html_text
