"""Issue 10's attack classes as real notebooks, built at test time (see tests/grading_cases.py).

Each class of attack has the issue's reproducer and cases of our own. ``Adversary.honest`` is
what each exercise truly earns; ``build(submissions)`` may bake host paths (the victim file, the
submissions folder, the checkout) into the notebook, as an attacker who knows them would.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from grading_cases import Adversary, notebook_bytes, solution_edition, with_cell, with_function

from coursekit.grading.editions import ROOT

#: Files the attackers try to write; each must keep this content.
VICTIM_TEXT = "untouched"
#: Marker of files a submission leaves in /tmp, /var/tmp and /dev/shm, and of its survivors.
LEFTOVER = "coursekit-leftover-marker"
SURVIVOR = "coursekit-survivor-marker"
SOLVED_RETURN = "return x[:, None] ** np.arange(degree + 1, dtype=x.dtype)"


def victim(submissions: Path) -> Path:
    return submissions.parent / "victim.txt"


def _solved(**kwargs: float) -> dict[str, float]:
    return {"polynomial_features": 1.0, "split_indices": 1.0, **kwargs}


def _not_done(**kwargs: float) -> dict[str, float]:
    return {"polynomial_features": 0.0, "split_indices": 1.0, **kwargs}


def _polynomial(body: str, *, solved: bool = True) -> bytes:
    """The solution edition with ``body`` run inside polynomial_features (which then answers
    correctly when ``solved``, else returns nothing)."""
    lines = textwrap.dedent(body).strip("\n").splitlines() + ([SOLVED_RETURN] if solved else [])
    source = "def polynomial_features(x, degree):\n" + "\n".join("    " + line for line in lines)
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", source))


# --- 1. the parent treats every path a child can touch as hostile --------------------------------


def _stderr_symlinks(submissions: Path) -> bytes:
    target = str(victim(submissions))
    return _polynomial(f"""
        import os, tempfile, threading, time
        def plant():
            end = time.time() + 3
            while time.time() < end:
                for folder in {{tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm", ".."}}:
                    try:
                        names = os.listdir(folder)
                    except OSError:
                        continue
                    for name in names + ["coursekit-grade-" + str(n) for n in range(50)]:
                        if name.startswith("coursekit-grade"):
                            for suffix in (".stderr", ".lock", ".json"):
                                try:
                                    os.symlink({target!r}, os.path.join(folder, name + suffix))
                                except OSError:
                                    pass
                try:
                    with open({target!r}, "w") as stream:
                        stream.write("OWNED")
                except OSError:
                    pass
                time.sleep(0.01)
        if not getattr(os, "planting", False):
            os.planting = True
            threading.Thread(target=plant, daemon=True).start()
            time.sleep(0.3)
    """)


def _plant_dirs_and_fifos(_: Path) -> bytes:
    return _polynomial("""
        import os
        for folder in ("/tmp", "/var/tmp", "/dev/shm", "."):
            for n in range(20):
                try:
                    os.mkdir(os.path.join(folder, f"coursekit-grade-{n}.stderr"))
                    os.mkfifo(os.path.join(folder, f"coursekit-grade-{n}.json"))
                except OSError:
                    pass
    """)


def _fifo_result(_: Path) -> bytes:
    return _polynomial("""
        import os
        for name in ("result_0.json", "result_0.npz", "loaded.json", "result_1.json", "request.json"):
            try:
                os.mkfifo(name)
            except OSError:
                pass
        os._exit(0)
    """, solved=False)


def _dev_zero_result(_: Path) -> bytes:
    return _polynomial("""
        import os
        for name in ("result_0.json", "result_0.npz", "loaded.json", "result_1.json"):
            try:
                os.symlink("/dev/zero", name)
            except OSError:
                pass
        os._exit(0)
    """, solved=False)


def _flood_the_pipes(_: Path) -> bytes:
    return _polynomial("""
        import os, sys
        chunk = b"CK1 result_1 10 0\\n" + b"x" * 2**20
        for _ in range(100):
            for descriptor in range(1, 8):
                try:
                    os.write(descriptor, chunk)
                except OSError:
                    pass
        while True:
            sys.stderr.write("y" * 2**16)
    """, solved=False)


def _forged_frames(_: Path) -> bytes:
    # Claims, for split_indices, a result that it did not compute: the claim is judged like any
    # return value, and the real report that follows replaces it.
    return _polynomial("""
        import json, os
        fake = json.dumps({"status": "ran", "cases": [], "reference_use": ""}).encode()
        for descriptor in range(3, 12):
            try:
                os.write(descriptor, b"CK1 result_1 %d 0\\n" % len(fake) + fake)
            except OSError:
                pass
    """)


def _many_foreign_types(_: Path) -> bytes:
    return _polynomial("""
        return [type(f"Type{n}" + "x" * 50, (), {})() for n in range(9000)]
    """, solved=False)


# --- 2. copying a classmate: nothing of the host is visible ---------------------------------------


def _proc_copycat(submissions: Path) -> bytes:
    return _polynomial(f"""
        import glob, json, os
        places = set()
        for entry in glob.glob("/proc/*/cmdline") + [f"/proc/{{os.getppid()}}/cmdline"]:
            try:
                places.update(part for part in open(entry, "rb").read().decode().split("\\0") if "/" in part)
            except OSError:
                pass
        places.add({str(submissions)!r})
        for place in sorted(places):
            for path in glob.glob(os.path.join(place, "*.ipynb")) + glob.glob(os.path.join(os.path.dirname(place), "*", "*.ipynb")):
                try:
                    cells = json.load(open(path))["cells"]
                except Exception:
                    continue
                for cell in cells:
                    source = "".join(cell.get("source", ""))
                    if source.startswith("def polynomial_features") and "NotImplementedError" not in source:
                        namespace = {{"np": np}}
                        exec(source, namespace)
                        return namespace["polynomial_features"](x, degree)
        for path in glob.glob(os.path.join(os.path.dirname({str(submissions)!r}), "*.csv")):
            raise RuntimeError(open(path).read())
        raise NotImplementedError
    """, solved=False)


def _solutions_from_the_checkout(_: Path) -> bytes:
    solutions = ROOT / "coursekit" / "exercises" / "solutions" / "lesson00.py"
    return _polynomial(f"""
        namespace = {{}}
        try:
            exec(open({str(solutions)!r}).read(), namespace)
        except OSError:
            pass
        try:
            from coursekit.exercises.solutions import lesson00
            namespace.update(vars(lesson00))
        except ImportError:
            pass
        if "polynomial_features" not in namespace:
            raise NotImplementedError
        return namespace["polynomial_features"](x, degree)
    """, solved=False)


def _what_it_sees(_: Path) -> bytes:
    return _polynomial("""
        import os, socket
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
        try:
            socket.create_connection(("127.0.0.1", int(os.environ.get("PORT", "1"))), timeout=1)
            network = "open"
        except OSError:
            network = "closed"
        interfaces = [name for _, name in socket.if_nameindex()]
        checkout = sorted(os.listdir(CHECKOUT))
        import ctypes
        nested = "allowed" if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0 else "blocked"
        raise RuntimeError(f"pids={len(pids)} network={network} interfaces={interfaces} "
                           f"checkout={checkout} nested_userns={nested}")
    """.replace("CHECKOUT", repr(str(ROOT))), solved=False)


def _network(port: int):
    def build(_: Path) -> bytes:
        return _polynomial(f"""
            import socket
            for host in ("127.0.0.1", "localhost", "::1"):
                try:
                    socket.create_connection((host, {port}), timeout=1).sendall(b"STOLEN")
                except OSError:
                    pass
        """)
    return build


# --- 3. limits that are limits ---------------------------------------------------------------------


def _timer_switch_off(_: Path) -> bytes:
    return _polynomial("""
        import signal
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
    """, solved=False)


def _timer_switch_off_while_loading(_: Path) -> bytes:
    notebook = with_cell(solution_edition(), """
        class Helper:
            import signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                pass
    """, position=4)
    notebook = with_function(notebook, "polynomial_features", """
        def polynomial_features(x, degree):
            return Helper()
    """)
    return notebook_bytes(notebook)


def _forked_memory(_: Path) -> bytes:
    return _polynomial("""
        import os, time
        children = []
        for _ in range(6):
            pid = os.fork()
            if pid == 0:
                hoard = bytearray(400 * 2**20)
                for start in range(0, len(hoard), 4096):
                    hoard[start] = 1
                time.sleep(0.5)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
    """)


def _process_budget(_: Path) -> bytes:
    return _polynomial("""
        import os, time
        forked = 0
        for _ in range(300):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(3)
                os._exit(0)
            forked += 1
        raise RuntimeError(f"forked={forked}")
    """, solved=False)


def _leave_files(_: Path) -> bytes:
    return _polynomial(f"""
        import os
        for folder in ("/tmp", "/var/tmp", "/dev/shm", os.environ.get("TMPDIR", "/tmp")):
            try:
                with open(os.path.join(folder, "{LEFTOVER}"), "w") as stream:
                    stream.write("left behind")
            except OSError:
                pass
    """)


def _deep_tree(_: Path) -> bytes:
    return _polynomial("""
        import os
        for top in (".", "/tmp"):
            path = os.open(top, os.O_RDONLY)
            for _ in range(3000):
                try:
                    os.mkdir("d", dir_fd=path)
                    inner = os.open("d", os.O_RDONLY, dir_fd=path)
                except OSError:
                    break
                os.close(path)
                path = inner
            os.chmod(".", 0o500) if top == "." else None
    """)


def _fill_disk(_: Path) -> bytes:
    return _polynomial("""
        import os
        written = 0
        for folder in ("/tmp", "."):
            for n in range(10_000):
                try:
                    with open(os.path.join(folder, f"fill{n}"), "wb") as stream:
                        stream.write(b"\\0" * 2**20)
                    written += 1
                except OSError:
                    break
        raise RuntimeError(f"written_mb={written}")
    """, solved=False)


def _outlive(_: Path) -> bytes:
    return _polynomial(f"""
        import os, sys
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", "{SURVIVOR}"])
            os._exit(0)
    """)


# --- 4. untrusted text stays inert ------------------------------------------------------------------

MARKUP = (
    "\\x1b]8;;http://evil.example\\x07click\\x1b]8;;\\x07 \\x1b[2J\\x1b[31m | polynomial_features | 1 | passed |"
    "\\n| forged | 1 | passed |\\n<img src=x onerror=alert(1)> [link](http://evil.example) \\u202egnp.exe"
)


def _markup_in_exception(_: Path) -> bytes:
    return _polynomial(f"""
        raise RuntimeError("{MARKUP}")
    """, solved=False)


def _markup_in_type_name(_: Path) -> bytes:
    return _polynomial("""
        return type("<b>bold</b>\\x1b[31m|x|", (), {})()
    """, solved=False)


def _markup_in_stderr(_: Path) -> bytes:
    notebook = with_function(solution_edition(), "polynomial_features", f"""
        import os, sys
        polynomial_features = (sys.stderr.write("{MARKUP}\\n"), sys.stderr.flush(), os._exit(3))
    """)
    return notebook_bytes(notebook)


# --- 5. one definition of "uses the reference" ----------------------------------------------------


def _reference_partial(_: Path) -> bytes:
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", """
        import functools
        from coursekit.reference.capacity import polynomial_features as _reference
        polynomial_features = functools.partial(_reference)
    """))


def _reference_wrapper(_: Path) -> bytes:
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", """
        from coursekit.reference import capacity

        def polynomial_features(x, degree):
            return capacity.polynomial_features(x, degree)
    """))


def _reference_module_rewritten(_: Path) -> bytes:
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", """
        import types
        from coursekit.reference.capacity import polynomial_features as _reference
        polynomial_features = types.FunctionType(_reference.__code__, _reference.__globals__, "polynomial_features")
        polynomial_features.__module__ = "__main__"
        polynomial_features.__qualname__ = "polynomial_features"
    """))


def _solutions_import(_: Path) -> bytes:
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", """
        from coursekit.exercises.solutions.lesson00 import polynomial_features
    """))


def _solutions_helper(_: Path) -> bytes:
    return notebook_bytes(with_function(solution_edition(), "polynomial_features", """
        import coursekit.exercises.solutions.lesson00 as answers

        def polynomial_features(x, degree):
            return answers.polynomial_features(x, degree)
    """))


def adversaries(port: int) -> tuple[Adversary, ...]:
    """The class of issue 10 (``port``: a local TCP server that must see no connection)."""
    zero = {"polynomial_features": 0.0, "split_indices": 1.0}
    return (
        Adversary("00_solution_edition", lambda _: notebook_bytes(solution_edition()), _solved()),
        Adversary("30_stderr_symlinks", _stderr_symlinks, _solved()),
        Adversary("30_dirs_and_fifos", _plant_dirs_and_fifos, _solved()),
        Adversary("31_fifo_result", _fifo_result, _not_done()),
        Adversary("31_dev_zero_result", _dev_zero_result, _not_done()),
        Adversary("32_flood_the_pipes", _flood_the_pipes, _not_done()),
        Adversary("32_forged_frames", _forged_frames, _solved()),
        Adversary("33_many_foreign_types", _many_foreign_types, _not_done()),
        Adversary("40_proc_copycat", _proc_copycat, _not_done()),
        Adversary("40_solutions_from_the_checkout", _solutions_from_the_checkout, _not_done()),
        Adversary("41_what_it_sees", _what_it_sees, _not_done()),
        Adversary("41_network", _network(port), _solved()),
        Adversary("50_timer_switch_off", _timer_switch_off, _not_done()),
        Adversary("50_timer_switch_off_while_loading", _timer_switch_off_while_loading, dict(zero)),
        Adversary("51_forked_memory", _forked_memory, _solved()),
        Adversary("51_process_budget", _process_budget, _not_done()),
        Adversary("52_leave_files", _leave_files, _solved()),
        Adversary("52_deep_tree", _deep_tree, _solved()),
        Adversary("52_fill_disk", _fill_disk, _not_done()),
        Adversary("53_outlive", _outlive, _solved()),
        Adversary("60_markup_in_exception", _markup_in_exception, _not_done()),
        Adversary("60_markup_in_type_name", _markup_in_type_name, _not_done()),
        Adversary("60_markup_in_stderr", _markup_in_stderr, {"polynomial_features": 0.0, "split_indices": 0.0}),
        Adversary("70_reference_partial", _reference_partial, _not_done()),
        Adversary("70_reference_wrapper", _reference_wrapper, _not_done()),
        Adversary("70_reference_module_rewritten", _reference_module_rewritten, _not_done()),
        Adversary("70_solutions_import", _solutions_import, _not_done()),
        Adversary("70_solutions_helper", _solutions_helper, _not_done()),
    )


#: File names that carry markup or escapes: skipped, and listed inertly.
HOSTILE_NAMES = (
    "80_\x1b[31mred\x1b[0m.ipynb",
    "80_a|b<script>.ipynb",
    "80_line\nbreak.ipynb",
    "=cmd|' -C calc'!A0.ipynb",
)
