"""Plain data across the sandbox boundary: a JSON tree plus a ``.npz`` file of arrays.

The grader never unpickles anything a submission produced. Values are written as a JSON tree
whose leaves are ``None``, ``bool``, ``int``, ``float`` (including NaN and infinities) and
``str``; containers and arrays are tagged objects:

=====================================  ========================================================
``{"t": "tuple", "items": [...]}``     a tuple (``"list"`` for a list)
``{"t": "dict", "items": [[k, v]]}``   a dict with str, int, float, bool or None keys
``{"t": "array", "key": "a0"}``        a plain ``numpy.ndarray``, stored in the ``.npz`` file
``{"t": "scalar", "key": "a1"}``       a numpy scalar (``np.float32(1.5)``), stored as 0-d array
``{"t": "seed", "value": 7}``          a :class:`~coursekit.exercises.core.Seed` (inputs only)
``{"t": "partial", ...}``              ``functools.partial`` of a coursekit function (inputs
                                       only; e.g. lesson 04's training step)
``{"t": "foreign", "type": "X"}``      anything else a learner returned, sent as a description
=====================================  ========================================================

:func:`encode` is used by the trusted parent for case inputs and by the sandboxed child for the
learner's outputs. :func:`decode_output` is what the parent applies to a child's files: it
checks sizes before loading, loads with ``allow_pickle=False`` and turns a ``foreign`` entry into
an instance of :class:`ForeignValue`, which every judge scores as wrong.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coursekit.exercises.core import Seed

#: Largest array (bytes) a learner may return; larger ones are sent as a description.
MAX_ARRAY_BYTES = 16 * 2**20
#: Largest total of array bytes in one message, and largest JSON text (characters).
MAX_MESSAGE_BYTES = 64 * 2**20
MAX_JSON_CHARS = 4 * 2**20
#: Deepest nesting and most items per container that are sent as data.
MAX_DEPTH = 12
MAX_ITEMS = 10_000
MAX_STRING = 10_000
MAX_NODES = 100_000
#: dtype kinds sent as arrays: bool, ints, floats, complex, str and bytes (never object).
_ARRAY_KINDS = frozenset("biufcUS")
_PRIMITIVES = (type(None), bool, int, float, str)


class ProtocolError(ValueError):
    """A message that is not valid plain data (malformed, too large, or of an unknown tag)."""


class ForeignValue:
    """Stand-in, in the trusted parent, for a value that could not be sent as plain data.

    Judges compare types exactly, so an instance is never equal to anything a reference returns.
    Each description gets its own subclass named after the learner's type, so feedback reads
    "got an object of type MyArray (a numpy array subclass)".
    """

    __slots__ = ()


@functools.cache
def foreign_type(description: str) -> type:
    """A :class:`ForeignValue` subclass whose ``__name__`` is ``description``."""
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
        Arrays to store with :func:`write_message` under their keys.
    """
    encoder = _Encoder(inputs=inputs)
    return encoder.encode(value), encoder.arrays


def write_message(path: Path, payload: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``payload`` to ``path`` (JSON) and ``arrays`` to ``path.with_suffix('.npz')``.

    The JSON file is written last, through a rename, so a reader that sees it sees both.
    """
    np.savez(path.with_suffix(".npz"), **arrays)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(path)


def read_message(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a message written by :func:`write_message`, refusing oversized or pickled content.

    Raises
    ------
    ProtocolError
        When the files are missing, too large, not JSON, or hold an unsafe array.
    """
    try:
        if path.stat().st_size > MAX_JSON_CHARS:
            raise ProtocolError(f"{path.name} is larger than {MAX_JSON_CHARS:,} bytes.")
        payload = json.loads(path.read_text(encoding="utf-8"))
        arrays = _load_arrays(path.with_suffix(".npz"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ProtocolError(f"could not read {path.name}: {type(error).__name__}") from None
    if type(payload) is not dict:
        raise ProtocolError(f"{path.name} does not hold a JSON object.")
    return payload, arrays


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    if path.stat().st_size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"{path.name} is larger than {MAX_MESSAGE_BYTES:,} bytes.")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ProtocolError(f"{path.name} is not an .npz archive.") from None
    if unpacked > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"{path.name} unpacks to more than {MAX_MESSAGE_BYTES:,} bytes.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except ValueError as error:  # object arrays need pickle and are refused
        raise ProtocolError(f"{path.name} holds an array that is not plain data ({error}).") from None


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
        description = str(tree.get("type", "unknown"))[:100]
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
