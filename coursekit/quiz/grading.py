"""Grade answers to quiz questions, one at a time or from a responses file.

Scoring
-------
Every question is worth one point.

- single choice, true/false, numeric, short text: 1 or 0.
- multiple choice: all-or-nothing; 1 only when exactly the correct choices are selected. The
  feedback still names the missed and the wrongly chosen choices.
- matching: partial credit, ``(number of correctly matched left items) / (number of pairs)``.
- numeric: correct when ``|given - answer| <= tolerance`` (plus a relative slack of 1e-9 for
  floating-point rounding).
- short text: correct when the normal form (:func:`coursekit.quiz.normalize.normalize_text`)
  equals that of the answer, of an ``accept`` entry, or of any name of a glossary term whose
  names include the answer (so glossary aliases are accepted too).

An answer of the wrong type (text for a number, say) is reported as ``wrong type: expected ...``
and scores 0; so are missing answers. Nothing a responses file contains makes grading crash.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.quiz.banks import normalize_lesson
from coursekit.quiz.model import TYPE_LABELS, Bank, Glossary, Question
from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.schema import QuizFormatError, describe_value, parse_yaml, read_text

STATUSES = ("correct", "partial", "incorrect", "wrong_type", "invalid", "missing")
"""Possible values of :attr:`QuestionResult.status`."""

_NUMERIC_SLACK = 1e-9
_TRUE_WORDS = frozenset({"true", "t", "yes", "y"})
_FALSE_WORDS = frozenset({"false", "f", "no", "n"})


class _Missing:
    """Marker for "no answer was given" (``None`` is a possible, wrong, answer)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


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
        """A per-question report and the total, as plain text for a terminal."""
        heading = "Quiz report"
        if self.lesson:
            heading += f", lesson {self.lesson}"
        if self.student:
            heading += f", student {self.student}"
        lines = [heading, ""]
        for number, result in enumerate(self.results, start=1):
            status = result.status.replace("_", " ")
            lines.append(
                f"{number:2d}. {result.question_id} ({TYPE_LABELS[result.question_type]}): "
                f"{status}, {format_points(result.score)}/1"
            )
            if not result.correct:
                lines.append(f"    {result.feedback}")
                lines.append(f"    Answer: {result.expected}")
                lines.append(f"    Why: {result.explanation}")
        for qid, reason in self.unknown:
            lines.append(f"Not graded: {qid}: {reason}")
        lines.extend(f"Problem: {problem}" for problem in self.problems)
        lines.append("")
        lines.append(
            f"Total: {format_points(self.score)} / {format_points(self.max_score)} ({self.percent:.0f}%)"
        )
        return "\n".join(lines)


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


def _choice_index(question: Question, value: object) -> tuple[int | None, str, str]:
    """Read one choice as a 0-based index.

    Returns ``(index, "", "")`` or, when ``value`` names no choice, ``(None, status, message)``
    with status ``wrong_type`` or ``invalid``.
    """
    count = len(question.choices)
    wrong_type = (
        None,
        "wrong_type",
        f"wrong type: expected a choice number (0 to {count - 1}) or the text of a choice, "
        f"got {describe_value(value)}",
    )
    if isinstance(value, bool):
        return wrong_type
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        stripped = value.strip()
        if not re.fullmatch(r"[0-9]{1,6}", stripped):
            key = normalize_text(stripped)
            for index, choice in enumerate(question.choices):
                if key and normalize_text(choice) == key:
                    return index, "", ""
            return wrong_type
        value = int(stripped)
    if not isinstance(value, int):
        return wrong_type
    if not 0 <= value < count:
        return (
            None,
            "invalid",
            f"invalid: there is no choice {value}; choices are numbered 0 to {count - 1}",
        )
    return value, "", ""


