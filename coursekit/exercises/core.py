"""The judging logic shared by the notebook self-checks and the instructor's batch grader.

An :class:`Exercise` knows its reference implementation and how to draw test cases from a
random generator. :func:`run_check` runs a learner's function on every case, compares the
result with the reference using trusted code only, and returns a :class:`CheckResult` made of
plain data. It never raises: a learner's exception, a wrong type or a wrong shape are all
reported as failed cases with the input case named, the expected and the returned values, and
a hint.

Judging one case is three separate steps, so that the batch grader can run the middle one in a
sandboxed process and the other two in its own (:mod:`coursekit.grading.grader`):

1. :func:`expected_output`: the reference's output (trusted);
2. :func:`call_learner`: the learner's raw output, or the exception it raised, and whether it
   modified its inputs in place (the only step that runs learner code);
3. :func:`judge_output`: the exercise's judge or :func:`compare` turns both into a
   :class:`CaseOutcome` (trusted).

:func:`run_case` is their composition, used by the notebook self-checks.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PASSED = "passed"
FAILED = "failed"
NOT_IMPLEMENTED = "not implemented"
USES_REFERENCE = "uses reference"
#: The object checked is :class:`CoursekitVersion`, bound by the notebook after a ❌ or ⏳: no
#: work of the learner's was judged, so nothing is recorded.
STILL_COURSEKIT = "still coursekit's version"

_SYMBOLS = {PASSED: "✅", FAILED: "❌", NOT_IMPLEMENTED: "⏳", USES_REFERENCE: "❌"}


@dataclass(frozen=True)
class Seed:
    """Placeholder for a random generator argument.

    The reference and the learner's function each receive their own fresh
    ``numpy.random.default_rng(value)`` in its place, so both see the same random stream.
    """

    value: int


@dataclass(frozen=True)
class Case:
    """One input on which a learner's function is compared with the reference.

    Attributes
    ----------
    label : str
        What makes the case interesting, shown in feedback ("batch of one", "rate 0").
    args : tuple
        Positional arguments. :class:`Seed` entries become fresh generators.
    kwargs : dict
        Keyword arguments, treated like ``args``.
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaseOutcome:
    """Verdict on one case: ``passed`` and, when it failed, a message saying why."""

    label: str
    passed: bool
    message: str = ""


#: A judge compares the learner's return value with the reference's for one case and returns a
#: failure message, or "" when they agree.
Judge = Callable[[Any, Any], str]
#: An extra check (e.g. a gradient check) receives the learner's function and a generator.
ExtraCheck = Callable[[Callable, np.random.Generator], CaseOutcome]


@dataclass(frozen=True)
class Exercise:
    """A function the learner writes, judged against a reference implementation.

    Attributes
    ----------
    name : str
        Identifier used in notebooks (``check("l2_penalty", l2_penalty)``) and gradebooks.
    lesson : str
        Lesson number, "00" to "07".
    reference : callable
        The trusted implementation from coursekit.
    make_cases : callable
        ``make_cases(rng) -> list[Case]``; random inputs plus edge cases. The grader passes an
        instructor-chosen generator, so cases cannot be known in advance.
    hint : str
        First-level hint, shown with the first failure: a conceptual nudge, no code.
    rtol, atol : float
        Tolerances of the default comparison (``|got - expected| <= atol + rtol * |expected|``).
    judge : callable, optional
        Replaces the default comparison: ``judge(expected, got) -> message`` ("" means pass).
    extra_checks : tuple of callables
        Further checks, e.g. numerical gradient checks of a backward pass.
    reproducible : bool
        The function must return the same result when called twice on the same inputs (fresh
        generators from the same seed): it draws every random number from its ``rng``
        argument. Checked by :func:`call_learner`, in the self-check and in grading alike.
    hint_detail : str
        Second-level hint, more specific but still not the whole line: shown by
        ``hint(name)`` and with a second failed attempt. The third level, the full answer, is
        the exercise's solution (:func:`coursekit.exercises.registry.solution`).
    """

    name: str
    lesson: str
    reference: Callable
    make_cases: Callable[[np.random.Generator], list[Case]]
    hint: str
    rtol: float = 1e-6
    atol: float = 1e-8
    judge: Judge | None = None
    extra_checks: tuple[ExtraCheck, ...] = ()
    reproducible: bool = False
    hint_detail: str = ""


