"""Issue 10's attack classes, graded in ONE ``coursekit grade`` run, plus the canary, weak
isolation and a checkout under a 0700 folder (each in its own run).

Protects: nothing a submission does reaches the host, a classmate, the parent's files or the
reports; every limit holds for the whole sandbox; the sandbox is proven before it is trusted.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from grading_cases import EXERCISES, details
from grading_isolation_cases import (
    HOSTILE_NAMES,
    LEFTOVER,
    SURVIVOR,
    VICTIM_TEXT,
    adversaries,
    victim,
)

from coursekit.grading.editions import NOTEBOOKS, ROOT, solutions_notebook
from coursekit.grading.isolation import BudgetKind, detect_isolation

TIMEOUT = 2.0
MEMORY_MB = 1024
ISOLATION = detect_isolation()
needs_bubblewrap = pytest.mark.skipif(ISOLATION.weak, reason=f"bubblewrap cannot run here: {ISOLATION.why_weak}")
needs_cgroup = pytest.mark.skipif(
    ISOLATION.budget is BudgetKind.RLIMITS, reason="no writable cgroup: budgets are per process"
)
pytestmark = needs_bubblewrap


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursekit.cli", *args], capture_output=True, text=True,
        timeout=600, env={**os.environ, **(env or {})}, cwd=cwd,
    )


class Listener(threading.Thread):
    """A local TCP server that records every connection (none may arrive from a sandbox)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()


def _host_leftovers() -> set[str]:
    found = set()
    for folder in {"/tmp", "/var/tmp", "/dev/shm", tempfile.gettempdir()}:
        try:
            found.update(f"{folder}/{name}" for name in os.listdir(folder)
                         if name.startswith(("coursekit-grade", LEFTOVER, "fill", "d")) and len(name) > 1)
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    submissions = root / "submissions"
    submissions.mkdir()
    victim(submissions).write_text(VICTIM_TEXT)
    listener = Listener()
    listener.start()
    class_ = adversaries(listener.port)
    for adversary in class_:
        (submissions / f"{adversary.student}.ipynb").write_bytes(adversary.build(submissions))
    for name in HOSTILE_NAMES:
        (submissions / name).write_bytes((submissions / "00_solution_edition.ipynb").read_bytes())
    before = _host_leftovers()
    start = time.perf_counter()
    completed = run_cli(
        "grade", str(submissions), "--out", str(root / "grades.csv"), "--feedback", str(root / "feedback"),
        "--workers", "2", "--timeout", str(TIMEOUT), "--memory", str(MEMORY_MB), "--seed", "5",
    )
    seconds = time.perf_counter() - start
    listener.stopped.set()
    listener.join()
    return {
        "root": root, "submissions": submissions, "completed": completed, "seconds": seconds,
        "adversaries": class_, "listener": listener, "new_leftovers": _host_leftovers() - before,
        "details": details(root / "grades.json") if completed.returncode == 0 else {},
    }


def _result(graded, student: str, exercise: str = "polynomial_features") -> dict:
    return next(r for r in graded["details"][student]["results"] if r["exercise"] == exercise)


def _messages(graded, student: str, exercise: str = "polynomial_features") -> str:
    result = _result(graded, student, exercise)
    return " ".join([result["status"], *(case["message"] for case in result["cases"])])


def test_the_class_is_graded_without_a_traceback(graded):
    completed = graded["completed"]
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr + completed.stdout


def test_no_score_exceeds_the_honest_score(graded):
    for adversary in graded["adversaries"]:
        scores = graded["details"][adversary.student]["scores"]
        for name, honest in adversary.honest.items():
            assert scores[name] <= honest + 1e-9, (adversary.student, name, scores[name], honest)


def test_the_summary_names_the_isolation_and_the_canary(graded):
    stdout = graded["completed"].stdout
    assert "isolation: bubblewrap namespaces" in stdout
    assert f"canary: the solutions edition scored {len(EXERCISES)}/{len(EXERCISES)}" in stdout


