"""The static course site in a real, offline browser.

The site is built from the stored notebooks into a temporary folder and served on 127.0.0.1,
as a learner's web host would serve it. The browser reaches only that server: any request to
another host is aborted and recorded (tests/e2e/conftest.py), and a test checks that no page
makes one. On every page reached from the index it checks the links and images, the typeset
math (MathML, no raw TeX), that no emoji reaches the page, the figures' alt text, the notebook
download, the search box, and axe-core's accessibility rules (0 serious or critical violations;
axe-core comes bundled in the axe-playwright-python package).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

import nbformat
import pytest

from coursekit.course import NOTEBOOKS
from coursekit.site import build_site
from coursekit.site_marks import EMOJI

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e"
RAW_TEX = re.compile(r"\$|\\[A-Za-z]+|\\[()[\]]")
"""What TeX left untypeset looks like: a dollar, a command (\\alpha), or \\( \\) \\[ \\]."""
LESSON_PAGE = re.compile(r"/\d\d_\w+\.html$")
AXE_IMPACTS = ("serious", "critical")

_PAGE_FACTS = """() => {
    const skipped = "PRE, CODE, KBD, SAMP, TEXTAREA, SCRIPT, STYLE, MATH";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const prose = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.parentElement.closest(skipped)) prose.push(node.textContent);
    }
    const formulas = Array.from(document.querySelectorAll("math"));
    return {
        links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
        ids: Array.from(document.querySelectorAll('[id]'), element => element.id),
        images: Array.from(document.images, image => ({
            src: image.src.slice(0, 40), width: image.complete ? image.naturalWidth : 0,
            alt: image.getAttribute("alt"),
        })),
        prose: prose.join(" "),
        text: document.body.innerText,
        math: formulas.length,
        math_drawn: formulas.filter(element => getComputedStyle(element).display.includes("math")
            && element.getBoundingClientRect().width > 0).length,
        downloads: Array.from(document.querySelectorAll('a[download]'), a => a.href),
    };
}"""
"""What a test reads from a page: links, ids, images, the text outside code, MathML, downloads."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


@pytest.fixture(scope="module")
def site_url(site) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawl(browser_context, site_url) -> dict[str, dict]:
    """Every page reachable from the index (``.html`` links): what :data:`_PAGE_FACTS` reads."""
    page = browser_context.new_page()
    found: dict[str, dict] = {}
    queue = [site_url + "index.html"]
    while queue:
        url = queue.pop(0)
        if url in found:
            continue
        response = page.goto(url, wait_until="load")
        found[url] = page.evaluate(_PAGE_FACTS)
        found[url]["status"] = response.status
        for link in found[url]["links"]:
            target = urldefrag(link).url
            if target.startswith(site_url) and target.endswith(".html") and target not in found:
                queue.append(target)
    page.close()
    return found


def test_every_page_of_the_site_is_reached_from_the_index(crawl, site, site_url):
    reached = {url.removeprefix(site_url) for url in crawl}
    assert reached == {page.name for page in site.glob("*.html")}


def test_every_page_loads(crawl):
    assert {url: info["status"] for url, info in crawl.items() if info["status"] != 200} == {}


def test_no_internal_link_is_broken(crawl, site_url, browser_context):
    broken = []
    for url, info in crawl.items():
        for link in info["links"]:
            target, fragment = urldefrag(link)
            if not target.startswith(site_url):
                continue
            if not target.endswith(".html"):
                if browser_context.request.get(target).status != 200:
                    broken.append((url, link))
            elif target not in crawl:
                broken.append((url, link))
            elif fragment and not {fragment, unquote(fragment)} & set(crawl[target]["ids"]):
                broken.append((url, link))
    assert broken == []


def test_no_image_is_missing(crawl):
    missing = [
        (url, image["src"]) for url, info in crawl.items() for image in info["images"]
        if image["width"] == 0
    ]
    assert missing == []


def _lessons(crawl: dict[str, dict]) -> dict[str, dict]:
    lessons = {url: info for url, info in crawl.items() if LESSON_PAGE.search(url)}
    assert lessons
    return lessons


def test_every_lesson_page_shows_a_figure(crawl):
    assert [url for url, info in _lessons(crawl).items() if not info["images"]] == []


def test_no_page_asks_another_host_for_anything(crawl, browser_context):
    assert browser_context.blocked_requests == []


def test_every_lesson_page_draws_its_formulas_as_mathml(crawl):
    counts = {url: (info["math"], info["math_drawn"]) for url, info in _lessons(crawl).items()}
    assert [url for url, (total, drawn) in counts.items() if total == 0 or drawn != total] == []


