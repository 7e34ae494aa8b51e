"""A Gradescope autograder for one lesson: the same sandbox, judge and feedback as ``coursekit grade``.

:func:`build_autograder` writes the zip that Gradescope's "Configure Autograder" page takes:

* ``setup.sh``: installs bubblewrap and a virtualenv with the grader's few dependencies
  (pinned in ``requirements.txt``), on Python 3.11 where the image's ``python3`` is older (the
  Ubuntu 22.04 base image has 3.10, and numpy 2.4 needs 3.11);
* ``run_autograder``: grades the one notebook in ``/autograder/submission`` and writes
  ``/autograder/results/results.json``;
* ``coursekit/`` (the package, solutions included: Gradescope never shows the autograder to
  students), the lesson's notebook under ``notebooks/`` (for the canary) and ``config.json``
  (lesson, seed, time limit, feedback level).

:func:`run` is what ``run_autograder`` calls. It stages the submission under a fixed name, grades
it with :func:`~coursekit.grading.grader.grade_class` (canary first), and converts the verdict to
Gradescope's format: one test per exercise (``score``/``max_score``, the feedback at the
configured level as ``output``). Nothing the submission prints or writes reaches
``results.json``: it is written by this process after the sandbox is gone.

**Isolation on Gradescope.** The submission runs in bubblewrap, as everywhere. Where Gradescope's
container cannot start bubblewrap, the submission would run as root beside the autograder and
could forge its own score, so :func:`run` writes a score of 0 with an explanation instead, unless
the autograder was built with ``allow_weak_isolation=True``, which the instructor accepts knowing
that risk.
"""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from coursekit.grading.assignment import GradingError, normalise_lesson
from coursekit.grading.editions import NOTEBOOKS, lesson_notebooks

ROOT = Path(__file__).resolve().parents[2]
#: The grader's third-party dependencies, pinned as in pyproject.toml.
REQUIREMENTS = ("numpy==2.4.6", "nbformat==5.11.1", "tqdm==4.70.1", "pyyaml==6.0.3")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
ROOT="${COURSEKIT_AUTOGRADER_ROOT:-/autograder}"
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))'; then
    # coursekit needs Python 3.11 to 3.13; Ubuntu 22.04's python3 is 3.10, and it packages 3.11.
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir -r "$ROOT/source/requirements.txt"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -euo pipefail
ROOT="${COURSEKIT_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${COURSEKIT_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT/source"
exec "$PYTHON" -m coursekit.grading.gradescope "$ROOT"
"""


def build_autograder(
    lesson: str, out: Path, *, seed: int, time_limit: float = 5.0, feedback_level: str = "hints",
    allow_weak_isolation: bool = False,
) -> Path:
    """Write the Gradescope autograder zip of ``lesson`` to ``out``.

    Parameters
    ----------
    lesson : str
        "00" to "07".
    out : Path
        The zip to write; its folder must exist.
    seed : int
        Seed of the cases, >= 0: every student of the assignment gets the same cases.
    time_limit : float, default=5.0
        Seconds per exercise.
    feedback_level : {"score", "diagnosis", "hints"}, default="hints"
    allow_weak_isolation : bool, default=False
        Grade even where bubblewrap cannot start (a submission could then forge its score).

    Raises
    ------
    GradingError
        For an unknown lesson or a bad setting.
    """
    from coursekit.grading.feedback import LEVELS

    lesson = normalise_lesson(lesson)
    notebooks = lesson_notebooks(NOTEBOOKS)
    if lesson not in notebooks:
        raise GradingError(f"lesson {lesson} has no notebook in {NOTEBOOKS}; build from a checkout of the course.")
    if feedback_level not in LEVELS:
        raise GradingError(f"feedback level must be one of {', '.join(LEVELS)}, got {feedback_level!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GradingError(f"seed must be an integer >= 0, got {seed!r}.")
    config = {"lesson": lesson, "seed": seed, "time_limit": float(time_limit),
              "feedback_level": feedback_level, "allow_weak_isolation": bool(allow_weak_isolation)}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        archive.writestr("requirements.txt", "\n".join(REQUIREMENTS) + "\n")
        archive.writestr("config.json", json.dumps(config, indent=2))
        archive.write(notebooks[lesson], f"notebooks/{notebooks[lesson].name}")
        for path in sorted((ROOT / "coursekit").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                archive.write(path, path.relative_to(ROOT).as_posix())
    return out


def _results(score: float, output: str, tests: list[dict] | None = None) -> dict:
    return {"score": score, "output": output, "tests": tests or [], "visibility": "visible"}


def run(root: Path) -> dict:
    """Grade ``root/submission`` as configured in ``root/source/config.json``; write the results.

    Returns the results (also written to ``root/results/results.json``). Never raises for a
    problem with the submission: it becomes a score of 0 with an explanation.
    """
    from coursekit.grading.feedback import NOTES_HEADING, build_feedback
    from coursekit.grading.grader import SandboxError, grade_class
    from coursekit.grading.isolation import detect_isolation
    from coursekit.grading.reports import inert
    from coursekit.grading.runner import SandboxLimits

    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    submitted = sorted(
        path for path in (root / "submission").rglob("*.ipynb")
        if path.is_file() and not path.is_symlink() and ".ipynb_checkpoints" not in path.parts
    )
    if len(submitted) != 1:
        found = ", ".join(path.name for path in submitted[:5]) or "none"
        results = _results(0.0, f"Upload exactly one notebook (.ipynb) for lesson {config['lesson']}; found: {found}.")
    else:
        staging = Path(tempfile.mkdtemp(prefix="coursekit-gradescope-"))
        try:
            shutil.copyfile(submitted[0], staging / "submission.ipynb", follow_symlinks=False)
            isolation = detect_isolation()
            if isolation.weak and not config["allow_weak_isolation"]:
                raise SandboxError(f"bubblewrap cannot run here: {isolation.why_weak}")
            report = grade_class(
                staging, lesson=config["lesson"], seed=int(config["seed"]),
                limits=SandboxLimits(time_limit=float(config["time_limit"])), workers=1,
                progress=False, allow_weak=bool(config["allow_weak_isolation"]),
            )
            grade = report.grades[0]
            feedback = build_feedback(grade, report, config["feedback_level"])
            sections = {section.heading: section for section in feedback.sections}
            tests = []
            for result in grade.results:
                section = sections.get(result.exercise)
                lines = (section.paragraphs + [f"- {item}" for item in section.items] + section.closing
                         if section else [result.status])
                tests.append({"name": result.exercise, "score": grade.scores[result.exercise], "max_score": 1.0,
                              "output": "\n".join(lines)})
            note = f" {grade.load_error}" if grade.load_error else ""
            grader_notes = sections.get(NOTES_HEADING)
            if grader_notes is not None:  # a syntax error, a cell that raised, another lesson's notebook
                note += "\nNotes from the grader:" + "".join(f"\n- {inert(item)}" for item in grader_notes.items)
            results = _results(grade.total, f"Graded by coursekit, lesson {report.lesson}.{note}", tests)
        except SandboxError as error:
            results = _results(0.0, "The grading sandbox could not start on this Gradescope image, so your "
                               f"notebook was not graded; tell your instructor. ({error})")
        except GradingError as error:
            results = _results(0.0, f"Your notebook could not be graded: {error}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m coursekit.grading.gradescope AUTOGRADER_ROOT (run by run_autograder)")
    run(Path(sys.argv[1]))
