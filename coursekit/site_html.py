"""Rewrite the text of an HTML page and leave its markup alone: the site's post-processing step.

The site's pages come from nbconvert. A few things are changed in their text after that, before
a browser sees it: TeX becomes MathML (:mod:`coursekit.site_math`) and emoji become text badges
(:mod:`coursekit.site_marks`). Both work on *text nodes* only, so tags, attributes, scripts and
styles are never touched, and each can skip the text inside chosen elements (math is not
typeset inside ``<pre>`` or ``<code>``, as MathJax does not typeset it there either).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

_RAW_TEXT = ("script", "style")
"""Elements whose content is not HTML text (never rewritten, whatever ``skip`` says)."""

_TAG = re.compile(
    r"""<!--.*?-->|<![^>]*>|<(/?)([A-Za-z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""",
    re.DOTALL,
)


def map_text(page: str, rewrite: Callable[[str], str], skip: Iterable[str] = ()) -> str:
    """Apply ``rewrite`` to every text node of an HTML page outside the ``skip`` elements.

    Parameters
    ----------
    page : str
        An HTML document or fragment.
    rewrite : callable
        Takes a text node's text, with entities decoded (``"a < b"``), and returns the HTML that
        replaces it. It must escape what it keeps as text (:func:`html.escape`).
    skip : iterable of str
        Lower-case tag names whose content (at any depth) is left as it is. The content of
        ``<script>`` and ``<style>`` is always left as it is.

    Returns
    -------
    str
        The page with each text node replaced by ``rewrite``'s HTML; a text node that
        ``rewrite`` returns unchanged (once escaped) keeps its original spelling.
    """
    skipped = {name.lower() for name in skip}
    open_counts: dict[str, int] = {}
    parts: list[str] = []
    position = 0
    while position < len(page):
        match = _TAG.search(page, position)
        end = match.start() if match else len(page)
        text = page[position:end]
        if text:
            parts.append(text if any(open_counts.values()) else _rewrite(text, rewrite))
        if match is None:
            break
        parts.append(match.group(0))
        position = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if not name:
            continue
        if not closing and name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(page, position)
            stop = close.start() if close else len(page)
            parts.append(page[position:stop])
            position = stop
        elif name in skipped and not match.group(3).rstrip().endswith("/"):
            change = -1 if closing else 1
            open_counts[name] = max(0, open_counts.get(name, 0) + change)
    return "".join(parts)


def _rewrite(text: str, rewrite: Callable[[str], str]) -> str:
    decoded = html.unescape(text)
    new = rewrite(decoded)
    return text if new == html.escape(decoded, quote=False) else new
