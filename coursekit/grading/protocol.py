"""The wire format between the trusted grader and a sandboxed child: plain data, never pickle.

Everything a child sends travels over **one pipe** (the child's standard output at start-up,
moved to a private descriptor before any learner code runs). The parent never opens a file that
a child could have touched, so no symlink, FIFO, device or directory planted by a submission
can redirect, block or flood it. A message is a **frame**::

    CK1 <name> <json bytes> <npz bytes>\\n<json><npz>

``name`` is :data:`PLAN`, :data:`LOADED` or :func:`result_name` ``(i)``; the JSON is a tree whose leaves are
``None``, ``bool``, ``int``, ``float`` (including NaN and infinities) and ``str``, and the
``.npz`` part holds its arrays. Containers and arrays are tagged objects:

=====================================  ========================================================
``{"t": "tuple", "items": [...]}``     a tuple (``"list"`` for a list)
``{"t": "dict", "items": [[k, v]]}``   a dict with str, int, float, bool or None keys
``{"t": "array", "key": "a0"}``        a plain ``numpy.ndarray``, stored in the ``.npz`` part
``{"t": "scalar", "key": "a1"}``       a numpy scalar (``np.float32(1.5)``), stored as 0-d array
``{"t": "seed", "value": 7}``          a :class:`~coursekit.exercises.core.Seed` (inputs only)
``{"t": "partial", ...}``              ``functools.partial`` of a coursekit function (inputs
                                       only; e.g. lesson 04's training step)
``{"t": "foreign", "type": "X"}``      anything else a learner returned, sent as a description
=====================================  ========================================================

The request travels the other way as files the parent writes into the child's read-only input
folder: :data:`NOTEBOOK`, :data:`REQUEST` (JSON) and its ``.npz``. Array keys are prefixed by
:func:`input_prefix` in a request and by :func:`output_prefix` in a result.

Every size is capped before anything is parsed: :func:`read_bounded` for files the parent reads
(``O_NOFOLLOW | O_NONBLOCK``, regular files only, at most cap + 1 bytes), :class:`FrameReader` for
the pipe, and the decoders for depth, items and distinct type names.
"""

from __future__ import annotations

import enum
import functools
import importlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coursekit.exercises.core import Seed

#: File names in the child's input folder (written by the parent, read-only for the child).
NOTEBOOK = "submission.ipynb"
REQUEST = "request.json"
#: Frame names on the result pipe, in the order a child sends them: what loading will import,
#: the loading report, then one result per exercise.
PLAN = "plan"
LOADED = "loaded"
_RESULT = "result_"
_MAGIC = b"CK1"

#: Largest notebook (bytes) that is graded; 50 MB of outputs is fine.
MAX_NOTEBOOK_BYTES = 200 * 2**20
#: Largest array (bytes) a learner may return; larger ones are sent as a description.
MAX_ARRAY_BYTES = 16 * 2**20
#: Largest total of array bytes in one frame, and largest JSON text (bytes) of one frame.
MAX_MESSAGE_BYTES = 32 * 2**20
MAX_JSON_CHARS = 4 * 2**20
#: Most bytes the parent accepts on one child's result pipe, all frames together.
MAX_STREAM_BYTES = 64 * 2**20
#: Deepest nesting and most items per container that are sent as data.
MAX_DEPTH = 12
MAX_ITEMS = 10_000
MAX_STRING = 10_000
MAX_NODES = 100_000
#: Distinct foreign type names the parent keeps a class for; the rest share one description.
MAX_FOREIGN_TYPES = 256
#: dtype kinds sent as arrays: bool, ints, floats, complex, str and bytes (never object).
_ARRAY_KINDS = frozenset("biufcUS")
_PRIMITIVES = (type(None), bool, int, float, str)
#: What a foreign description may contain once it reaches the parent (no markup, no controls).
_SAFE_DESCRIPTION = re.compile(r"[^\w .,()?:+-]", re.ASCII)


