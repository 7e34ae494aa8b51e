"""The static course site: ``make site`` (``coursekit site``) writes ``build/site/``.

Every page is made by nbconvert's ``lab`` HTML template, so lessons look as they do in
JupyterLab:

- ``index.html``: the lesson sequence with each lesson's estimated time and objectives;
- one page per lesson notebook (``00_overfitting.html``, ...) with its stored outputs; figures
  are embedded in the page as ``data:`` images;
- ``glossary.html``: every term of ``quizzes/glossary.yaml``, grouped by lesson, with links
  between related terms;
- a header on each page: course index, previous and next lesson, glossary, the lesson's
  notebook to download (copied to ``notebooks/``), and a search box; the navigation again at
  the bottom.

The pages are built from the notebooks as stored, i.e. as last executed by ``make execute``
(nbval keeps those outputs honest); a notebook with a code cell that was never run is refused.
The title, estimated time and objectives come from each notebook's first cell, so the index
never repeats them by hand.

The site works offline and loads nothing from another host:

- **Math** is converted from TeX to MathML when the site is built (:mod:`coursekit.site_math`),
  which browsers draw natively; no MathJax. A formula latex2mathml cannot convert stops the build
  with a message naming it.
- **Emoji** (✅ ❌ ⏳ in the exercise checks' outputs) become text badges, PASS / FAIL / TO DO
  (:mod:`coursekit.site_marks`), which need no emoji font.
- **Figures** get alt text from the titles or axis labels their cell gives them, and the section
  they are in (:mod:`coursekit.site_figures` states the rule).
- **Search** is a Pagefind index written into ``pagefind/`` at build time
  (:mod:`coursekit.site_search`); it needs the site served over HTTP, not opened as a file.
- The template's require.js, MathJax and Mermaid scripts (all from CDNs) are left out.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from coursekit import course
from coursekit.course import NOTEBOOKS, lesson_notebooks
from coursekit.quiz.model import Glossary
from coursekit.site_figures import annotate_figures
from coursekit.site_marks import CSS as MARKS_CSS
from coursekit.site_marks import replace_emoji
from coursekit.site_math import MathError, protect_markdown_math, restore_math, typeset_page
from coursekit.site_search import CSS as SEARCH_CSS
from coursekit.site_search import FORM as SEARCH_FORM
from coursekit.site_search import RESULTS as SEARCH_RESULTS
from coursekit.site_search import SCRIPT as SEARCH_SCRIPT
from coursekit.site_search import build_index

COURSE_TITLE = "Regularization in Deep Learning"
DEFAULT_OUT = course.build_dir() / "site"
MARKER = ".coursekit-site"
"""File that marks a folder as written by :func:`build_site` (stale pages in it may be removed)."""
NOTEBOOK_FOLDER = "notebooks"
"""Where the site keeps a copy of each lesson notebook, for download."""

_TITLE = re.compile(r"^#\s+Lesson\s+(\d+)\s*[—–-]+\s*(.+?)\s*$", re.MULTILINE)
_MINUTES = re.compile(r"about\s+(\d+)\s+minutes", re.IGNORECASE)
_OBJECTIVES_INTRO = "By the end of this lesson you can"
_ITEM = re.compile(r"^\s*\d+\.\s+(.*)$")
_NOTEBOOK_HREF = re.compile(r'href="(?:\./)?([^"/:#?]+)\.ipynb(#[^"]*)?"')

_TEMPLATE_NAME = "coursekit-page.html.j2"
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style>
{{ resources.course.css }}
</style>
{% endblock extra_css %}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<header class="course-header">
{{ resources.course.header }}
</header>
{{ resources.course.search_results }}
<main data-pagefind-body>
{%- endblock body_header -%}
{% block body_footer %}
</main>
<footer class="course-footer">
{{ resources.course.nav_bottom }}
</footer>
{{ resources.course.script }}
</body>
{% endblock body_footer %}
{% block data_png scoped %}
{%- set alt = output.metadata.get('coursekit_alt') -%}
{%- if alt -%}{{ super() | replace('<img ', '<img alt="' ~ (alt | e) ~ '" ', 1) }}
{%- else -%}{{ super() }}{%- endif -%}
{% endblock data_png %}
{% block data_jpg scoped %}
{%- set alt = output.metadata.get('coursekit_alt') -%}
{%- if alt -%}{{ super() | replace('<img ', '<img alt="' ~ (alt | e) ~ '" ', 1) }}
{%- else -%}{{ super() }}{%- endif -%}
{% endblock data_jpg %}
"""

