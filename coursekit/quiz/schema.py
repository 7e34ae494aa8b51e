"""Parse and validate the quiz data files: the glossary and the per-lesson question banks.

The schema is documented in :mod:`coursekit.quiz`. It is checked here by hand, so that every
problem is reported as ``FILE:LINE: what is wrong`` instead of a traceback. Line numbers come
from PyYAML's composed node tree (``start_mark``), so no extra dependency is needed. All
problems in a file are collected, not only the first one.

Public functions raise :class:`QuizFormatError` (a ``ValueError``); its ``errors`` attribute
holds every problem found.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from coursekit.quiz.model import QUESTION_TYPES, Bank, Glossary, Question, Term
from coursekit.quiz.normalize import normalize_text

KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_PATTERN = re.compile(r"^[0-9]{2}$")
MAX_PAIRS = 26
"""Most pairs in a matching question: the right-hand sides are lettered A to Z."""

_BANK_KEYS = ("lesson", "title", "questions")
_QUESTION_KEYS = ("id", "type", "prompt", "explanation", "terms", "flashcard")
_TYPE_KEYS = {
    "single_choice": ("choices", "answer"),
    "multiple_choice": ("choices", "answer"),
    "true_false": ("answer",),
    "numeric": ("answer", "tolerance"),
    "matching": ("pairs",),
    "short_text": ("answer", "accept"),
}
_EVERY_QUESTION_KEY = tuple(
    dict.fromkeys(_QUESTION_KEYS + tuple(key for keys in _TYPE_KEYS.values() for key in keys))
)
_GLOSSARY_KEYS = ("terms",)
_BANK_FILE_NAME = re.compile(r"^lesson_([0-9]{2})\.ya?ml$")
_TERM_KEYS = ("id", "term", "lesson", "definition", "related", "example", "aliases")
_REQUIRED_TERM_TEXT = ("term", "definition", "example")

Location = tuple[object, ...]


class QuizFormatError(ValueError):
    """A problem in a quiz data file, located by file and line.

    Parameters
    ----------
    path : str or Path
        The file.
    line : int or None
        1-based line number, or None when the problem concerns the whole file.
    message : str
        What is wrong, naming the question id or the key when there is one.
    errors : iterable of QuizFormatError, optional
        All problems found, when this exception reports several; defaults to just this one.

    Attributes
    ----------
    path, line, message
        As given (``path`` as a display string).
    errors : tuple of QuizFormatError
        Every problem, in file order. ``str(error)`` prints one ``FILE:LINE: message`` line each.
    """

    def __init__(
        self,
        path: str | Path,
        line: int | None,
        message: str,
        errors: Iterable[QuizFormatError] | None = None,
    ) -> None:
        self.path = _display_path(path)
        self.line = line
        self.message = message
        collected = tuple(errors) if errors is not None else ()
        self.errors = collected if collected else (self,)
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``FILE:LINE``, or just ``FILE`` when the line is unknown."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        if len(self.errors) > 1 or self.errors[0] is not self:
            return "\n".join(str(error) for error in self.errors)
        return f"{self.location}: {self.message}"

    @classmethod
    def from_errors(cls, errors: Iterable[QuizFormatError]) -> QuizFormatError:
        """One exception that reports all of ``errors`` (at least one)."""
        collected = tuple(errors)
        if not collected:
            raise ValueError("errors must hold at least one QuizFormatError, got none.")
        first = collected[0]
        return cls(first.path, first.line, first.message, collected)


def _display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it, for short messages."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return str(candidate.relative_to(Path.cwd()))
        except ValueError:
            return str(candidate)
    return str(path)


def describe_value(value: object) -> str:
    """Short description of a YAML value for error messages (never a huge repr)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very large integer"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= 50 else text[:47] + "...'"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()} (quote it to make it text)"
    return f"a value of type {type(value).__name__}"


# ---------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------


class _Lines:
    """Line numbers of the values in a YAML document, keyed by their location.

    A location is a tuple of mapping keys (str) and sequence indices (int), e.g.
    ``("questions", 3, "answer")``. Looking up a location that has no line of its own (a missing
    key, say) gives the line of the closest enclosing value.
    """

    def __init__(self, lines: dict[Location, int]) -> None:
        self._lines = lines

    def __call__(self, where: Location) -> int | None:
        for end in range(len(where), -1, -1):
            line = self._lines.get(where[:end])
            if line is not None:
                return line
        return None