# --- 1. hostile paths ---------------------------------------------------------------------------


def test_a_planted_stderr_symlink_writes_nothing_on_the_host(graded):
    assert victim(graded["submissions"]).read_text() == VICTIM_TEXT
    assert graded["details"]["30_stderr_symlinks"]["total"] == pytest.approx(len(EXERCISES))


@pytest.mark.parametrize("student", ["30_dirs_and_fifos", "31_fifo_result", "31_dev_zero_result",
                                     "32_flood_the_pipes", "33_many_foreign_types"])
def test_planted_files_and_floods_neither_hang_nor_cost_the_other_exercise(graded, student):
    assert graded["details"][student]["scores"]["split_indices"] == pytest.approx(1.0)
    assert graded["details"][student]["seconds"] < 4 * (TIMEOUT + 1) + 10


def test_a_fifo_result_file_is_never_opened(graded):
    assert "exited early" in _messages(graded, "31_fifo_result")


def test_a_flood_on_the_result_pipe_is_cut_at_the_cap(graded):
    message = _messages(graded, "32_flood_the_pipes")
    assert "not well-formed" in message or "more than" in message or "wall-clock" in message


def test_the_honest_classmates_are_untouched_by_the_planters(graded):
    assert graded["details"]["00_solution_edition"]["total"] == pytest.approx(len(EXERCISES))
    assert graded["details"]["32_forged_frames"]["total"] == pytest.approx(len(EXERCISES))


def test_the_parent_keeps_a_bounded_number_of_foreign_types():
    from coursekit.grading import protocol

    protocol.foreign_type.cache_clear()
    tree = {"t": "list", "items": [{"t": "foreign", "type": f"Type{n}"} for n in range(5000)]}
    protocol.decode(tree, {})
    assert protocol.foreign_type.cache_info().currsize <= protocol.MAX_FOREIGN_TYPES


def test_a_symlink_or_fifo_is_refused_by_the_bounded_reader(tmp_path):
    from coursekit.grading import protocol

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to("/dev/zero")
    (tmp_path / "big").write_bytes(b"x" * 101)
    for name, match in [("fifo", "not a regular file"), ("link", "symlink"), ("big", "larger than 100")]:
        with pytest.raises(protocol.ProtocolError, match=match):
            protocol.read_bounded(tmp_path / name, 100)


# --- 2. nothing of the host or the classmates is visible ---------------------------------------


@pytest.mark.parametrize("student", ["40_proc_copycat", "40_solutions_from_the_checkout"])
def test_a_copycat_finds_no_classmate_and_no_solution(graded, student):
    assert graded["details"][student]["scores"]["polynomial_features"] == 0.0
    assert "grades" not in _messages(graded, student)


def test_the_sandbox_sees_its_own_processes_and_no_network(graded):
    message = _messages(graded, "41_what_it_sees")
    pids = int(message.split("pids=")[1].split()[0])
    assert pids <= 3, message
    assert "network=closed" in message and "interfaces=['lo']" in message
    assert "checkout=['.venv', 'coursekit']" in message
    if "--disable-userns" in ISOLATION.extra_flags:
        assert "nested_userns=blocked" in message


def test_no_connection_leaves_the_sandbox(graded):
    assert graded["listener"].connections == 0


# --- 3. limits that are limits ------------------------------------------------------------------


def test_switching_off_the_timer_does_not_switch_off_the_limit(graded):
    assert "wall-clock limit of 3 s for this exercise (enforced outside the sandbox)" in _messages(
        graded, "50_timer_switch_off"
    )
    assert graded["details"]["50_timer_switch_off"]["scores"]["split_indices"] == pytest.approx(1.0)
    assert graded["details"]["50_timer_switch_off"]["seconds"] < 3 * (TIMEOUT + 1) + 8


def test_switching_off_the_timer_while_loading_is_stopped_too(graded):
    assert "wall-clock limit of 3 s for loading the notebook" in _messages(
        graded, "50_timer_switch_off_while_loading"
    )