_CSS = """
  header.course-header, footer.course-footer { font-family: var(--jp-ui-font-family, sans-serif);
    font-size: 14px; }
  nav.course-nav { display: flex; flex-wrap: wrap; gap: 0.4em 1.5em; align-items: baseline;
    padding: 0.6em 1em; margin: 0 0 1em; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
  nav.course-nav.bottom { border-top: 1px solid #d0d7de; border-bottom: none; margin: 2em 0 0; }
  nav.course-nav a { color: #0550ae; text-decoration: underline; }
  nav.course-nav .course-name { font-weight: 600; }
  p.course-download { margin: 0 1em 1em; }
  p.course-download a, body.jp-Notebook .jp-RenderedHTMLCommon a:link,
  body.jp-Notebook .jp-RenderedHTMLCommon a:visited { color: #0550ae; text-decoration: underline; }
  /* WCAG AA contrast (4.5:1 on the code background #f5f5f5) for JupyterLab's light theme,
     whose prompts are drawn at half opacity and some of whose syntax colours are too pale. */
  body.jp-Notebook {
    --jp-cell-prompt-not-active-opacity: 1;
    --jp-cell-prompt-not-active-font-color: #616161;
    --jp-cell-inprompt-font-color: #1f5f99;
    --jp-cell-outprompt-font-color: #9c4328;
    --jp-mirror-editor-atom-color: #3a3ad6;
    --jp-mirror-editor-bracket-color: #6b6b4f;
    --jp-mirror-editor-builtin-color: #007000;
    --jp-mirror-editor-comment-color: #3b6e6e;
    --jp-mirror-editor-error-color: #c00000;
    --jp-mirror-editor-hr-color: #6e6e6e;
    --jp-mirror-editor-keyword-color: #007000;
    --jp-mirror-editor-meta-color: #7a1fd6;
    --jp-mirror-editor-number-color: #116329;
    --jp-mirror-editor-operator-color: #7a1fd6;
    --jp-mirror-editor-quote-color: #006e00;
    --jp-mirror-editor-variable-3-color: #00704f;
  }
""" + MARKS_CSS + SEARCH_CSS
"""The site's own styles: navigation, badges (:mod:`coursekit.site_marks`), search, contrast."""


@dataclass(frozen=True)
class LessonInfo:
    """What the index says about one lesson, read from the notebook's first cell.

    Attributes
    ----------
    number : str
        Two-digit lesson number, e.g. ``"00"``.
    title : str
        The title after "Lesson NN —", e.g. ``"Overfitting, underfitting and capacity"``.
    minutes : int or None
        Estimated time ("about 45 minutes"), or None when the cell gives none.
    objectives : tuple of str
        The numbered learning objectives, as Markdown, in order (may be empty).
    notebook : Path
        The ``.ipynb`` file.
    """

    number: str
    title: str
    minutes: int | None
    objectives: tuple[str, ...]
    notebook: Path

    @property
    def page(self) -> str:
        """File name of the lesson's page, e.g. ``"00_overfitting.html"``."""
        return self.notebook.with_suffix(".html").name

    @property
    def heading(self) -> str:
        """``"Lesson 00 — Overfitting, underfitting and capacity"``."""
        return f"Lesson {self.number} — {self.title}"


def lesson_info(notebook_path: str | Path) -> LessonInfo:
    """Read a lesson's number, title, estimated time and objectives from its first cell.

    Parameters
    ----------
    notebook_path : str or Path
        A lesson notebook whose first cell is Markdown starting with
        ``# Lesson NN — Title``; the cell may say "about M minutes" and list objectives as a
        numbered list after "By the end of this lesson you can".

    Returns
    -------
    LessonInfo

    Raises
    ------
    ValueError
        If the notebook has no first Markdown cell with a ``# Lesson NN — Title`` heading.
    """
    import nbformat

    path = Path(notebook_path)
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0] if notebook.cells else None
    match = _TITLE.search(first.source) if first is not None and first.cell_type == "markdown" else None
    if match is None:
        raise ValueError(
            f"notebook_path {str(path)!r} must start with a Markdown cell whose heading is "
            "'# Lesson NN — Title'."
        )
    minutes = _MINUTES.search(first.source)
    return LessonInfo(
        number=f"{int(match.group(1)):02d}",
        title=match.group(2),
        minutes=int(minutes.group(1)) if minutes else None,
        objectives=_objectives(first.source),
        notebook=path,
    )


