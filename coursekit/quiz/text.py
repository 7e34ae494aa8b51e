"""Text shown to people: control characters removed, lines wrapped, items lettered.

Every front end that prints bank or response text (the terminal quiz, the notebook's text
fallback, the grading report) goes through :func:`printable`, so a bank or a responses file
cannot move the cursor, recolour the terminal or hide text with escape sequences.
"""

from __future__ import annotations

import string
import textwrap
import unicodedata

WIDTH = 88
"""Line width of wrapped text."""

# Bidirectional overrides and isolates reorder what a terminal shows (the "Trojan Source" trick).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_KEPT = frozenset("\n\t")


def printable(text: str) -> str:
    """``text`` without control characters, safe to print to a terminal.

    Removes every C0 and C1 control character (ESC, BEL, backspace, carriage return, ...)
    except newline and tab, and the Unicode bidirectional controls. Nothing else changes.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return "".join(
        char
        for char in text
        if char in _KEPT
        or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS)
    )


def choice_letter(position: int) -> str:
    """Letter naming position ``position`` (0-based, at most 25) of a matching question's right side."""
    return string.ascii_uppercase[position]


def wrap_text(text: str, indent: str, first_indent: str | None = None) -> list[str]:
    """Wrap each line of ``text`` to :data:`WIDTH`, after removing control characters.

    Parameters
    ----------
    text : str
    indent : str
        Starts every line but the first.
    first_indent : str, optional
        Starts the first line; default ``indent``.

    Returns
    -------
    list of str
        Lines without newline characters.
    """
    lines = []
    first = indent if first_indent is None else first_indent
    for paragraph in printable(text).splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph, width=WIDTH, initial_indent=first, subsequent_indent=indent
        )
        lines.extend(wrapped or [""])
        first = indent
    return lines
