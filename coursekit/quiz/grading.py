"""Grade answers to quiz questions, one at a time or from a responses file.

Scoring
-------
Every question is worth one point.

- single choice, true/false, numeric, short text: 1 or 0.
- multiple choice: all-or-nothing; 1 only when exactly the correct choices are selected. The
  feedback still names the missed and the wrongly chosen choices.
- matching: partial credit, ``(number of correctly matched left items) / (number of pairs)``.
- numeric: correct when ``|given - answer| <= tolerance`` (plus a relative slack of 1e-9),
  where a question asking for N decimal places has the tolerance ``0.5 * 10**-N``: every answer
  that rounds to the key is right. Text such as ``"4/3"`` or ``"2^10"`` is read exactly
  (:mod:`coursekit.quiz.numbers`).
- short text: correct when the normal form (:func:`coursekit.quiz.normalize.normalize_text`)
  equals that of the answer, of an ``accept`` entry, or of any name of a glossary term whose
  names include the answer (so glossary aliases are accepted too).

The rules of each type live in its module in :mod:`coursekit.quiz.types`. An answer of the
wrong type (a list for a number, say) is reported as ``wrong type: expected ...`` and scores 0;
so are missing answers. Nothing a responses file contains makes grading crash: a 400-digit
number is ``invalid``, and :meth:`GradeReport.format_text` removes control characters.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.quiz.banks import normalize_lesson
from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.reading import QuizFormatError, describe_value, parse_yaml, read_text
from coursekit.quiz.text import printable, wrap_text
from coursekit.quiz.types import REGISTRY
from coursekit.quiz.types._choices import choice_index
from coursekit.quiz.types.base import MISSING
from coursekit.quiz.types.short_text import accepted_answers, accepted_texts, lms_answer_texts

__all__ = [
    "MISSING",
    "STATUSES",
    "GradeReport",
    "QuestionResult",
    "Responses",
    "accepted_answers",
    "accepted_texts",
    "choice_picks",
    "format_points",
    "grade_answer",
    "grade_responses",
    "lms_answer_texts",
    "parse_responses",
    "read_responses",
]

STATUSES = ("correct", "partial", "incorrect", "wrong_type", "invalid", "missing")
"""Possible values of :attr:`QuestionResult.status`."""

# The grading of analytics (coursekit.grading.analytics) reads choices the same way.
_choice_index = choice_index


@dataclass(frozen=True)
class QuestionResult:
    """The outcome of one question.

    Attributes
    ----------
    question_id : str
    question_type : str
    status : str
        One of :data:`STATUSES`: ``wrong_type`` when the answer has the wrong kind of value,
        ``invalid`` when it has the right kind but names no choice (an index out of range).
    score : float
        In ``[0, 1]``.
    feedback : str
        One sentence on what was right or wrong.
    expected : str
        The correct answer as text.
    explanation : str
        The question's explanation.
    given : object
        The answer as given, made JSON-safe (None when missing).
    """

    question_id: str
    question_type: str
    status: str
    score: float
    feedback: str
    expected: str
    explanation: str
    given: object = None

    @property
    def correct(self) -> bool:
        """Whether the answer earned the full point."""
        return self.status == "correct"

    def to_dict(self) -> dict:
        """The result as a JSON-serialisable dict."""
        return {
            "id": self.question_id,
            "type": self.question_type,
            "status": self.status,
            "score": self.score,
            "max_score": 1.0,
            "feedback": self.feedback,
            "expected": self.expected,
            "explanation": self.explanation,
            "given": self.given,
        }


@dataclass(frozen=True)
class GradeReport:
    """The graded responses of one learner.

    Attributes
    ----------
    results : tuple of QuestionResult
        One per question of the graded banks, in bank order.
    unknown : tuple of (str, str)
        ``(answer id, reason)`` for every answered id that was not graded.
    problems : tuple of str
        Other problems with the responses (e.g. a lesson with no bank).
    student, lesson : str or None
        As given in the responses.
    """

    results: tuple[QuestionResult, ...]
    unknown: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    student: str | None = None
    lesson: str | None = None

    @property
    def score(self) -> float:
        """Points earned."""
        return float(sum(result.score for result in self.results))

    @property
    def max_score(self) -> float:
        """Points possible: the number of questions graded."""
        return float(len(self.results))

    @property
    def percent(self) -> float:
        """``100 * score / max_score`` (0 when nothing was graded)."""
        return 100.0 * self.score / self.max_score if self.results else 0.0

    def to_dict(self) -> dict:
        """The report as a JSON-serialisable dict."""
        return {
            "student": self.student,
            "lesson": self.lesson,
            "score": round(self.score, 4),
            "max_score": self.max_score,
            "percent": round(self.percent, 1),
            "questions": [result.to_dict() for result in self.results],
            "unknown_ids": [{"id": qid, "reason": reason} for qid, reason in self.unknown],
            "problems": list(self.problems),
        }

    def format_text(self) -> str:
        """A per-question report and the total, as plain text for a terminal.

        Lines are wrapped, and control characters from the bank or the responses file (a
        student name, an unknown id) are removed.
        """
        heading = "Quiz report"
        if self.lesson:
            heading += f", lesson {self.lesson}"
        if self.student:
            heading += f", student {self.student}"
        lines = wrap_text(heading, "    ", first_indent="") + [""]
        for number, result in enumerate(self.results, start=1):
            status = result.status.replace("_", " ")
            lines.extend(
                wrap_text(
                    f"{result.question_id} ({REGISTRY[result.question_type].label}): "
                    f"{status}, {format_points(result.score)}/1",
                    "    ",
                    first_indent=f"{number:2d}. ",
                )
            )
            if not result.correct:
                lines.extend(wrap_text(result.feedback, "    "))
                lines.extend(wrap_text(result.expected, "    ", first_indent="    Answer: "))
                lines.extend(wrap_text(result.explanation, "    ", first_indent="    Why: "))
        for qid, reason in self.unknown:
            lines.extend(wrap_text(f"Not graded: {qid}: {reason}", "    ", first_indent=""))
        for problem in self.problems:
            lines.extend(wrap_text(f"Problem: {problem}", "    ", first_indent=""))
        lines.append("")
        lines.append(
            f"Total: {format_points(self.score)} / {format_points(self.max_score)} ({self.percent:.0f}%)"
        )
        return printable("\n".join(lines))


def format_points(points: float) -> str:
    """Points with at most two decimals and no trailing zeros: ``2``, ``2.5``, ``0.67``."""
    return f"{points:.2f}".rstrip("0").rstrip(".")


def _plain(value: object, depth: int = 0) -> object:
    """A JSON-safe copy of a YAML value, bounded in depth (YAML aliases can make cycles)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= 4:
        return "..."
    if isinstance(value, Mapping):
        return {str(key): _plain(item, depth + 1) for key, item in list(value.items())[:50]}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value[:50]]
    return str(value)