class CoursekitVersion:
    """coursekit's implementation of an exercise, bound in a notebook after a ❌ or ⏳.

    ``CheckResult.function`` returns one when the learner's function did not pass, so the lesson
    goes on. It is marked on purpose: checking it again reports :data:`STILL_COURSEKIT` ("run
    your function's cell, then this check") instead of a verdict, its ``repr`` says what it is,
    and its first call in the check's own cell prints one line, so a demo line under the check
    shows which version ran (later cells, which may be printing a table, stay quiet; outside
    IPython the first call after the check prints it). :func:`reference_use` treats it as
    coursekit's answer.

    Parameters
    ----------
    name : str
        The exercise's name.
    function : callable
        coursekit's implementation (the exercise's reference).
    verdict : str
        The symbol of the verdict after which it was bound, "❌" or "⏳".
    """

    def __init__(self, name: str, function: Callable, verdict: str) -> None:
        self.name, self.verdict = name, verdict
        self.__wrapped__ = function
        self.__doc__ = getattr(function, "__doc__", None)
        self.rearm()

    def rearm(self) -> None:
        """Announce the next call made in the current notebook cell (the check's own)."""
        self._announce_in = _cell_number()
        self._announce = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._announce and _cell_number() == self._announce_in:
            self._announce = False
            print(f"↪ coursekit's version of {self.name} ran here (yours has not passed its check).")
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<coursekit's version of {self.name}, bound after your {self.verdict}>"


