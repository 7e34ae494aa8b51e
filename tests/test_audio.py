"""Audio lessons (coursekit.audio): the dialogue cell spoken by espeak-ng in two voices.

Tests that run the engine are skipped, with the reason, where espeak-ng is not installed
(Debian: apt-get install espeak-ng; .ci/run installs it where it can).
"""

import shutil
import wave

import nbformat
import numpy as np
import pytest

from coursekit.audio import (
    INSTALL_HINT,
    Turn,
    dialogue_turns,
    lesson_notebook,
    render_dialogue,
    spoken_text,
)
from coursekit.cli import main
from coursekit.grading.editions import NOTEBOOKS, lesson_notebooks

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (Debian: apt-get install espeak-ng)",
)

SENTENCE = "A validation set helps you choose the size of the model."


def _notebook_with_dialogue(path, dialogue: str, tags=("dialogue",)):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell(dialogue)
    cell.metadata["tags"] = list(tags)
    notebook.cells = [nbformat.v4.new_markdown_cell("# Lesson 09 — Test"), cell]
    nbformat.write(notebook, path)
    return path


def _samples(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        frames = audio.readframes(audio.getnframes())
        return np.frombuffer(frames, dtype=np.int16).astype(np.float64), audio.getframerate()


def _median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency (Hz) over the loud 40 ms frames, by autocorrelation."""
    size = int(0.04 * rate)
    loud = 0.3 * np.sqrt(np.mean(samples**2))
    shortest, longest = rate // 400, rate // 60
    pitches = []
    for start in range(0, samples.size - size, size):
        frame = samples[start:start + size] - samples[start:start + size].mean()
        if np.sqrt(np.mean(frame**2)) < loud:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1:]
        lag = shortest + int(np.argmax(correlation[shortest:longest]))
        if correlation[lag] > 0.3 * correlation[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches))


def test_dialogue_turns_reads_speakers_and_text_in_order(tmp_path):
    path = _notebook_with_dialogue(
        tmp_path / "09_test.ipynb",
        "## A conversation\n\n**Student:** Is *this* spoken?\n\n**Teacher:** Yes, and `rate` too.",
    )
    assert dialogue_turns(path) == [
        Turn("Student", "Is this spoken?"),
        Turn("Teacher", "Yes, and rate too."),
    ]


@pytest.mark.parametrize("path", sorted(lesson_notebooks(NOTEBOOKS).values()), ids=lambda p: p.name)
def test_every_lesson_dialogue_has_both_speakers(path):
    speakers = {turn.speaker for turn in dialogue_turns(path)}
    assert speakers == {"Student", "Teacher"}


def test_dialogue_turns_requires_a_dialogue_cell(tmp_path):
    path = _notebook_with_dialogue(tmp_path / "09_test.ipynb", "**Student:** Hi.", tags=())
    with pytest.raises(ValueError, match="exactly one Markdown cell tagged 'dialogue', found 0"):
        dialogue_turns(path)


def test_spoken_text_drops_markdown_and_latex_marks():
    assert spoken_text(r"The *rate* is `0.5`, and $\alpha$ is **large**.") == (
        "The rate is 0.5, and alpha is large."
    )


def test_spoken_text_keeps_underscores_inside_words():
    assert spoken_text("Use `kernel_regularizer` here.") == "Use kernel_regularizer here."


def test_lesson_notebook_rejects_an_unknown_lesson():
    with pytest.raises(ValueError, match="lesson must be one of .* got '42'"):
        lesson_notebook("42")


def test_render_dialogue_rejects_an_unknown_speaker(tmp_path):
    with pytest.raises(ValueError, match="Narrator"):
        render_dialogue([Turn("Narrator", "Hello.")], tmp_path / "out.wav", engine="espeak-ng")


def test_render_dialogue_rejects_a_speed_outside_the_engine_range(tmp_path):
    with pytest.raises(ValueError, match="speed must be .* got 20"):
        render_dialogue([Turn("Teacher", "Hello.")], tmp_path / "out.wav", speed=20, engine="espeak-ng")


@needs_espeak
def test_rendered_dialogue_lasts_a_plausible_time_for_its_word_count(tmp_path):
    turns = dialogue_turns(lesson_notebook("00"))
    words = sum(len(turn.text.split()) for turn in turns)
    seconds = render_dialogue(turns, tmp_path / "00.wav", speed=160)
    samples, rate = _samples(tmp_path / "00.wav")
    np.testing.assert_allclose(samples.size / rate, seconds, rtol=1e-6)
    # 160 words per minute asked, plus pauses: between 100 and 200 words per minute overall.
    assert 100 <= words / (seconds / 60) <= 200


@needs_espeak
def test_rendered_dialogue_is_audible_not_silence(tmp_path):
    render_dialogue([Turn("Teacher", SENTENCE)], tmp_path / "one.wav")
    samples, _ = _samples(tmp_path / "one.wav")
    assert np.sqrt(np.mean(samples**2)) > 500  # 16-bit full scale is 32768


@needs_espeak
def test_student_voice_is_clearly_higher_than_the_teacher_voice(tmp_path):
    render_dialogue([Turn("Teacher", SENTENCE)], tmp_path / "teacher.wav")
    render_dialogue([Turn("Student", SENTENCE)], tmp_path / "student.wav")
    teacher = _median_pitch(*_samples(tmp_path / "teacher.wav"))
    student = _median_pitch(*_samples(tmp_path / "student.wav"))
    assert student > 1.4 * teacher


@needs_espeak
def test_pause_adds_silence_between_turns(tmp_path):
    turns = [Turn("Teacher", "Yes."), Turn("Student", "No.")]
    short = render_dialogue(turns, tmp_path / "short.wav", pause=0.0)
    long = render_dialogue(turns, tmp_path / "long.wav", pause=1.0)
    np.testing.assert_allclose(long - short, 1.0, atol=1e-3)


@needs_espeak
def test_audio_command_writes_the_wav_and_reports_it(tmp_path, capsys):
    path = _notebook_with_dialogue(
        tmp_path / "09_test.ipynb", "**Student:** Is it on?\n\n**Teacher:** It is."
    )
    status = main(["audio", str(path), "--out", str(tmp_path / "09.wav")])
    assert status == 0
    assert capsys.readouterr().out.startswith(f"Wrote {tmp_path / '09.wav'}: the dialogue of 09_test.ipynb, 2 turns, 5 words")
    samples, rate = _samples(tmp_path / "09.wav")
    assert samples.size / rate > 1.0


def test_audio_command_without_engine_says_how_to_install_and_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    status = main(["audio", "00", "--out", str(tmp_path / "00.wav")])
    error = capsys.readouterr().err
    assert status == 1
    assert "apt-get install espeak-ng" in error
    assert INSTALL_HINT in error
    assert "Traceback" not in error
    assert not (tmp_path / "00.wav").exists()
