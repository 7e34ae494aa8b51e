"""``coursekit audio LESSON --out FILE.wav``: a lesson's dialogue spoken offline (:mod:`coursekit.audio`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    """Speak the lesson's dialogue cell into one WAV file."""
    from coursekit.audio import (
        ENGINE,
        STUDENT_VOICE,
        TEACHER_VOICE,
        SpeechEngineMissing,
        dialogue_turns,
        lesson_notebook,
        render_dialogue,
    )

    notebook = lesson_notebook(args.lesson)
    turns = dialogue_turns(notebook)
    try:
        seconds = render_dialogue(turns, args.out, speed=args.speed)
    except SpeechEngineMissing as error:
        print(f"coursekit: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode("utf-8", "replace").strip()
        print(f"coursekit: error: {ENGINE} failed: {message}", file=sys.stderr)
        return 1
    words = sum(len(turn.text.split()) for turn in turns)
    print(
        f"Wrote {args.out}: the dialogue of {notebook.name}, {len(turns)} turns, {words} words, "
        f"{seconds:.0f} s (teacher: {TEACHER_VOICE}, student: {STUDENT_VOICE})."
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit audio LESSON --out FILE.wav [--speed WPM]``."""
    from coursekit.audio import STUDENT_VOICE, TEACHER_VOICE

    audio = subparsers.add_parser(
        "audio",
        help="render a lesson's student-teacher dialogue to speech (WAV, offline)",
        description="Speak the dialogue cell of a lesson notebook with espeak-ng, fully "
        f"offline: the teacher with voice {TEACHER_VOICE}, the student with {STUDENT_VOICE}. "
        "Writes one WAV file. Needs espeak-ng (apt-get install espeak-ng).",
    )
    audio.add_argument("lesson", metavar="LESSON", help="lesson number (e.g. 00) or notebook path")
    audio.add_argument("--out", required=True, type=Path, metavar="FILE.wav", help="WAV file to write")
    audio.add_argument(
        "--speed", type=int, default=160, metavar="WPM",
        help="speaking rate in words per minute, 80 to 450 (default: 160)",
    )
    audio.set_defaults(run=run)