def _objectives(source: str) -> tuple[str, ...]:
    """The numbered items after the objectives line; indented lines continue an item."""
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if _OBJECTIVES_INTRO in line), None)
    if start is None:
        return ()
    items: list[str] = []
    for line in lines[start + 1:]:
        item = _ITEM.match(line)
        if item:
            items.append(item.group(1).strip())
        elif items and line.strip() and line[:1].isspace():
            items[-1] += " " + line.strip()
        elif items:
            break
    return tuple(items)


def _check_executed(notebook, path: Path) -> None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None:
            raise ValueError(
                f"{path} has a code cell that was never run (cell {index}); the site shows "
                "stored outputs, so run `make execute` first."
            )


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _nav(previous: tuple[str, str] | None, following: tuple[str, str] | None, where: str) -> str:
    """The navigation bar: course index, previous and next page, glossary."""
    parts = [f'<span class="course-name">{_link("index.html", COURSE_TITLE)}</span>']
    if previous is not None:
        parts.append(f"<span>← Previous: {_link(*previous)}</span>")
    if following is not None:
        parts.append(f"<span>Next: {_link(*following)} →</span>")
    parts.append(f"<span>{_link('glossary.html', 'Glossary')}</span>")
    label = "Course" if where == "top" else "Course, end of page"
    return f'<nav class="course-nav {where}" aria-label="{label}">{"".join(parts)}</nav>'


def _navs(previous: tuple[str, str] | None, following: tuple[str, str] | None) -> tuple[str, str]:
    """The navigation bars for the top and the bottom of a page."""
    return _nav(previous, following, "top"), _nav(previous, following, "bottom")


def _minutes_text(minutes: int | None) -> str:
    return "–" if minutes is None else f"about {minutes} min"


def index_markdown(lessons: list[LessonInfo]) -> str:
    """The index page as Markdown: the lesson table, then each lesson's objectives.

    Parameters
    ----------
    lessons : list of LessonInfo
        In course order.
    """
    lines = [
        f"# {COURSE_TITLE}",
        "",
        "The lessons of the course in order. Each page is the lesson notebook as last executed, "
        "with its outputs and figures. To run the code, change it and solve the exercises, open "
        "the notebook in JupyterLab (`make lab`). Every key term is in the "
        "[glossary](glossary.html).",
        "",
        "| # | lesson | estimated time |",
        "| --- | --- | --- |",
    ]
    for lesson in lessons:
        lines.append(
            f"| {lesson.number} | [{lesson.title}]({lesson.page}) | {_minutes_text(lesson.minutes)} |"
        )
    known = [lesson.minutes for lesson in lessons if lesson.minutes is not None]
    if known:
        lines += ["", f"Total: about {sum(known)} minutes ({sum(known) / 60:.1f} hours)."]
    for lesson in lessons:
        lines += ["", f"## [{lesson.heading}]({lesson.page})", ""]
        lines.append(f"*Estimated time: {_minutes_text(lesson.minutes)}.*")
        if lesson.objectives:
            lines += ["", "By the end of this lesson you can:", ""]
            lines += [f"{number}. {text}" for number, text in enumerate(lesson.objectives, 1)]
    return "\n".join(lines)


