"""Run one submission's child inside its sandbox, enforce its time limits, and collect its reports.

The sandbox is :mod:`coursekit.grading.isolation`'s (bubblewrap namespaces and one budget for all
the submission's processes). This module adds what only the trusted parent can do:

* **Time, from outside.** Each phase (loading the notebook, then each exercise) has its own
  wall-clock limit, measured here: the next phase's clock starts when this process receives the
  previous phase's report. Nothing the submission does (``signal.setitimer(..., 0)``, ignoring
  ``SIGALRM``, a busy loop in C) can switch it off; and because a forged report can only end a
  phase early, the whole child never runs longer than :meth:`SandboxLimits.wall_clock`.
* **Hostile files are never opened.** The child's reports arrive over a pipe
  (:class:`~coursekit.grading.protocol.FrameReader`), its standard error over another, both read
  with fixed caps. Inputs are written into a folder created here with ``mkdtemp`` (mode 0700), in
  which nothing of the child's can appear: bubblewrap binds it read-only. The child's own work
  folder, ``/tmp``, ``/var/tmp`` and ``/dev/shm`` are tmpfs mounts that vanish with it.
* **Nothing outlives the child.** Its PID namespace dies with it (``--die-with-parent``) and its
  cgroup is emptied and removed. Without bubblewrap, its process group is killed and its folder
  removed even when it is thousands of levels deep (:func:`remove_tree`).
"""

from __future__ import annotations

import itertools
import os
import selectors
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.grading import protocol
from coursekit.grading.isolation import (
    INPUT_DIR,
    WORK_DIR,
    Budget,
    Isolation,
    bwrap_command,
    child_python,
)