def _cell_number() -> object:
    """What identifies the IPython cell now running; None outside IPython.

    The id of the kernel's current execute request, where there is one: unlike the execution
    count, it differs from cell to cell even when cells run with ``store_history=False`` (as
    nbval runs them).
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    header = getattr(shell, "parent_header", None)
    if isinstance(header, dict) and header.get("header", {}).get("msg_id"):
        return header["header"]["msg_id"]
    return getattr(shell, "execution_count", None)


@dataclass
class CheckResult:
    """Outcome of checking one learner function: plain data, safe to serialise.

    Attributes
    ----------
    exercise, lesson : str
    status : str
        One of ``"passed"``, ``"failed"``, ``"not implemented"``, ``"uses reference"``,
        ``"still coursekit's version"`` (:data:`STILL_COURSEKIT`).
    cases : list of CaseOutcome
    hint : str
        The hint shown with a failure (first or second level, see ``hint_level``).
    hint_level : int
        1 for the conceptual nudge, 2 for the more specific hint.
    """

    exercise: str
    lesson: str
    status: str
    cases: list[CaseOutcome]
    hint: str = ""
    hint_level: int = 1
    _learner: Callable | None = field(default=None, repr=False, compare=False)
    _reference: Callable | None = field(default=None, repr=False, compare=False)
    _fallback: CoursekitVersion | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def n_passed(self) -> int:
        return sum(outcome.passed for outcome in self.cases)

    @property
    def function(self) -> Callable | None:
        """The learner's function when it passed, otherwise a :class:`CoursekitVersion`.

        Notebooks bind it to the exercise's name, so that the rest of the lesson runs even
        before the exercise is done, and a re-run of the check on it says so.
        """
        if self.passed:
            return self._learner
        if isinstance(self._learner, CoursekitVersion):
            self._learner.rearm()
            return self._learner
        if self._reference is None:
            return None
        if self._fallback is None:
            verdict = _SYMBOLS.get(self.status, "❌")
            self._fallback = CoursekitVersion(self.exercise, self._reference, verdict)
        return self._fallback

    @property
    def version(self) -> str:
        """Which version :attr:`function` is: "your <name>" or "coursekit's <name>"."""
        return f"your {self.exercise}" if self.passed else f"coursekit's {self.exercise}"

    def summary(self) -> str:
        """Feedback text: one status line, then the first failure, the hint, and what's next."""
        goes_on = "The lesson now goes on with coursekit's version."
        if self.status == PASSED:
            return f"✅ {self.exercise}: passed all {len(self.cases)} checks. The lesson goes on with yours."
        if self.status == STILL_COURSEKIT:
            verdict = getattr(self._learner, "verdict", "❌")
            return (
                f"↪ {self.exercise}: this is still coursekit's version (bound after your {verdict}): "
                "run your function's cell, then this check."
            )
        if self.status == NOT_IMPLEMENTED:
            return (
                f"⏳ {self.exercise}: not implemented yet (the function still raises "
                f"NotImplementedError). {goes_on}"
            )
        if self.status == USES_REFERENCE:
            why = self.cases[0].message if self.cases else ""
            return (
                f"❌ {self.exercise}: this returns coursekit's own reference implementation. "
                "Write the function yourself; it is scored as not done."
                + (f"\n   Why: {why}." if why else "")
                + f"\n   {goes_on}"
            )
        failures = [outcome for outcome in self.cases if not outcome.passed]
        first = failures[0]
        lines = [
            f"❌ {self.exercise}: {len(failures)} of {len(self.cases)} checks failed.",
            f"   First failure, on case '{first.label}': {first.message}",
        ]
        if self.hint and self.hint_level >= 2:
            lines.append(f"   Hint, more specific: {self.hint}")
            lines.append(f'   The full answer, if you want it: solution("{self.exercise}").')
        elif self.hint:
            lines.append(f"   Hint: {self.hint}")
            lines.append(f'   More help: hint("{self.exercise}").')
        lines.append(f"   {goes_on} Fix yours, run its cell, then this check.")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Plain-data form for gradebooks and JSON reports."""
        return {
            "exercise": self.exercise,
            "lesson": self.lesson,
            "status": self.status,
            "passed": self.passed,
            "n_passed": self.n_passed,
            "n_cases": len(self.cases),
            "hint": self.hint,
            "cases": [
                {"label": c.label, "passed": c.passed, "message": c.message} for c in self.cases
            ],
        }


# --- Trusted comparison ----------------------------------------------------------------------

_PRINT_OPTIONS = {"precision": 4, "threshold": 12, "edgeitems": 2, "suppress": True}


def show(value: Any) -> str:
    """Short, stable text for a value in feedback messages."""
    if type(value) is np.ndarray:
        with np.printoptions(**_PRINT_OPTIONS):
            text = np.array2string(value, separator=", ")
        return f"array of shape {value.shape}, dtype {value.dtype}: {text}"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if type(value) in (tuple, list):
        return f"{type(value).__name__} of length {len(value)}"
    return f"an object of type {type(value).__name__}"


def _is_real_scalar(value: Any) -> bool:
    return type(value) in (float, int) or type(value) in (np.float16, np.float32, np.float64) or (
        isinstance(value, np.integer) and type(value).__module__ == "numpy"
    )


def compare(expected: Any, got: Any, *, rtol: float, atol: float, where: str = "the result") -> str:
    """Compare a learner's value with the reference's using only trusted operations.

    Only built-in containers, plain ``numpy.ndarray`` (no subclasses) and built-in or numpy
    scalars are accepted from the learner; anything else is reported by its type, so objects
    with a rigged ``__eq__`` or ``__bool__`` are never consulted.

    Returns
    -------
    str
        "" when ``got`` matches ``expected``, otherwise a message naming what differs.
    """
    if type(expected) in (tuple, list):
        if type(got) not in (tuple, list):
            return f"{where} should be a {type(expected).__name__} of length {len(expected)}, got {show(got)}."
        if len(got) != len(expected):
            return f"{where} should have length {len(expected)}, got length {len(got)}."
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            message = compare(e, g, rtol=rtol, atol=atol, where=f"{where}[{index}]")
            if message:
                return message
        return ""
    if isinstance(expected, (bool, np.bool_)):
        if type(got) not in (bool, np.bool_):
            return f"{where} should be True or False, got {show(got)}."
        return "" if bool(got) == bool(expected) else f"{where}: expected {expected}, got {bool(got)}."
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, got, rtol=rtol, atol=atol, where=where)
    if isinstance(expected, (numbers.Real, np.floating, np.integer)):
        if type(got) is np.ndarray and got.shape == ():
            got = got[()]
        if not _is_real_scalar(got):
            return f"{where} should be a number, got {show(got)}."
        e, g = float(expected), float(got)
        if not np.isfinite(g) and np.isfinite(e):
            return f"{where}: expected {show(e)}, got {show(g)} (not a finite number)."
        if abs(g - e) <= atol + rtol * abs(e):
            return ""
        return f"{where}: expected {show(e)}, got {show(g)}."
    raise TypeError(f"compare() cannot handle a reference value of type {type(expected).__name__}.")


def _compare_arrays(expected: np.ndarray, got: Any, *, rtol: float, atol: float, where: str) -> str:
    if type(got) is not np.ndarray:
        if isinstance(got, np.ndarray):
            return f"{where} should be a plain numpy array, got the subclass {type(got).__name__}."
        return f"{where} should be a numpy array of shape {expected.shape}, got {show(got)}."
    if got.shape != expected.shape:
        try:
            np.broadcast_shapes(got.shape, expected.shape)
            note = " (it broadcasts, but the shape must match exactly)"
        except ValueError:
            note = ""
        return f"{where} should have shape {expected.shape}, got shape {got.shape}{note}."
    if got.dtype != expected.dtype:
        return (
            f"{where} should have dtype {expected.dtype}, got {got.dtype}; keep the input's dtype "
            "(avoid mixing in float64 constants or converting)."
        )
    if expected.dtype == np.bool_ or np.issubdtype(expected.dtype, np.integer):
        mismatch = expected != got
    else:
        e64, g64 = expected.astype(np.float64), got.astype(np.float64)
        with np.errstate(invalid="ignore"):
            close = np.abs(g64 - e64) <= atol + rtol * np.abs(e64)
        mismatch = ~(close | (np.isnan(e64) & np.isnan(g64)))
    if not mismatch.any():
        return ""
    index = tuple(int(i) for i in np.argwhere(mismatch)[0])
    return (
        f"{where} differs at {int(mismatch.sum())} of {mismatch.size} entries; first at index "
        f"{index}: expected {show(expected[index])}, got {show(got[index])}."
    )


# --- Running a learner's function -------------------------------------------------------------


def _materialise(value: Any) -> Any:
    if isinstance(value, Seed):
        return np.random.default_rng(value.value)
    if type(value) is tuple:
        return tuple(_materialise(v) for v in value)
    if type(value) is list:
        return [_materialise(v) for v in value]
    if type(value) is dict:
        return {k: _materialise(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _inputs_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if type(a) in (list, tuple):
        return type(b) is type(a) and len(a) == len(b) and all(map(_inputs_equal, a, b))
    if type(a) is dict:
        return type(b) is dict and a.keys() == b.keys() and all(_inputs_equal(a[k], b[k]) for k in a)
    return True


def _describe_exception(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


#: Modules whose functions are coursekit's own answers: the references, the data helpers, the
#: exercise modules (and their helpers) and the solutions.
REFERENCE_MODULES = ("coursekit.reference", "coursekit.data", "coursekit.exercises")
SOLUTIONS_MODULE = "coursekit.exercises.solutions"
_UNWRAP_DEPTH = 10
_SCAN_DEPTH = 3


def is_reference_module(name: object) -> bool:
    """True when the module ``name`` holds coursekit's own answers (:data:`REFERENCE_MODULES`)."""
    return type(name) is str and any(
        name == prefix or name.startswith(prefix + ".") for prefix in REFERENCE_MODULES
    )