def glossary_markdown(glossary: Glossary, lessons: list[LessonInfo]) -> str:
    """The glossary page as Markdown: the terms of each lesson, with anchors and links.

    Parameters
    ----------
    glossary : Glossary
        From :func:`coursekit.quiz.glossary.load_glossary`.
    lessons : list of LessonInfo
        The lessons that have a page; a term of another lesson is listed without a link.

    Notes
    -----
    Each term gets the anchor ``#term-<id>``, so ``glossary.html#term-dropout`` links to it.
    """
    pages = {lesson.number: lesson for lesson in lessons}
    numbers = sorted({term.lesson for term in glossary.terms})
    lines = [
        "# Glossary",
        "",
        f"The {len(glossary.terms)} key terms of the course, by the lesson that introduces them. "
        "The same definitions appear in each lesson's *Key terms* section, the quizzes and the "
        "flashcards (`coursekit flashcards`).",
    ]
    for number in numbers:
        lesson = pages.get(number)
        heading = f"[{lesson.heading}]({lesson.page})" if lesson else f"Lesson {number}"
        lines += ["", f"## {heading}", ""]
        for term in glossary.for_lesson(number):
            lines.append(
                f'- <a id="term-{term.id}"></a>**{" ".join(term.term.split())}**: '
                f'{" ".join(term.definition.split())}'
            )
            lines.append(f"  - *Example:* {' '.join(term.example.split())}")
            related = [
                f"[{glossary.by_id[other].term}](#term-{other})"
                for other in term.related
                if other in glossary.by_id
            ]
            if related:
                lines.append(f"  - *Related:* {', '.join(related)}")
    return "\n".join(lines)


def _markdown_notebook(markdown: str, title: str):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(markdown)]
    notebook.metadata["title"] = title
    return notebook


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input_prompt=False,
    )


def _notebook_links_to_pages(body: str, pages: set[str]) -> str:
    """Point Markdown links to lesson notebooks (``01_norm_penalties.ipynb``) at their pages."""

    def replace(match: re.Match) -> str:
        page = match.group(1) + ".html"
        return f'href="{page}{match.group(2) or ""}"' if page in pages else match.group(0)

    return _NOTEBOOK_HREF.sub(replace, body)


def _download(notebook_name: str | None) -> str:
    """The header's link to the lesson's notebook, copied into the site's ``notebooks/``."""
    if notebook_name is None:
        return ""
    href = html.escape(f"{NOTEBOOK_FOLDER}/{notebook_name}")
    return (
        f'<p class="course-download"><a href="{href}" download>Download this lesson\'s notebook '
        f"({html.escape(notebook_name)})</a> to run it in JupyterLab.</p>"
    )


