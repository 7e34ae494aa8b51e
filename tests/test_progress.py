"""The per-user progress file: recording, the best score, atomic writes, corrupt files."""

from __future__ import annotations

import datetime
import json
import os

import numpy as np
import pytest

from coursekit import progress


@pytest.fixture
def progress_file(monkeypatch, tmp_path):
    path = tmp_path / "sub" / "progress.json"
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(path))
    return path


def test_env_var_moves_the_progress_file(progress_file):
    assert progress.progress_path() == progress_file


def test_default_path_is_in_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSEKIT_PROGRESS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.progress_path() == tmp_path / ".coursekit" / "progress.json"


def test_no_file_means_empty_progress(progress_file):
    assert progress.load_progress() == progress.empty_progress()
    assert not progress_file.exists()


def test_record_exercise_creates_the_file_and_folder(progress_file):
    progress.record_exercise("02", "dropout_forward", True)
    record = json.loads(progress_file.read_text(encoding="utf-8"))
    entry = record["lessons"]["02"]["exercises"]["dropout_forward"]
    assert (entry["passed"], entry["last_passed"], entry["attempts"]) == (True, True, 1)


def test_a_later_failure_keeps_the_exercise_passed(progress_file):
    progress.record_exercise("02", "dropout_forward", True)
    progress.record_exercise(2, "dropout_forward", False)
    entry = progress.load_progress()["lessons"]["02"]["exercises"]["dropout_forward"]
    assert (entry["passed"], entry["last_passed"], entry["attempts"]) == (True, False, 2)


def test_record_exercise_accepts_a_numpy_bool(progress_file):
    progress.record_exercise("01", "l2_penalty", np.bool_(True))
    assert progress.load_progress()["lessons"]["01"]["exercises"]["l2_penalty"]["passed"] is True


def test_record_exercise_rejects_a_non_bool_passed(progress_file):
    with pytest.raises(TypeError, match="passed must be True or False, got 'yes'"):
        progress.record_exercise("01", "l2_penalty", "yes")


def test_record_quiz_keeps_the_best_fraction(progress_file):
    progress.record_quiz("00", 7, 10)
    progress.record_quiz("00", 5, 10)
    progress.record_quiz("00", 4.5, 5)
    quiz = progress.load_progress()["lessons"]["00"]["quiz"]
    np.testing.assert_allclose(
        [quiz["best_score"], quiz["best_max_score"], quiz["last_score"]], [4.5, 5.0, 4.5], rtol=0
    )
    assert quiz["attempts"] == 3


@pytest.mark.parametrize(
    ("score", "max_score", "error", "message"),
    [
        (11, 10, ValueError, r"score must be in \[0, max_score\]"),
        (1, 0, ValueError, "max_score must be > 0, got 0"),
        ("7", 10, TypeError, "score must be a finite real number, got '7'"),
        (float("nan"), 10, TypeError, "score must be a finite real number"),
    ],
)
def test_record_quiz_rejects_bad_scores(progress_file, score, max_score, error, message):
    with pytest.raises(error, match=message):
        progress.record_quiz("00", score, max_score)


def test_record_quiz_rejects_a_bad_lesson(progress_file):
    with pytest.raises(ValueError, match="lesson must be a lesson number"):
        progress.record_quiz("intro", 1, 2)


def test_writes_leave_no_temporary_files(progress_file):
    progress.record_exercise("00", "split", True)
    progress.record_quiz("00", 1, 2)
    assert sorted(path.name for path in progress_file.parent.iterdir()) == [
        "progress.json",
        "progress.json.lock",
    ]


def test_a_failed_write_keeps_the_old_file_intact(progress_file, monkeypatch):
    progress.record_quiz("00", 1, 2)
    before = progress_file.read_bytes()

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.warns(progress.ProgressWarning, match="Could not save progress"):
        progress.record_quiz("00", 2, 2)
    assert progress_file.read_bytes() == before
    assert sorted(path.name for path in progress_file.parent.iterdir()) == [
        "progress.json",
        "progress.json.lock",
    ]