def _index_lines(root: yaml.Node) -> tuple[_Lines, list[tuple[int, str]]]:
    """Walk the composed node tree; return the line map and any duplicate-key problems.

    The walk is iterative and visits each node once, so deep nesting and recursive aliases
    (``&a [*a]``) cannot exhaust the stack or loop forever.
    """
    lines: dict[Location, int] = {(): root.start_mark.line + 1}
    duplicates: list[tuple[int, str]] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Location]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in first_line and key != "<<":
                    duplicates.append(
                        (line, f"duplicate key '{key}' (first given on line {first_line[key]})")
                    )
                    continue
                first_line[key] = line
                lines[(*where, key)] = line
                stack.append((value_node, (*where, key)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*where, index)] = item.start_mark.line + 1
                stack.append((item, (*where, index)))
    return _Lines(lines), duplicates


def _mark_line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return None if line is None else line + 1


def parse_yaml(text: str, path: str | Path = "<string>") -> tuple[object, _Lines]:
    """Parse one YAML document safely and index the line of every value.

    Parameters
    ----------
    text : str
        The document.
    path : str or Path, default="<string>"
        Used in error messages only.

    Returns
    -------
    data : object
        The parsed document (plain dicts, lists and scalars; ``None`` for an empty document).
    lines : callable
        ``lines(location) -> int or None`` gives the 1-based line of a value.

    Raises
    ------
    QuizFormatError
        For invalid YAML (with the line PyYAML reports), duplicate keys, or nesting too deep.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    loader = None
    try:
        # The reader checks for non-printable characters already in the constructor.
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        line = _mark_line(error.problem_mark) or _mark_line(error.context_mark)
        raise QuizFormatError(path, line, f"invalid YAML: {problem}{context}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise QuizFormatError(
            path, line, f"invalid YAML: character {error.character!r} is not allowed"
        ) from None
    except yaml.YAMLError as error:
        raise QuizFormatError(path, None, f"invalid YAML: {error}") from None
    except (ValueError, OverflowError) as error:
        # PyYAML's constructors let some conversion errors through, e.g. an integer with more
        # digits than Python converts.
        raise QuizFormatError(path, None, f"invalid YAML value: {error}") from None
    except RecursionError:
        raise QuizFormatError(
            path, None, "invalid YAML: the document is nested too deeply"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return data, _Lines({})
    lines, duplicates = _index_lines(root)
    if duplicates:
        raise QuizFormatError.from_errors(
            QuizFormatError(path, line, message) for line, message in duplicates
        )
    return data, lines


def read_text(path: str | Path) -> str:
    """Read a data file as UTF-8 text, reporting problems as :class:`QuizFormatError`."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise QuizFormatError(file, None, "file not found") from None
    except IsADirectoryError:
        raise QuizFormatError(file, None, "is a directory, not a YAML file") from None
    except OSError as error:
        raise QuizFormatError(file, None, f"cannot read the file: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise QuizFormatError(
            file, line, "the file is not valid UTF-8 text; save it with UTF-8 encoding"
        ) from None


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


class _Checker:
    """Collects problems for one file."""

    def __init__(self, path: str | Path, lines: _Lines) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[QuizFormatError] = []

    def error(self, where: Location, message: str) -> None:
        self.errors.append(QuizFormatError(self.path, self.lines(where), message))

    def unknown_keys(
        self, mapping: Mapping, allowed: Iterable[str], where: Location, label: str
    ) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.error(
                    (*where, str(key)),
                    f"{label}unknown key {describe_value(key)}; "
                    f"allowed keys are {', '.join(allowed)}",
                )

    def text(self, mapping: Mapping, key: str, where: Location, label: str) -> str | None:
        """A required non-empty string value, or None with a problem recorded."""
        if key not in mapping:
            self.error(where, f"{label}missing '{key}'")
            return None
        value = mapping[key]
        if not isinstance(value, str):
            self.error((*where, key), f"{label}'{key}' must be text, got {describe_value(value)}")
            return None
        if not value.strip():
            self.error((*where, key), f"{label}'{key}' is empty")
            return None
        return value.strip()

    def text_list(
        self, mapping: Mapping, key: str, where: Location, label: str
    ) -> tuple[str, ...] | None:
        """An optional list of non-empty strings (an absent key gives an empty tuple)."""
        if key not in mapping or mapping[key] is None:
            return ()
        value = mapping[key]
        if not isinstance(value, list):
            self.error((*where, key), f"{label}'{key}' must be a list, got {describe_value(value)}")
            return None
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(
                    (*where, key, index),
                    f"{label}'{key}' item {index} must be non-empty text, got {describe_value(item)}",
                )
                return None
            items.append(item.strip())
        return tuple(items)

    def lesson(self, mapping: Mapping, where: Location, label: str) -> str | None:
        if "lesson" not in mapping:
            self.error(where, f"{label}missing 'lesson' (a quoted two-digit string such as \"00\")")
            return None
        value = mapping["lesson"]
        if isinstance(value, str) and LESSON_PATTERN.match(value):
            return value
        hint = ' (quote it, e.g. lesson: "01")' if isinstance(value, int) else ""
        self.error(
            (*where, "lesson"),
            f"{label}'lesson' must be a two-digit string such as \"00\", got {describe_value(value)}{hint}",
        )
        return None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _question_label(raw: Mapping, index: int) -> str:
    qid = raw.get("id")
    if isinstance(qid, str) and qid.strip():
        return f"question '{qid.strip()}': "
    return f"question #{index + 1}: "