def _render(
    exporter, notebook, nav: tuple[str, str], out: Path, pages: set[str],
    download: str | None = None,
) -> Path:
    """Write one page: Markdown math protected, figures given alt text, then post-processed.

    ``download`` is the file name of the notebook to link for download (lesson pages only).
    """
    formulas = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = protect_markdown_math(cell.source, formulas)
    annotate_figures(notebook, notebook.metadata.get("title", COURSE_TITLE))
    resources = {
        "course": {
            "header": nav[0] + _download(download) + SEARCH_FORM,
            "nav_bottom": nav[1],
            "search_results": SEARCH_RESULTS,
            "script": SEARCH_SCRIPT,
            "css": _CSS,
        }
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    try:
        body = typeset_page(restore_math(body, formulas))
    except MathError as error:
        raise MathError(f"{out.name}: {error}") from None
    body = replace_emoji(body)
    out.write_text(_notebook_links_to_pages(body, pages), encoding="utf-8")
    return out


def _prepare_out(out_dir: Path, pages: set[str]) -> None:
    """Create ``out_dir``; in a previous site, remove pages this build no longer writes."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"out_dir must be a folder, got the file {str(out_dir)!r}.")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise ValueError(
            f"out_dir {str(out_dir)!r} is not empty and was not written by coursekit site; "
            "choose an empty or new folder."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.html"):
        if stale.name not in pages:
            stale.unlink()
    if (out_dir / NOTEBOOK_FOLDER).is_dir():
        shutil.rmtree(out_dir / NOTEBOOK_FOLDER)
    (out_dir / MARKER).write_text("Written by `coursekit site`; safe to delete.\n")


def build_site(
    out_dir: str | Path = DEFAULT_OUT,
    notebooks_dir: str | Path = NOTEBOOKS,
    glossary: Glossary | None = None,
) -> list[Path]:
    """Write the static course site.

    Parameters
    ----------
    out_dir : str or Path, default="build/site" in the repository
        Folder to write; created if needed. It must be new, empty, or a previous site.
    notebooks_dir : str or Path, default="notebooks" in the repository
        Folder of the executed lesson notebooks ``NN_name.ipynb``.
    glossary : Glossary, optional
        Default :func:`coursekit.quiz.glossary.load_glossary`.

    Returns
    -------
    list of Path
        The pages written: ``index.html``, the lessons in order, ``glossary.html``. Beside them
        the site has ``notebooks/`` (each lesson's ``.ipynb``, for download) and ``pagefind/``
        (the search index).

    Raises
    ------
    ValueError
        If there is no lesson notebook, a notebook has a code cell that was never run, or its
        first cell has no ``# Lesson NN — Title`` heading.
    coursekit.site_math.MathError
        If a formula cannot be converted to MathML (the message names the page and formula).
    coursekit.errors.CoursekitError
        If Pagefind is missing or cannot index the site.
    """
    import nbformat

    from coursekit.quiz.glossary import load_glossary

    out_dir, notebooks_dir = Path(out_dir), Path(notebooks_dir)
    paths = list(lesson_notebooks(notebooks_dir).values())
    if not paths:
        raise ValueError(
            f"notebooks_dir {str(notebooks_dir)!r} has no lesson notebooks (NN_name.ipynb)."
        )
    glossary = load_glossary() if glossary is None else glossary
    lessons = [lesson_info(path) for path in paths]
    pages = {"index.html", "glossary.html", *(lesson.page for lesson in lessons)}
    _prepare_out(out_dir, pages)

    exporter = _exporter()
    links = [(lesson.page, lesson.heading) for lesson in lessons]
    index = _markdown_notebook(index_markdown(lessons), COURSE_TITLE)
    written = [_render(exporter, index, _navs(None, links[0]), out_dir / "index.html", pages)]
    for position, lesson in enumerate(lessons):
        notebook = nbformat.read(lesson.notebook, as_version=4)
        _check_executed(notebook, lesson.notebook)
        notebook.metadata["title"] = f"{lesson.heading} · {COURSE_TITLE}"
        previous = links[position - 1] if position > 0 else ("index.html", "Course index")
        following = links[position + 1] if position + 1 < len(links) else ("glossary.html", "Glossary")
        navs = _navs(previous, following)
        written.append(
            _render(exporter, notebook, navs, out_dir / lesson.page, pages, lesson.notebook.name)
        )
        (out_dir / NOTEBOOK_FOLDER).mkdir(exist_ok=True)
        shutil.copyfile(lesson.notebook, out_dir / NOTEBOOK_FOLDER / lesson.notebook.name)
    glossary_page = _markdown_notebook(
        glossary_markdown(glossary, lessons), f"Glossary · {COURSE_TITLE}"
    )
    written.append(
        _render(exporter, glossary_page, _navs(links[-1], None), out_dir / "glossary.html", pages)
    )
    build_index(out_dir)
    return written


class _References(HTMLParser):
    """Collects ``href``/``src`` values and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag == "a" and name == "href") or (tag == "img" and name == "src"):
                self.references.append(value)


def broken_links(site_dir: str | Path) -> list[str]:
    """Internal links and images of a built site that point at nothing.

    Parameters
    ----------
    site_dir : str or Path
        A folder written by :func:`build_site`.

    Returns
    -------
    list of str
        One ``"page: reference"`` line per link to a missing file or a missing ``#anchor``,
        and per ``<img>`` whose file is missing; empty when every internal reference resolves.
        External (``http:``, ``https:``, ``mailto:``) and ``data:`` references are not checked.
    """
    site_dir = Path(site_dir)
    pages = {}
    for page in sorted(site_dir.glob("*.html")):
        parser = _References()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[page.name] = parser
    problems = []
    for name, parser in pages.items():
        for reference in parser.references:
            parts = urlsplit(reference)
            if parts.scheme or parts.netloc:
                continue
            target = unquote(parts.path) or name
            # As browsers do, a fragment matches an id as written or percent-decoded (nbconvert
            # writes heading ids percent-encoded).
            fragments = {parts.fragment, unquote(parts.fragment)}
            if not (site_dir / target).is_file():
                problems.append(f"{name}: {reference}")
            elif parts.fragment and target in pages and not fragments & pages[target].ids:
                problems.append(f"{name}: {reference}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m coursekit.site``: the same as ``coursekit site``."""
    from coursekit.cli import main as cli_main

    return cli_main(["site", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