#: Extra seconds that loading may take per heavy package the notebook's definitions import
#: (measured cold on a 2-core machine, with margin: ``import keras`` alone takes 6-10 s there).
IMPORT_SECONDS = {
    "keras": 40.0, "tensorflow": 40.0, "torch": 40.0, "jax": 30.0, "sklearn": 8.0,
    "scipy": 5.0, "pandas": 5.0, "matplotlib": 5.0, "seaborn": 8.0, "ipywidgets": 3.0,
}
#: Longest that loading may ever take, whatever the notebook imports.
MAX_LOAD_SECONDS = 90.0


def load_seconds(time_limit: float, imports: object) -> float:
    """Seconds allowed to load a notebook's definitions: ``time_limit`` plus its heavy imports.

    Parameters
    ----------
    time_limit : float
        The per-exercise limit, > 0; loading gets at least as much.
    imports : object
        Top-level package names (a :data:`PLAN` frame's ``"imports"``); anything that is not a
        list of known names adds nothing, so a forged plan buys at most
        :data:`MAX_LOAD_SECONDS`.
    """
    names = {name for name in imports if type(name) is str} if type(imports) is list else set()
    extra = sum(IMPORT_SECONDS.get(name, 0.0) for name in names)
    return min(time_limit + extra, max(MAX_LOAD_SECONDS, time_limit))


class ChildStatus(enum.StrEnum):
    """What a child reports about one exercise (``"status"`` of a result frame)."""

    RAN = "ran"
    TIMED_OUT = "timed out"
    NOT_IMPLEMENTED = "not implemented"
    MISSING = "missing"
    NOT_CALLABLE = "not callable"


class ProtocolError(ValueError):
    """A message that is not valid plain data (malformed, too large, or of an unknown tag)."""


def result_name(index: int) -> str:
    """Frame name of the outcome of the ``index``-th requested exercise."""
    return f"{_RESULT}{index}"


def input_prefix(exercise: int, case: int, part: str) -> str:
    """Key prefix of the arrays of one case's ``part`` ("args" or "kwargs") in a request."""
    return f"e{exercise}_c{case}_{part}_"


def output_prefix(case: int) -> str:
    """Key prefix of the arrays of one case's output in a result frame."""
    return f"c{case}_"


def prefix_keys(tree: Any, prefix: str) -> Any:
    """``tree`` with the key of every array and scalar entry prefixed by ``prefix``."""
    if type(tree) is list:
        return [prefix_keys(item, prefix) for item in tree]
    if type(tree) is dict:
        renamed = {key: prefix_keys(value, prefix) for key, value in tree.items()}
        if tree.get("t") in ("array", "scalar"):
            renamed["key"] = prefix + tree["key"]
        return renamed
    return tree


# --- Reading what a child may have touched ------------------------------------------------------


def read_bounded(path: Path | str, cap: int, *, dir_fd: int | None = None) -> bytes:
    """Read at most ``cap`` bytes of the regular file ``path``, never following a symlink.

    The file is opened with ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO or device cannot block or flood
    the reader), must be a regular file (``fstat``), and at most ``cap + 1`` bytes are read.

    Raises
    ------
    ProtocolError
        When ``path`` is missing, a symlink, not a regular file, or larger than ``cap`` bytes.
    """
    name = Path(path).name
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, dir_fd=dir_fd)
    except OSError as error:
        raise ProtocolError(f"could not open {name} ({error.strerror}; a symlink is refused).") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ProtocolError(f"{name} is not a regular file.")
        chunks, remaining = [], cap + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise ProtocolError(f"could not read {name} ({error.strerror}).") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > cap:
        raise ProtocolError(f"{name} is larger than {cap:,} bytes.")
    return data


