"""Exports, checked structurally: each file is parsed back and its questions and correct answers counted."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coursekit.quiz.banks import load_banks, load_glossary_from
from coursekit.quiz.exports import export_quizzes
from coursekit.quiz.exports.anki import stable_id
from coursekit.quiz.exports.gift import gift_escape
from coursekit.quiz.grading import lms_answer_texts

FIXTURES = Path(__file__).parent / "fixtures" / "quizzes"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(autouse=True)
def _fixture_banks(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_QUIZZES", str(FIXTURES))
    monkeypatch.setenv("COURSEKIT_PROGRESS", str(tmp_path / "progress.json"))


@pytest.fixture(scope="module")
def banks():
    return load_banks(directory=FIXTURES)


@pytest.fixture(scope="module")
def glossary():
    return load_glossary_from(FIXTURES)


def questions_of(banks):
    return [question for bank in banks for question in bank.questions]


# --- a minimal GIFT reader, enough to count questions and answers ------------------------------


def _split_unescaped(text: str, marker: str) -> list[str]:
    parts, current, index = [], "", 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            current += text[index : index + 2]
            index += 2
        elif text.startswith(marker, index):
            parts.append(current)
            current = ""
            index += len(marker)
        else:
            current += text[index]
            index += 1
    parts.append(current)
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: "\n" if match.group(1) == "n" else match.group(1), text)


def parse_gift(text: str) -> dict[str, dict]:
    """Question id -> {"prompt", "answers": [(kind, text)], "feedback"} for every GIFT question."""
    questions = {}
    for block in text.split("\n\n"):
        body = "\n".join(line for line in block.splitlines() if not line.startswith("//")).strip()
        if not body or body.startswith("$CATEGORY"):
            continue
        _, title, rest = _split_unescaped(body, "::")
        opening = _split_unescaped(rest, "{")
        assert len(opening) == 2, f"expected one unescaped '{{' in {title}"
        prompt, answer_part = opening
        assert answer_part.endswith("}")
        answer_part, *feedback = _split_unescaped(answer_part[:-1], "####")
        answers = []
        for line in answer_part.strip().splitlines() or [answer_part.strip()]:
            line = line.strip()
            if line:
                answers.append(
                    (line[0], _unescape(line[1:])) if line[0] in "=~" else ("inline", line)
                )
        questions[_unescape(title)] = {
            "prompt": _unescape(prompt.removeprefix("[markdown]")),
            "answers": answers,
            "feedback": _unescape(feedback[0].strip()) if feedback else None,
        }
    return questions


def test_gift_escape_escapes_every_special_character():
    assert gift_escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_gift_export_has_every_question_with_its_correct_answers(tmp_path, banks, glossary):
    out = tmp_path / "quiz.gift"
    export_quizzes("gift", out)
    parsed = parse_gift(out.read_text(encoding="utf-8"))
    assert list(parsed) == [question.id for question in questions_of(banks)]
    for question in questions_of(banks):
        entry = parsed[question.id]
        assert entry["prompt"] == question.prompt
        assert entry["feedback"] == question.explanation
        kinds = [kind for kind, _ in entry["answers"]]
        if question.type == "single_choice":
            assert kinds.count("=") == 1 and kinds.count("~") == len(question.choices) - 1
            assert entry["answers"][question.answer] == ("=", question.choices[question.answer])
        elif question.type == "multiple_choice":
            weights = [
                float(re.match(r"%(-?[0-9.]+)%", text).group(1)) for _, text in entry["answers"]
            ]
            assert sum(weight > 0 for weight in weights) == len(question.answer)
            np.testing.assert_allclose(
                sum(weight for weight in weights if weight > 0), 100.0, atol=1e-4
            )
        elif question.type == "true_false":
            assert entry["answers"] == [("inline", "TRUE" if question.answer else "FALSE")]
        elif question.type == "numeric":
            value, tolerance = entry["answers"][0][1].removeprefix("#").split(":")
            np.testing.assert_allclose(
                [float(value), float(tolerance)], [question.answer, question.tolerance], rtol=0
            )
        elif question.type == "matching":
            assert [text for _, text in entry["answers"]] == [
                f"{left} -> {right}" for left, right in question.pairs
            ]
        else:
            assert [text for _, text in entry["answers"]] == lms_answer_texts(question, glossary)


def test_gift_short_text_includes_glossary_aliases(tmp_path):
    out = tmp_path / "quiz.gift"
    export_quizzes("gift", out, ["00"])
    answers = [
        text for _, text in parse_gift(out.read_text(encoding="utf-8"))["q00-text"]["answers"]
    ]
    assert "dev set" in answers and "hold-out set" in answers


def test_gift_student_copy_has_essays_without_answers_or_feedback(tmp_path, banks):
    out = tmp_path / "student.gift"
    export_quizzes("gift", out, include_answers=False)
    parsed = parse_gift(out.read_text(encoding="utf-8"))
    assert len(parsed) == len(questions_of(banks))
    assert all(entry["answers"] == [] and entry["feedback"] is None for entry in parsed.values())
    assert "2. the validation set" in parsed["q00-single"]["prompt"]


# --- QTI -----------------------------------------------------------------------------------------


def _correct_count(item: ET.Element) -> int:
    """Correct responses of a QTI item: varequal (not negated) under a full-marks condition,
    a numeric range, or one per matching pair that adds to the score."""
    count = 0
    for condition in item.iter(f"{QTI}respcondition"):
        setvar = condition.find(f"{QTI}setvar")
        if setvar is None or float(setvar.text) <= 0:
            continue
        if setvar.get("action") == "Add":
            count += 1
            continue
        conditionvar = condition.find(f"{QTI}conditionvar")
        negated = {
            id(element) for not_ in conditionvar.iter(f"{QTI}not") for element in not_.iter()
        }
        count += sum(
            1 for element in conditionvar.iter(f"{QTI}varequal") if id(element) not in negated
        )
        count += 1 if conditionvar.find(f"{QTI}vargte") is not None else 0
    return count


def _expected_correct(question, glossary) -> int:
    if question.type == "multiple_choice":
        return len(question.answer)
    if question.type == "matching":
        return len(question.pairs)
    if question.type == "short_text":
        return len(lms_answer_texts(question, glossary))
    return 1


def test_qti_zip_has_manifest_and_one_assessment_per_lesson(tmp_path, banks):
    out = tmp_path / "quiz.zip"
    export_quizzes("qti", out)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    hrefs = {
        file.get("href")
        for file in manifest.iter("{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}file")
    }
    expected = {
        f"coursekit_lesson_{bank.lesson}/coursekit_lesson_{bank.lesson}.xml" for bank in banks
    }
    assert expected <= hrefs
    assert hrefs <= names


def test_qti_items_and_correct_responses_match_the_banks(tmp_path, banks, glossary):
    out = tmp_path / "quiz.zip"
    export_quizzes("qti", out)
    with zipfile.ZipFile(out) as archive:
        for bank in banks:
            ident = f"coursekit_lesson_{bank.lesson}"
            root = ET.fromstring(archive.read(f"{ident}/{ident}.xml"))
            items = list(root.iter(f"{QTI}item"))
            assert [item.get("ident") for item in items] == [
                question.id for question in bank.questions
            ]
            for item, question in zip(items, bank.questions, strict=True):
                assert _correct_count(item) == _expected_correct(question, glossary), question.id


def test_qti_numeric_range_is_answer_plus_minus_tolerance(tmp_path, banks):
    out = tmp_path / "quiz.zip"
    export_quizzes("qti", out, ["00"])
    with zipfile.ZipFile(out) as archive:
        root = ET.fromstring(archive.read("coursekit_lesson_00/coursekit_lesson_00.xml"))
    item = next(item for item in root.iter(f"{QTI}item") if item.get("ident") == "q00-num")
    bounds = [float(item.find(f".//{QTI}{tag}").text) for tag in ("vargte", "varlte")]
    np.testing.assert_allclose(bounds, [0.075, 0.085], rtol=1e-12)


def test_qti_export_is_byte_for_byte_reproducible(tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    export_quizzes("qti", first)
    export_quizzes("qti", second)
    assert first.read_bytes() == second.read_bytes()


def test_qti_student_copy_is_essays_without_scoring(tmp_path, banks):
    out = tmp_path / "student.zip"
    export_quizzes("qti", out, include_answers=False)
    with zipfile.ZipFile(out) as archive:
        root = ET.fromstring(archive.read("coursekit_lesson_00/coursekit_lesson_00.xml"))
    types = [
        entry.text
        for entry in root.iter(f"{QTI}fieldentry")
        if entry.text and entry.text.endswith("_question")
    ]
    assert types == ["essay_question"] * len(banks[0].questions)
    assert list(root.iter(f"{QTI}setvar")) == []
    assert list(root.iter(f"{QTI}itemfeedback")) == []


# --- Anki ----------------------------------------------------------------------------------------


def _anki_collection(path: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(path) as archive:
        archive.extract("collection.anki2", tmp_path / "extracted")
    return sqlite3.connect(tmp_path / "extracted" / "collection.anki2")


def test_anki_deck_has_one_note_per_term_plus_flashcard_questions(tmp_path, banks, glossary):
    out = tmp_path / "deck.apkg"
    export_quizzes("anki", out)
    connection = _anki_collection(out, tmp_path)
    try:
        notes = connection.execute("select count(*) from notes").fetchone()[0]
        tags = [row[0] for row in connection.execute("select tags from notes")]
    finally:
        connection.close()
    flashcards = sum(question.flashcard for question in questions_of(banks))
    assert notes == len(glossary.terms) + flashcards
    assert sum(" glossary " in f" {tag} " for tag in tags) == len(glossary.terms)


def test_anki_model_and_deck_ids_are_stable(tmp_path):
    out = tmp_path / "deck.apkg"
    export_quizzes("anki", out)
    connection = _anki_collection(out, tmp_path)
    try:
        models, decks = connection.execute("select models, decks from col").fetchone()
    finally:
        connection.close()
    assert str(stable_id("coursekit glossary term model v1")) in json.loads(models)
    assert str(stable_id("coursekit deck v1")) in json.loads(decks)
    assert stable_id("coursekit deck v1") == stable_id("coursekit deck v1")
    assert 2**30 <= stable_id("anything") < 2**31


def test_anki_note_guids_are_the_same_in_two_exports(tmp_path):
    guids = []
    for name in ("first", "second"):
        out = tmp_path / f"{name}.apkg"
        export_quizzes("anki", out)
        connection = _anki_collection(out, tmp_path / name)
        try:
            guids.append(sorted(row[0] for row in connection.execute("select guid from notes")))
        finally:
            connection.close()
    assert guids[0] == guids[1]


def test_anki_for_one_lesson_keeps_only_its_terms(tmp_path, glossary):
    out = tmp_path / "deck.apkg"
    message = export_quizzes("anki", out, ["01"])
    lesson_terms = len(glossary.for_lesson("01"))
    assert message.startswith(f"Wrote {lesson_terms + 1} notes")


def test_anki_refuses_no_answers(tmp_path):
    with pytest.raises(ValueError, match="--no-answers does not apply to the anki format"):
        export_quizzes("anki", tmp_path / "deck.apkg", include_answers=False)


def test_export_into_a_missing_folder_names_the_path(tmp_path):
    with pytest.raises(ValueError, match="out must be a file in an existing folder"):
        export_quizzes("gift", tmp_path / "no" / "quiz.gift")


# --- What an LMS needs as is --------------------------------------------------------------------


def _assessment_meta(path: Path, lesson: str = "00") -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read(f"coursekit_lesson_{lesson}/assessment_meta.xml"))


def _meta(root: ET.Element, tag: str) -> str | None:
    element = next((e for e in root.iter() if e.tag.endswith("}" + tag) or e.tag == tag), None)
    return None if element is None else element.text


def test_qti_defaults_to_one_attempt_with_the_key_hidden(tmp_path):
    export_quizzes("qti", tmp_path / "quiz.zip")
    meta = _assessment_meta(tmp_path / "quiz.zip")
    assert _meta(meta, "allowed_attempts") == "1" and _meta(meta, "show_correct_answers") == "false"
    assert _meta(meta, "time_limit") is None


def test_qti_settings_come_from_the_flags(tmp_path):
    export_quizzes("qti", tmp_path / "quiz.zip", attempts=None, show_correct_answers=True, time_limit=20)
    meta = _assessment_meta(tmp_path / "quiz.zip")
    assert _meta(meta, "allowed_attempts") == "-1" and _meta(meta, "show_correct_answers") == "true"
    assert _meta(meta, "time_limit") == "20"
    with zipfile.ZipFile(tmp_path / "quiz.zip") as archive:
        root = ET.fromstring(archive.read("coursekit_lesson_00/coursekit_lesson_00.xml"))
    fields = {f.find(f"{QTI}fieldlabel").text: f.find(f"{QTI}fieldentry").text
              for f in root.find(f"{QTI}assessment").find(f"{QTI}qtimetadata")}
    assert fields == {"cc_maxattempts": "unlimited", "qmd_timelimit": "20"}


@pytest.mark.parametrize("settings", [{"attempts": 0}, {"time_limit": 0}, {"attempts": 2.5}])
def test_bad_quiz_settings_are_refused(tmp_path, settings):
    with pytest.raises(ValueError, match="attempts|time_limit"):
        export_quizzes("qti", tmp_path / "quiz.zip", **settings)


def test_quiz_settings_are_refused_for_gift_with_a_pointer_to_moodle(tmp_path):
    with pytest.raises(ValueError, match="in Moodle, set them in the quiz's settings"):
        export_quizzes("gift", tmp_path / "quiz.gift", time_limit=10)


def test_gift_numbers_are_in_fixed_point():
    from coursekit.quiz.exports.gift import _number

    assert [_number(value) for value in (1e-06, 0.08, 2.0, 12345678.5)] == ["0.000001", "0.08", "2", "12345678.5"]


def test_short_answer_exports_carry_the_spacing_and_hyphen_variants(banks, glossary):
    from coursekit.quiz.normalize import normalize_text

    question = next(q for q in questions_of(banks) if q.type == "short_text")
    texts = lms_answer_texts(question, glossary)
    assert {"validation set", "validation-set", "validationset"} <= set(texts)
    from coursekit.quiz.grading import accepted_texts

    accepted = {normalize_text(text) for text in accepted_texts(question, glossary)}
    assert all(normalize_text(text) in accepted for text in texts)


def test_student_copies_show_choices_and_matching_sides_as_lists(tmp_path, banks):
    from coursekit.quiz.render import prompt_with_choices

    matching = next(q for q in questions_of(banks) if q.type == "matching")
    page = prompt_with_choices(matching, "html")
    assert page.count('<ol type="1">') == 1 and page.count('<ol type="A">') == 1
    assert page.count("<li>") == 2 * len(matching.pairs)
    markdown = prompt_with_choices(matching, "markdown")
    assert "\n- A. " in markdown and "\n1. " in markdown


def test_qti_flags_through_the_command_line(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "quiz.zip"
    command = [sys.executable, "-m", "coursekit", "quiz", "export", "--format", "qti", "--out",
               str(out), "--attempts", "3", "--show-correct-answers", "--time-limit", "20"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    meta = _assessment_meta(out)
    assert _meta(meta, "allowed_attempts") == "3" and _meta(meta, "show_correct_answers") == "true"
    assert _meta(meta, "time_limit") == "20"
