"""Audio lessons: ``coursekit audio LESSON --out FILE.wav`` speaks a lesson's dialogue.

The text is the notebook's Markdown cell tagged ``dialogue`` (one source: edit the notebook, not
a script). Each paragraph that starts with ``**Student:**`` or ``**Teacher:**`` is one turn; the
Markdown marks are dropped before speaking. Each turn is rendered by the offline speech engine
espeak-ng, the teacher with :data:`TEACHER_VOICE` and the student with :data:`STUDENT_VOICE`,
and the pieces are joined, with a short pause between turns, into one WAV file with the standard
library's :mod:`wave` module.

espeak-ng is a system package (Debian/Ubuntu: ``apt-get install espeak-ng``). Where it is
missing, :class:`SpeechEngineMissing` says how to install it, and the command prints that and
exits with status 1. The command itself is :mod:`coursekit.commands.audio`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from coursekit import course
from coursekit.course import NOTEBOOKS
from coursekit.errors import EngineMissing, UsageError

ENGINE = "espeak-ng"
TEACHER_VOICE = "en+m3"
"""espeak-ng voice of the teacher: English, male variant 3."""
STUDENT_VOICE = "en+f3"
"""espeak-ng voice of the student: English, female variant 3 (clearly higher pitched)."""
VOICES = {"Teacher": TEACHER_VOICE, "Student": STUDENT_VOICE}
DIALOGUE_TAG = "dialogue"
INSTALL_HINT = (
    "No offline speech engine found: coursekit audio needs espeak-ng.\n"
    "Install it with:\n"
    "  sudo apt-get install espeak-ng    (Debian, Ubuntu)\n"
    "  sudo dnf install espeak-ng        (Fedora)\n"
    "  brew install espeak-ng            (macOS)\n"
    "then run the command again."
)

_TURN = re.compile(r"^\*\*(Student|Teacher):\*\*\s*(.*)$", re.DOTALL)


class SpeechEngineMissing(EngineMissing):
    """espeak-ng is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Turn:
    """One line of the dialogue.

    Attributes
    ----------
    speaker : {"Student", "Teacher"}
    text : str
        What is said, as plain text ready to speak.
    """

    speaker: str
    text: str


def spoken_text(markdown: str) -> str:
    """Markdown of one turn as plain text for the speech engine.

    Emphasis and code marks, and the ``$`` and backslashes of LaTeX, are removed; line breaks
    become spaces.
    """
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    text = re.sub(r"\$([^$]*)\$", r"\1", text)
    text = text.replace("\\", "").replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)[*_]|[*_](?!\w)", "", text)
    return " ".join(text.split())


