"""The static course site (coursekit.site), built from small notebooks made here.

The browser checks of the real site (every page loads offline, images decode, MathML is drawn,
search finds a page, axe-core finds no serious violation) are in tests/e2e/.
"""

import html
import re
import sys
from pathlib import Path

import nbformat
import pytest

from coursekit import site_search
from coursekit.cli import main
from coursekit.errors import CoursekitError, EngineMissing
from coursekit.grading.editions import NOTEBOOKS, lesson_notebooks
from coursekit.quiz.glossary import load_glossary
from coursekit.site import broken_links, build_site, lesson_info
from coursekit.site_figures import alt_text, figure_words
from coursekit.site_html import map_text
from coursekit.site_marks import EMOJI, replace_emoji
from coursekit.site_math import MathError, find_formulas, protect_markdown_math, typeset_page

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
MATH = r"$\alpha \geq 0$ and $a < b$"
CHECK_OUTPUT = "⏳ dropout_forward: not implemented yet\n✅ l2_penalty: passed all 5 checks.\n"


def _first_cell(number: str, title: str, minutes: int) -> str:
    return (
        f"# Lesson {number} — {title}\n\n"
        f"*Regularization in Deep Learning* · lesson {int(number)} of 7 · about {minutes} minutes\n\n"
        "**By the end of this lesson you can:**\n"
        f"1. state what {title.lower()} does;\n"
        "2. measure it on a problem that is long enough\n"
        "   to wrap onto a second line;\n"
        "3. use it in Keras.\n\n"
        "Some closing sentence."
    )


def _lesson(path: Path, number: str, title: str, minutes: int, *, executed: bool = True) -> Path:
    figure = nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
    checks = nbformat.v4.new_output("stream", name="stdout", text=CHECK_OUTPUT)
    code = nbformat.v4.new_code_cell(
        'ax.set_title("Loss curves")\nplt.show()',
        execution_count=1 if executed else None,
        outputs=[figure, checks] if executed else [],
    )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(_first_cell(number, title, minutes)),
        nbformat.v4.new_markdown_cell(f"## The idea\n\nThe strength is {MATH}."),
        code,
    ]
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    _lesson(folder / "00_first.ipynb", "00", "Overfitting", 45)
    _lesson(folder / "01_second.ipynb", "01", "Norm penalties", 60)
    _lesson(folder / "02_third.ipynb", "02", "Dropout", 50)
    return folder


@pytest.fixture(scope="module")
def site(notebooks, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out, notebooks)
    return out


