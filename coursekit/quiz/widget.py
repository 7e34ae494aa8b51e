"""The end-of-lesson quiz in a notebook: an ipywidgets form, or plain text without widgets.

How the front end is detected
-----------------------------
The quiz is drawn as widgets only when the cell was run by an interactive front end, and printed
as plain text otherwise. Two signals must both say "interactive":

1. :func:`coursekit.display.interactive_frontend`, the project-wide rule: inside an IPython
   kernel, and ``COURSEKIT_HEADLESS`` unset (every coursekit-driven execution sets it: nbval via
   ``conftest.py``, ``make execute``, the grader);
2. the request itself: every ``execute_request`` carries ``allow_stdin``, which JupyterLab,
   Notebook and VS Code set to true (they can answer ``input()``) and which headless executors
   (nbclient, ``jupyter nbconvert --execute``, nbval, papermill) set to false. This catches the
   headless runs that do not set ``COURSEKIT_HEADLESS``.

So the stored output of an executed notebook is the text, identical on every run and free of
widget model ids; nbval compares it exactly. ``COURSEKIT_QUIZ_MODE=text`` or ``=widget``
overrides the detection (e.g. ``widget`` for Voila, which executes headless).

Even in widget mode, the display's ``text/plain`` fallback is the same text, so a saved notebook
shows the questions where widgets cannot be rendered (GitHub, nbviewer).
"""

from __future__ import annotations

import html
import os

from coursekit.quiz.banks import load_bank, load_glossary_from
from coursekit.quiz.grading import GradeReport, QuestionResult, format_points, grade_answer
from coursekit.quiz.model import Bank, Glossary
from coursekit.quiz.render import bank_text
from coursekit.quiz.text import printable
from coursekit.quiz.types import REGISTRY

MODE_ENV = "COURSEKIT_QUIZ_MODE"
MODES = ("text", "widget")


def widget_frontend_available() -> bool:
    """Whether the running cell was executed by an interactive front end that can show widgets.

    Returns
    -------
    bool
        True only in a non-headless IPython kernel whose current ``execute_request`` allows
        stdin (see the module docstring for why that identifies an interactive front end).
    """
    from coursekit.display import interactive_frontend

    if not interactive_frontend():
        return False
    from IPython import get_ipython

    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return False
    get_parent = getattr(kernel, "get_parent", None)
    parent = get_parent("shell") if callable(get_parent) else getattr(kernel, "_parent_header", {})
    content = parent.get("content", {}) if isinstance(parent, dict) else {}
    return bool(content.get("allow_stdin", False))


def _mode(mode: str | None) -> str:
    chosen = mode or os.environ.get(MODE_ENV) or ""
    if not chosen:
        return "widget" if widget_frontend_available() else "text"
    if chosen not in MODES:
        raise ValueError(
            f"mode must be one of {', '.join(MODES)} (or ${MODE_ENV}), got {chosen!r}."
        )
    return chosen


def show_quiz(lesson: str | int, *, mode: str | None = None) -> None:
    """Show the quiz of a lesson at the end of its notebook.

    Parameters
    ----------
    lesson : str or int
        Lesson number, e.g. ``"00"``.
    mode : {"text", "widget"}, optional
        Force plain text or widgets; default: widgets with an interactive front end, text
        otherwise (see the module docstring), or ``$COURSEKIT_QUIZ_MODE``.

    Notes
    -----
    In widget mode each question has a Check button with immediate feedback, and "Submit quiz"
    shows the score and records it with :func:`coursekit.progress.record_quiz`. Printing the
    text records nothing.
    """
    bank = load_bank(lesson)
    if _mode(mode) == "text":
        print(bank_text(bank))
        return
    from IPython.display import display

    form = QuizForm(bank, load_glossary_from())
    bundle = form.widget._repr_mimebundle_()
    bundle["text/plain"] = bank_text(bank)
    display(bundle, raw=True)


def _html(text: str) -> str:
    """Bank or response text as HTML: control characters removed, then escaped."""
    return html.escape(printable(text))


