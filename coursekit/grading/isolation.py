"""How a submission is isolated: bubblewrap namespaces, and one budget for the whole sandbox.

Two independent choices, each the strongest this host allows, detected once per run
(:func:`detect_isolation`) and named in the grading summary (:meth:`Isolation.describe`):

**Namespaces** (:class:`Namespaces`)
    ``bubblewrap``: the child runs under `bwrap <https://github.com/containers/bubblewrap>`_
    (the sandbox Flatpak uses) with new user, PID, mount, IPC, UTS, cgroup and network
    namespaces, a private ``/proc``, tmpfs ``/tmp``, ``/var/tmp``, ``/dev/shm`` and work folder,
    and read-only binds of exactly the interpreter (with the system libraries it links), the
    virtualenv and coursekit, with :mod:`coursekit.exercises.solutions` hidden under an empty
    tmpfs. ``--die-with-parent`` and the PID namespace end every process of the sandbox with
    it. bwrap is started by the grader (root or not) and sets the tree up before it drops its
    privileges, so the tree does not depend on the permissions of the checkout's parent folders
    (a checkout under ``/root`` or ``mktemp -d`` works).

    ``none``: the child is a plain process of the grading user. It can read what that user
    can read. As root this is refused unless ``--allow-weak-isolation`` is given.

**Budget** (:class:`BudgetKind`)
    ``cgroup v2`` or ``cgroup v1`` (``memory`` + ``pids``): one cgroup per child run holds
    every process the submission starts. Memory (including what it writes to its tmpfs
    folders, which the kernel charges to the cgroup) and processes are one budget for all of
    them, and the cgroup's peak memory is reported.

    ``rlimits``: per-process limits only (``RLIMIT_AS``, ``RLIMIT_NPROC``); a submission that
    forks gets a budget per process, and root is not bound by ``RLIMIT_NPROC``.

Whatever the budget, ``RLIMIT_FSIZE`` (largest file), ``RLIMIT_CPU`` and ``RLIMIT_CORE`` are set
as well, and each tmpfs has a size limit. The wall-clock limits are enforced by the parent
(:mod:`coursekit.grading.runner`), outside the sandbox.
"""

from __future__ import annotations

import enum
import functools
import importlib
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import coursekit

#: Where the sandbox sees its folders.
SANDBOX_ROOT = "/sandbox"
INPUT_DIR = f"{SANDBOX_ROOT}/input"
WORK_DIR = f"{SANDBOX_ROOT}/work"
#: The id a submission runs as inside its user namespace (``nobody``).
SANDBOX_UID = 65534
#: Processes of the sandbox itself on top of the submission's allowance (bwrap's init, python).
_OWN_PROCESSES = 3
_CGROUP = Path("/sys/fs/cgroup")
_PACKAGE = Path(coursekit.__file__).resolve().parent
#: Run in the child in place of ``-m``. The interpreter starts with ``-I -S`` (no environment,
#: no ``site``: no ``.pth`` hooks run, which also saves a tenth of a second per child), and the
#: path is set here: the coursekit that runs the parent first, then the virtualenv's packages.
BOOTSTRAP = (
    "from coursekit.grading.sandbox import main; from pathlib import Path; import os; "
    "main(Path(sys.argv[1])); os._exit(0)"
)
#: What the probe runs: the imports of a real child.
_PROBE = "import numpy, coursekit.grading.sandbox"


class Namespaces(enum.StrEnum):
    """Which namespace isolation the child gets."""

    BUBBLEWRAP = "bubblewrap"
    NONE = "none"


class BudgetKind(enum.StrEnum):
    """How the memory and process budget of a sandbox is enforced."""

    CGROUP_V2 = "cgroup v2"
    CGROUP_V1 = "cgroup v1"
    RLIMITS = "rlimits"


@dataclass(frozen=True)
class Isolation:
    """The isolation this host gives a submission (see the module docstring).

    Attributes
    ----------
    namespaces : Namespaces
    budget : BudgetKind
    bwrap : str
        Path of the bwrap executable ("" without bubblewrap).
    extra_flags : tuple of str
        bwrap flags this host supports beyond the baseline (``--disable-userns``: the
        submission cannot make nested user namespaces).
    cgroup_parents : tuple of Path
        Where per-child cgroups are made: one folder for v2; the ``memory`` and ``pids``
        folders for v1; empty for rlimits.
    why_weak : str
        Why bubblewrap is not used ("" when it is).
    """

    namespaces: Namespaces
    budget: BudgetKind
    bwrap: str = ""
    cgroup_parents: tuple[Path, ...] = ()
    why_weak: str = ""
    extra_flags: tuple[str, ...] = ()

    @property
    def weak(self) -> bool:
        """True without namespace isolation."""
        return self.namespaces is Namespaces.NONE

    def describe(self) -> str:
        """One line for the grading summary."""
        budget = {
            BudgetKind.CGROUP_V2: "one cgroup v2 per sandbox (memory, processes)",
            BudgetKind.CGROUP_V1: "one cgroup v1 per sandbox (memory, pids)",
            BudgetKind.RLIMITS: "per-process rlimits only",
        }[self.budget]
        if self.weak:
            return f"WEAK: no namespaces ({self.why_weak}); budget: {budget}"
        nested = "; nested user namespaces blocked" if "--disable-userns" in self.extra_flags else ""
        return f"bubblewrap namespaces (user, pid, mount, ipc, uts, net){nested}; budget: {budget}"


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _own_cgroups() -> dict[str, str]:
    """Controller (or "" for v2) to this process's cgroup path, from /proc/self/cgroup."""
    paths = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                paths[controller] = parts[2]
    return paths


