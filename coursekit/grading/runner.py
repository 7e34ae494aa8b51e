"""Run one submission's child process inside resource limits, and collect its plain-data reports.

Isolation of the child (:mod:`coursekit.grading.sandbox`), strongest available first:

* **Limits** (every platform with ``resource``): ``RLIMIT_AS`` (memory), ``RLIMIT_CPU``,
  ``RLIMIT_FSIZE`` (largest file written) and ``RLIMIT_NPROC``, set before ``exec``; a
  wall-clock limit enforced here, which kills the child's whole process group
  (``start_new_session=True``, ``os.killpg``).
* **As root on Linux** (``unshare`` and ``setpriv`` from util-linux available): the child gets
  no network (a new, empty network namespace) and runs under a **throw-away user id** per worker
  slot (unused ids from :data:`UID_RANGE`). That makes ``RLIMIT_NPROC`` effective (it is not
  enforced for root) and lets the parent kill *every* process of that id after each
  submission, including ones that left the process group with ``setsid``. The child cannot
  write to the course files, the grades or another student's directory.
* **Otherwise**: the child runs as the grading user. If ``unshare -r -n`` is permitted it still
  gets no network. ``RLIMIT_NPROC`` then counts all of the user's processes, so it is set to
  the current count plus :attr:`SandboxLimits.max_processes`; processes that escape the process
  group with ``setsid`` are not killed. Grade as root in a container for full isolation.

The child's working directory is a fresh temporary directory holding a copy of the notebook and
the request; ``HOME`` and ``TMPDIR`` point to it and the environment is rebuilt from scratch,
so no ``COURSEKIT_*`` or instructor variable is visible.
"""

from __future__ import annotations

import fcntl
import functools
import os
import pwd
import queue
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.grading import protocol
from coursekit.grading.sandbox import LOADED, NOTEBOOK, REQUEST, result_path

