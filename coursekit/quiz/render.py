"""Plain-text rendering of questions, shared by the terminal quiz and the notebook's text fallback.

The text never contains an answer, and it is the same on every run: matching questions list
their right-hand sides in the seeded order of :meth:`Question.matching_order`.
"""

from __future__ import annotations

import string
import textwrap

from coursekit.quiz.model import Bank, Question

WIDTH = 88
"""Line width of the rendered text."""

_INDENT = "   "
_CHOICE_INDENT = "     "


def choice_letter(position: int) -> str:
    """Letter naming position ``position`` (0-based, at most 25) of a matching question's right side."""
    return string.ascii_uppercase[position]


def wrap_text(text: str, indent: str, first_indent: str | None = None) -> list[str]:
    """Wrap each line of ``text`` to :data:`WIDTH`; ``first_indent`` (default ``indent``) starts the first line."""
    lines = []
    first = indent if first_indent is None else first_indent
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph, width=WIDTH, initial_indent=first, subsequent_indent=indent
        )
        lines.extend(wrapped or [""])
        first = indent
    return lines


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
    if question.type in ("single_choice", "multiple_choice"):
        for index, choice in enumerate(question.choices, start=1):
            label = f"{_CHOICE_INDENT}{index}) "
            lines.extend(wrap_text(choice, " " * len(label), first_indent=label))
    elif question.type == "matching":
        lines.append(f"{_INDENT}Match each numbered item with a lettered one:")
        for index, (left, _) in enumerate(question.pairs, start=1):
            label = f"{_CHOICE_INDENT}{index}. "
            lines.extend(wrap_text(left, " " * len(label), first_indent=label))
        for position, pair_index in enumerate(question.matching_order()):
            label = f"{_CHOICE_INDENT}{choice_letter(position)}. "
            lines.extend(
                wrap_text(question.pairs[pair_index][1], " " * len(label), first_indent=label)
            )
    return lines


def answer_hint(question: Question) -> str:
    """How to type an answer to ``question`` in the terminal."""
    if question.type == "single_choice":
        return f"a number from 1 to {len(question.choices)}"
    if question.type == "multiple_choice":
        return "all correct numbers, separated by commas, e.g. 1,3"
    if question.type == "true_false":
        return "t for true, f for false"
    if question.type == "numeric":
        return "a number, e.g. 0.25"
    if question.type == "matching":
        last = choice_letter(len(question.pairs) - 1)
        # The example is the identity order, which matching_order() never uses, so the
        # example cannot give the key away.
        example = " ".join(choice_letter(position) for position in range(len(question.pairs)))
        return f"one letter from A to {last} per numbered item, in order, e.g. {example}"
    return "a word or short phrase"


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
    intro, numbered, lettered = "", [], []
    if question.type in ("single_choice", "multiple_choice"):
        intro = "Select all that apply." if question.type == "multiple_choice" else ""
        numbered = list(question.choices)
    elif question.type == "true_false":
        intro = "True or false?"
    elif question.type == "matching":
        intro = "Match each numbered item with a lettered one."
        numbered = [left for left, _ in question.pairs]
        lettered = [question.pairs[pair_index][1] for pair_index in question.matching_order()]
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
    return "\n".join(lines)
