"""Lesson 00 in a real JupyterLab, driven through headless Chromium as a learner would.

JupyterLab is started from the course environment on 127.0.0.1 with the token off, on a free
port, with throw-away settings, workspace, runtime and checkpoint folders. The browser opens
``notebooks/00_overfitting.ipynb``, clears the stored outputs (*Edit → Clear Outputs of All
Cells*), runs *Run → Run All Cells*, waits for the kernel to be idle with every code cell
numbered, and then the tests read the page. ``COURSEKIT_HEADLESS`` is removed
from the server's environment (the root ``conftest.py`` sets it for pytest), so the kernel sees
an interactive front end and the quiz is drawn as widgets, as a learner sees it.

Autosave is switched off in the throw-away settings and nothing is saved, so the stored
notebook is never rewritten; a test checks that. Screenshots go to ``build/e2e/``.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from coursekit.display import HEADLESS_VARIABLE
from coursekit.quiz.banks import load_bank

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path("notebooks") / "00_overfitting.ipynb"
SCREENSHOTS = ROOT / "build" / "e2e"
SERVER_START_SECONDS = 120
RUN_ALL_SECONDS = 900
STEP_MS = 60_000

SETTINGS = {
    # Never write the stored notebook, whatever happens in the browser.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autosave": false}',
    # No "Would you like to get notified about official Jupyter news?" toast over the page.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": (
        '{"fetchNews": "false", "checkForUpdates": false}'
    ),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server; on SIGTERM it shuts its kernels down first."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def jupyterlab_url(tmp_path_factory) -> Iterator[str]:
    """URL of a JupyterLab serving the repository, with widgets enabled for the kernel."""
    home = tmp_path_factory.mktemp("jupyterlab")
    for name, text in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    environment = dict(os.environ)
    environment.pop(HEADLESS_VARIABLE, None)
    environment.update(
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
    )
    port = _free_port()
    log = home / "jupyterlab.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.token=", "--ServerApp.ip=127.0.0.1", f"--port={port}",
                "--allow-root", f"--ServerApp.root_dir={ROOT}",
                # Checkpoints (made when a notebook is opened) go to the throw-away folder,
                # not to notebooks/.ipynb_checkpoints.
                f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
            ],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, process, log)
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def notebook_digest() -> str:
    """SHA-256 of the stored notebook before JupyterLab touches it."""
    return hashlib.sha256((ROOT / NOTEBOOK).read_bytes()).hexdigest()


def _code_cell_count() -> int:
    notebook = nbformat.read(ROOT / NOTEBOOK, as_version=4)
    return sum(cell.cell_type == "code" for cell in notebook.cells)


def _kernel_name() -> str:
    """Display name of the notebook's kernel, as JupyterLab's status bar shows it."""
    return nbformat.read(ROOT / NOTEBOOK, as_version=4).metadata.kernelspec.display_name


def _all_cells_ran(page, code_cells: int) -> bool:
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    numbered = [text for text in prompts if re.fullmatch(r"\s*\[\d+\]:\s*", text)]
    idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count() == 1
    return idle and len(numbered) == code_cells


@pytest.fixture(scope="module")
def lab_page(browser_context, jupyterlab_url, notebook_digest):
    """The lesson open in JupyterLab after clearing its outputs and *Run → Run All Cells*."""
    page = browser_context.new_page()
    page.set_default_timeout(STEP_MS)
    page.goto(f"{jupyterlab_url}/lab/tree/{NOTEBOOK.as_posix()}", timeout=STEP_MS)
    code_cells = _code_cell_count()
    # Wait for the notebook's cells and for its kernel: the toolbar indicator says "idle"
    # before either has loaded.
    page.wait_for_function(
        "count => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === count",
        arg=code_cells,
    )
    page.locator(".jp-StatusBar-Widget").get_by_text(f"{_kernel_name()} | Idle").wait_for()
    # The stored outputs are numbered [1]..[n] as a fresh run will be: clear them first, so
    # that every number and figure seen afterwards comes from this run.
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
            .every(prompt => !/\\d/.test(prompt.textContent))"""
    )
    assert page.locator(".jp-OutputArea-output").count() == 0
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    deadline = time.monotonic() + RUN_ALL_SECONDS
    while not _all_cells_ran(page, code_cells):
        if time.monotonic() > deadline:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "00_overfitting_timeout.png"), full_page=True)
            pytest.fail(f"Run All did not finish within {RUN_ALL_SECONDS} s")
        time.sleep(1)
    return page