def test_no_page_shows_raw_tex(crawl):
    raw = {
        url: RAW_TEX.findall(info["prose"])[:5] for url, info in crawl.items()
        if RAW_TEX.search(info["prose"])
    }
    assert raw == {}


def test_offline_formula_is_typeset_where_the_notebook_has_it(browser_context, site_url):
    notebook = nbformat.read(NOTEBOOKS / "01_norm_penalties.ipynb", as_version=4)
    assert any("\\tilde J(w)" in cell.source for cell in notebook.cells)
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "01_norm_penalties.html"), wait_until="load")
    index = page.evaluate(
        """tex => Array.from(document.querySelectorAll("math"))
            .findIndex(element => element.getAttribute("alttext").startsWith(tex))""",
        "\\tilde J(w) = J(w) + \\Omega(w)",
    )
    assert index >= 0
    formula = page.locator("math").nth(index)
    formula.scroll_into_view_if_needed()
    box = formula.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 10
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site_01_norm_penalties_mathml.png"))
    page.close()


def test_no_emoji_reaches_a_page(crawl):
    found = {url: EMOJI.findall(info["text"]) for url, info in crawl.items()}
    assert {url: emoji for url, emoji in found.items() if emoji} == {}


def test_exercise_checks_show_text_badges(browser_context, site_url):
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "02_dropout.html"), wait_until="load")
    badge = page.locator(".mark-todo").first
    assert badge.inner_text() == "TO DO"
    assert badge.evaluate("element => getComputedStyle(element).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.close()


def test_every_figure_has_alt_text(crawl):
    missing = [
        (url, image["src"]) for url, info in crawl.items() for image in info["images"]
        if not (image["alt"] or "").strip() or "No description" in image["alt"]
    ]
    assert missing == []


def test_every_lesson_page_links_its_notebook_for_download(crawl, browser_context):
    for url, info in _lessons(crawl).items():
        name = url.rsplit("/", 1)[1].removesuffix(".html")
        assert info["downloads"] == [urljoin(url, f"notebooks/{name}.ipynb")]
        response = browser_context.request.get(info["downloads"][0])
        assert response.status == 200
        assert nbformat.reads(response.text(), as_version=4).cells


def test_search_box_finds_a_lesson_offline(browser_context, site_url):
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "index.html"), wait_until="load")
    page.get_by_label("Search the course").fill("inverted dropout")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#course-search-list li a")
    results.first.wait_for(timeout=15_000)
    hrefs = results.evaluate_all("links => links.map(link => link.href)")
    assert any(href.endswith("/02_dropout.html") for href in hrefs[:3]), hrefs
    assert "match" in page.locator("#course-search-status").inner_text()
    assert "¶" not in page.locator("#course-search-list").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site_search.png"))
    results.first.click()
    page.wait_for_load_state("load")
    assert LESSON_PAGE.search(page.url.split("#")[0])
    assert browser_context.blocked_requests == []
    page.close()


def test_search_opened_from_a_file_says_to_serve_the_site(browser_context, site):
    page = browser_context.new_page()
    page.goto((site / "index.html").as_uri(), wait_until="load")
    page.get_by_label("Search the course").fill("dropout")
    page.get_by_role("button", name="Search", exact=True).click()
    assert "served over HTTP" in page.locator("#course-search-status").inner_text()
    page.close()


def test_axe_finds_no_serious_or_critical_violation_on_any_page(crawl, browser_context):
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed (pip install -e '.[dev]')",
    )
    axe = axe_module.Axe()
    page = browser_context.new_page()
    violations = {}
    for url in crawl:
        page.goto(url, wait_until="load")
        violations[url] = _serious_violations(axe, page)
    page.goto(next(iter(crawl)), wait_until="load")
    page.get_by_label("Search the course").fill("dropout")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#course-search-list li").first.wait_for(timeout=15_000)
    violations["index.html with search results"] = _serious_violations(axe, page)
    page.close()
    assert {url: found for url, found in violations.items() if found} == {}


def _serious_violations(axe, page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per rule."""
    return [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements: "
        f"{violation['nodes'][0]['target']})"
        for violation in axe.run(page).response["violations"]
        if violation["impact"] in AXE_IMPACTS
    ]


def test_lesson_page_navigation_leads_to_the_next_lesson(browser_context, site_url):
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "00_overfitting.html"), wait_until="load")
    page.locator("nav.course-nav.top").get_by_role("link", name=re.compile("^Lesson 01")).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/01_norm_penalties.html")
    assert page.title().startswith("Lesson 01")
    page.close()
