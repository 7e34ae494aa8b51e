"""Alt text for the figures of a lesson page, from what the notebook says about each figure.

A matplotlib figure reaches the notebook as a PNG whose output carries no title (only
``<Figure size 880x256 with 3 Axes>``). The rule, for each image output of a code cell:

1. **Titles.** The string literals the cell passes as a title: ``fig.suptitle("...")``,
   ``ax.set_title("...")``, ``plt.title("...")`` and any ``title="..."`` keyword (including
   ``ax.set(title=...)`` and coursekit's plotting helpers). In an f-string each ``{...}`` is
   read as "…" (``f"rate = {rate}"`` → "rate = …").
2. **Axes.** Else, the cell's axis labels (``set_xlabel``/``set_ylabel``, ``xlabel=``/
   ``ylabel=``): "ylabel against xlabel".
3. **Where.** Always followed by the section it belongs to, the nearest Markdown heading above
   the cell: "Figure: <titles or axes>. Section: <heading>." With neither titles nor labels it is
   "Figure in the section <heading>." (a figure before any heading uses the lesson title).

An image output whose metadata already gives an alt text (``metadata["image/png"]["alt"]``)
keeps it. The result is stored as ``output.metadata["coursekit_alt"]`` for the page template.
"""

from __future__ import annotations

import ast
import re

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
ALT_KEY = "coursekit_alt"
_TITLE_CALLS = ("suptitle", "set_title", "title")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MAX_TITLES = 3


def _text_of(node: ast.expr) -> str | None:
    """A string literal, or an f-string with each replacement field read as "…"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("…")
        return "".join(parts)
    return None


def figure_words(source: str) -> tuple[list[str], dict[str, str]]:
    """The titles and axis labels a code cell gives its figures, in source order.

    Parameters
    ----------
    source : str
        A code cell's source.

    Returns
    -------
    titles : list of str
        The literal titles (see the module docstring), whitespace collapsed, duplicates removed.
    labels : dict
        ``{"x": ..., "y": ...}``: the first x and y axis labels found (either may be missing).
        Cells that are not valid Python (IPython magics) give nothing.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], {}
    titles: list[str] = []
    labels: dict[str, str] = {}
    calls = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    for call in calls:
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        found: list[tuple[str, ast.expr]] = []
        if name in _TITLE_CALLS and call.args:
            found.append(("title", call.args[0]))
        if name in ("set_xlabel", "xlabel") and call.args:
            found.append(("x", call.args[0]))
        if name in ("set_ylabel", "ylabel") and call.args:
            found.append(("y", call.args[0]))
        for keyword in call.keywords:
            kinds = {"title": "title", "xlabel": "x", "ylabel": "y"}
            if keyword.arg in kinds:
                found.append((kinds[keyword.arg], keyword.value))
        for kind, node in found:
            text = _text_of(node)
            if not text or not text.strip():
                continue
            text = " ".join(text.split())
            if kind == "title" and text not in titles:
                titles.append(text)
            elif kind in ("x", "y"):
                labels.setdefault(kind, text)
    return titles, labels


def alt_text(source: str, heading: str) -> str:
    """The alt text of a figure drawn by a code cell (the rule of the module docstring).

    Parameters
    ----------
    source : str
        The code cell's source.
    heading : str
        The nearest Markdown heading above the cell, as plain text.
    """
    titles, labels = figure_words(source)
    if titles:
        what = "; ".join(titles[:_MAX_TITLES])
    elif "x" in labels and "y" in labels:
        what = f"{labels['y']} against {labels['x']}"
    else:
        what = labels.get("y") or labels.get("x")
    where = heading if heading.endswith((".", "?", "!")) else f"{heading}."
    if what:
        return f"Figure: {what.rstrip('.')}. Section: {where}"
    return f"Figure in the section {where}"


def _plain_heading(markdown: str) -> str:
    """Heading text without Markdown emphasis (``*``), code marks or link targets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(re.sub(r"[*`]", "", text).split())


def annotate_figures(notebook, lesson_title: str) -> int:
    """Give every image output of a notebook its alt text, in ``metadata["coursekit_alt"]``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        Changed in place (use a copy read for the page; nothing is written back).
    lesson_title : str
        Where a figure above the first heading belongs.

    Returns
    -------
    int
        The number of image outputs annotated.
    """
    heading = lesson_title
    count = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            headings = _HEADING.findall(cell.source)
            if headings:
                heading = _plain_heading(headings[-1])
            continue
        for output in cell.get("outputs", []):
            kinds = [kind for kind in IMAGE_TYPES if kind in output.get("data", {})]
            if not kinds:
                continue
            given = output.get("metadata", {}).get(kinds[0], {})
            given_alt = given.get("alt") if isinstance(given, dict) else None
            output.setdefault("metadata", {})[ALT_KEY] = given_alt or alt_text(cell.source, heading)
            count += 1
    return count
