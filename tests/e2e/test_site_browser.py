"""The static course site in a real, offline browser.

The site is built from the stored notebooks into a temporary folder and served on 127.0.0.1,
as a learner's web host would serve it. The browser reaches only that server: the MathJax
request to the CDN is aborted, which is how the site looks with no network.
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

from coursekit.grading.editions import NOTEBOOKS
from coursekit.site import build_site

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e"
INLINE_MATH = re.compile(r"(?<![$\\])\$([^$\n]+)\$(?!\$)")


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
    """Every page reachable from the index: its HTTP status, links, anchors and images."""
    page = browser_context.new_page()
    found: dict[str, dict] = {}
    queue = [site_url + "index.html"]
    while queue:
        url = queue.pop(0)
        if url in found:
            continue
        response = page.goto(url, wait_until="load")
        found[url] = page.evaluate(
            """() => ({
                links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
                ids: Array.from(document.querySelectorAll('[id]'), element => element.id),
                images: Array.from(document.images, image => ({
                    src: image.src.slice(0, 40), width: image.complete ? image.naturalWidth : 0,
                })),
            })"""
        )
        found[url]["status"] = response.status
        for link in found[url]["links"]:
            target = urldefrag(link).url
            if target.startswith(site_url) and target not in found:
                queue.append(target)
    page.close()
    return found


def test_every_page_of_the_site_is_reached_from_the_index(crawl, site, site_url):
    reached = {url.removeprefix(site_url) for url in crawl}
    assert reached == {page.name for page in site.glob("*.html")}


def test_every_page_loads(crawl):
    assert {url: info["status"] for url, info in crawl.items() if info["status"] != 200} == {}


def test_no_internal_link_is_broken(crawl, site_url):
    broken = []
    for url, info in crawl.items():
        for link in info["links"]:
            target, fragment = urldefrag(link)
            if not target.startswith(site_url):
                continue
            if target not in crawl:
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


def test_every_lesson_page_shows_a_figure(crawl):
    lessons = {url: info for url, info in crawl.items() if re.search(r"/\d\d_\w+\.html$", url)}
    assert lessons
    assert [url for url, info in lessons.items() if not info["images"]] == []


def test_offline_math_stays_visible_as_latex_with_a_note(browser_context, site_url):
    notebook = nbformat.read(NOTEBOOKS / "01_norm_penalties.ipynb", as_version=4)
    formula = next(
        match.group(0)
        for cell in notebook.cells if cell.cell_type == "markdown"
        for match in INLINE_MATH.finditer(cell.source)
    )
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "01_norm_penalties.html"), wait_until="load")
    assert any("mathjax" in url.lower() for url in browser_context.blocked_requests)
    shown = " ".join(page.locator("main").inner_text().split())
    assert " ".join(formula.split()) in shown
    note = page.locator("#course-math-note")
    note.scroll_into_view_if_needed()
    assert note.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("main p", has_text=formula).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "site_01_norm_penalties_offline_math.png"))
    page.close()


def test_lesson_page_navigation_leads_to_the_next_lesson(browser_context, site_url):
    page = browser_context.new_page()
    page.goto(urljoin(site_url, "00_overfitting.html"), wait_until="load")
    page.locator("nav.course-nav.top").get_by_role("link", name=re.compile("^Lesson 01")).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/01_norm_penalties.html")
    assert page.title().startswith("Lesson 01")
    page.close()