#: Candidate user ids for sandboxed children when grading as root; used only if unassigned.
UID_RANGE = range(61_000, 61_100)
STDERR_TAIL = 2000


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one child process.

    Attributes
    ----------
    time_limit : float
        Seconds each exercise may run (all its cases together), and the time allowed to load
        the notebook's definitions; in ``(0, inf)``.
    memory_mb : int
        Address-space limit (``RLIMIT_AS``) in MiB, >= 256.
    max_processes : int
        Processes and threads the child may have (``RLIMIT_NPROC``), >= 1.
    max_file_mb : int
        Largest file the child may write (``RLIMIT_FSIZE``), in MiB, >= 1.
    """

    time_limit: float = 5.0
    memory_mb: int = 1536
    max_processes: int = 32
    max_file_mb: int = 128

    def __post_init__(self) -> None:
        if not (isinstance(self.time_limit, (int, float)) and 0 < self.time_limit < float("inf")):
            raise ValueError(f"time_limit must be a positive number of seconds, got {self.time_limit!r}.")
        if self.memory_mb < 256:
            raise ValueError(f"memory_mb must be >= 256, got {self.memory_mb!r}.")
        if self.max_processes < 1:
            raise ValueError(f"max_processes must be >= 1, got {self.max_processes!r}.")
        if self.max_file_mb < 1:
            raise ValueError(f"max_file_mb must be >= 1, got {self.max_file_mb!r}.")

    def wall_clock(self, n_exercises: int) -> float:
        """Wall-clock limit of a child that loads the notebook and runs ``n_exercises``."""
        return 2.0 + self.time_limit * (n_exercises + 1)


@dataclass
class ChildRun:
    """What one submission's child processes reported, before judging (untrusted data).

    Attributes
    ----------
    loaded : dict or None
        The child's ``loaded.json`` (``None`` when it never got that far).
    results : dict of int to (dict, dict)
        Per requested exercise index, the child's report and arrays.
    failures : dict of int to str
        Per exercise index, why no report exists (the child died or ran out of time on it).
    notes : list of str
        Events worth telling the instructor (time-outs, kills, crashes).
    seconds : float
    """

    loaded: dict | None = None
    results: dict[int, tuple[dict, dict]] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@functools.cache
def isolation_mode() -> str:
    """``"uid"`` (root: own user id and no network), ``"userns"`` (no network) or ``"limits"``."""
    if sys.platform != "linux":
        return "limits"
    if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("setpriv"):
        probe = ["unshare", "-n", "setpriv", f"--reuid={UID_RANGE[0]}", f"--regid={UID_RANGE[0]}",
                 "--clear-groups", "true"]
        if subprocess.run(probe, capture_output=True).returncode == 0:
            return "uid"
    if shutil.which("unshare") and subprocess.run(["unshare", "-r", "-n", "true"], capture_output=True).returncode == 0:
        return "userns"
    return "limits"


def _uid_is_free(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        pass
    else:
        return False
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    return False
            except OSError:
                continue
    return True


class SlotPool:
    """One slot per worker; in ``"uid"`` mode each slot owns an unused user id.

    A user id is reserved with an exclusive lock file, so that two grading runs at the same
    time never share (and never kill) each other's sandbox processes. Call :meth:`close` (or
    use the pool as a context manager) to release the ids.
    """

    def __init__(self, n_workers: int) -> None:
        self.mode = isolation_mode()
        self.slots: queue.Queue[int | None] = queue.Queue()
        self._locks: list[int] = []
        if self.mode != "uid":
            for _ in range(n_workers):
                self.slots.put(None)
            return
        for uid in UID_RANGE:
            if len(self._locks) == n_workers:
                break
            lock = self._reserve(uid)
            if lock is not None:
                self._locks.append(lock)
                self.slots.put(uid)
        if len(self._locks) < n_workers:
            self.close()
            raise RuntimeError(f"fewer than {n_workers} unused user ids in {UID_RANGE}.")

    @staticmethod
    def _reserve(uid: int) -> int | None:
        path = Path(tempfile.gettempdir()) / f"coursekit-grading-uid-{uid}.lock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return None
        if not _uid_is_free(uid):
            os.close(descriptor)
            return None
        return descriptor

    def close(self) -> None:
        """Release the reserved user ids."""
        for descriptor in self._locks:
            os.close(descriptor)
        self._locks = []

    def __enter__(self) -> SlotPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def slot(self) -> Iterator[int | None]:
        uid = self.slots.get()
        try:
            yield uid
        finally:
            self.slots.put(uid)


def _child_environment(workdir: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _limit_resources(limits: SandboxLimits, n_exercises: int, nproc: int) -> None:
    """Runs in the forked child before ``exec`` (keep it to system calls)."""
    memory = limits.memory_mb * 2**20
    cpu = int(limits.wall_clock(n_exercises)) + 1
    file_size = limits.max_file_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _current_process_count(uid: int) -> int:
    """Processes of ``uid`` right now, zombies included (the kernel counts them for RLIMIT_NPROC)."""
    import psutil

    return sum(1 for process in psutil.process_iter(["uids"]) if process.info["uids"].real == uid)


def _command(uid: int | None, mode: str, workdir: Path) -> list[str]:
    python = [sys.executable, "-I", "-m", "coursekit.grading.sandbox", str(workdir)]
    if mode == "uid":
        return ["unshare", "-n", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                *python]
    if mode == "userns":
        return ["unshare", "-r", "-n", *python]
    return python


def kill_slot(process: subprocess.Popen, uid: int | None) -> None:
    """Kill the child's process group and, with a slot user id, every process of that id."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if uid is not None:
        # kill(-1) as the slot's user signals every process of that user, atomically.
        subprocess.run(
            ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "kill", "-KILL", "-1"],
            capture_output=True,
        )