def dialogue_turns(notebook_path: str | Path) -> list[Turn]:
    """The turns of a notebook's dialogue cell, in order.

    Parameters
    ----------
    notebook_path : str or Path
        A lesson notebook with exactly one Markdown cell tagged ``dialogue``.

    Returns
    -------
    list of Turn
        One per paragraph starting with ``**Student:**`` or ``**Teacher:**``; other paragraphs
        (the heading) are not spoken.

    Raises
    ------
    UsageError
        If the notebook has no (or several) dialogue cells, or the cell has no turn (a
        ``ValueError``).
    """
    path = Path(notebook_path)
    notebook = course.read_notebook(path)
    cells = [
        cell for cell in notebook.cells
        if cell.cell_type == "markdown" and DIALOGUE_TAG in cell.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise UsageError(
            f"notebook_path {str(path)!r} must have exactly one Markdown cell tagged "
            f"'{DIALOGUE_TAG}', found {len(cells)}."
        )
    turns = []
    for paragraph in re.split(r"\n\s*\n", cells[0].source):
        match = _TURN.match(paragraph.strip())
        if match:
            turns.append(Turn(match.group(1), spoken_text(match.group(2))))
    if not turns:
        raise UsageError(
            f"the dialogue cell of {str(path)!r} has no paragraph starting with "
            "**Student:** or **Teacher:**."
        )
    return turns


def find_engine() -> str:
    """Path of the espeak-ng executable.

    Raises
    ------
    SpeechEngineMissing
        If ``espeak-ng`` is not on the PATH; the message says how to install it.
    """
    path = shutil.which(ENGINE)
    if path is None:
        raise SpeechEngineMissing(INSTALL_HINT)
    return path


def _speak(engine: str, text: str, voice: str, speed: int, wav_path: Path) -> None:
    subprocess.run(
        [engine, "-v", voice, "-s", str(speed), "-w", str(wav_path), "--stdin"],
        input=text.encode("utf-8"),
        check=True,
        capture_output=True,
    )


def render_dialogue(
    turns: list[Turn],
    out: str | Path,
    *,
    speed: int = 160,
    pause: float = 0.4,
    engine: str | None = None,
) -> float:
    """Speak the turns with one voice per speaker and write them to one WAV file.

    Parameters
    ----------
    turns : list of Turn
        Non-empty; each speaker must be a key of :data:`VOICES`.
    out : str or Path
        The ``.wav`` file to write (mono, 16-bit, at the engine's sample rate).
    speed : int, default=160
        Speaking rate in words per minute, in ``[80, 450]`` (espeak-ng's range).
    pause : float, default=0.4
        Seconds of silence between turns, in ``[0, 5]``.
    engine : str, optional
        Path of espeak-ng; default :func:`find_engine`.

    Returns
    -------
    float
        Duration of the written audio in seconds.

    Raises
    ------
    SpeechEngineMissing
        If no engine is given and espeak-ng is not installed.
    ValueError
        If ``turns`` is empty, a speaker has no voice, or ``speed`` or ``pause`` is out of range.
    """
    if not turns:
        raise ValueError("turns must hold at least one Turn, got an empty list.")
    unknown = sorted({turn.speaker for turn in turns} - set(VOICES))
    if unknown:
        raise ValueError(f"turns must be spoken by {' or '.join(VOICES)}, got speaker(s) {unknown}.")
    if isinstance(speed, bool) or not isinstance(speed, int) or not 80 <= speed <= 450:
        raise UsageError(f"speed must be an integer number of words per minute in [80, 450], got {speed!r}.")
    if isinstance(pause, bool) or not isinstance(pause, (int, float)) or not 0 <= pause <= 5:
        raise UsageError(f"pause must be a number of seconds in [0, 5], got {pause!r}.")
    engine = find_engine() if engine is None else engine
    with tempfile.TemporaryDirectory(prefix="coursekit-audio-") as scratch:
        pieces = []
        for number, turn in enumerate(turns):
            path = Path(scratch) / f"turn{number:03d}.wav"
            _speak(engine, turn.text, VOICES[turn.speaker], speed, path)
            pieces.append(path)
        return _concatenate(pieces, Path(out), pause)


def _concatenate(pieces: list[Path], out: Path, pause: float) -> float:
    """Join WAV files of one format into ``out`` with ``pause`` seconds of silence between."""
    with wave.open(str(pieces[0]), "rb") as first:
        params = first.getparams()
    silence = b"\x00" * (round(pause * params.framerate) * params.sampwidth * params.nchannels)
    frames = 0
    with wave.open(str(out), "wb") as target:
        target.setnchannels(params.nchannels)
        target.setsampwidth(params.sampwidth)
        target.setframerate(params.framerate)
        for number, piece in enumerate(pieces):
            with wave.open(str(piece), "rb") as source:
                same = (source.getnchannels(), source.getsampwidth(), source.getframerate())
                if same != (params.nchannels, params.sampwidth, params.framerate):
                    raise ValueError(f"the engine wrote WAV pieces of different formats: {same} and {params[:3]}.")
                target.writeframes(source.readframes(source.getnframes()))
                frames += source.getnframes()
            if number + 1 < len(pieces):
                target.writeframes(silence)
                frames += len(silence) // (params.sampwidth * params.nchannels)
    return frames / params.framerate


def lesson_notebook(lesson: str, notebooks_dir: str | Path = NOTEBOOKS) -> Path:
    """The notebook of a lesson, given its number (``"2"``, ``"02"``) or a notebook path.

    Raises
    ------
    LessonError
        If no notebook of ``notebooks_dir`` has that number (a ``ValueError``).
    """
    if lesson.endswith(".ipynb"):
        return Path(lesson)
    return course.lesson_notebook(lesson, notebooks_dir)
