"""Shared set-up of the browser tests: an offline headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` package, found with :func:`shutil.which`; Playwright never
downloads one (``playwright install`` is not needed and must not be run). A test that needs the
browser is skipped, with the reason, when Chromium or the ``playwright`` package is missing.
``make test-e2e`` installs Chromium with apt where it can and runs these tests.

The browser stays offline: the launch flags switch off Chromium's own background traffic, and
every request to a host other than 127.0.0.1 is aborted and recorded in
``context.blocked_requests``, so a test can assert that a page asked no other host for anything.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
"""Command-line flags of the test browser: headless, root-safe, and no traffic of its own."""

LOCAL_HOSTS = ("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium; skips the test when it is not installed."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(
            "Chromium is not installed (Debian: apt-get install chromium; `make test-e2e` "
            "does it where it can)."
        )
    return path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """A started Playwright driver; skips the test when the package is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install -e '.[dev]')",
    )
    with sync_api.sync_playwright() as driver:
        yield driver


def _block_remote(route, blocked: list[str]) -> None:
    url = route.request.url
    scheme, host = urlsplit(url).scheme, urlsplit(url).hostname
    if scheme in ("data", "blob", "file") or host in LOCAL_HOSTS:
        route.continue_()
    else:
        blocked.append(url)
        route.abort("internetdisconnected")


@pytest.fixture(scope="module")
def browser_context(chromium_path, playwright_driver, tmp_path_factory) -> Iterator[object]:
    """A fresh offline browser context (new user-data-dir, 1400×1000 viewport)."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=chromium_path,
        headless=True,
        args=list(CHROMIUM_FLAGS),
        viewport={"width": 1400, "height": 1000},
    )
    context.blocked_requests = []
    context.route("**/*", lambda route: _block_remote(route, context.blocked_requests))
    yield context
    context.close()