def _grade_single_choice(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    index, status, problem = _choice_index(question, value)
    if index is None:
        return status, 0.0, problem
    chosen = describe_value(question.choices[index])
    if index == question.answer:
        return "correct", 1.0, f"Correct: {chosen}."
    return "incorrect", 0.0, f"You chose {chosen}, which is not correct."


def _grade_multiple_choice(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    chosen: set[int] = set()
    for item in items:
        index, status, problem = _choice_index(question, item)
        if index is None:
            if status == "wrong_type":
                problem = problem.replace(
                    "expected a choice number", "expected a list of choice numbers"
                )
            return status, 0.0, problem
        chosen.add(index)
    correct = set(question.answer)
    if chosen == correct:
        return "correct", 1.0, "Correct: you chose exactly the right choices."
    parts = []
    missed = sorted(correct - chosen)
    extra = sorted(chosen - correct)
    if missed:
        parts.append(
            "you missed " + ", ".join(describe_value(question.choices[index]) for index in missed)
        )
    if extra:
        parts.append(
            "you wrongly chose "
            + ", ".join(describe_value(question.choices[index]) for index in extra)
        )
    return "incorrect", 0.0, "Not quite: " + "; ".join(parts) + " (all-or-nothing)."


def _grade_true_false(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    given: bool | None = None
    if isinstance(value, bool):
        given = value
    elif isinstance(value, str):
        word = normalize_text(value)
        given = True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None
    if given is None:
        return "wrong_type", 0.0, f"wrong type: expected true or false, got {describe_value(value)}"
    if given == question.answer:
        return "correct", 1.0, f"Correct: the statement is {'true' if given else 'false'}."
    return "incorrect", 0.0, f"You answered {'true' if given else 'false'}, which is not correct."


def _grade_numeric(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "wrong_type", 0.0, f"wrong type: expected a number, got {describe_value(value)}"
    given = float(value)
    allowed = question.tolerance + _NUMERIC_SLACK * max(1.0, abs(question.answer))
    margin = f"within {question.tolerance:g} of" if question.tolerance else "equal to"
    if math.isfinite(given) and abs(given - question.answer) <= allowed:
        return "correct", 1.0, f"Correct: {given:g} is {margin} the answer."
    return "incorrect", 0.0, f"You answered {given:g}, which is not {margin} the answer."


def _grade_matching(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    if not isinstance(value, Mapping):
        return (
            "wrong_type",
            0.0,
            f"wrong type: expected a mapping from left items to right items, got {describe_value(value)}",
        )
    given = {normalize_text(str(left)): right for left, right in value.items()}
    matched = 0
    wrong = []
    for left, right in question.pairs:
        answer = given.get(normalize_text(left))
        if isinstance(answer, str) and normalize_text(answer) == normalize_text(right):
            matched += 1
        else:
            wrong.append(left)
    known = {normalize_text(left) for left, _ in question.pairs}
    strangers = [str(left) for left in value if normalize_text(str(left)) not in known]
    score = matched / len(question.pairs)
    notes = [f"{matched} of {len(question.pairs)} pairs matched"]
    if wrong:
        notes.append("check " + ", ".join(repr(left) for left in wrong))
    if strangers:
        notes.append(
            "ignored unknown left items " + ", ".join(repr(left) for left in strangers[:5])
        )
    status = "correct" if matched == len(question.pairs) else "partial" if matched else "incorrect"
    return status, score, "; ".join(notes) + "."


def accepted_answers(question: Question, glossary: Glossary | None = None) -> set[str]:
    """Normal forms accepted for a short-text question (answer, ``accept`` and glossary names)."""
    accepted = {normalize_text(text) for text in (question.answer, *question.accept)}
    if glossary is not None:
        for term in glossary.terms:
            names = {normalize_text(name) for name in term.names}
            if names & accepted:
                accepted |= names
    return accepted


def accepted_texts(question: Question, glossary: Glossary | None = None) -> list[str]:
    """Accepted answers of a short-text question as written, for exports.

    The model answer comes first, then the ``accept`` entries, then the names of any glossary
    term that one of them names. Texts that differ only in letter case or spacing are listed
    once (LMS matching ignores those); hyphenated variants are kept, as LMSs do not equate them.
    """
    texts = [question.answer, *question.accept]
    if glossary is not None:
        accepted = accepted_answers(question, glossary)
        for term in glossary.terms:
            if any(normalize_text(name) in accepted for name in term.names):
                texts.extend(term.names)
    unique: dict[str, str] = {}
    for text in texts:
        unique.setdefault(" ".join(text.casefold().split()), text)
    return list(unique.values())


def lms_answer_texts(question: Question, glossary: Glossary | None = None) -> list[str]:
    """Accepted short-text answers with the spacing and hyphen variants coursekit accepts.

    An LMS matches a short answer exactly (up to letter case), while coursekit's normal form
    (:func:`~coursekit.quiz.normalize.normalize_text`) ignores spaces and hyphens. For each text of
    :func:`accepted_texts`, this adds the same words joined by hyphens, by spaces and by nothing
    ("early stopping", "early-stopping", "earlystopping"), so that Moodle and Canvas accept what
    the notebook quiz accepts. Each variant has the same normal form as the text it came from.
    """
    unique: dict[str, str] = {}
    for text in accepted_texts(question, glossary):
        words = [word for word in re.split(r"[\s\-\u2010\u2011\u2013\u2014]+", text.strip()) if word]
        for variant in (text, " ".join(words), "-".join(words), "".join(words)):
            unique.setdefault(" ".join(variant.casefold().split()), variant)
    return list(unique.values())


def _grade_short_text(
    question: Question, value: object, glossary: Glossary | None
) -> tuple[str, float, str]:
    if not isinstance(value, str):
        return "wrong_type", 0.0, f"wrong type: expected text, got {describe_value(value)}"
    if normalize_text(value) in accepted_answers(question, glossary):
        return "correct", 1.0, "Correct."
    return (
        "incorrect",
        0.0,
        f"You answered {describe_value(value)}, which is not an accepted answer.",
    )


_GRADERS = {
    "single_choice": _grade_single_choice,
    "multiple_choice": _grade_multiple_choice,
    "true_false": _grade_true_false,
    "numeric": _grade_numeric,
    "matching": _grade_matching,
    "short_text": _grade_short_text,
}


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
        status, score, feedback = _GRADERS[question.type](question, value, glossary)
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
