"""The glossary and the generated key-terms cells of the notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from coursekit.quiz.glossary import (
    KEY_TERMS_TAG,
    key_terms_markdown,
    key_terms_stale,
    lesson_of_notebook,
    load_glossary,
    regenerate_key_terms,
)

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
REPOSITORY = Path(__file__).parents[1]


@pytest.fixture(autouse=True)
def _fixture_banks(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))


def make_notebook(
    path: Path, key_terms_source: str = "## Key terms\n\nold text", *, tagged: int = 1
) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell("# Lesson"))
    for _ in range(tagged):
        notebook.cells.append(
            nbformat.v4.new_markdown_cell(key_terms_source, metadata={"tags": [KEY_TERMS_TAG]})
        )
    notebook.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(notebook, path)
    return path


def test_load_glossary_reads_the_configured_folder():
    glossary = load_glossary()
    assert [term.id for term in glossary.terms] == [
        "overfitting",
        "validation-set",
        "early-stopping",
        "patience",
    ]


def test_key_terms_markdown_has_bold_terms_sorted_with_definition_and_related():
    text = key_terms_markdown("01")
    lines = text.splitlines()
    assert lines[0] == "## Key terms"
    bullets = [line for line in lines if line.startswith("- ")]
    assert [bullet.split("**")[1] for bullet in bullets] == ["Early stopping", "Patience"]
    assert "Stop training once the validation loss has not improved" in bullets[0]
    first_term = lines[lines.index(bullets[0]) : lines.index(bullets[1])]
    assert first_term[1].startswith("  - *Example:* Taking a cake out of the oven")
    assert first_term[2] == "  - *Related:* Validation set, Patience"


def test_key_terms_markdown_says_when_a_lesson_has_no_terms():
    assert key_terms_markdown("05").endswith("_This lesson introduces no new terms._")


def test_lesson_of_notebook_reads_the_number_prefix():
    assert lesson_of_notebook("notebooks/02_dropout.ipynb") == "02"


def test_lesson_of_notebook_rejects_other_names():
    with pytest.raises(ValueError, match="path must name a lesson notebook"):
        lesson_of_notebook("dropout.ipynb")


def test_stale_key_terms_cell_is_detected(tmp_path):
    assert key_terms_stale(make_notebook(tmp_path / "00_overfitting.ipynb"))


def test_regenerate_writes_the_cell_and_then_it_is_fresh(tmp_path):
    path = make_notebook(tmp_path / "00_overfitting.ipynb")
    assert regenerate_key_terms(path) is True
    assert not key_terms_stale(path)
    cell = next(
        cell
        for cell in nbformat.read(path, as_version=4).cells
        if KEY_TERMS_TAG in cell.metadata.get("tags", [])
    )
    assert cell.source == key_terms_markdown("00")


def test_regenerate_leaves_a_fresh_notebook_untouched(tmp_path):
    path = make_notebook(tmp_path / "00_overfitting.ipynb", key_terms_markdown("00"))
    before = path.read_bytes()
    assert regenerate_key_terms(path) is False
    assert path.read_bytes() == before


def test_notebook_without_key_terms_cell_gets_a_hint(tmp_path):
    path = make_notebook(tmp_path / "00_overfitting.ipynb", tagged=0)
    with pytest.raises(ValueError, match="exactly one cell tagged 'key-terms', found 0"):
        key_terms_stale(path)


def test_repository_notebooks_key_terms_are_fresh(monkeypatch):
    glossary_path = REPOSITORY / "quizzes" / "glossary.yaml"
    notebooks = [
        path
        for path in sorted((REPOSITORY / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if any(
            KEY_TERMS_TAG in cell.metadata.get("tags", [])
            for cell in nbformat.read(path, as_version=4).cells
        )
    ]
    if not glossary_path.exists() or not notebooks:
        pytest.skip("no glossary or no notebook with a key-terms cell yet")
    glossary = load_glossary(glossary_path)
    stale = [path.name for path in notebooks if key_terms_stale(path, glossary)]
    assert stale == [], "regenerate with: coursekit quiz key-terms notebooks/*.ipynb"