def choice_picks(question: Question, value: object) -> list[int]:
    """0-based choices an answer selects (for item statistics); empty for types without choices.

    Parameters
    ----------
    question : Question
    value : object
        An answer as in a responses file.
    """
    return REGISTRY[question.type].choice_picks(question, value)


def grade_answer(
    question: Question, value: object = MISSING, glossary: Glossary | None = None
) -> QuestionResult:
    """Grade one answer.

    Parameters
    ----------
    question : Question
        A validated question.
    value : object, default=MISSING
        The answer, as in a responses file: an index (single choice, 0-based), a list of indices
        (multiple choice), a bool (true/false), a number (numeric), a ``{left: right}`` mapping
        (matching) or text (short text). :data:`MISSING` means no answer. Any other value is
        graded as a wrong type, never raised on.
    glossary : Glossary, optional
        Supplies aliases accepted by short-text questions.

    Returns
    -------
    QuestionResult
        With ``score`` in ``[0, 1]``.
    """
    if value is MISSING:
        status, score, feedback = "missing", 0.0, "No answer was given."
    else:
        status, score, feedback = REGISTRY[question.type].grade(question, value, glossary)
    return QuestionResult(
        question_id=question.id,
        question_type=question.type,
        status=status,
        score=score,
        feedback=feedback,
        expected=question.answer_text(),
        explanation=question.explanation,
        given=None if value is MISSING else _plain(value),
    )


@dataclass(frozen=True)
class Responses:
    """A learner's answers, read from a responses file.

    Attributes
    ----------
    answers : dict
        Question id -> answer (see :func:`grade_answer` for the expected values).
    student, lesson : str or None
        Optional; ``lesson`` is two digits.
    path : str
        The file, for messages.
    """

    answers: dict[str, object] = field(default_factory=dict)
    student: str | None = None
    lesson: str | None = None
    path: str = "<responses>"


def _no_line(where: object) -> None:
    """Line lookup for JSON files, which carry no line index (their errors do)."""
    return None