def _text(page: Path) -> str:
    """The page's text without tags, entities decoded and whitespace collapsed."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page.read_text(), flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _nav_hrefs(page: Path) -> list[str]:
    nav = re.search(r'<nav[^>]*"course-nav top".*?</nav>', page.read_text(), re.DOTALL).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def test_lesson_info_reads_number_title_minutes_and_objectives(notebooks):
    info = lesson_info(notebooks / "01_second.ipynb")
    assert (info.number, info.title, info.minutes) == ("01", "Norm penalties", 60)
    assert info.page == "01_second.html"
    assert info.objectives[0] == "state what norm penalties does;"
    assert len(info.objectives) == 3


def test_lesson_info_joins_an_objective_wrapped_onto_two_lines(notebooks):
    info = lesson_info(notebooks / "00_first.ipynb")
    assert info.objectives[1] == "measure it on a problem that is long enough to wrap onto a second line;"


def test_lesson_info_rejects_a_notebook_without_a_lesson_heading(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Notes\n\nNo lesson here.")]
    nbformat.write(notebook, tmp_path / "00_notes.ipynb")
    with pytest.raises(ValueError, match="00_notes.ipynb.*# Lesson NN"):
        lesson_info(tmp_path / "00_notes.ipynb")


@pytest.mark.parametrize("path", sorted(lesson_notebooks(NOTEBOOKS).values()), ids=lambda p: p.name)
def test_every_course_notebook_gives_the_index_a_time_and_objectives(path):
    info = lesson_info(path)
    assert info.minutes is not None and info.minutes > 0
    assert len(info.objectives) >= 2


def test_build_site_writes_index_lessons_in_order_and_glossary(notebooks, tmp_path):
    pages = build_site(tmp_path / "site", notebooks)
    assert [page.name for page in pages] == [
        "index.html", "00_first.html", "01_second.html", "02_third.html", "glossary.html",
    ]


def test_index_lists_every_lesson_with_its_time_and_objectives(site):
    text = _text(site / "index.html")
    for title, minutes in [("Overfitting", 45), ("Norm penalties", 60), ("Dropout", 50)]:
        assert title in text
        assert f"about {minutes} min" in text
    assert "state what dropout does;" in text
    assert "Total: about 155 minutes" in text


def test_index_links_every_lesson_page(site):
    hrefs = set(re.findall(r'href="([^"#]+)"', (site / "index.html").read_text()))
    assert {"00_first.html", "01_second.html", "02_third.html", "glossary.html"} <= hrefs


def test_lesson_page_embeds_its_figure_as_a_data_uri(site):
    assert f'src="data:image/png;base64,{PNG}"' in (site / "01_second.html").read_text()


def test_first_lesson_goes_back_to_the_index_and_on_to_the_second(site):
    assert _nav_hrefs(site / "00_first.html") == [
        "index.html", "index.html", "01_second.html", "glossary.html",
    ]


def test_middle_lesson_links_previous_and_next_lessons(site):
    assert _nav_hrefs(site / "01_second.html") == [
        "index.html", "00_first.html", "02_third.html", "glossary.html",
    ]


def test_last_lesson_goes_on_to_the_glossary(site):
    assert _nav_hrefs(site / "02_third.html") == [
        "index.html", "01_second.html", "glossary.html", "glossary.html",
    ]


def test_math_is_mathml_in_the_built_page(site):
    page = (site / "00_first.html").read_text()
    assert page.count('<math alttext="\\alpha \\geq 0"') == 1
    assert '<math alttext="a &lt; b"' in page
    assert "$" not in _text(site / "00_first.html")


def test_pages_load_no_script_or_style_from_another_host(site):
    for page in site.glob("*.html"):
        text = page.read_text()
        assert re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', text) == []
        assert "mathjax" not in text.lower()


def test_pages_do_not_load_require_js_from_a_cdn(site):
    assert "require.min.js" not in (site / "00_first.html").read_text()


def test_exercise_check_emoji_become_text_badges(site):
    page = (site / "00_first.html").read_text()
    assert '<span class="mark mark-todo">TO DO</span> dropout_forward' in page
    assert '<span class="mark mark-pass">PASS</span> l2_penalty' in page
    assert EMOJI.search(_text(site / "00_first.html")) is None


def test_figure_alt_text_comes_from_its_title_and_section(site):
    page = (site / "00_first.html").read_text()
    assert 'alt="Figure: Loss curves. Section: The idea."' in page
    assert "No description has been provided" not in page


def test_lesson_page_links_its_notebook_for_download(site, notebooks):
    page = (site / "01_second.html").read_text()
    assert '<a download="" href="notebooks/01_second.ipynb">' in page
    copy = site / "notebooks" / "01_second.ipynb"
    assert copy.read_bytes() == (notebooks / "01_second.ipynb").read_bytes()


def test_only_lesson_pages_offer_a_notebook(site):
    assert "download=" not in (site / "index.html").read_text()


def test_build_writes_a_search_index_and_every_page_has_the_search_form(site):
    assert (site / "pagefind" / "pagefind.js").is_file()
    for page in site.glob("*.html"):
        text = page.read_text()
        assert re.search(r'<form [^>]*role="search"', text)
        assert '<label for="course-search-input">' in text
        assert re.search(r"<main data-pagefind-body(?:=\"\")?>", text)


def test_rebuild_removes_the_notebook_of_a_removed_lesson(notebooks, tmp_path):
    out = tmp_path / "site"
    build_site(out, notebooks)
    (out / "notebooks" / "09_removed.ipynb").write_text("{}")
    build_site(out, notebooks)
    assert sorted(path.name for path in (out / "notebooks").iterdir()) == [
        "00_first.ipynb", "01_second.ipynb", "02_third.ipynb",
    ]


def test_build_stops_at_a_formula_it_cannot_convert_naming_page_and_formula(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    lesson = _lesson(folder / "00_first.ipynb", "00", "Overfitting", 45)
    notebook = nbformat.read(lesson, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(r"Broken: $\notacommand{x}$."))
    nbformat.write(notebook, lesson)
    with pytest.raises(MathError, match=r"00_first\.html: .*\\notacommand"):
        build_site(tmp_path / "site", folder)


def test_find_formulas_knows_the_four_delimiters():
    text = r"a $x$ b $$y$$ c \(z\) d \[w\] e"
    found = [(formula.tex, formula.display) for formula in find_formulas(text)]
    assert found == [("x", False), ("y", True), ("z", False), ("w", True)]


def test_find_formulas_skips_escaped_and_unclosed_dollars():
    assert find_formulas(r"costs \$5 and \$6") == []
    assert find_formulas("a lone $ sign") == []


def test_a_dollar_inside_braces_does_not_close_a_formula():
    assert [formula.tex for formula in find_formulas(r"$\text{$x$} + 1$")] == [r"\text{$x$} + 1"]


def test_a_formula_does_not_run_across_a_blank_line():
    assert find_formulas("$a\n\nb$") == []


def test_markdown_code_spans_keep_their_dollars():
    formulas = []
    source = "Type `$x$` or ``$$y$$``, then $z$."
    protected = protect_markdown_math(source, formulas)
    assert protected.startswith("Type `$x$` or ``$$y$$``, then ")
    assert [formula.tex for formula in formulas] == ["z"]


def test_a_formula_continued_on_a_line_starting_with_plus_stays_one_formula(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    lesson = _lesson(folder / "00_first.ipynb", "00", "Overfitting", 45)
    notebook = nbformat.read(lesson, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("It minimises $a\\,b\n+ c$ here."))
    nbformat.write(notebook, lesson)
    build_site(tmp_path / "site", folder)
    page = (tmp_path / "site" / "00_first.html").read_text()
    assert '<math alttext="a\\,b + c"' in page
    assert "<li>" not in page.split("It minimises")[1].split("</p>")[0]


def test_typeset_page_leaves_code_and_scripts_alone():
    page = "<p>$x$</p><pre>$y$</pre><code>$z$</code><script>let a = '$w$';</script>"
    out = typeset_page(page)
    assert out.count("<math ") == 1
    assert "<pre>$y$</pre><code>$z$</code><script>let a = '$w$';</script>" in out


def test_map_text_keeps_markup_and_untouched_text_byte_for_byte():
    page = '<p title="a &amp; b">x &amp; y<br/>z</p>'
    upper = map_text(page, lambda text: html.escape(text.upper(), quote=False))
    assert upper == '<p title="a &amp; b">X &amp; Y<br/>Z</p>'
    assert map_text(page, lambda text: text.replace("&", "&amp;")) == page


def test_an_unknown_emoji_becomes_its_name():
    assert replace_emoji("<p>🎯 aim</p>") == '<p><span class="mark mark-other">[DIRECT HIT]</span> aim</p>'


def test_emoji_in_attributes_and_scripts_are_left_alone():
    page = '<p title="✅"><script>"❌"</script></p>'
    assert replace_emoji(page) == page


def test_figure_words_read_titles_fstrings_and_axis_labels():
    source = (
        'fig.suptitle("Two runs")\n'
        'ax.set_title(f"rate = {rate}")\n'
        'ax.set(xlabel="epoch", ylabel="loss")\n'
    )
    assert figure_words(source) == (["Two runs", "rate = …"], {"x": "epoch", "y": "loss"})


def test_alt_text_falls_back_to_axis_labels_then_to_the_section():
    assert alt_text('ax.set_xlabel("epoch")\nax.set_ylabel("loss")', "Measured") == (
        "Figure: loss against epoch. Section: Measured."
    )
    assert alt_text("draw(l2)", "Explore: how far?") == "Figure in the section Explore: how far?"


def test_a_failing_pagefind_is_a_user_error_with_its_message(tmp_path, monkeypatch):
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('bad site'); sys.exit(3)"]
    monkeypatch.setattr(site_search, "pagefind_command", lambda: failing)
    with pytest.raises(CoursekitError, match="Pagefind could not index .*: bad site"):
        site_search.build_index(tmp_path)


def test_a_missing_pagefind_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)
    monkeypatch.setattr(site_search.shutil, "which", lambda name: None)
    with pytest.raises(EngineMissing, match="pip install pagefind-bin==1.5.2"):
        site_search.pagefind_command()


def test_glossary_page_has_an_anchor_and_definition_for_every_term(site):
    page = (site / "glossary.html").read_text()
    text = _text(site / "glossary.html")
    for term in load_glossary().terms:
        assert f'id="term-{term.id}"' in page
        assert " ".join(term.definition.split()) in text


def test_glossary_links_only_lessons_that_have_a_page(site):
    page = (site / "glossary.html").read_text()
    assert 'href="00_first.html"' in page
    assert "Lesson 03" in _text(site / "glossary.html")


def test_built_site_has_no_broken_internal_links(site):
    assert broken_links(site) == []


def test_broken_links_reports_missing_pages_and_anchors(tmp_path):
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="#here">ok</a> <a href="b.html">gone</a> <a href="#nowhere">x</a>'
        ' <img src="figure.png"> <a href="https://example.org/">external</a></p>'
    )
    assert broken_links(tmp_path) == ["a.html: b.html", "a.html: #nowhere", "a.html: figure.png"]


def test_links_to_lesson_notebooks_point_at_their_pages(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _lesson(folder / "00_first.ipynb", "00", "Overfitting", 45)
    later = _lesson(folder / "01_second.ipynb", "01", "Norm penalties", 60)
    notebook = nbformat.read(later, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("Back to [lesson 00](00_first.ipynb)."))
    nbformat.write(notebook, later)
    build_site(tmp_path / "site", folder)
    assert '<a href="00_first.html">lesson 00</a>' in (tmp_path / "site" / "01_second.html").read_text()


def test_build_site_refuses_a_notebook_that_was_never_run(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _lesson(folder / "00_first.ipynb", "00", "Overfitting", 45, executed=False)
    with pytest.raises(ValueError, match="never run.*make execute"):
        build_site(tmp_path / "site", folder)


def test_build_site_refuses_a_non_empty_folder_it_did_not_write(notebooks, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="out_dir .* not empty"):
        build_site(tmp_path, notebooks)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_rebuild_removes_the_page_of_a_removed_lesson(notebooks, tmp_path):
    out = tmp_path / "site"
    build_site(out, notebooks)
    (out / "09_removed.html").write_text("<p>old</p>")
    build_site(out, notebooks)
    assert not (out / "09_removed.html").exists()


def test_site_command_builds_and_reports_the_pages(notebooks, tmp_path, capsys):
    status = main(["site", "--out", str(tmp_path / "site"), "--notebooks", str(notebooks)])
    assert status == 0
    assert "Wrote 5 pages" in capsys.readouterr().out
    assert (tmp_path / "site" / "index.html").is_file()


def test_site_command_reports_a_folder_without_notebooks(tmp_path, capsys):
    status = main(["site", "--out", str(tmp_path / "site"), "--notebooks", str(tmp_path)])
    assert status == 1
    assert "no lesson notebooks" in capsys.readouterr().err