# --- Frames on the result pipe --------------------------------------------------------------------


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def frame(name: str, payload: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """One frame (see the module docstring): what the child writes to its result pipe."""
    text = json.dumps(payload).encode("utf-8")
    archive = _npz_bytes(arrays)
    return b"%s %s %d %d\n" % (_MAGIC, name.encode("ascii"), len(text), len(archive)) + text + archive


def write_request(directory: Path, payload: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write the request (:data:`REQUEST` and its ``.npz``) into the child's input folder."""
    (directory / REQUEST).with_suffix(".npz").write_bytes(_npz_bytes(arrays))
    (directory / REQUEST).write_text(json.dumps(payload), encoding="utf-8")


def read_request(directory: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The request in ``directory`` (the child reads it before any learner code runs)."""
    text = read_bounded(directory / REQUEST, MAX_JSON_CHARS)
    archive = read_bounded((directory / REQUEST).with_suffix(".npz"), MAX_STREAM_BYTES)
    return _parse_message(text, archive, REQUEST)


def _parse_message(text: bytes, archive: bytes, name: str) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        payload = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ProtocolError(f"{name} is not JSON ({type(error).__name__}).") from None
    if type(payload) is not dict:
        raise ProtocolError(f"{name} does not hold a JSON object.")
    return payload, _load_arrays(archive, name)


def _load_arrays(archive: bytes, name: str) -> dict[str, np.ndarray]:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            infos = opened.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ProtocolError(f"the arrays of {name} are not an .npz archive.") from None
    if len(infos) > MAX_NODES or sum(info.file_size for info in infos) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"the arrays of {name} unpack to more than {MAX_MESSAGE_BYTES:,} bytes.")
    try:
        with np.load(io.BytesIO(archive), allow_pickle=False) as opened:
            return {key: opened[key] for key in opened.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:  # object arrays need pickle
        raise ProtocolError(f"the arrays of {name} are not plain data ({error}).") from None


_HEADER = re.compile(rb"CK1 ([a-z_0-9]{1,40}) (\d{1,10}) (\d{1,10})\n")


class FrameReader:
    """Parses the frames of one child's result pipe as bytes arrive, within fixed caps.

    Feed it with :meth:`feed`; complete frames whose name is in ``expected`` land in
    :attr:`frames` (a later frame of the same name replaces an earlier one). Anything malformed
    ends the stream: :attr:`error` says why, and later bytes are ignored.

    Parameters
    ----------
    expected : iterable of str
        The frame names this child may send; other names are ignored.
    """

    def __init__(self, expected) -> None:
        self.expected = frozenset(expected)
        self.frames: dict[str, tuple[bytes, bytes]] = {}
        self.error = ""
        self.received = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[str]:
        """Add bytes from the pipe; return the names of the frames completed by them."""
        if self.error:
            return []
        self.received += len(data)
        if self.received > MAX_STREAM_BYTES:
            self.error = f"the sandbox sent more than {MAX_STREAM_BYTES:,} bytes of results"
            self._buffer.clear()
            return []
        self._buffer += data
        completed = []
        while self._buffer:
            newline = self._buffer.find(b"\n", 0, 80)
            if newline < 0:
                if len(self._buffer) >= 80:
                    self.error = "the sandbox's results were not well-formed"
                break
            header = _HEADER.fullmatch(bytes(self._buffer[: newline + 1]))
            if header is None:
                self.error = "the sandbox's results were not well-formed"
                break
            name, json_size, npz_size = header.group(1).decode(), int(header.group(2)), int(header.group(3))
            if json_size > MAX_JSON_CHARS or npz_size > MAX_MESSAGE_BYTES:
                self.error = f"a result of the sandbox ({name}) was larger than allowed"
                break
            end = newline + 1 + json_size + npz_size
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[newline + 1: end])
            del self._buffer[:end]
            if name in self.expected:
                self.frames[name] = (body[:json_size], body[json_size:])
                completed.append(name)
        if self.error:
            self._buffer.clear()
        return completed

    def message(self, name: str) -> tuple[dict, dict[str, np.ndarray]]:
        """The decoded frame ``name``.

        Raises
        ------
        ProtocolError
            When no such frame arrived, or it is not valid plain data.
        """
        if name not in self.frames:
            raise ProtocolError(f"no {name} report arrived")
        text, archive = self.frames[name]
        return _parse_message(text, archive, name)


# --- Values -----------------------------------------------------------------------------------


class ForeignValue:
    """Stand-in, in the trusted parent, for a value that could not be sent as plain data.

    Judges compare types exactly, so an instance is never equal to anything a reference returns.
    Each description gets its own subclass named after the learner's type, so feedback reads
    "got an object of type MyArray (a numpy array subclass)".
    """

    __slots__ = ()


@functools.lru_cache(maxsize=MAX_FOREIGN_TYPES)
def foreign_type(description: str) -> type:
    """A :class:`ForeignValue` subclass whose ``__name__`` is ``description``.

    The cache is bounded (:data:`MAX_FOREIGN_TYPES`): a submission that returns thousands of
    distinct type names cannot grow the parent's memory.
    """
    return type(description, (ForeignValue,), {"__slots__": ()})


def _type_name(value: Any) -> str:
    name = type(value).__name__
    return re.sub(r"[^\w.]", "?", name)[:60]


class _Encoder:
    """Builds a JSON tree and collects the arrays it refers to."""

    def __init__(self, *, inputs: bool) -> None:
        self.inputs = inputs
        self.arrays: dict[str, np.ndarray] = {}
        self.total_bytes = 0
        self.nodes = 0

    def foreign(self, description: str) -> dict:
        if self.inputs:
            raise TypeError(f"a case input cannot be sent to the sandbox: {description}.")
        return {"t": "foreign", "type": description}

    def store(self, tag: str, array: np.ndarray) -> dict:
        if array.nbytes > MAX_ARRAY_BYTES or self.total_bytes + array.nbytes > MAX_MESSAGE_BYTES:
            return self.foreign(f"a very large array ({array.nbytes:,} bytes)")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        self.total_bytes += array.nbytes
        return {"t": tag, "key": key}

    def encode(self, value: Any, depth: int = 0) -> Any:
        kind = type(value)
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return self.foreign("a value nested too deeply or with too many items")
        if kind in _PRIMITIVES:
            if kind is str and len(value) > MAX_STRING:
                return self.foreign("a very long string")
            if kind is int and abs(value) >= 2**63:
                return self.foreign("a huge integer")
            return value
        if kind is np.ndarray:
            if value.dtype.kind not in _ARRAY_KINDS or value.dtype.fields is not None:
                return self.foreign(f"an array of dtype {value.dtype.name}")
            return self.store("array", value)
        if isinstance(value, np.ndarray):
            return self.foreign(f"{_type_name(value)} (a numpy array subclass)")
        if isinstance(value, np.generic) and kind.__module__ == "numpy":
            if value.dtype.kind not in _ARRAY_KINDS:
                return self.foreign(f"a numpy scalar of dtype {value.dtype.name}")
            return self.store("scalar", np.asarray(value))
        if kind in (tuple, list):
            if len(value) > MAX_ITEMS:
                return self.foreign(f"a {kind.__name__} of {len(value)} items")
            items = [self.encode(item, depth + 1) for item in value]
            return {"t": kind.__name__, "items": items}
        if kind is dict:
            if len(value) > MAX_ITEMS:
                return self.foreign(f"a dict of {len(value)} items")
            if not all(type(key) in _PRIMITIVES for key in value):
                return self.foreign("a dict with keys that are not plain numbers or strings")
            items = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]
            return {"t": "dict", "items": items}
        if self.inputs and kind is Seed:
            return {"t": "seed", "value": int(value.value)}
        if self.inputs and kind is functools.partial:
            return self.encode_partial(value, depth)
        return self.foreign(_type_name(value))

    def encode_partial(self, value: functools.partial, depth: int) -> dict:
        function = value.func
        module, name = getattr(function, "__module__", ""), getattr(function, "__qualname__", "")
        if not module.startswith("coursekit.") or not name.isidentifier():
            raise TypeError(
                "a case input that is a functools.partial must wrap a module-level coursekit "
                f"function, got {module}.{name}."
            )
        return {
            "t": "partial",
            "module": module,
            "name": name,
            "args": self.encode(tuple(value.args), depth + 1),
            "kwargs": self.encode(dict(value.keywords), depth + 1),
        }


def encode(value: Any, *, inputs: bool = False) -> tuple[Any, dict[str, np.ndarray]]:
    """Encode ``value`` as a JSON tree and the arrays it refers to.

    Parameters
    ----------
    value : object
        Case inputs (``inputs=True``) or a learner's output.
    inputs : bool, default=False
        Inputs may also hold :class:`Seed` and ``functools.partial`` of coursekit functions;
        anything not sendable raises ``TypeError`` (a lesson author's error). For outputs,
        anything not sendable becomes a ``foreign`` description.

    Returns
    -------
    tree : JSON-serialisable object
    arrays : dict of str to ndarray
        Arrays to send with the tree, under their keys (:func:`frame`).
    """
    encoder = _Encoder(inputs=inputs)
    return encoder.encode(value), encoder.arrays


def decode(tree: Any, arrays: dict[str, np.ndarray], *, inputs: bool = False) -> Any:
    """Rebuild a value from :func:`encode`'s tree.

    Parameters
    ----------
    tree : JSON value
    arrays : dict of str to ndarray
    inputs : bool, default=False
        Accept ``seed`` and ``partial`` tags (the child decoding its inputs). The parent decodes
        outputs with ``inputs=False``: those tags are then refused.

    Raises
    ------
    ProtocolError
        On an unknown tag, a missing array or a malformed entry.
    """
    return _decode(tree, arrays, inputs, 0)


def _decode(tree: Any, arrays: dict[str, np.ndarray], inputs: bool, depth: int) -> Any:
    if depth > MAX_DEPTH + 2:
        raise ProtocolError("the message is nested too deeply.")
    if type(tree) in _PRIMITIVES:
        return tree
    if type(tree) is not dict or type(tree.get("t")) is not str:
        raise ProtocolError(f"unexpected entry of type {type(tree).__name__}.")
    tag = tree["t"]
    if tag in ("array", "scalar"):
        array = arrays.get(tree.get("key"))
        if type(array) is not np.ndarray:
            raise ProtocolError(f"missing array {tree.get('key')!r}.")
        if tag == "array":
            return array
        if array.shape != ():
            raise ProtocolError("a scalar entry must be a 0-d array.")
        return array[()]
    if tag in ("tuple", "list", "dict"):
        items = tree.get("items")
        if type(items) is not list:
            raise ProtocolError(f"a {tag} entry needs a list of items.")
        if tag == "dict":
            pairs = []
            for pair in items:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in _PRIMITIVES:
                    raise ProtocolError("a dict entry needs [key, value] pairs with plain keys.")
                pairs.append((pair[0], _decode(pair[1], arrays, inputs, depth + 1)))
            return dict(pairs)
        values = [_decode(item, arrays, inputs, depth + 1) for item in items]
        return tuple(values) if tag == "tuple" else values
    if tag == "foreign":
        description = _SAFE_DESCRIPTION.sub("?", str(tree.get("type", "unknown"))[:100])
        return foreign_type(description)()
    if inputs and tag == "seed" and type(tree.get("value")) is int:
        return Seed(tree["value"])
    if inputs and tag == "partial":
        return _decode_partial(tree, arrays, depth)
    raise ProtocolError(f"unknown or forbidden entry {tag!r}.")


def _decode_partial(tree: dict, arrays: dict[str, np.ndarray], depth: int) -> functools.partial:
    module, name = tree.get("module"), tree.get("name")
    if type(module) is not str or not module.startswith("coursekit.") or type(name) is not str:
        raise ProtocolError("a partial entry must name a coursekit function.")
    function: Callable = getattr(importlib.import_module(module), name)
    args = _decode(tree.get("args"), arrays, True, depth + 1)
    kwargs = _decode(tree.get("kwargs"), arrays, True, depth + 1)
    return functools.partial(function, *args, **kwargs)
