"""Read the quiz data files: UTF-8 text, then YAML, safely and with a line for every value.

Quiz banks, the glossary and responses files come from people (an instructor's bank, a
learner's responses file), so they are read defensively:

- PyYAML's safe loader, never one that builds arbitrary Python objects;
- **no aliases and no merge keys**: the composer refuses an alias (``*name``) or a merge key
  (``<<``) as soon as it meets one, before anything is constructed, so a few hundred bytes
  cannot expand into gigabytes ("billion laughs");
- bounded size: at most :data:`MAX_FILE_BYTES` bytes, :data:`MAX_NODES` YAML nodes and
  :data:`MAX_DEPTH` levels of nesting.

Every problem is a :class:`QuizFormatError` that says ``FILE:LINE: what is wrong``. Line numbers
come from PyYAML's composed node tree (``start_mark``), so no extra dependency is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from coursekit.errors import BankError

MAX_FILE_BYTES = 2_000_000
"""Largest quiz data file read, in bytes (the course's banks are under 20 kB)."""

MAX_NODES = 20_000
"""Most YAML nodes (scalars, lists, mappings) in one document; the glossary has about 1300."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in one document."""

Location = tuple[object, ...]


class QuizFormatError(BankError):
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


class LineIndex:
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


def _index_lines(root: yaml.Node) -> tuple[LineIndex, list[tuple[int, str]]]:
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
    return LineIndex(lines), duplicates


def _mark_line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return None if line is None else line + 1


class _Refused(yaml.MarkedYAMLError):
    """A construct the quiz files do not allow: an alias or a merge key."""


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader whose composer refuses aliases and merge keys and bounds the size.

    The checks run while the node tree is composed, that is before any Python object is
    constructed from it, so no hostile document gets the chance to expand.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                problem=f"aliases (*{event.anchor}) are not allowed in quiz files; "
                "write the value out in full",
                problem_mark=event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise yaml.composer.ComposerError(
                problem=f"the document has more than {MAX_NODES} values",
                problem_mark=self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    problem=f"the document is nested more than {MAX_DEPTH} levels deep",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(
                    problem="merge keys (<<) are not allowed in quiz files; "
                    "write the keys out in full",
                    problem_mark=key_node.start_mark,
                )
        return node


def parse_yaml(text: str, path: str | Path = "<string>") -> tuple[object, LineIndex]:
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
        For invalid YAML (with the line PyYAML reports), duplicate keys, an alias or a merge
        key, more than :data:`MAX_NODES` values or nesting deeper than :data:`MAX_DEPTH`.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    loader = None
    try:
        # The reader checks for non-printable characters already in the constructor.
        loader = _GuardedLoader(text)
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except _Refused as error:
        raise QuizFormatError(path, _mark_line(error.problem_mark), error.problem) from None
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
        return data, LineIndex({})
    lines, duplicates = _index_lines(root)
    if duplicates:
        raise QuizFormatError.from_errors(
            QuizFormatError(path, line, message) for line, message in duplicates
        )
    return data, lines


def read_text(path: str | Path) -> str:
    """Read a data file as UTF-8 text, reporting problems as :class:`QuizFormatError`.

    Only a regular file of at most :data:`MAX_FILE_BYTES` bytes is read: a folder, a device or
    a pipe (which could block forever) is refused with a message.
    """
    file = Path(path)
    try:
        if file.is_dir():
            raise QuizFormatError(file, None, "is a directory, not a YAML file")
        if file.exists() and not file.is_file():
            raise QuizFormatError(file, None, "is not a regular file (a device or a pipe?)")
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise QuizFormatError(file, None, "file not found") from None
    except IsADirectoryError:
        raise QuizFormatError(file, None, "is a directory, not a YAML file") from None
    except OSError as error:
        raise QuizFormatError(file, None, f"cannot read the file: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise QuizFormatError(
            file, None, f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; quiz files are small"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise QuizFormatError(
            file, line, "the file is not valid UTF-8 text; save it with UTF-8 encoding"
        ) from None


