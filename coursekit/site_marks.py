"""Emoji in the site's pages become text badges, which every font can draw.

The exercise checks print ✅ (passed), ❌ (failed) and ⏳ (not implemented yet). On a computer
without an emoji font a browser draws those as empty boxes, so the site replaces each emoji, in
the outputs and the prose alike, by a short word in a coloured badge:

=====  =========  ====================
emoji  badge      class
=====  =========  ====================
✅     PASS       ``mark mark-pass``
✔️     PASS       ``mark mark-pass``
❌     FAIL       ``mark mark-fail``
⏳     TO DO      ``mark mark-todo``
⚠️     WARNING    ``mark mark-warning``
=====  =========  ====================

Any other emoji becomes its Unicode name in brackets (``🎯`` → ``[DIRECT HIT]``), so no emoji
reaches a page. The words are plain ASCII and the colours pass WCAG AA contrast (:data:`CSS`).
"""

from __future__ import annotations

import html
import re
import unicodedata

from coursekit.site_html import map_text

BADGES = {
    "\u2705": ("PASS", "pass"),
    "\u2714": ("PASS", "pass"),
    "\u274c": ("FAIL", "fail"),
    "\u23f3": ("TO DO", "todo"),
    "\u231b": ("TO DO", "todo"),
    "\u26a0": ("WARNING", "warning"),
}
"""Emoji with a badge of their own: the badge's word and its CSS class suffix."""

EMOJI = re.compile(
    "[\u231a\u231b\u23e9-\u23fa\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]\ufe0f?"
)
"""Emoji and pictographs (with an optional emoji-style variation selector U+FE0F)."""

CSS = """
  .mark { display: inline-block; padding: 0 0.35em; border-radius: 0.3em; font-weight: 600;
    font-family: var(--jp-ui-font-family, sans-serif); font-size: 0.85em; line-height: 1.4;
    color: #ffffff; }
  .mark-pass { background: #116329; }
  .mark-fail { background: #a40e26; }
  .mark-todo, .mark-warning { background: #6e4b00; }
  .mark-other { color: inherit; background: none; padding: 0; }
"""
"""Badge styles: white on dark green, red and brown (contrast 7.6, 7.3 and 8.0)."""


def badge(emoji: str) -> str:
    """The HTML that stands for one emoji, e.g. ``<span class="mark mark-pass">PASS</span>``.

    Parameters
    ----------
    emoji : str
        One emoji, optionally followed by U+FE0F.
    """
    base = emoji.rstrip("\ufe0f")
    if base in BADGES:
        word, kind = BADGES[base]
    else:
        word, kind = f"[{unicodedata.name(base, 'SYMBOL')}]", "other"
    return f'<span class="mark mark-{kind}">{html.escape(word)}</span>'


def _replace(text: str) -> str:
    pieces = []
    position = 0
    for match in EMOJI.finditer(text):
        pieces.append(html.escape(text[position:match.start()], quote=False))
        pieces.append(badge(match.group(0)))
        position = match.end()
    pieces.append(html.escape(text[position:], quote=False))
    return "".join(pieces)


def replace_emoji(page: str) -> str:
    """A page's HTML with every emoji in its text replaced by a badge (see the module docstring).

    Parameters
    ----------
    page : str
        HTML; scripts, styles and attributes are left alone.
    """
    return map_text(page, _replace)