def run_child(
    notebook: Path,
    request: tuple[dict, dict],
    indices: list[int],
    limits: SandboxLimits,
    uid: int | None,
    mode: str,
) -> ChildRun:
    """Run one child on the exercises ``indices`` of ``request`` and collect its reports."""
    payload, arrays = request
    exercises = [exercise for exercise in payload["exercises"] if exercise["index"] in indices]
    run = ChildRun()
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as directory:
        workdir = Path(directory)
        shutil.copyfile(notebook, workdir / NOTEBOOK)
        protocol.write_message(workdir / REQUEST, {**payload, "exercises": exercises}, arrays)
        # Processes already counted against the id (ours, or a previous child's zombies that init
        # has not reaped yet) must not eat into this child's allowance.
        nproc = limits.max_processes + _current_process_count(os.getuid() if uid is None else uid)
        if uid is not None:
            for path in [workdir, *workdir.iterdir()]:
                os.chown(path, uid, uid)
        stderr_path = workdir.parent / f"{workdir.name}.stderr"
        start = time.perf_counter()
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                _command(uid, mode, workdir),
                cwd=workdir,
                env=_child_environment(workdir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=functools.partial(_limit_resources, limits, len(exercises), nproc),
            )
            wall_clock = limits.wall_clock(len(exercises))
            try:
                returncode = process.wait(timeout=wall_clock)
                reason = _exit_reason(returncode)
            except subprocess.TimeoutExpired:
                reason = f"was stopped after the wall-clock limit of {wall_clock:g} s"
            finally:
                kill_slot(process, uid)
                process.wait()
        run.seconds = time.perf_counter() - start
        stderr_tail = _tail(stderr_path)
        stderr_path.unlink(missing_ok=True)
        _collect(run, workdir, exercises, reason, stderr_tail)
    return run


def _exit_reason(returncode: int) -> str:
    if returncode == 0:
        return "exited early (os._exit or similar)"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        explanations = {"SIGXCPU": " (CPU time limit)", "SIGKILL": " (killed)", "SIGXFSZ": " (file size limit)"}
        return f"was ended by {name}{explanations.get(name, '')}"
    return f"exited with status {returncode}"


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as stream:
            stream.seek(max(0, path.stat().st_size - STDERR_TAIL))
            return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _collect(run: ChildRun, workdir: Path, exercises: list[dict], reason: str, stderr: str) -> None:
    try:
        run.loaded, _ = protocol.read_message(workdir / LOADED)
    except protocol.ProtocolError:
        # Learner code may delete the marker; a result file still proves loading finished.
        got_results = any(result_path(workdir, e["index"]).exists() for e in exercises)
        run.loaded = {"ok": True, "error": ""} if got_results else None
    if run.loaded is None:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        last = f" Last error output: {lines[-1][:300]}" if lines else ""
        run.notes.append(f"the process {reason} while loading the notebook.{last}")
        for exercise in exercises:
            run.failures[exercise["index"]] = f"the notebook could not be loaded: the process {reason}."
        return
    for exercise in exercises:
        index = exercise["index"]
        try:
            run.results[index] = protocol.read_message(result_path(workdir, index))
        except protocol.ProtocolError as error:
            if result_path(workdir, index).exists():
                run.failures[index] = f"its report was not valid plain data ({error})."
            else:
                run.failures[index] = f"the process {reason} while running this exercise."
                run.notes.append(f"{exercise['name']}: the process {reason}.")
                return


def run_submission(
    notebook: Path, request: tuple[dict, dict], limits: SandboxLimits, slots: SlotPool
) -> ChildRun:
    """Run a submission's exercises, restarting the child after a crash or time-out.

    When the child dies on exercise k, exercise k is reported as failed and a fresh child runs
    the exercises after it, so one bad function never costs the others. A child that cannot
    even load the notebook is not restarted.
    """
    remaining = [exercise["index"] for exercise in request[0]["exercises"]]
    total = ChildRun()
    with slots.slot() as uid:
        while remaining:
            run = run_child(notebook, request, remaining, limits, uid, slots.mode)
            total.seconds += run.seconds
            total.notes.extend(run.notes)
            total.results.update(run.results)
            total.loaded = total.loaded or run.loaded
            if run.loaded is None:
                total.failures.update(run.failures)
                break
            first_failure = next((i for i in remaining if i in run.failures), None)
            if first_failure is None:
                break
            total.failures[first_failure] = run.failures[first_failure]
            remaining = remaining[remaining.index(first_failure) + 1:]
            remaining = [index for index in remaining if index not in run.results]
    return total