def _writable_child(parent: Path, needed: tuple[str, ...]) -> bool:
    probe = parent / f"coursekit-probe-{os.getpid()}"
    try:
        probe.mkdir()
    except OSError:
        return False
    try:
        return all((probe / name).exists() for name in needed)
    finally:
        try:
            probe.rmdir()
        except OSError:
            pass


def _cgroup_parents() -> tuple[BudgetKind, tuple[Path, ...]]:
    if sys.platform != "linux":
        return BudgetKind.RLIMITS, ()
    own = _own_cgroups()
    memory, pids = own.get("memory"), own.get("pids")
    if memory is not None and pids is not None:
        parents = (_CGROUP / "memory" / memory.lstrip("/"), _CGROUP / "pids" / pids.lstrip("/"))
        if _writable_child(parents[0], ("memory.limit_in_bytes",)) and _writable_child(
            parents[1], ("pids.max",)
        ):
            return BudgetKind.CGROUP_V1, parents
    unified = own.get("")
    for mount in (_CGROUP, _CGROUP / "unified"):
        if unified is None or not (mount / "cgroup.controllers").exists():
            continue
        parent = mount / unified.lstrip("/")
        if _writable_child(parent, ("memory.max", "pids.max")):
            return BudgetKind.CGROUP_V2, (parent,)
    return BudgetKind.RLIMITS, ()