def _check_choices(
    check: _Checker, raw: Mapping, where: Location, label: str
) -> tuple[str, ...] | None:
    if "choices" not in raw:
        check.error(where, f"{label}missing 'choices' (a list of at least 2 texts)")
        return None
    choices = check.text_list(raw, "choices", where, label)
    if choices is None:
        return None
    if len(choices) < 2:
        check.error((*where, "choices"), f"{label}needs at least 2 choices, got {len(choices)}")
        return None
    seen: dict[str, int] = {}
    for index, choice in enumerate(choices):
        if choice in seen:
            check.error(
                (*where, "choices", index),
                f"{label}choice {index} repeats choice {seen[choice]} ({describe_value(choice)})",
            )
            return None
        seen[choice] = index
    return choices


def _index_problem(value: object, count: int) -> str | None:
    if not _is_index(value):
        return f"must be a choice index (an integer, 0-based), got {describe_value(value)}"
    if not 0 <= value < count:
        return f"{value} is out of range: there are {count} choices, numbered 0 to {count - 1}"
    return None


def _check_single_choice(check: _Checker, raw: Mapping, where: Location, label: str) -> dict | None:
    choices = _check_choices(check, raw, where, label)
    if "answer" not in raw or raw["answer"] is None:
        check.error(
            where,
            f"{label}no correct answer: add 'answer: N', the 0-based index of the correct choice",
        )
        return None
    if choices is None:
        return None
    problem = _index_problem(raw["answer"], len(choices))
    if problem:
        check.error((*where, "answer"), f"{label}answer {problem}")
        return None
    return {"choices": choices, "answer": raw["answer"]}


def _check_multiple_choice(
    check: _Checker, raw: Mapping, where: Location, label: str
) -> dict | None:
    choices = _check_choices(check, raw, where, label)
    answer = raw.get("answer")
    if answer is None or answer == []:
        check.error(
            where if "answer" not in raw else (*where, "answer"),
            f"{label}no correct answer: add 'answer: [i, j, ...]', the 0-based indices of the correct choices",
        )
        return None
    if not isinstance(answer, list):
        check.error(
            (*where, "answer"),
            f"{label}answer must be a list of choice indices, got {describe_value(answer)}",
        )
        return None
    if choices is None:
        return None
    for position, value in enumerate(answer):
        problem = _index_problem(value, len(choices))
        if problem:
            check.error((*where, "answer", position), f"{label}answer item {problem}")
            return None
    if len(set(answer)) != len(answer):
        check.error((*where, "answer"), f"{label}answer lists a choice twice: {answer}")
        return None
    return {"choices": choices, "answer": tuple(sorted(answer))}


def _check_true_false(check: _Checker, raw: Mapping, where: Location, label: str) -> dict | None:
    if "answer" not in raw or raw["answer"] is None:
        check.error(where, f"{label}no correct answer: add 'answer: true' or 'answer: false'")
        return None
    answer = raw["answer"]
    if not isinstance(answer, bool):
        check.error(
            (*where, "answer"),
            f"{label}answer must be true or false (unquoted), got {describe_value(answer)}",
        )
        return None
    return {"answer": answer}


