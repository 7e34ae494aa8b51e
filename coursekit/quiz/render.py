"""Plain-text rendering of questions, shared by the terminal quiz and the notebook's text fallback.

The text never contains an answer, and it is the same on every run: matching questions list
their right-hand sides in the seeded order of :meth:`Question.matching_order`. What each type
adds below its prompt comes from its module in :mod:`coursekit.quiz.types`; control characters
are removed (:func:`coursekit.quiz.text.printable`).
"""

from __future__ import annotations

from coursekit.quiz.model import Bank, Question
from coursekit.quiz.text import WIDTH, choice_letter, printable, wrap_text
from coursekit.quiz.types import REGISTRY

__all__ = [
    "WIDTH",
    "answer_hint",
    "bank_text",
    "choice_letter",
    "prompt_with_choices",
    "question_lines",
    "wrap_text",
]

_INDENT = "   "


def question_lines(question: Question, number: int, total: int) -> list[str]:
    """The question as lines of text: heading, prompt, and the numbered choices or items.

    Parameters
    ----------
    question : Question
    number, total : int
        1-based position of the question and the number of questions, for the heading.

    Returns
    -------
    list of str
        Lines without newline characters.
    """
    lines = [f"Question {number} of {total} ({question.type_label})"]
    lines.extend(wrap_text(question.prompt, _INDENT))
    lines.extend(REGISTRY[question.type].render_lines(question))
    return lines


def answer_hint(question: Question) -> str:
    """How to type an answer to ``question`` in the terminal (its examples are never the answer)."""
    return REGISTRY[question.type].answer_hint(question)


def prompt_with_choices(question: Question, markup: str = "text") -> str:
    """The prompt followed by the choices or items, as one text without any answer.

    Used for student copies, where a question is asked as free text: choices are numbered from
    1, and the right-hand sides of a matching question are lettered in their seeded order.

    Parameters
    ----------
    question : Question
    markup : {"text", "markdown", "html"}, default="text"
        "markdown" and "html" give the choices, and both sides of a matching question, as real
        lists (an LMS would otherwise run the lines together into one paragraph); "html"
        escapes every text.
    """
    if markup not in ("text", "markdown", "html"):
        raise ValueError(f"markup must be 'text', 'markdown' or 'html', got {markup!r}.")
    intro, numbered, lettered = REGISTRY[question.type].student_parts(question)
    if markup == "html":
        import html

        parts = [f"<p>{html.escape(question.prompt)}</p>"]
        parts += [f"<p>{html.escape(intro)}</p>"] if intro else []
        for items, kind in ((numbered, "1"), (lettered, "A")):
            if items:
                entries = "".join(f"<li>{html.escape(item)}</li>" for item in items)
                parts.append(f'<ol type="{kind}">{entries}</ol>')
        return "".join(parts)
    lines = [question.prompt, ""]
    lines += [intro] if intro else []
    if numbered and markup == "markdown" and intro:
        lines.append("")
    lines.extend(f"{index}. {item}" for index, item in enumerate(numbered, start=1))
    if lettered:
        lines.append("")
        prefix = "- " if markup == "markdown" else ""
        lines.extend(f"{prefix}{choice_letter(position)}. {item}" for position, item in enumerate(lettered))
    return "\n".join(lines).rstrip()


def bank_text(bank: Bank) -> str:
    """The whole bank as text, for a notebook without a widget front end.

    Parameters
    ----------
    bank : Bank

    Returns
    -------
    str
        Title, every question with its choices, and how to answer interactively. No answers.
    """
    total = len(bank.questions)
    lines = [f"Quiz for lesson {bank.lesson}: {bank.title} ({total} questions)", ""]
    for number, question in enumerate(bank.questions, start=1):
        lines.extend(question_lines(question, number, total))
        lines.append("")
    lines.append(
        "To answer with immediate feedback, open this notebook in JupyterLab, or run in a terminal:"
    )
    lines.append(f"    coursekit quiz take {bank.lesson}")
    return printable("\n".join(lines))