def _binds() -> list[str]:
    """bwrap arguments: read-only binds of the interpreter, its libraries, the venv, coursekit."""
    arguments: list[str] = []
    bound: list[Path] = []

    def bind(path: Path) -> None:
        path = path.resolve()
        if path.exists() and not any(path == done or done in path.parents for done in bound):
            bound.append(path)
            arguments.extend(["--ro-bind", str(path), str(path)])

    bind(Path(sys.base_prefix))
    for library in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
        bind(Path(library))
    for top in ("/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            arguments.extend(["--symlink", os.readlink(top), top])
        elif os.path.isdir(top):
            bind(Path(top))
    if os.path.exists("/etc/ld.so.cache"):
        arguments.extend(["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"])
    bind(Path(sys.prefix))
    bind(_PACKAGE)
    solutions = _PACKAGE / "exercises" / "solutions"
    if solutions.is_dir():
        arguments.extend(["--tmpfs", str(solutions), "--remount-ro", str(solutions)])
    return arguments


def bwrap_command(
    bwrap: str, python: list[str], input_dir: Path, disk_mb: int, extra_flags: tuple[str, ...] = ()
) -> list[str]:
    """The bwrap command line that runs ``python`` with ``input_dir`` at :data:`INPUT_DIR`."""
    size = str(disk_mb * 2**20)
    return [
        bwrap,
        "--unshare-all", "--unshare-user", *extra_flags,
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
        "--hostname", "sandbox", "--die-with-parent", "--new-session",
        # The tmpfs mounts first: a checkout under /tmp is then bound on top of the new /tmp.
        "--proc", "/proc", "--dev", "/dev",
        "--size", size, "--tmpfs", "/tmp",
        "--size", size, "--tmpfs", "/var/tmp",
        "--size", size, "--tmpfs", "/dev/shm",
        "--size", size, "--tmpfs", SANDBOX_ROOT,
        *_binds(),
        "--dir", WORK_DIR,
        "--ro-bind", str(input_dir), INPUT_DIR,
        "--chdir", WORK_DIR,
        "--", *python,
    ]


def child_python(code: str = BOOTSTRAP) -> list[str]:
    """The child's interpreter command running ``code``, without its arguments."""
    import site

    paths = [str(_PACKAGE.parent), *(path for path in site.getsitepackages() if os.path.isdir(path))]
    return [sys.executable, "-I", "-S", "-c", f"import sys; sys.path[:0] = {paths!r}; {code}"]


def _probe_bubblewrap(bwrap: str, extra_flags: tuple[str, ...] = ()) -> str:
    """"" when the sandbox's own command tree runs here, else why not."""
    probe = Path(os.environ.get("TMPDIR", "/tmp"))
    command = bwrap_command(bwrap, child_python(_PROBE), probe, 16, extra_flags)
    try:
        completed = subprocess.run(command, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be started ({type(error).__name__})"
    if completed.returncode != 0:
        last = completed.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"bwrap failed here: {last[0][:200]}"
    return ""


@functools.cache
def detect_isolation() -> Isolation:
    """The strongest isolation this host allows (cached for the process)."""
    budget, parents = _cgroup_parents()
    # Cache the child's bytecode now: the child sees coursekit read-only and cannot write it.
    importlib.import_module("coursekit.grading.sandbox")
    if sys.platform != "linux":
        return Isolation(Namespaces.NONE, budget, why_weak=f"bubblewrap needs Linux, this is {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        why = "bwrap not found; install the bubblewrap package (make install does)"
        return Isolation(Namespaces.NONE, budget, cgroup_parents=parents, why_weak=why)
    for flags in (("--disable-userns",), ()):
        why = _probe_bubblewrap(bwrap, flags)
        if not why:
            return Isolation(Namespaces.BUBBLEWRAP, budget, bwrap, parents, extra_flags=flags)
    return Isolation(Namespaces.NONE, budget, cgroup_parents=parents, why_weak=why)


class Budget:
    """The memory and process budget of one child run, shared by every process it starts.

    With a cgroup kind, :meth:`enter` (run in the forked child before ``exec``) moves the child
    into fresh cgroups; everything it starts stays there. :meth:`close` kills what is left and
    removes them. With rlimits, :meth:`enter` sets per-process limits.

    Parameters
    ----------
    isolation : Isolation
    memory_mb, max_processes, max_file_mb : int
    cpu_seconds : int
    label : str
        Unique part of the cgroup names.
    """

    def __init__(
        self, isolation: Isolation, *, memory_mb: int, max_processes: int, max_file_mb: int,
        cpu_seconds: int, label: str,
    ) -> None:
        self.kind = isolation.budget
        self.memory = memory_mb * 2**20
        self.max_processes = max_processes
        self.file_size = max_file_mb * 2**20
        self.cpu_seconds = cpu_seconds
        self.folders: list[Path] = []
        self._procs: list[int] = []
        self._nproc = 0
        if self.kind is BudgetKind.RLIMITS:
            self._nproc = max_processes + _processes_of(os.getuid())
            return
        try:
            for parent in isolation.cgroup_parents:
                folder = parent / f"coursekit-{label}"
                folder.mkdir()
                self.folders.append(folder)
            self._write_limits()
            self._procs = [
                os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for folder in self.folders
            ]
        except OSError:
            self.close()
            raise

    def _write_limits(self) -> None:
        processes = str(self.max_processes + _OWN_PROCESSES)
        if self.kind is BudgetKind.CGROUP_V1:
            memory, pids = self.folders
            (memory / "memory.limit_in_bytes").write_text(str(self.memory))
            if (memory / "memory.memsw.limit_in_bytes").exists():
                (memory / "memory.memsw.limit_in_bytes").write_text(str(self.memory))
            (pids / "pids.max").write_text(processes)
        else:
            (folder,) = self.folders
            (folder / "memory.max").write_text(str(self.memory))
            if (folder / "memory.swap.max").exists():
                (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(processes)

    def enter(self) -> None:
        """Runs in the forked child before ``exec`` (system calls only)."""
        for descriptor in self._procs:
            os.write(descriptor, b"0")
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size, self.file_size))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if self.kind is BudgetKind.RLIMITS:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (self._nproc, self._nproc))

    def peak_memory_mb(self) -> float | None:
        """Peak memory of all the sandbox's processes together (None with rlimits)."""
        if not self.folders:
            return None
        name = "memory.max_usage_in_bytes" if self.kind is BudgetKind.CGROUP_V1 else "memory.peak"
        text = _read(self.folders[0] / name).strip()
        return round(int(text) / 2**20, 1) if text.isdigit() else None

    def exhausted(self) -> list[str]:
        """Which budgets the sandbox ran into, as sentences."""
        notes = []
        if self.kind is BudgetKind.CGROUP_V1:
            if _read(self.folders[0] / "memory.failcnt").strip() not in ("", "0"):
                notes.append(f"its processes together reached the memory budget of {self.memory // 2**20} MiB")
            events = _read(self.folders[1] / "pids.events").split()
        elif self.kind is BudgetKind.CGROUP_V2:
            events = _read(self.folders[0] / "pids.events").split()
            memory_events = _read(self.folders[0] / "memory.events").split()
            if "oom_kill" in memory_events and memory_events[memory_events.index("oom_kill") + 1] != "0":
                notes.append(f"its processes together reached the memory budget of {self.memory // 2**20} MiB")
        else:
            return notes
        if "max" in events and events[events.index("max") + 1] != "0":
            notes.append(f"it reached the process budget of {self.max_processes} processes")
        return notes

    def close(self) -> None:
        """Kill every process left in the cgroups and remove them."""
        for descriptor in self._procs:
            os.close(descriptor)
        self._procs = []
        for folder in reversed(self.folders):
            kill = folder / "cgroup.kill"
            if kill.exists():
                kill.write_text("1")
            for _ in range(200):
                for pid in _read(folder / "cgroup.procs").split():
                    try:
                        os.kill(int(pid), 9)
                    except (ProcessLookupError, PermissionError):
                        pass
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.01)
        self.folders = []


def _processes_of(uid: int) -> int:
    """Processes of ``uid`` right now, zombies included (the kernel counts them for RLIMIT_NPROC)."""
    import psutil

    return sum(1 for process in psutil.process_iter(["uids"]) if process.info["uids"].real == uid)
