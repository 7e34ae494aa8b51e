"""Normalisation of free-text answers, shared by grading and validation.

Two texts are the same answer when their normal forms are equal. The normal form is lenient about
what does not change the meaning of a short answer (letter case, Unicode variants, spacing,
hyphens, a final full stop) and strict about everything else (spelling, word order).
"""

from __future__ import annotations

import re
import unicodedata

# Every dash-like character a keyboard or a word processor may produce counts as a hyphen.
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_HYPHENS_AND_SPACE = re.compile(f"[{_HYPHENS}\\s]+")


def normalize_text(text: str) -> str:
    """Return the normal form of a short answer.

    The steps are: Unicode NFKC normalisation (so that, e.g., a full-width "Ｌ２" equals "L2"),
    case folding, removal of a trailing full stop, and removal of every hyphen and every
    whitespace character. The last step makes "early stopping", "early-stopping", "Early  Stopping"
    and "earlystopping" the same answer.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The normal form; empty when ``text`` holds only spaces, hyphens and a full stop.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    # NFKC again after case folding: folding can produce characters that NFKC would change.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    folded = folded.strip()
    folded = folded.rstrip(".").strip()
    return _HYPHENS_AND_SPACE.sub("", folded)