@needs_cgroup
def test_forked_children_share_one_memory_budget(graded):
    peak = graded["details"]["51_forked_memory"]["peak_memory_mb"]
    assert peak is not None and peak <= MEMORY_MB * 1.02, peak


@needs_cgroup
def test_forked_children_share_one_process_budget(graded):
    message = _messages(graded, "51_process_budget")
    forked = int(message.split("forked=")[1].split()[0].rstrip("."))
    assert forked <= 32, message


def test_files_left_in_tmp_and_shm_do_not_outlive_the_run(graded):
    assert graded["new_leftovers"] == set()
    assert graded["details"]["52_deep_tree"]["total"] == pytest.approx(len(EXERCISES))


def test_the_disk_budget_holds(graded):
    message = _messages(graded, "52_fill_disk")
    written = int(message.split("written_mb=")[1].split()[0].rstrip("."))
    assert written <= 2 * 256 + 2, message


def test_no_process_outlives_the_run(graded):
    import psutil

    survivors = [
        p.info["cmdline"] for p in psutil.process_iter(["cmdline", "status"])
        if p.info["status"] != psutil.STATUS_ZOMBIE and SURVIVOR in " ".join(p.info["cmdline"] or [])
    ]
    assert survivors == []


# --- 4. untrusted text stays inert --------------------------------------------------------------

CONTROLS = ("\x1b", "\x07", "\u202e")
RAW_HTML = ("<img", "<b>", "<script")


def _all_reports(graded) -> dict[str, str]:
    root = graded["root"]
    texts = {"stdout": graded["completed"].stdout, "stderr": graded["completed"].stderr,
             "csv": (root / "grades.csv").read_text(), "json": (root / "grades.json").read_text()}
    for path in (root / "feedback").iterdir():
        texts[path.name] = path.read_text()
    return texts


def test_no_report_carries_escapes_or_bidi_overrides(graded):
    for name, text in _all_reports(graded).items():
        for forbidden in CONTROLS:
            assert forbidden not in text, (name, forbidden)


def test_no_feedback_carries_raw_html(graded):
    for name, text in _all_reports(graded).items():
        if name.endswith(".md"):
            for forbidden in RAW_HTML:
                assert forbidden not in text, (name, forbidden)


def test_no_markdown_table_row_can_be_forged(graded):
    for student in ("60_markup_in_exception", "60_markup_in_type_name", "60_markup_in_stderr"):
        feedback = (graded["root"] / "feedback" / f"{student}.md").read_text()
        rows = [line for line in feedback.splitlines() if line.startswith("|")]
        assert len(rows) == 2 + len(EXERCISES), rows  # header, rule, one row per exercise
        prose = "\n".join(line for line in feedback.splitlines() if not line.startswith("|"))
        assert not re.search(r"(?<!\\)\|", prose)
        assert not re.search(r"(?<!\\)\[link(?<!\\)\]\(", prose)


def test_hostile_file_names_are_skipped_and_listed_on_one_line(graded):
    stdout = graded["completed"].stdout
    skipped = [line for line in stdout.splitlines() if line.startswith("skipped 80_") or line.startswith("skipped =")]
    assert len(skipped) == len(HOSTILE_NAMES), skipped
    with open(graded["root"] / "grades.csv", newline="") as stream:
        students = [row["student"] for row in csv.DictReader(stream)]
    assert not any(student.startswith(("80_", "=")) for student in students)


# --- 5. one definition of "uses the reference" ------------------------------------------------


@pytest.mark.parametrize("student, why", [
    ("70_reference_partial", "wraps coursekit's answer"),
    ("70_reference_wrapper", "calls coursekit's answer"),
    ("70_reference_module_rewritten", "__module__ rewritten"),
    ("70_solutions_import", "imported from coursekit.exercises.solutions"),
    ("70_solutions_helper", "coursekit.exercises.solutions"),
])
def test_using_the_reference_is_not_done_and_says_why(graded, student, why):
    result = _result(graded, student)
    assert result["status"] == "uses reference"
    assert why in _messages(graded, student)
    assert graded["details"][student]["scores"]["split_indices"] == pytest.approx(1.0)


