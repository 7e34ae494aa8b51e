"""The site's search box: a Pagefind index written at build time, searched in the browser.

Pagefind (the ``pagefind-bin`` package ships its binary) reads the finished pages and writes a
static index into ``pagefind/`` beside them. The search form on every page loads
``pagefind/pagefind.js`` only when a learner searches; the index is fetched from the same site, so
search works with no network. It needs the site served over HTTP (``python -m http.server -d
build/site``, any web host): browsers refuse to load the index from ``file://``, and the form
says so.

Only each page's ``<main>`` (``data-pagefind-body``) is indexed, so the navigation bars do not
match every query, and without the headings' hidden ``¶`` links.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from coursekit.errors import CoursekitError, EngineMissing

INDEX_FOLDER = "pagefind"
EXCLUDED = "a.anchor-link"
"""Not indexed: nbconvert's hidden ¶ links after each heading (they would show in every result)."""

FORM = """<form class="course-search" role="search" id="course-search-form" action="#">
<label for="course-search-input">Search the course</label>
<input type="search" id="course-search-input" name="q" autocomplete="off">
<button type="submit">Search</button>
</form>"""
"""The search form of the top navigation bar; its results go into :data:`RESULTS`."""

RESULTS = """<section class="course-search-results" id="course-search-results" hidden
  aria-labelledby="course-search-heading">
<h2 id="course-search-heading">Search results</h2>
<p id="course-search-status" role="status"></p>
<ol id="course-search-list"></ol>
</section>"""

SCRIPT = """<script>
(() => {
  const form = document.getElementById("course-search-form");
  const input = document.getElementById("course-search-input");
  const panel = document.getElementById("course-search-results");
  const status = document.getElementById("course-search-status");
  const list = document.getElementById("course-search-list");
  let pagefind = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = input.value.trim();
    list.replaceChildren();
    panel.hidden = !query;
    if (!query) return;
    if (location.protocol === "file:") {
      status.textContent = "Search needs the site served over HTTP, for example with " +
        "`python -m http.server -d build/site`; browsers do not load its index from a file.";
      return;
    }
    status.textContent = "Searching…";
    try {
      pagefind = pagefind || await import("./pagefind/pagefind.js");
      const search = await pagefind.search(query);
      const found = await Promise.all(search.results.slice(0, 10).map((result) => result.data()));
      for (const item of found) {
        const entry = document.createElement("li");
        const link = document.createElement("a");
        link.href = item.url.replace(/^\\//, "");
        link.textContent = item.meta.title || item.url;
        const excerpt = document.createElement("p");
        excerpt.innerHTML = item.excerpt;
        entry.append(link, excerpt);
        list.append(entry);
      }
      const count = search.results.length;
      status.textContent = count === 0 ? `No page matches “${query}”.` :
        `${count} page${count === 1 ? "" : "s"} match “${query}”` +
        (count > found.length ? ` (the first ${found.length} are listed).` : ".");
    } catch (error) {
      status.textContent = "Search is not available: its index could not be loaded (" +
        error.message + ").";
    }
  });
})();
</script>"""

CSS = """
  form.course-search { display: flex; gap: 0.4em; align-items: baseline; margin-left: auto; }
  form.course-search input { font: inherit; padding: 0.15em 0.4em; border: 1px solid #57606a;
    border-radius: 4px; }
  form.course-search button { font: inherit; padding: 0.15em 0.7em; border: 1px solid #57606a;
    border-radius: 4px; background: #ffffff; color: #1f2328; cursor: pointer; }
  section.course-search-results { margin: 0 1em 1em; padding: 0.5em 1em; border: 1px solid #d0d7de;
    border-radius: 6px; font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px; }
  section.course-search-results h2 { font-size: 1.1em; margin: 0.3em 0; }
  section.course-search-results mark { background: #fff8c5; color: inherit; }
"""


def pagefind_command() -> list[str]:
    """The command that runs Pagefind's binary (``pagefind-bin``, a pinned dependency).

    Raises
    ------
    EngineMissing
        If neither the ``pagefind_bin`` package nor a ``pagefind`` program is installed.
    """
    try:
        import pagefind_bin

        return [str(pagefind_bin.get_executable())]
    except (ImportError, FileNotFoundError):
        program = shutil.which("pagefind")
        if program is None:
            raise EngineMissing(
                "the site's search index needs Pagefind: pip install pagefind-bin==1.5.2 "
                "(it is one of coursekit's dependencies)."
            ) from None
        return [program]


def build_index(site_dir: str | Path) -> Path:
    """Index the pages of ``site_dir`` into ``site_dir/pagefind/`` (replacing an old index).

    Parameters
    ----------
    site_dir : str or Path
        A folder of finished pages, written by :func:`coursekit.site.build_site`.

    Returns
    -------
    Path
        The index folder.

    Raises
    ------
    EngineMissing
        If Pagefind is not installed.
    CoursekitError
        If Pagefind fails (its own message is included).
    """
    site_dir = Path(site_dir)
    index = site_dir / INDEX_FOLDER
    if index.exists():
        shutil.rmtree(index)
    command = [*pagefind_command(), "--site", str(site_dir), "--output-subdir", INDEX_FOLDER,
               "--exclude-selectors", EXCLUDED, "--keep-index-url", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (index / "pagefind.js").is_file():
        message = " ".join((result.stderr or result.stdout).split()) or f"exit {result.returncode}"
        raise CoursekitError(f"Pagefind could not index the site in {site_dir}: {message}")
    return index