def test_corrupt_json_is_backed_up_with_a_warning_and_started_afresh(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json", encoding="utf-8")
    with pytest.warns(progress.ProgressWarning, match="was unreadable .it is not valid JSON."):
        assert progress.load_progress() == progress.empty_progress()
    backups = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "{not json"
    assert not progress_file.exists()


def test_wrong_shape_is_treated_as_corrupt(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text(
        json.dumps(
            {"version": 1, "lessons": {"00": {"quiz": {"best_score": "high"}}}, "flashcards": {}}
        )
    )
    with pytest.warns(progress.ProgressWarning, match="the quiz record is malformed"):
        progress.load_progress()
    assert len(list(progress_file.parent.glob("progress.json.corrupt-*"))) == 1


def test_recording_after_corruption_keeps_both_the_backup_and_the_new_record(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("[]", encoding="utf-8")
    with pytest.warns(progress.ProgressWarning):
        progress.record_exercise("03", "batchnorm_forward", True)
    assert progress.load_progress()["lessons"]["03"]["exercises"]["batchnorm_forward"]["passed"]
    assert len(list(progress_file.parent.glob("progress.json.corrupt-*"))) == 1


def test_two_corruptions_in_the_same_second_keep_both_backups(progress_file):
    progress_file.parent.mkdir(parents=True)
    for text in ("{", "}"):
        progress_file.write_text(text, encoding="utf-8")
        with pytest.warns(progress.ProgressWarning):
            progress.load_progress()
    contents = sorted(
        path.read_text() for path in progress_file.parent.glob("progress.json.corrupt-*")
    )
    assert contents == ["{", "}"]


def test_record_flashcard_counts_reviews(progress_file):
    progress.record_flashcard("dropout", 2, datetime.date(2030, 1, 3))
    progress.record_flashcard("dropout", 3, datetime.date(2030, 1, 7))
    card = progress.flashcard_states()["dropout"]
    assert (card["box"], card["due"], card["reviews"]) == (3, "2030-01-07", 2)


def test_record_flashcard_rejects_a_box_out_of_range(progress_file):
    with pytest.raises(ValueError, match=r"box must be an integer in \[1, 5\], got 6"):
        progress.record_flashcard("dropout", 6, datetime.date(2030, 1, 1))


def test_lesson_summaries_list_passed_and_tried_exercises(progress_file):
    progress.record_exercise("01", "l1_penalty", True)
    progress.record_exercise("01", "l2_penalty", False)
    progress.record_quiz("01", 3, 4)
    summary = progress.lesson_summaries()["01"]
    assert summary["exercises_passed"] == ["l1_penalty"]
    assert summary["exercises_tried"] == ["l1_penalty", "l2_penalty"]
    np.testing.assert_allclose([summary["best_score"], summary["max_score"]], [3.0, 4.0], rtol=0)


def _record_many(path: str, name: str, count: int) -> None:
    os.environ["COURSEKIT_PROGRESS"] = path
    for _ in range(count):
        progress.record_exercise("02", name, True)
        progress.record_exercise("02", "shared", False)


def test_two_processes_recording_at_once_lose_nothing(progress_file):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_record_many, args=(str(progress_file), name, 50))
        for name in ("first", "second")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    exercises = progress.load_progress()["lessons"]["02"]["exercises"]
    assert {name: record["attempts"] for name, record in exercises.items()} == {
        "first": 50,
        "second": 50,
        "shared": 100,
    }


def test_a_lock_held_too_long_is_skipped_with_a_warning(progress_file, monkeypatch):
    import filelock

    progress_file.parent.mkdir(parents=True)
    monkeypatch.setattr(progress, "LOCK_TIMEOUT", 0.2)
    monkeypatch.setattr(progress, "_LOCKS", {})
    holder = filelock.FileLock(str(progress_file) + ".lock")
    with holder:
        with pytest.warns(progress.ProgressWarning, match="Another process has held"):
            progress.record_exercise("00", "split_indices", True)
    assert progress.load_progress()["lessons"]["00"]["exercises"]["split_indices"]["passed"]


@pytest.fixture
def no_hang():
    """Fail instead of hanging if reading the progress file blocks."""
    import signal

    def stop(signum, frame):
        raise AssertionError("reading the progress file blocked")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _huge_int_record() -> str:
    return '{"version": 1, "lessons": {"00": {"exercises": {"x": {"passed": true, ' + (
        '"last_passed": true, "attempts": ' + "9" * 5000 + "}}}}, \"flashcards\": {}}"
    )


def _big_score_record() -> str:
    quiz = {
        "best_score": 1,
        "best_max_score": 10**400,
        "last_score": 1,
        "last_max_score": 1,
        "attempts": 1,
    }
    return json.dumps({"version": 1, "lessons": {"00": {"quiz": quiz}}, "flashcards": {}})


def _make_unusable(path, kind: str) -> None:
    path.parent.mkdir(parents=True)
    if kind == "5000-digit integer":
        path.write_text(_huge_int_record(), encoding="utf-8")
    elif kind == "integer too large for a float":
        path.write_text(_big_score_record(), encoding="utf-8")
    elif kind == "wrong types":
        path.write_text('{"version": 1, "lessons": [], "flashcards": "none"}', encoding="utf-8")
    elif kind == "wrong field type":
        record = {"version": 1, "lessons": {"00": {"exercises": {"x": {"passed": "yes"}}}}}
        path.write_text(json.dumps({**record, "flashcards": {}}), encoding="utf-8")
    elif kind == "binary junk":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "NUL bytes":
        path.write_bytes(b"\x00" * 100)
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("kept")
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "too large":
        with path.open("w") as handle:
            handle.write('{"version": 1, "lessons": {}, "flashcards": {}, "pad": "')
            handle.write("x" * (progress.MAX_BYTES + 10))
            handle.write('"}')
    else:
        raise AssertionError(kind)


UNUSABLE = {
    "5000-digit integer": "it holds a number too large to read",
    "integer too large for a float": "the quiz record is malformed",
    "wrong types": "'lessons' and 'flashcards' must be JSON objects",
    "wrong field type": "exercise 'x' is malformed",
    "binary junk": "it is not UTF-8 text",
    "NUL bytes": "it is not valid JSON",
    "folder": "it is a folder",
    "FIFO": "it is a FIFO",
    "link to /dev/zero": "it is a device",
    "too large": "it is larger than 8 MiB",
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_unusable_content_is_backed_up_and_replaced_with_a_one_line_warning(
    progress_file, kind, no_hang
):
    _make_unusable(progress_file, kind)
    with pytest.warns(progress.ProgressWarning) as caught:
        assert progress.load_progress() == progress.empty_progress()
    messages = [str(warning.message) for warning in caught]
    assert len(messages) == 1
    assert UNUSABLE[kind] in messages[0]
    assert "\n" not in messages[0]
    backups = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(backups) == 1
    if kind == "folder":
        assert (backups[0] / "inside.txt").read_text() == "kept"
    if kind == "link to /dev/zero":
        assert backups[0].is_symlink()
    progress.record_exercise("00", "split_indices", True)  # a fresh file, no further warning
    assert progress_file.is_file() and not progress_file.is_symlink()
    assert progress.load_progress()["lessons"]["00"]["exercises"]["split_indices"]["passed"]


def test_recording_into_unusable_content_never_raises(progress_file, no_hang):
    _make_unusable(progress_file, "FIFO")
    with pytest.warns(progress.ProgressWarning, match="it is a FIFO"):
        progress.record_quiz("00", 1, 2)
    assert progress.load_progress()["lessons"]["00"]["quiz"]["best_score"] == 1


def test_an_unreadable_file_warns_and_is_left_alone(progress_file):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{}")
    progress_file.chmod(0)
    with pytest.warns(progress.ProgressWarning, match="Cannot read the progress file"):
        assert progress.load_progress() == progress.empty_progress()
    assert progress_file.exists()


def _term(term_id: str, lesson: str):
    from coursekit.quiz.model import Term

    return Term(id=term_id, term=term_id, lesson=lesson, definition="d.", example="e.")


def test_report_shows_k_of_n_exercises_passed_with_n_from_the_registry(progress_file):
    from coursekit.exercises.registry import all_exercises

    lesson_02 = [name for name, ex in all_exercises().items() if ex.lesson == "02"]
    progress.record_exercise("02", lesson_02[0], True)
    progress.record_exercise("02", lesson_02[1], False)
    progress.record_exercise("02", "not_an_exercise", True)  # not counted: not in the registry
    progress.record_quiz("02", 3, 4)
    text = progress.progress_report(terms=())
    rows = {line[:2]: line[2:].split() for line in text.splitlines() if line[:2].isdigit()}
    assert rows["02"] == ["1", "of", str(len(lesson_02)), "exercises", "passed", "3", "/", "4",
                          "(75%),", "1", "attempt"]
    counts = progress.exercise_counts()
    assert rows["00"][:5] == ["0", "of", str(counts["00"]), "exercises", "passed"]
    assert sum(counts.values()) == len(all_exercises())


def test_report_counts_flashcards_due_only_in_started_lessons(progress_file):
    terms = [_term("a", "00"), _term("b", "00"), _term("c", "01"), _term("d", "03")]
    today = datetime.date(2030, 1, 10)
    empty = progress.progress_report(terms=terms, today=today)
    assert "none due yet; the 4 cards come due lesson by lesson once you start" in empty
    progress.record_exercise("00", "split_indices", False)
    progress.record_flashcard("d", 2, datetime.date(2030, 1, 12))  # reviewed, due later
    text = progress.progress_report(terms=terms, today=today)
    assert "Flashcards: 1 reviewed (box 2: 1)." in text
    assert "2 due today in the lessons you have started (00, 03)" in text  # a and b, not c