class HiddenReference:
    """Stands for a name a notebook imported from :data:`SOLUTIONS_MODULE` where that module is
    hidden (the grader's sandbox), so that :func:`reference_use` still names the import."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{self.module}.{self.name} is not available here")


def _reference_codes() -> dict[object, str]:
    """Code object to "module.name" for every function of the loaded reference modules."""
    import sys

    codes: dict[object, str] = {}
    for module_name, module in list(sys.modules.items()):
        if not is_reference_module(module_name) or module is None:
            continue
        for name, value in list(vars(module).items()):
            code = getattr(value, "__code__", None)
            if code is not None and is_reference_module(getattr(value, "__module__", None)):
                codes.setdefault(code, f"{value.__module__}.{name}")
    return codes


def _origin(value: Any, codes: dict[object, str]) -> str:
    """Why ``value`` itself is coursekit's answer ("" when it is not)."""
    if isinstance(value, HiddenReference):
        return f"it is {value.name}, imported from {value.module}"
    if isinstance(value, CoursekitVersion):
        return f"it is coursekit's version of {value.name}, bound after a check that did not pass"
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "?")
    if is_reference_module(module):
        return f"it is coursekit's {name} (from {module})"
    code = getattr(value, "__code__", None)
    if code is not None and code in codes:
        return f"it is coursekit's {codes[code]} with its __module__ rewritten to {module!r}"
    return ""


def _unwrap(function: Any) -> list[Any]:
    """``function`` and what it wraps: ``functools.partial``, ``functools.wraps``, methods."""
    chain = [function]
    for _ in range(_UNWRAP_DEPTH):
        current = chain[-1]
        inner = None
        for attribute in ("func", "__wrapped__", "__func__"):
            try:
                inner = getattr(current, attribute, None)
            except Exception:  # a property that raises is not a wrapper
                inner = None
            if inner is not None and inner is not current:
                break
        if inner is None and not hasattr(current, "__code__"):
            # An instance of a class whose __call__ delegates (``__call__ = staticmethod(f)``).
            inner = vars(type(current)).get("__call__") if hasattr(type(current), "__dict__") else None
        if inner is None or inner is current or any(inner is seen for seen in chain):
            break
        chain.append(inner)
    return chain


