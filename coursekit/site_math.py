"""TeX to MathML when the site is built, so that formulas render with no network and no script.

JupyterLab typesets the lessons' formulas with MathJax. The site does the same work once, at
build time, with latex2mathml, and browsers draw the MathML natively (Chromium, Firefox,
Safari). Formulas are found as JupyterLab finds them:

- ``$...$`` and ``\\(...\\)`` inline, ``$$...$$`` and ``\\[...\\]`` displayed;
- ``\\$`` is a literal dollar sign, and an opening ``$`` with no closing one is plain text;
- a delimiter inside braces does not close a formula (``$\\text{$x$}$`` is one formula);
- a formula does not run across a blank line (a paragraph break).

In a Markdown cell the formulas are taken out *before* the Markdown is rendered
(:func:`protect_markdown_math`), as JupyterLab does, so Markdown never sees them: a formula
continued on a line that starts with ``+ `` stays a formula, not a list, and ``\\,`` is not
eaten as an escaped comma. Code spans and fenced code (backticks) are left alone. After
rendering, :func:`restore_math` puts each formula back as MathML. Any formula left in the page's
text (an HTML or Markdown output) is converted by :func:`typeset_page`, which skips ``<pre>``,
``<code>``, ``<kbd>``, ``<samp>``, ``<textarea>`` and ``<math>``, as MathJax skips them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from coursekit.errors import CoursekitError
from coursekit.site_html import map_text

SKIPPED_ELEMENTS = ("pre", "code", "kbd", "samp", "textarea", "math")
"""Elements whose text is never read as TeX (MathJax's ``skipHtmlTags``, plus ``kbd``/``samp``)."""

_DELIMITERS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False))
"""(opening, closing, displayed), longest opening first."""

_UNCONVERTED = re.compile(r"\\[A-Za-z]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")
"""Stands for formula N of a page between Markdown rendering and :func:`restore_math`."""
_TAG_OR_TEXT = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_OPERATOR_NAMES = {"arg": "\\operatorname{arg}"}
"""Operators latex2mathml 3.81 does not know, in TeX it does."""


class MathError(CoursekitError, ValueError):
    """A formula that latex2mathml cannot convert (an unknown command, unbalanced braces)."""


@dataclass(frozen=True)
class Formula:
    """One formula found in a text.

    Attributes
    ----------
    tex : str
        The TeX between the delimiters, e.g. ``"\\alpha \\geq 0"``.
    display : bool
        True for ``$$...$$`` and ``\\[...\\]``.
    start, end : int
        Where the formula, delimiters included, is in the text: ``text[start:end]``.
    """

    tex: str
    display: bool
    start: int
    end: int


def find_formulas(text: str, code_spans: bool = False) -> list[Formula]:
    """The formulas of a text, as JupyterLab's MathJax finds them.

    Parameters
    ----------
    text : str
        Decoded text (one text node of a page), or a Markdown cell's source.
    code_spans : bool, default=False
        Skip backtick code spans and fences (a run of n backticks up to the next run of exactly n),
        as in Markdown source.

    Returns
    -------
    list of Formula
        In order, not overlapping. An escaped ``\\$`` never opens or closes one.
    """
    formulas: list[Formula] = []
    position = 0
    while position < len(text):
        if text.startswith("\\$", position):
            position += 2
            continue
        if code_spans and text[position] == "`":
            position = _after_code_span(text, position)
            continue
        opening = next(
            (delimiter for delimiter in _DELIMITERS if text.startswith(delimiter[0], position)), None
        )
        if opening is None:
            position += 1
            continue
        start, close, display = position, opening[1], opening[2]
        end = _closing(text, start + len(opening[0]), close)
        tex = text[start + len(opening[0]):end] if end is not None else ""
        if not tex.strip() or _PARAGRAPH_BREAK.search(tex):
            position = start + len(opening[0])
            continue
        formulas.append(Formula(tex, display, start, end + len(close)))
        position = end + len(close)
    return formulas


def _after_code_span(text: str, position: int) -> int:
    """Where the code span opened by the backtick run at ``position`` ends (CommonMark's rule)."""
    run = re.match(r"`+", text[position:]).group(0)
    closing = re.compile(rf"(?<!`){run}(?!`)").search(text, position + len(run))
    return closing.end() if closing else position + len(run)


