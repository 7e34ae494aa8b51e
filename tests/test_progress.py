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
    assert sorted(path.name for path in progress_file.parent.iterdir()) == ["progress.json"]


def test_a_failed_write_keeps_the_old_file_intact(progress_file, monkeypatch):
    progress.record_quiz("00", 1, 2)
    before = progress_file.read_bytes()

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.warns(progress.ProgressWarning, match="Could not save progress"):
        progress.record_quiz("00", 2, 2)
    assert progress_file.read_bytes() == before
    assert sorted(path.name for path in progress_file.parent.iterdir()) == ["progress.json"]


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