def _feedback_html(result: QuestionResult) -> str:
    if result.correct:
        verdict = "<b style='color:#1a7f37'>Correct.</b>"
    elif result.status == "missing":
        verdict = "<b style='color:#9a6700'>No answer yet.</b>"
    else:
        verdict = f"<b style='color:#cf222e'>Not quite.</b> {_html(result.feedback)}"
    parts = [verdict]
    if not result.correct:
        parts.append(f"<br><i>Answer:</i> {_html(result.expected)}")
    parts.append(f"<br><i>Why:</i> {_html(result.explanation)}")
    return "".join(parts)


class QuizForm:
    """The ipywidgets form of one bank.

    Parameters
    ----------
    bank : Bank
    glossary : Glossary, optional
        Supplies aliases accepted by short-text questions.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole form, ready to display.
    controls : dict
        Question id -> the input widget(s) of the question.
    feedback : dict
        Question id -> the ``HTML`` widget showing its feedback.
    check_buttons : dict
        Question id -> its Check button.
    submit_button : ipywidgets.Button
    score : ipywidgets.HTML
        Where the total score is shown after submitting.
    """

    def __init__(self, bank: Bank, glossary: Glossary | None = None) -> None:
        import ipywidgets as widgets

        self.bank = bank
        self.glossary = glossary
        self.controls: dict[str, object] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        self.check_buttons: dict[str, widgets.Button] = {}
        boxes = [widgets.HTML(f"<h3>Quiz: {_html(bank.title)}</h3>")]
        total = len(bank.questions)
        for number, question in enumerate(bank.questions, start=1):
            heading = widgets.HTMLMath(
                f"<b>Question {number} of {total}</b> <i>({question.type_label})</i><br>{_html(question.prompt)}"
            )
            control, view = REGISTRY[question.type].widget_control(question, widgets)
            self.controls[question.id] = control
            self.feedback[question.id] = widgets.HTML("")
            button = widgets.Button(description="Check", tooltip="Check this answer")
            button.on_click(lambda _, question=question: self.check(question.id))
            self.check_buttons[question.id] = button
            boxes.append(widgets.VBox([heading, view, button, self.feedback[question.id]]))
        self.submit_button = widgets.Button(description="Submit quiz", button_style="primary")
        self.submit_button.on_click(lambda _: self.submit())
        self.score = widgets.HTML("")
        boxes.extend([self.submit_button, self.score])
        # ipywidgets gives each radio choice one fixed-height row, so a long choice that wraps
        # would overlap the next one: let the rows grow with their text.
        style = widgets.HTML(
            "<style>.coursekit-quiz .widget-radio, .coursekit-quiz .widget-radio-box {width: 100%}"
            " .coursekit-quiz .widget-radio-box label {height: auto; line-height: 1.35;"
            " margin-bottom: 0.35em; white-space: normal; display: flex; align-items: baseline;"
            " flex-direction: row-reverse; justify-content: flex-end;"
            " gap: 0.4em}</style>"
        )
        self.widget = widgets.VBox([style, *boxes])
        self.widget.add_class("coursekit-quiz")

    def answer(self, question_id: str) -> object:
        """The current answer to a question, as :func:`grade_answer` takes it (MISSING if none)."""
        question = self.bank.by_id[question_id]
        return REGISTRY[question.type].widget_answer(question, self.controls[question_id])

    def check(self, question_id: str) -> QuestionResult:
        """Grade one question and show its feedback."""
        question = self.bank.by_id[question_id]
        result = grade_answer(question, self.answer(question_id), self.glossary)
        self.feedback[question_id].value = _feedback_html(result)
        return result

    def submit(self) -> GradeReport:
        """Grade every question, show all feedback and the score, and record the score."""
        from coursekit import progress

        results = tuple(self.check(question.id) for question in self.bank.questions)
        report = GradeReport(results=results, lesson=self.bank.lesson)
        progress.record_quiz(self.bank.lesson, report.score, report.max_score)
        self.score.value = (
            f"<b>Score: {format_points(report.score)} / {format_points(report.max_score)} "
            f"({report.percent:.0f}%)</b> (saved to your progress; run <code>coursekit progress</code> to see it)"
        )
        return report
