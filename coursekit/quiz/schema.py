"""Validate the quiz data files: the glossary and the per-lesson question banks.

The schema is documented in :mod:`coursekit.quiz`. Reading the YAML safely (no aliases, no
merge keys, bounded size) is :mod:`coursekit.quiz.reading`; this module checks the structure
common to every bank and question, and hands each question's type-specific keys to its type in
:mod:`coursekit.quiz.types`. Every problem is reported as ``FILE:LINE: what is wrong`` instead
of a traceback, and all problems in a file are collected, not only the first one.

Public functions raise :class:`QuizFormatError` (a ``ValueError``); its ``errors`` attribute
holds every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from coursekit.quiz.checks import LESSON_PATTERN, Checker
from coursekit.quiz.model import Bank, Glossary, Question, Term
from coursekit.quiz.normalize import normalize_text
from coursekit.quiz.reading import (
    LineIndex,
    Location,
    QuizFormatError,
    describe_value,
    parse_yaml,
    read_text,
)
from coursekit.quiz.types import QUESTION_TYPES, REGISTRY
from coursekit.quiz.types.matching import MAX_PAIRS

__all__ = [
    "KEBAB_CASE",
    "LESSON_PATTERN",
    "MAX_PAIRS",
    "QuizFormatError",
    "check_bank",
    "check_glossary",
    "describe_value",
    "is_glossary_document",
    "parse_bank",
    "parse_glossary",
    "parse_yaml",
    "read_bank",
    "read_glossary",
    "read_text",
]

KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_BANK_KEYS = ("lesson", "title", "questions")
_QUESTION_KEYS = ("id", "type", "prompt", "explanation", "terms", "flashcard")
_EVERY_QUESTION_KEY = tuple(
    dict.fromkeys(
        _QUESTION_KEYS + tuple(key for question_type in REGISTRY.values() for key in question_type.keys)
    )
)
_GLOSSARY_KEYS = ("terms",)
_BANK_FILE_NAME = re.compile(r"^lesson_([0-9]{2})\.ya?ml$")
_TERM_KEYS = ("id", "term", "lesson", "definition", "related", "example", "aliases")
_REQUIRED_TERM_TEXT = ("term", "definition", "example")


def _question_label(raw: Mapping, index: int) -> str:
    qid = raw.get("id")
    if isinstance(qid, str) and qid.strip():
        return f"question '{qid.strip()}': "
    return f"question #{index + 1}: "


def _check_question(
    check: Checker,
    raw: object,
    index: int,
    lesson: str | None,
    glossary_ids: frozenset[str] | None,
) -> Question | None:
    where: Location = ("questions", index)
    if not isinstance(raw, Mapping):
        check.error(
            where,
            f"question #{index + 1} must be a mapping (id, type, prompt, ...), got {describe_value(raw)}",
        )
        return None
    label = _question_label(raw, index)
    errors_before = len(check.errors)

    qid = check.text(raw, "id", where, label)
    if qid is not None and not KEBAB_CASE.match(qid):
        check.error(
            (*where, "id"),
            f"{label}id must be kebab-case (lower-case letters, digits, single hyphens)",
        )
    qtype = raw.get("type")
    if "type" not in raw:
        check.error(where, f"{label}missing 'type' (one of {', '.join(QUESTION_TYPES)})")
    elif not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
        check.error(
            (*where, "type"),
            f"{label}unknown type {describe_value(qtype)}; use one of {', '.join(QUESTION_TYPES)}",
        )
    prompt = check.text(raw, "prompt", where, label)
    explanation = check.text(raw, "explanation", where, label)

    known_type = isinstance(qtype, str) and qtype in REGISTRY
    if known_type:
        check.unknown_keys(raw, _QUESTION_KEYS + REGISTRY[qtype].keys, where, label)
    else:
        check.unknown_keys(raw, _EVERY_QUESTION_KEY, where, label)

    terms = check.text_list(raw, "terms", where, label)
    if terms and glossary_ids is not None:
        for position, term in enumerate(terms):
            if term not in glossary_ids:
                check.error(
                    (*where, "terms", position), f"{label}unknown glossary term '{term}' in 'terms'"
                )
    flashcard = raw.get("flashcard", False)
    if flashcard is None:
        flashcard = False
    if not isinstance(flashcard, bool):
        check.error(
            (*where, "flashcard"),
            f"{label}'flashcard' must be true or false, got {describe_value(flashcard)}",
        )

    fields = REGISTRY[qtype].validate(check, raw, where, label) if known_type else None
    if len(check.errors) > errors_before or fields is None or lesson is None:
        return None
    return Question(
        id=qid,
        type=qtype,
        prompt=prompt,
        explanation=explanation,
        lesson=lesson,
        terms=terms,
        flashcard=flashcard,
        line=check.lines(where),
        **fields,
    )


def check_bank(
    data: object,
    lines: LineIndex,
    path: str | Path,
    *,
    glossary_ids: Iterable[str] | None = None,
) -> tuple[Bank | None, list[QuizFormatError]]:
    """Validate a parsed bank and build it.

    Parameters
    ----------
    data : object
        The parsed YAML document.
    lines : callable
        Line index from :func:`parse_yaml`.
    path : str or Path
        The file, for messages and ``Bank.path``.
    glossary_ids : iterable of str, optional
        Known glossary ids; when given, every id in a question's ``terms`` must be one of them.

    Returns
    -------
    bank : Bank or None
        None when there is any problem.
    errors : list of QuizFormatError
        Every problem found, in file order.
    """
    check = Checker(path, lines)
    known_terms = None if glossary_ids is None else frozenset(glossary_ids)
    if not isinstance(data, Mapping):
        check.error(
            (),
            f"a bank must be a mapping with keys {', '.join(_BANK_KEYS)}, got {describe_value(data)}",
        )
        return None, check.errors
    check.unknown_keys(data, _BANK_KEYS, (), "")
    lesson = check.lesson(data, (), "")
    named = _BANK_FILE_NAME.match(Path(path).name)
    if lesson is not None and named and named.group(1) != lesson:
        check.error(
            ("lesson",),
            f'the file is named for lesson {named.group(1)} but declares lesson "{lesson}"',
        )
    title = check.text(data, "title", (), "")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        check.error(
            ("questions",),
            f"'questions' must be a non-empty list, got {describe_value(raw_questions)}",
        )
        raw_questions = []
    questions = []
    first_line: dict[str, int | None] = {}
    for index, raw in enumerate(raw_questions):
        question = _check_question(check, raw, index, lesson, known_terms)
        qid = raw.get("id") if isinstance(raw, Mapping) else None
        if isinstance(qid, str) and qid.strip():
            qid = qid.strip()
            if qid in first_line:
                check.error(
                    ("questions", index, "id"),
                    f"duplicate question id '{qid}' (first used on line {first_line[qid]})",
                )
                question = None
            else:
                first_line[qid] = check.lines(("questions", index))
        if question is not None:
            questions.append(question)
    check.errors.sort(key=lambda error: error.line or 0)
    if check.errors:
        return None, check.errors
    return Bank(lesson=lesson, title=title, questions=tuple(questions), path=Path(path)), []


def check_glossary(
    data: object, lines: LineIndex, path: str | Path
) -> tuple[Glossary | None, list[QuizFormatError]]:
    """Validate a parsed glossary and build it; same contract as :func:`check_bank`."""
    check = Checker(path, lines)
    if not isinstance(data, Mapping):
        check.error(
            (), f"the glossary must be a mapping with the key 'terms', got {describe_value(data)}"
        )
        return None, check.errors
    check.unknown_keys(data, _GLOSSARY_KEYS, (), "")
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        check.error(
            ("terms",), f"'terms' must be a non-empty list, got {describe_value(raw_terms)}"
        )
        raw_terms = []

    ids: dict[str, int] = {}
    for index, raw in enumerate(raw_terms):
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            term_id = raw["id"].strip()
            if term_id in ids:
                check.error(
                    ("terms", index, "id"),
                    f"duplicate term id '{term_id}' (first used by term #{ids[term_id] + 1})",
                )
            else:
                ids[term_id] = index

    terms = []
    names: dict[str, str] = {}
    for index, raw in enumerate(raw_terms):
        where: Location = ("terms", index)
        if not isinstance(raw, Mapping):
            check.error(
                where,
                f"term #{index + 1} must be a mapping (id, term, lesson, ...), got {describe_value(raw)}",
            )
            continue
        term_id = raw.get("id")
        label = (
            f"term '{term_id.strip()}': "
            if isinstance(term_id, str) and term_id.strip()
            else f"term #{index + 1}: "
        )
        errors_before = len(check.errors)
        check.unknown_keys(raw, _TERM_KEYS, where, label)
        term_id = check.text(raw, "id", where, label)
        if term_id is not None and not KEBAB_CASE.match(term_id):
            check.error(
                (*where, "id"),
                f"{label}id must be kebab-case (lower-case letters, digits, single hyphens)",
            )
        texts = {key: check.text(raw, key, where, label) for key in _REQUIRED_TERM_TEXT}
        lesson = check.lesson(raw, where, label)
        if "related" not in raw:
            check.error(where, f"{label}missing 'related' (a list of term ids; [] if none)")
        related = check.text_list(raw, "related", where, label)
        for position, other in enumerate(related or ()):
            if other == term_id:
                check.error(
                    (*where, "related", position), f"{label}a term cannot be related to itself"
                )
            elif other not in ids:
                check.error(
                    (*where, "related", position),
                    f"{label}related term '{other}' does not exist in the glossary",
                )
        aliases = check.text_list(raw, "aliases", where, label)
        for name in (texts["term"], *(aliases or ())):
            if name is None:
                continue
            key = normalize_text(name)
            owner = names.setdefault(key, term_id or "?")
            if owner != (term_id or "?"):
                check.error(
                    where,
                    f"{label}the name {describe_value(name)} is also a name of term '{owner}'",
                )
        if len(check.errors) == errors_before:
            terms.append(
                Term(
                    id=term_id,
                    lesson=lesson,
                    related=related,
                    aliases=aliases,
                    line=check.lines(where),
                    **texts,
                )
            )
    check.errors.sort(key=lambda error: error.line or 0)
    if check.errors:
        return None, check.errors
    return Glossary(terms=tuple(terms), path=Path(path)), []


def parse_bank(
    text: str, path: str | Path = "<string>", *, glossary_ids: Iterable[str] | None = None
) -> Bank:
    """Parse and validate a bank from YAML text.

    Raises
    ------
    QuizFormatError
        With every problem in ``errors``.
    """
    data, lines = parse_yaml(text, path)
    bank, errors = check_bank(data, lines, path, glossary_ids=glossary_ids)
    if errors:
        raise QuizFormatError.from_errors(errors)
    return bank


def parse_glossary(text: str, path: str | Path = "<string>") -> Glossary:
    """Parse and validate a glossary from YAML text; raises :class:`QuizFormatError`."""
    data, lines = parse_yaml(text, path)
    glossary, errors = check_glossary(data, lines, path)
    if errors:
        raise QuizFormatError.from_errors(errors)
    return glossary


def read_bank(path: str | Path, *, glossary_ids: Iterable[str] | None = None) -> Bank:
    """Read, parse and validate the bank in ``path``; raises :class:`QuizFormatError`."""
    return parse_bank(read_text(path), path, glossary_ids=glossary_ids)


def read_glossary(path: str | Path) -> Glossary:
    """Read, parse and validate the glossary in ``path``; raises :class:`QuizFormatError`."""
    return parse_glossary(read_text(path), path)


def is_glossary_document(data: object) -> bool:
    """Whether a parsed document looks like a glossary (it has ``terms`` and no ``questions``)."""
    return isinstance(data, Mapping) and "terms" in data and "questions" not in data