def parse_responses(text: str, path: str | Path = "<responses>") -> Responses:
    """Parse a responses file (YAML, or JSON when ``path`` ends in ``.json``).

    The format is documented in :mod:`coursekit.quiz`: a mapping with ``answers`` (question
    id -> answer) and optional ``student`` and ``lesson``.

    Raises
    ------
    QuizFormatError
        If the file is not valid YAML/JSON or does not have that shape. Answers of the wrong
        type are not errors here: grading reports them.
    """
    if str(path).endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise QuizFormatError(path, error.lineno, f"invalid JSON: {error.msg}") from None
        except RecursionError:
            raise QuizFormatError(path, None, "invalid JSON: nested too deeply") from None
        except ValueError as error:
            # e.g. an integer with more digits than Python converts
            raise QuizFormatError(path, None, f"invalid JSON value: {error}") from None
        lines = _no_line
    else:
        data, lines = parse_yaml(text, path)
    errors = []
    if not isinstance(data, Mapping):
        raise QuizFormatError(
            path,
            lines(()),
            f"a responses file must be a mapping with 'answers', got {describe_value(data)}",
        )
    for key in data:
        if key not in ("student", "lesson", "answers"):
            errors.append(
                QuizFormatError(
                    path,
                    lines((str(key),)),
                    f"unknown key {describe_value(key)}; allowed keys are student, lesson, answers",
                )
            )
    student = data.get("student")
    if student is not None and not isinstance(student, (str, int)):
        errors.append(
            QuizFormatError(
                path, lines(("student",)), f"'student' must be text, got {describe_value(student)}"
            )
        )
    lesson = data.get("lesson")
    if lesson is not None:
        try:
            lesson = normalize_lesson(lesson)
        except ValueError:
            errors.append(
                QuizFormatError(
                    path,
                    lines(("lesson",)),
                    f"'lesson' must be a lesson number such as \"00\", got {describe_value(lesson)}",
                )
            )
    answers = data.get("answers")
    if not isinstance(answers, Mapping):
        errors.append(
            QuizFormatError(
                path,
                lines(("answers",)),
                f"'answers' must be a mapping from question id to answer, got {describe_value(answers)}",
            )
        )
    if errors:
        raise QuizFormatError.from_errors(errors)
    return Responses(
        answers={str(qid): value for qid, value in answers.items()},
        student=None if student is None else str(student),
        lesson=lesson,
        path=str(path),
    )


def read_responses(path: str | Path) -> Responses:
    """Read and parse a responses file; raises :class:`QuizFormatError`."""
    return parse_responses(read_text(path), path)


def grade_responses(
    responses: Responses, banks: Sequence[Bank], glossary: Glossary | None = None
) -> GradeReport:
    """Grade a learner's responses against the full banks.

    Parameters
    ----------
    responses : Responses
        From :func:`read_responses`.
    banks : sequence of Bank
        The banks to grade against (all of them, or at least the responses' lesson).
    glossary : Glossary, optional
        Supplies aliases accepted by short-text questions.

    Returns
    -------
    GradeReport
        Graded: every question of the responses' lesson if it names one, otherwise every
        question of each bank that holds at least one answered id. Unknown ids, missing answers
        and wrong types are reported in the report.
    """
    owner = {question.id: bank for bank in banks for question in bank.questions}
    problems = []
    if responses.lesson is not None:
        chosen = [bank for bank in banks if bank.lesson == responses.lesson]
        if not chosen:
            known = ", ".join(bank.lesson for bank in banks) or "none"
            problems.append(f"there is no bank for lesson {responses.lesson} (banks: {known})")
    else:
        touched = {owner[qid].lesson for qid in responses.answers if qid in owner}
        chosen = [bank for bank in banks if bank.lesson in touched]
        if not chosen:
            problems.append("none of the answered ids belongs to a quiz bank")
    graded_ids = set()
    results = []
    for bank in chosen:
        for question in bank.questions:
            graded_ids.add(question.id)
            value = responses.answers.get(question.id, MISSING)
            results.append(grade_answer(question, value, glossary))
    unknown = []
    for qid in responses.answers:
        if qid in graded_ids:
            continue
        if qid in owner:
            reason = f"this question belongs to lesson {owner[qid].lesson}, not lesson {responses.lesson}"
        else:
            reason = "no question has this id"
        unknown.append((qid, reason))
    return GradeReport(
        results=tuple(results),
        unknown=tuple(unknown),
        problems=tuple(problems),
        student=responses.student,
        lesson=responses.lesson
        if responses.lesson is not None
        else ", ".join(bank.lesson for bank in chosen) or None,
    )