def _check_numeric(check: _Checker, raw: Mapping, where: Location, label: str) -> dict | None:
    answer = raw.get("answer")
    tolerance = raw.get("tolerance")
    fields: dict = {}
    if answer is None:
        check.error(where, f"{label}no correct answer: add 'answer: <number>'")
    elif not _is_number(answer) or not math.isfinite(answer):
        check.error(
            (*where, "answer"),
            f"{label}answer must be a finite number, got {describe_value(answer)}",
        )
    else:
        fields["answer"] = float(answer)
    if tolerance is None:
        check.error(where, f"{label}missing 'tolerance' (the absolute tolerance, a number >= 0)")
    elif not _is_number(tolerance) or not math.isfinite(tolerance):
        check.error(
            (*where, "tolerance"),
            f"{label}tolerance must be a finite number >= 0, got {describe_value(tolerance)}",
        )
    elif tolerance < 0:
        check.error((*where, "tolerance"), f"{label}tolerance must be >= 0, got {tolerance!r}")
    else:
        fields["tolerance"] = float(tolerance)
    return fields if len(fields) == 2 else None


def _check_matching(check: _Checker, raw: Mapping, where: Location, label: str) -> dict | None:
    if "pairs" not in raw:
        check.error(
            where, f"{label}missing 'pairs' (a list of at least 2 {{left: ..., right: ...}})"
        )
        return None
    pairs = raw["pairs"]
    if not isinstance(pairs, list):
        check.error(
            (*where, "pairs"), f"{label}'pairs' must be a list, got {describe_value(pairs)}"
        )
        return None
    lefts: list[str] = []
    rights: list[str] = []
    ok = True
    for index, pair in enumerate(pairs):
        spot = (*where, "pairs", index)
        if not isinstance(pair, Mapping):
            check.error(
                spot,
                f"{label}pair #{index + 1} must be a mapping {{left: ..., right: ...}}, "
                f"got {describe_value(pair)}",
            )
            ok = False
            continue
        check.unknown_keys(pair, ("left", "right"), spot, f"{label}pair #{index + 1}: ")
        for side, collected in (("left", lefts), ("right", rights)):
            value = pair.get(side)
            if isinstance(value, str) and value.strip():
                collected.append(value.strip())
            else:
                other = "right" if side == "left" else "left"
                check.error(
                    spot,
                    f"{label}pair #{index + 1} has no {side} side (got {describe_value(value)}); "
                    f"each {other} item needs a {side} item: the sides are unequal",
                )
                ok = False
    if ok and len(pairs) > MAX_PAIRS:
        check.error(
            (*where, "pairs"),
            f"{label}a matching question has at most {MAX_PAIRS} pairs (one letter each), "
            f"got {len(pairs)}",
        )
        ok = False
    if ok and len(pairs) < 2:
        check.error(
            (*where, "pairs"),
            f"{label}a matching question needs at least 2 pairs, got {len(pairs)}",
        )
        ok = False
    for side, collected in (("left", lefts), ("right", rights)):
        if len(set(collected)) != len(collected):
            repeated = sorted({item for item in collected if collected.count(item) > 1})
            check.error(
                (*where, "pairs"), f"{label}the {side} side repeats {describe_value(repeated[0])}"
            )
            ok = False
    if not ok:
        return None
    return {"pairs": tuple(zip(lefts, rights, strict=True))}


def _check_short_text(check: _Checker, raw: Mapping, where: Location, label: str) -> dict | None:
    if "answer" not in raw or raw["answer"] is None:
        check.error(where, f"{label}no correct answer: add 'answer: \"<model answer>\"'")
        return None
    answer = check.text(raw, "answer", where, label)
    accept = check.text_list(raw, "accept", where, label)
    if answer is None or accept is None:
        return None
    for index, text in enumerate((answer, *accept)):
        if not normalize_text(text):
            spot = (*where, "answer") if index == 0 else (*where, "accept", index - 1)
            check.error(
                spot, f"{label}{describe_value(text)} is empty once spaces and hyphens are ignored"
            )
            return None
    return {"answer": answer, "accept": accept}


_TYPE_CHECKS = {
    "single_choice": _check_single_choice,
    "multiple_choice": _check_multiple_choice,
    "true_false": _check_true_false,
    "numeric": _check_numeric,
    "matching": _check_matching,
    "short_text": _check_short_text,
}


def _check_question(
    check: _Checker,
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

    known_type = isinstance(qtype, str) and qtype in _TYPE_KEYS
    if known_type:
        check.unknown_keys(raw, _QUESTION_KEYS + _TYPE_KEYS[qtype], where, label)
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

    fields = _TYPE_CHECKS[qtype](check, raw, where, label) if known_type else None
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
    lines: _Lines,
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
    check = _Checker(path, lines)
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
    data: object, lines: _Lines, path: str | Path
) -> tuple[Glossary | None, list[QuizFormatError]]:
    """Validate a parsed glossary and build it; same contract as :func:`check_bank`."""
    check = _Checker(path, lines)
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