def _code_names(code: Any) -> set[str]:
    names, pending = set(), [code]
    while pending:
        current = pending.pop()
        names.update(current.co_names)
        pending.extend(const for const in current.co_consts if hasattr(const, "co_names"))
    return names


def _referenced(function: Any) -> list[Any]:
    """The objects a plain function's body can reach: globals it names, closure cells and
    default values, and the attributes it names of any module among them (``pkg.mod.f``)."""
    code = getattr(function, "__code__", None)
    if code is None or not hasattr(code, "co_names"):
        return []
    names = _code_names(code)
    found: list[Any] = []
    namespace = getattr(function, "__globals__", None)
    if type(namespace) is dict:
        found.extend(namespace[name] for name in names if name in namespace)
    for cell in getattr(function, "__closure__", None) or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    found.extend(getattr(function, "__defaults__", None) or ())
    found.extend((getattr(function, "__kwdefaults__", None) or {}).values())
    modules = [value for value in found if type(value).__name__ == "module"]
    for _ in range(_SCAN_DEPTH):
        attributes = [vars(module)[attr] for module in modules for attr in names if attr in vars(module)]
        found.extend(attributes)
        modules = [value for value in attributes if type(value).__name__ == "module"]
    return found


def reference_use(function: Any, exercise: Exercise | None = None) -> str:
    """Why ``function`` is coursekit's answer rather than the learner's work ("" when it is not).

    The one definition of "uses the reference", shared by the notebook self-check
    (:func:`run_check`) and the batch grader's sandbox. It catches:

    * the reference itself, an alias, or any function of :data:`REFERENCE_MODULES`;
    * ``functools.partial``, ``functools.wraps`` wrappers and methods around one;
    * a reference function whose ``__module__`` was rewritten (recognised by its code);
    * names imported from :data:`SOLUTIONS_MODULE`;
    * a :class:`CoursekitVersion` (what a notebook binds after a check that did not pass);
    * a function of the learner's own whose body calls ``exercise``'s reference, a solution, or
      (without ``exercise``) any reference, looking through up to three levels of the learner's
      own helpers.

    Parameters
    ----------
    function : object
        What the notebook bound to the exercise name.
    exercise : Exercise, optional
        The exercise being checked: only its own reference counts as wrapped.

    Returns
    -------
    str
        "" for the learner's own work, otherwise a sentence that says what was found.
    """
    codes = _reference_codes()
    for value in _unwrap(function):
        reason = _origin(value, codes)
        if reason:
            return reason if value is function else f"it wraps coursekit's answer: {reason}"
    reference = getattr(exercise, "reference", None)
    pending, seen = [(_unwrap(function)[-1], 0)], set()
    while pending:
        current, depth = pending.pop()
        if id(current) in seen or depth >= _SCAN_DEPTH:
            continue
        seen.add(id(current))
        for value in _referenced(current):
            chain = _unwrap(value)
            for inner in chain:
                reason = _origin(inner, codes)
                if reason and _is_answer(inner, reference):
                    return f"it calls coursekit's answer: {reason}"
            if not any(_origin(inner, codes) for inner in chain) and hasattr(chain[-1], "__code__"):
                pending.append((chain[-1], depth + 1))
    return ""


def _is_answer(value: Any, reference: Any) -> bool:
    """Whether calling ``value`` hands in the answer: the exercise's own reference (any
    reference without an exercise), or a solution."""
    module = getattr(value, "__module__", None)
    return (
        reference is None or value is reference or isinstance(value, HiddenReference)
        or (type(module) is str and module.startswith(SOLUTIONS_MODULE))
    )


@dataclass(frozen=True)
class LearnerCall:
    """What happened when a learner's function ran on one case: plain data only.

    Attributes
    ----------
    value : object
        The return value (``None`` when the function raised).
    error : str
        "" when the function returned, otherwise "ExceptionType: first line of the message".
    mutated : bool
        True when the function changed one of its input arrays in place.
    unreproducible : bool
        True when a second call on the same inputs returned something else (only checked for
        a ``reproducible`` exercise).
    """

    value: Any = None
    error: str = ""
    mutated: bool = False
    unreproducible: bool = False