STDERR_TAIL = 2000
#: Seconds the child may take to start (interpreter, numpy, coursekit) before loading begins.
STARTUP_SECONDS = 3.0
#: Seconds added to each phase for encoding and sending its report.
GRACE_SECONDS = 1.0
#: Seconds to drain the pipes after the child ended (a weak sandbox's stray process may hold them).
DRAIN_SECONDS = 0.5
_labels = itertools.count()


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one submission's sandbox.

    Attributes
    ----------
    time_limit : float
        Seconds each exercise may run (all its cases together); in ``(0, inf)``. Loading the
        notebook's definitions gets as much plus time for its heavy imports
        (:func:`~coursekit.grading.protocol.load_seconds`). Enforced from outside the sandbox.
    memory_mb : int
        Memory of all the sandbox's processes together, in MiB, >= 256 (per process where only
        rlimits are available). Files in the sandbox's tmpfs folders count against it.
    max_processes : int
        Processes and threads the submission may have at once, all together, >= 1.
    max_file_mb : int
        Largest file the child may write (``RLIMIT_FSIZE``), in MiB, >= 1.
    disk_mb : int
        Size of each of the sandbox's tmpfs folders (work folder, ``/tmp``, ``/var/tmp``,
        ``/dev/shm``), in MiB, >= 1.
    """

    time_limit: float = 5.0
    memory_mb: int = 1536
    max_processes: int = 32
    max_file_mb: int = 128
    disk_mb: int = 256

    def __post_init__(self) -> None:
        if not (isinstance(self.time_limit, (int, float)) and 0 < self.time_limit < float("inf")):
            raise ValueError(f"time_limit must be a positive number of seconds, got {self.time_limit!r}.")
        if self.memory_mb < 256:
            raise ValueError(f"memory_mb must be >= 256, got {self.memory_mb!r}.")
        if self.max_processes < 1:
            raise ValueError(f"max_processes must be >= 1, got {self.max_processes!r}.")
        if self.max_file_mb < 1:
            raise ValueError(f"max_file_mb must be >= 1, got {self.max_file_mb!r}.")
        if self.disk_mb < 1:
            raise ValueError(f"disk_mb must be >= 1, got {self.disk_mb!r}.")

    def phase_seconds(self) -> float:
        """Wall-clock limit of one exercise (or of reading the notebook), measured by the parent."""
        return self.time_limit + GRACE_SECONDS

    def load_phase_seconds(self, imports: object) -> float:
        """Wall-clock limit of loading definitions that import ``imports`` (a plan's list)."""
        return protocol.load_seconds(self.time_limit, imports) + GRACE_SECONDS

    def wall_clock(self, n_exercises: int) -> float:
        """Wall-clock limit of a child that loads the notebook and runs ``n_exercises``."""
        longest_load = max(protocol.MAX_LOAD_SECONDS, self.time_limit) + GRACE_SECONDS
        return STARTUP_SECONDS + self.phase_seconds() * (n_exercises + 1) + longest_load


@dataclass
class ChildRun:
    """What one submission's child processes reported, before judging (untrusted data).

    Attributes
    ----------
    loaded : dict or None
        The child's loading report (``None`` when it never got that far).
    results : dict of int to (dict, dict)
        Per requested exercise index, the child's report and arrays.
    failures : dict of int to str
        Per exercise index, why no report exists (the child died or ran out of time on it).
    notes : list of str
        Events worth telling the instructor (time-outs, kills, crashes, budgets reached).
    seconds : float
    peak_memory_mb : float or None
        Largest memory of the sandbox's processes together, where a cgroup measures it.
    """

    loaded: dict | None = None
    results: dict[int, tuple[dict, dict]] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_memory_mb: float | None = None


def _child_environment(home: str, tmp: str) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def remove_tree(path: Path) -> None:
    """Remove ``path`` and everything under it without recursion and without following links.

    A submission may leave a tree thousands of levels deep (longer than any path the kernel
    accepts), read-only folders, FIFOs and symlinks to anything; none of them stops this or
    makes it touch something outside. It walks with directory descriptors, one open at a time.
    """
    if not os.path.lexists(path):
        return
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        os.unlink(path)
        return
    os.chmod(path, 0o700)
    folder = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    names: list[str] = []  # the path from ``path`` down to ``folder``
    while True:
        inner = None
        for entry in os.listdir(folder):
            if stat.S_ISDIR(os.stat(entry, dir_fd=folder, follow_symlinks=False).st_mode):
                inner = entry
                break
            os.unlink(entry, dir_fd=folder)
        if inner is not None:
            os.chmod(inner, 0o700, dir_fd=folder)
            below = os.open(inner, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = below
            names.append(inner)
            continue
        if not names:
            os.close(folder)
            os.rmdir(path)
            return
        above = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
        os.close(folder)
        os.rmdir(names.pop(), dir_fd=above)
        folder = above


@dataclass
class _Pipes:
    """The child's result and error pipes, read until they close or a deadline passes."""

    reader: protocol.FrameReader
    stderr: bytearray = field(default_factory=bytearray)
    #: Frames received when reading stopped: 0 (reading the notebook), 1 (loading its definitions),
    #: k + 2 (running exercise k).
    phase: int = 0
    timed_out: bool = False


def _pump(process: subprocess.Popen, result_fd: int, error_fd: int, pipes: _Pipes,
          phases: list[str], limits: SandboxLimits) -> None:
    start = time.monotonic()
    overall = start + limits.wall_clock(len(phases) - 1)
    phase_deadline = start + STARTUP_SECONDS + limits.phase_seconds()
    ended_at: float | None = None
    selector = selectors.DefaultSelector()
    for descriptor in (result_fd, error_fd):
        os.set_blocking(descriptor, False)
        selector.register(descriptor, selectors.EVENT_READ)
    try:
        while selector.get_map():
            now = time.monotonic()
            if ended_at is None and process.poll() is not None:
                ended_at = now
            deadline = min(phase_deadline, overall)
            if ended_at is not None:
                deadline = min(deadline, ended_at + DRAIN_SECONDS)
            elif now >= deadline:
                pipes.timed_out = True
                return
            if now >= deadline:
                return
            for key, _ in selector.select(min(deadline - now, 0.1)):
                try:
                    data = os.read(key.fd, 2**16)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fd)
                elif key.fd == error_fd:
                    pipes.stderr += data
                    del pipes.stderr[:-STDERR_TAIL]
                else:
                    for name in pipes.reader.feed(data):
                        position = phases.index(name) + 1
                        if position > pipes.phase:
                            pipes.phase = position
                            phase_deadline = time.monotonic() + _next_phase_seconds(
                                name, pipes.reader, limits
                            )
                    if pipes.reader.error:
                        return
    finally:
        selector.close()


def _next_phase_seconds(name: str, reader: protocol.FrameReader, limits: SandboxLimits) -> float:
    """Time allowed for the phase that starts when frame ``name`` arrives."""
    if name != protocol.PLAN:
        return limits.phase_seconds()
    return limits.load_phase_seconds(_planned_imports(reader))


def _exit_reason(returncode: int, *, wrapped: bool) -> str:
    """Why the child ended; ``wrapped``: the status is bwrap's, 128 + N for signal N."""
    if wrapped and 128 < returncode < 128 + 65:
        returncode = 128 - returncode
    if returncode == 0:
        return "exited early (os._exit or similar)"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        explanations = {"SIGXCPU": " (CPU time limit)", "SIGKILL": " (killed)", "SIGXFSZ": " (file size limit)"}
        return f"was ended by {name}{explanations.get(name, '')}"
    return f"exited with status {returncode}"


def _wait(process: subprocess.Popen) -> int:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return process.wait()


class _Reaper:
    """Ends sandboxes whose reports are all in, in the background: kill what is left of each,
    reap it, empty and remove its cgroups and (weak isolation) its folder.

    :func:`wait_for_cleanup` waits for all of them; :func:`~coursekit.grading.grader.grade_class`
    calls it before it returns, so nothing of a run outlives the run.
    """

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, process: subprocess.Popen, budget: Budget, work: Path | None) -> None:
        thread = threading.Thread(target=self._end, args=(process, budget, work), name="coursekit-reaper")
        thread.start()
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    @staticmethod
    def _end(process: subprocess.Popen, budget: Budget, work: Path | None) -> None:
        _wait(process)
        budget.close()
        if work is not None:
            remove_tree(work)

    def join(self) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join()