def _closing(text: str, position: int, close: str) -> int | None:
    """Index of the closing delimiter at brace depth 0, skipping ``\\`` escapes; None if none."""
    depth = 0
    while position < len(text):
        if depth == 0 and text.startswith(close, position):
            return position
        character = text[position]
        if character == "\\":
            position += 2
            continue
        if character == "{":
            depth += 1
        elif character == "}":
            depth = max(0, depth - 1)
        position += 1
    return None


def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One formula as a ``<math>`` element.

    Parameters
    ----------
    tex : str
        TeX without delimiters, e.g. ``"\\tilde J(w) = J(w) + \\alpha \\Omega(w)"``.
    display : bool, default=False
        A displayed (block) formula rather than one in the running text.

    Returns
    -------
    str
        ``<math display="inline|block">...</math>``, with the TeX kept in ``alttext``.

    Raises
    ------
    MathError
        If latex2mathml cannot convert it, or leaves a TeX command (``\\foo``) unconverted.
    """
    from latex2mathml.converter import convert

    known = re.sub(
        r"\\([A-Za-z]+)(?![A-Za-z])",
        lambda match: _OPERATOR_NAMES.get(match.group(1), match.group(0)),
        tex.strip(),
    )
    try:
        mathml = convert(known, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises a dozen exception types, all of them bad TeX
        raise MathError(f"cannot convert the formula {tex!r} to MathML: {error}") from None
    leftover = _UNCONVERTED.search(html.unescape(re.sub(r"<[^>]+>", "", mathml)))
    if leftover:
        raise MathError(
            f"cannot convert the formula {tex!r} to MathML: latex2mathml does not know "
            f"{leftover.group(0)}."
        )
    alt = html.escape(" ".join(tex.split()), quote=True)
    return mathml.replace("<math ", f'<math alttext="{alt}" ', 1)


def typeset_text(text: str) -> str:
    """A decoded text node as HTML, each formula in it replaced by MathML.

    Raises
    ------
    MathError
        For a formula that cannot be converted (see :func:`tex_to_mathml`).
    """
    pieces: list[str] = []
    position = 0
    for formula in find_formulas(text):
        pieces.append(_plain(text[position:formula.start]))
        pieces.append(tex_to_mathml(formula.tex, formula.display))
        position = formula.end
    pieces.append(_plain(text[position:]))
    return "".join(pieces)


def _plain(text: str) -> str:
    return html.escape(text.replace("\\$", "$"), quote=False)


def protect_markdown_math(source: str, formulas: list[Formula]) -> str:
    """A Markdown cell's source with each formula replaced by a placeholder Markdown leaves alone.

    Parameters
    ----------
    source : str
        The Markdown of one cell.
    formulas : list of Formula
        The page's formulas so far; this cell's are appended (placeholder N is ``formulas[N]``).

    Returns
    -------
    str
        The source to render; pass the rendered page and ``formulas`` to :func:`restore_math`.
    """
    pieces: list[str] = []
    position = 0
    for formula in find_formulas(source, code_spans=True):
        pieces.append(source[position:formula.start])
        pieces.append(f"\ue000{len(formulas)}\ue001")
        formulas.append(formula)
        position = formula.end
    pieces.append(source[position:])
    return "".join(pieces)


def restore_math(page: str, formulas: list[Formula]) -> str:
    """Put the formulas of :func:`protect_markdown_math` back into the rendered page, as MathML.

    In text a placeholder becomes a ``<math>`` element; inside a tag (a heading's ``id``, a link's
    ``title``) it becomes the formula's TeX, as text.

    Raises
    ------
    MathError
        For a formula that cannot be converted (see :func:`tex_to_mathml`).
    """
    pieces = []
    for index, piece in enumerate(_TAG_OR_TEXT.split(page)):
        if index % 2:
            pieces.append(_PLACEHOLDER.sub(lambda m: html.escape(formulas[int(m.group(1))].tex), piece))
        else:
            pieces.append(_PLACEHOLDER.sub(lambda m: _mathml(formulas[int(m.group(1))]), piece))
    return "".join(pieces)


def _mathml(formula: Formula) -> str:
    return tex_to_mathml(formula.tex, formula.display)


def typeset_page(page: str) -> str:
    """A page's HTML with every formula in its text as MathML (see the module docstring).

    Parameters
    ----------
    page : str
        HTML, e.g. a lesson page written by nbconvert.

    Returns
    -------
    str

    Raises
    ------
    MathError
        For the first formula that cannot be converted, naming it.
    """
    return map_text(page, typeset_text, skip=SKIPPED_ELEMENTS)