def expected_output(exercise: Exercise, case: Case) -> Any:
    """The reference's output on ``case``: trusted code on fresh copies of the inputs."""
    return exercise.reference(*_materialise(case.args), **_materialise(case.kwargs))


def call_learner(function: Callable, case: Case, *, reproducible: bool = False) -> LearnerCall:
    """Call the learner's ``function`` on fresh copies of the inputs of ``case``.

    This is the only step that runs learner code; the grader runs it in a sandboxed process.
    ``NotImplementedError`` propagates (the exercise is not started); any other exception is
    described in :attr:`LearnerCall.error`. With ``reproducible``, the function is called a
    second time on fresh copies (a fresh generator from the same seed), and a different result
    sets :attr:`LearnerCall.unreproducible`.
    """
    args, kwargs = _materialise(case.args), _materialise(case.kwargs)
    pristine = (_materialise(case.args), _materialise(case.kwargs))
    try:
        got = function(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug is reported, never propagated
        return LearnerCall(error=_describe_exception(error))
    mutated = not _inputs_equal(pristine, (args, kwargs))
    if reproducible and not mutated:
        try:
            again = function(*_materialise(case.args), **_materialise(case.kwargs))
        except Exception as error:
            return LearnerCall(error=_describe_exception(error))
        if not _inputs_equal(got, again):
            return LearnerCall(value=got, unreproducible=True)
    return LearnerCall(value=got, mutated=mutated)


def judge_output(exercise: Exercise, case: Case, expected: Any, call: LearnerCall) -> CaseOutcome:
    """Judge one learner call against the reference's ``expected`` output (trusted code only)."""
    if call.error:
        return CaseOutcome(case.label, False, f"your function raised {call.error}")
    if call.mutated:
        return CaseOutcome(
            case.label, False, "your function modified its input arrays in place; work on a copy."
        )
    if call.unreproducible:
        return CaseOutcome(
            case.label, False,
            "two calls with the same rng seed returned different results, so the result cannot be "
            "reproduced: draw every random number from the rng argument (rng.permutation, not "
            "np.random.permutation).",
        )
    judge = exercise.judge or (
        lambda e, g: compare(e, g, rtol=exercise.rtol, atol=exercise.atol)
    )
    try:
        message = judge(expected, call.value)
    except Exception as error:  # a value so odd that judging it failed: reported as wrong
        message = f"the returned value could not be judged ({_describe_exception(error)})."
    return CaseOutcome(case.label, not message, message)


def run_case(exercise: Exercise, function: Callable, case: Case) -> CaseOutcome:
    """Run ``function`` on one case and judge it against the reference.

    The composition of :func:`expected_output`, :func:`call_learner` and :func:`judge_output`;
    the grader runs the middle step in a separate process and the other two in its own.
    """
    expected = expected_output(exercise, case)
    return judge_output(exercise, case, expected, call_learner(function, case, reproducible=exercise.reproducible))


def run_check(
    exercise: Exercise, function: Any, rng: np.random.Generator | None = None
) -> CheckResult:
    """Judge ``function`` on every case of ``exercise``; never raises.

    Parameters
    ----------
    exercise : Exercise
    function : callable
        The learner's implementation.
    rng : numpy.random.Generator, optional
        Draws the random cases. Self-checks use a fixed seed; the grader passes the
        instructor's seed.
    """
    rng = rng if rng is not None else np.random.default_rng(0)

    def result(status: str, cases: Sequence[CaseOutcome]) -> CheckResult:
        return CheckResult(
            exercise.name, exercise.lesson, status, list(cases), exercise.hint,
            _learner=function, _reference=exercise.reference,
        )

    if not callable(function):
        outcome = CaseOutcome("definition", False, f"expected a function, got {show(function)}.")
        return result(FAILED, [outcome])
    if isinstance(function, CoursekitVersion):
        message = "this is still coursekit's version: run your function's cell, then this check"
        return result(STILL_COURSEKIT, [CaseOutcome("own work", False, message)])
    reason = reference_use(function, exercise)
    if reason:
        return result(USES_REFERENCE, [CaseOutcome("own work", False, reason)])
    outcomes: list[CaseOutcome] = []
    try:
        for case in exercise.make_cases(rng):
            outcomes.append(run_case(exercise, function, case))
        for extra in exercise.extra_checks:
            outcomes.append(extra(function, rng))
    except NotImplementedError:
        return result(NOT_IMPLEMENTED, [CaseOutcome("implemented", False, "not implemented yet")])
    return result(PASSED if all(o.passed for o in outcomes) else FAILED, outcomes)