REAPER = _Reaper()


def wait_for_cleanup() -> None:
    """Wait until every finished sandbox is gone (processes, cgroups, folders)."""
    REAPER.join()


def run_child(
    input_dir: Path,
    indices: list[int],
    limits: SandboxLimits,
    isolation: Isolation,
    names: dict[int, str],
) -> ChildRun:
    """Run one child on the exercises ``indices`` (named ``names``; the request is in ``input_dir``)."""
    run = ChildRun()
    phases = [protocol.PLAN, protocol.LOADED, *(protocol.result_name(index) for index in indices)]
    pipes = _Pipes(protocol.FrameReader(phases))
    label = f"{os.getpid()}-{next(_labels)}"
    budget = Budget(
        isolation, memory_mb=limits.memory_mb, max_processes=limits.max_processes,
        max_file_mb=limits.max_file_mb, cpu_seconds=int(limits.wall_clock(len(indices))) + 1,
        label=label,
    )
    arguments = [*child_python(), ""]
    work: Path | None = None
    if isolation.weak:
        work = Path(tempfile.mkdtemp(prefix="coursekit-grade-work-"))
        command = [*arguments[:-1], str(input_dir)]
        cwd, environment = str(work), _child_environment(str(work), str(work))
    else:
        arguments[-1] = INPUT_DIR
        command = bwrap_command(isolation.bwrap, arguments, input_dir, limits.disk_mb, isolation.extra_flags)
        cwd, environment = "/", _child_environment(WORK_DIR, "/tmp")
    result_read, result_write = os.pipe()
    error_read, error_write = os.pipe()
    start = time.perf_counter()
    returncode, reaped, complete = 0, False, False
    try:
        process = subprocess.Popen(
            command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
            stdout=result_write, stderr=error_write, start_new_session=True,
            preexec_fn=budget.enter,
        )
        os.close(result_write)
        os.close(error_write)
        result_write = error_write = -1
        try:
            _pump(process, result_read, error_read, pipes, phases, limits)
            complete = not pipes.timed_out and all(name in pipes.reader.frames for name in phases)
        finally:
            if not complete:  # the exit status is part of the verdict: wait for it here
                returncode = _wait(process)
    finally:
        for descriptor in (result_read, result_write, error_read, error_write):
            if descriptor >= 0:
                os.close(descriptor)
        run.peak_memory_mb = budget.peak_memory_mb()
        exhausted = budget.exhausted()
        if complete:
            # Every report is in: end the sandbox in the background while the next one starts.
            REAPER.submit(process, budget, work)
            reaped = True
        if not reaped:
            budget.close()
            if work is not None:
                remove_tree(work)
    run.seconds = time.perf_counter() - start
    run.notes.extend(exhausted)
    if pipes.timed_out:
        if pipes.phase <= 1:
            imports = _planned_imports(pipes.reader)
            seconds = limits.load_phase_seconds(imports) if pipes.phase == 1 else limits.phase_seconds()
            heavy = [name for name in imports if name in protocol.IMPORT_SECONDS]
            what = "loading the notebook" + (f" (it imports {', '.join(heavy)})" if heavy else "")
        else:
            seconds, what = limits.phase_seconds(), "this exercise"
        reason = (
            f"was stopped after the wall-clock limit of {seconds:g} s for {what} "
            "(enforced outside the sandbox)"
        )
    elif pipes.reader.error:
        reason = f"was stopped: {pipes.reader.error}"
    else:
        reason = _exit_reason(returncode, wrapped=not isolation.weak)
    if exhausted:
        reason += f"; {'; '.join(exhausted)}"
    _collect(run, pipes, indices, reason, names)
    return run