def _question_box(page, number: int):
    """The widget box of one quiz question (the innermost box holding its heading)."""
    return page.locator(".widget-vbox").filter(has_text=f"Question {number} of ").last


def test_run_all_numbers_every_code_cell(lab_page):
    prompts = lab_page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    assert len(prompts) == _code_cell_count()
    assert all(re.fullmatch(r"\s*\[\d+\]:\s*", text) for text in prompts), prompts


def test_run_all_shows_no_error_or_stderr_output(lab_page):
    # JupyterLab draws a traceback and a stderr stream the same way (the stderr MIME type);
    # the lessons print nothing on stderr, so any such output is a failure worth reading.
    shown = lab_page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    ).all_text_contents()
    assert shown == []


def test_run_all_renders_a_plot(lab_page):
    # A plot's renderer is the output element itself (inside a widget it is nested one deeper).
    images = lab_page.locator(
        ".jp-OutputArea-output.jp-RenderedImage img, .jp-OutputArea-output .jp-RenderedImage img"
    )
    assert images.count() >= 1
    first = images.first
    first.scroll_into_view_if_needed()
    width = first.evaluate("image => image.complete ? image.naturalWidth : 0")
    assert width > 100
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab_page.screenshot(path=str(SCREENSHOTS / "00_overfitting_plot.png"))


def test_quiz_is_drawn_as_widgets(lab_page):
    heading = lab_page.get_by_text(f"Quiz: {load_bank('00').title}", exact=True)
    heading.scroll_into_view_if_needed()
    assert heading.is_visible()


def test_quiz_choices_do_not_overlap(lab_page):
    box = _question_box(lab_page, 1)
    box.scroll_into_view_if_needed()
    # The extent of each choice's text, which may overflow its label's box.
    extents = box.locator(".widget-radio-box label").evaluate_all(
        """labels => labels.map(label => {
            const range = document.createRange();
            range.selectNodeContents(label);
            const rect = range.getBoundingClientRect();
            return [rect.top, rect.bottom];
        })"""
    )
    assert len(extents) == len(load_bank("00").questions[0].choices)
    overlaps = [
        (upper, lower) for upper, lower in zip(extents, extents[1:], strict=False)
        if lower[0] < upper[1] - 1
    ]
    assert overlaps == []


def test_quiz_check_gives_not_quite_for_a_wrong_choice(lab_page):
    question = load_bank("00").questions[0]
    assert question.type == "single_choice"
    wrong = next(index for index in range(len(question.choices)) if index != question.answer)
    box = _question_box(lab_page, 1)
    box.scroll_into_view_if_needed()
    box.get_by_text(question.choices[wrong], exact=True).click()
    box.get_by_role("button", name="Check").click()
    box.get_by_text("Not quite.").wait_for()
    assert " ".join(question.explanation.split()) in " ".join(box.text_content().split())


def test_quiz_check_gives_correct_for_the_right_choice(lab_page):
    question = load_bank("00").questions[0]
    box = _question_box(lab_page, 1)
    box.scroll_into_view_if_needed()
    box.get_by_text(question.choices[question.answer], exact=True).click()
    box.get_by_role("button", name="Check").click()
    box.get_by_text("Correct.", exact=True).wait_for()
    box.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab_page.screenshot(path=str(SCREENSHOTS / "00_overfitting_quiz.png"))
    assert (SCREENSHOTS / "00_overfitting_quiz.png").stat().st_size > 10_000


def test_stored_notebook_is_not_modified(lab_page, notebook_digest):
    assert hashlib.sha256((ROOT / NOTEBOOK).read_bytes()).hexdigest() == notebook_digest