# --- Outputs that follow no planted link --------------------------------------------------------


def test_reports_replace_a_planted_symlink_instead_of_following_it(tmp_path):
    from coursekit.grading.reports import write_safely

    target = tmp_path / "authorized_keys"
    target.write_text("keep")
    (tmp_path / "grades.csv").symlink_to(target)
    write_safely(tmp_path / "grades.csv", "student,total\n")
    assert target.read_text() == "keep"
    assert not (tmp_path / "grades.csv").is_symlink()
    assert (tmp_path / "grades.csv").read_text() == "student,total\n"


# --- The canary ---------------------------------------------------------------------------------


def _small_class(folder: Path) -> Path:
    import nbformat

    submissions = folder / "submissions"
    submissions.mkdir(parents=True)
    nbformat.write(solutions_notebook(NOTEBOOKS / "00_overfitting.ipynb", "00"), submissions / "teacher.ipynb")
    return submissions


def test_a_broken_sandbox_stops_before_any_gradebook(tmp_path, monkeypatch, capsys):
    from coursekit import cli
    from coursekit.grading import runner

    submissions = _small_class(tmp_path)
    monkeypatch.setattr(runner, "child_python", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"])
    status = cli.main(["grade", str(submissions), "--out", str(tmp_path / "grades.csv"), "--no-progress"])
    error = capsys.readouterr().err
    assert status == 1
    assert "the canary" in error and "exited with status 3" in error and "no gradebook was written" in error
    assert not (tmp_path / "grades.csv").exists() and not (tmp_path / "grades.json").exists()


# --- Weak isolation -----------------------------------------------------------------------------


def _without_bwrap(tmp_path: Path) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return {"PATH": str(bin_dir)}


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal applies to root")
def test_weak_isolation_as_root_is_refused_without_the_flag(tmp_path):
    submissions = _small_class(tmp_path)
    completed = run_cli("grade", str(submissions), "--out", str(tmp_path / "g.csv"), env=_without_bwrap(tmp_path))
    assert completed.returncode == 1
    assert "refusing to grade as root without namespace isolation" in completed.stderr
    assert not (tmp_path / "g.csv").exists()


def test_weak_isolation_is_said_out_loud(tmp_path):
    submissions = _small_class(tmp_path)
    completed = run_cli(
        "grade", str(submissions), "--out", str(tmp_path / "g.csv"), "--allow-weak-isolation",
        "--no-progress", env=_without_bwrap(tmp_path),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "isolation: WEAK: no namespaces (bwrap not found" in completed.stdout


# --- A checkout under a 0700 folder -------------------------------------------------------------


def test_grading_works_from_a_checkout_under_a_0700_folder(tmp_path):
    locked = Path(tempfile.mkdtemp(prefix="coursekit-0700-"))
    try:
        assert (locked.stat().st_mode & 0o777) == 0o700
        checkout = locked / "course"
        shutil.copytree(ROOT / "coursekit", checkout / "coursekit",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (checkout / "notebooks").mkdir()
        shutil.copy(NOTEBOOKS / "00_overfitting.ipynb", checkout / "notebooks")
        submissions = _small_class(tmp_path)
        completed = run_cli(
            "grade", str(submissions), "--out", str(tmp_path / "g.csv"), "--no-progress",
            env={"PYTHONPATH": str(checkout)}, cwd=checkout,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert f"canary: the solutions edition scored {len(EXERCISES)}/{len(EXERCISES)}" in completed.stdout
        assert "isolation: bubblewrap" in completed.stdout
        assert "teacher," + "1," * len(EXERCISES) + str(len(EXERCISES)) in (tmp_path / "g.csv").read_text()
    finally:
        shutil.rmtree(locked, ignore_errors=True)