def _planned_imports(reader: protocol.FrameReader) -> list[str]:
    try:
        plan, _ = reader.message(protocol.PLAN)
    except protocol.ProtocolError:
        return []
    imports = plan.get("imports")
    return [name for name in imports if type(name) is str][:20] if type(imports) is list else []


def _collect(run: ChildRun, pipes: _Pipes, indices: list[int], reason: str, names: dict[int, str]) -> None:
    reader = pipes.reader
    try:
        run.loaded, _ = reader.message(protocol.LOADED)
    except protocol.ProtocolError:
        # A result still proves that loading finished.
        got_results = any(protocol.result_name(index) in reader.frames for index in indices)
        run.loaded = {"ok": True, "error": ""} if got_results else None
    if run.loaded is None:
        text = pipes.stderr.decode("utf-8", errors="replace")
        lines = [line for line in text.strip().splitlines() if line.strip()]
        last = f" Last error output: {lines[-1][:300]}" if lines else ""
        run.notes.append(f"the process {reason} while loading the notebook.{last}")
        for index in indices:
            run.failures[index] = f"the notebook could not be loaded: the process {reason}."
        return
    for index in indices:
        name = protocol.result_name(index)
        try:
            run.results[index] = reader.message(name)
        except protocol.ProtocolError as error:
            if name in reader.frames:
                run.failures[index] = f"its report was not valid plain data ({error})."
            else:
                run.failures[index] = f"the process {reason} while running this exercise."
                run.notes.append(f"{names.get(index, index)}: the process {reason}.")
                return


def prepare_input(notebook: Path) -> Path:
    """A fresh folder (``mkdtemp``: mode 0700, the parent's) holding a copy of the notebook.

    The notebook is read with :func:`~coursekit.grading.protocol.read_bounded`: a symlink, FIFO
    or device put in the submissions folder is refused, never followed or waited on.
    """
    directory = Path(tempfile.mkdtemp(prefix="coursekit-grade-"))
    try:
        content = protocol.read_bounded(notebook, protocol.MAX_NOTEBOOK_BYTES)
        (directory / protocol.NOTEBOOK).write_bytes(content)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return directory


def run_submission(
    notebook: Path, request: tuple[dict, dict], limits: SandboxLimits, isolation: Isolation
) -> ChildRun:
    """Run a submission's exercises, restarting the child after a crash or time-out.

    When the child dies on exercise k, exercise k is reported as failed and a fresh child runs
    the exercises after it, so one bad function never costs the others. A child that cannot
    even load the notebook is not restarted.
    """
    payload, arrays = request
    names = {exercise["index"]: exercise["name"] for exercise in payload["exercises"]}
    remaining = list(names)
    total = ChildRun()
    input_dir = prepare_input(notebook)
    try:
        while remaining:
            exercises = [exercise for exercise in payload["exercises"] if exercise["index"] in remaining]
            protocol.write_request(input_dir, {**payload, "exercises": exercises}, arrays)
            run = run_child(input_dir, remaining, limits, isolation, names)
            total.seconds += run.seconds
            total.notes.extend(run.notes)
            total.results.update(run.results)
            total.loaded = total.loaded or run.loaded
            if run.peak_memory_mb is not None:
                total.peak_memory_mb = max(total.peak_memory_mb or 0.0, run.peak_memory_mb)
            if run.loaded is None:
                total.failures.update(run.failures)
                break
            first_failure = next((i for i in remaining if i in run.failures), None)
            if first_failure is None:
                break
            total.failures[first_failure] = run.failures[first_failure]
            remaining = remaining[remaining.index(first_failure) + 1:]
            remaining = [index for index in remaining if index not in run.results]
    finally:
        remove_tree(input_dir)
    return total
