"""Canvas QTI 1.2 export: a zip with one assessment (Canvas quiz) per lesson.

Written with :mod:`xml.etree.ElementTree`, following the layout Canvas itself exports and
imports (Settings > Import course content > QTI .zip file):

- ``imsmanifest.xml`` lists one ``imsqti_xmlv1p2`` resource per lesson;
- ``<assessment id>/<assessment id>.xml`` holds the items (``questestinterop``);
- ``<assessment id>/assessment_meta.xml`` holds the Canvas quiz settings.

Question types map to Canvas types: ``multiple_choice_question``, ``multiple_answers_question``
(all-or-nothing), ``true_false_question``, ``numerical_question`` (a range ``answer ±
tolerance``), ``matching_question`` (points shared equally between the pairs) and
``short_answer_question`` (each accepted text is a correct answer). The explanation is the
general feedback. Without answers, every item is an ``essay_question`` with the choices in its
text and no scoring or feedback: a student copy.

Identifiers are derived from the lesson numbers and question ids, and the zip entries carry a
fixed timestamp, so exporting the same banks twice gives the same bytes.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coursekit.quiz.grading import lms_answer_texts
from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.render import prompt_with_choices

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

_CANVAS_TYPES = {
    "single_choice": "multiple_choice_question",
    "multiple_choice": "multiple_answers_question",
    "true_false": "true_false_question",
    "numeric": "numerical_question",
    "matching": "matching_question",
    "short_text": "short_answer_question",
}


def assessment_id(lesson: str) -> str:
    """Identifier of the assessment of a lesson, e.g. ``coursekit_lesson_00``."""
    return f"coursekit_lesson_{lesson}"


def _html(text: str) -> str:
    """Plain text as HTML paragraphs (the caller's XML writer escapes it again, as QTI wants)."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br/>')}</p>" for part in paragraphs)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _material(parent: ET.Element, text: str, texttype: str = "text/html") -> None:
    material = _sub(parent, "material")
    _sub(material, "mattext", _html(text) if texttype == "text/html" else text, texttype=texttype)


def _metadata(item: ET.Element, fields: dict[str, str]) -> None:
    qtimetadata = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = _sub(qtimetadata, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _choice_list(
    presentation: ET.Element, ident: str, cardinality: str, choices: list[tuple[str, str]]
) -> None:
    render = _sub(
        _sub(presentation, "response_lid", ident=ident, rcardinality=cardinality), "render_choice"
    )
    for choice_id, text in choices:
        _material(_sub(render, "response_label", ident=choice_id), text)


def _text_entry(presentation: ET.Element, fibtype: str | None = None) -> None:
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = (
        _sub(response, "render_fib", fibtype=fibtype) if fibtype else _sub(response, "render_fib")
    )
    _sub(render, "response_label", ident="answer1", rshuffle="No")


def _scoring(item: ET.Element) -> ET.Element:
    processing = _sub(item, "resprocessing")
    _sub(
        _sub(processing, "outcomes"),
        "decvar",
        maxvalue="100",
        minvalue="0",
        varname="SCORE",
        vartype="Decimal",
    )
    general = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    return processing


def _full_marks(processing: ET.Element) -> ET.Element:
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    conditionvar = _sub(condition, "conditionvar")
    _sub(condition, "setvar", "100", action="Set", varname="SCORE")
    return conditionvar


def _item(
    section: ET.Element, question: Question, include_answers: bool, glossary: Glossary | None
) -> None:
    item = _sub(section, "item", ident=question.id, title=question.id)
    qtype = _CANVAS_TYPES[question.type] if include_answers else "essay_question"
    _metadata(item, {"question_type": qtype, "points_possible": "1.0"})
    presentation = _sub(item, "presentation")
    if not include_answers:
        material = _sub(presentation, "material")
        _sub(material, "mattext", prompt_with_choices(question, "html"), texttype="text/html")
        _text_entry(presentation)
        condition = _sub(_sub(item, "resprocessing"), "respcondition", **{"continue": "No"})
        _sub(_sub(condition, "conditionvar"), "other")
        return
    _material(presentation, question.prompt)

    if question.type in ("single_choice", "multiple_choice", "true_false"):
        if question.type == "true_false":
            choices = [(f"{question.id}-true", "True"), (f"{question.id}-false", "False")]
            correct = [choices[0][0] if question.answer else choices[1][0]]
        else:
            choices = [
                (f"{question.id}-c{index}", choice) for index, choice in enumerate(question.choices)
            ]
            wanted = question.answer if question.type == "multiple_choice" else (question.answer,)
            correct = [choices[index][0] for index in wanted]
        cardinality = "Multiple" if question.type == "multiple_choice" else "Single"
        _choice_list(presentation, "response1", cardinality, choices)
        processing = _scoring(item)
        conditionvar = _full_marks(processing)
        if question.type == "multiple_choice":
            both = _sub(conditionvar, "and")
            for choice_id, _ in choices:
                parent = both if choice_id in correct else _sub(both, "not")
                _sub(parent, "varequal", choice_id, respident="response1")
        else:
            _sub(conditionvar, "varequal", correct[0], respident="response1")
    elif question.type == "numeric":
        _text_entry(presentation, fibtype="Decimal")
        conditionvar = _full_marks(_scoring(item))
        _sub(
            conditionvar,
            "vargte",
            f"{question.answer - question.tolerance:.12g}",
            respident="response1",
        )
        _sub(
            conditionvar,
            "varlte",
            f"{question.answer + question.tolerance:.12g}",
            respident="response1",
        )
    elif question.type == "short_text":
        _text_entry(presentation)
        conditionvar = _full_marks(_scoring(item))
        for text in lms_answer_texts(question, glossary):
            _sub(conditionvar, "varequal", text, respident="response1")
    else:
        rights = [
            (f"{question.id}-r{pair_index}", question.pairs[pair_index][1])
            for pair_index in question.matching_order()
        ]
        for index, (left, _) in enumerate(question.pairs):
            lid = _sub(presentation, "response_lid", ident=f"response_{question.id}-l{index}")
            _material(lid, left, texttype="text/plain")
            render = _sub(lid, "render_choice")
            for right_id, right in rights:
                _material(
                    _sub(render, "response_label", ident=right_id), right, texttype="text/plain"
                )
        processing = _scoring(item)
        share = f"{100 / len(question.pairs):.4f}"
        for index in range(len(question.pairs)):
            condition = _sub(processing, "respcondition")
            _sub(
                _sub(condition, "conditionvar"),
                "varequal",
                f"{question.id}-r{index}",
                respident=f"response_{question.id}-l{index}",
            )
            _sub(condition, "setvar", share, varname="SCORE", action="Add")

    feedback = _sub(item, "itemfeedback", ident="general_fb")
    _material(_sub(feedback, "flow_mat"), question.explanation)


@dataclass(frozen=True)
class QuizSettings:
    """How the LMS runs an imported quiz.

    Attributes
    ----------
    attempts : int or None, default=1
        Attempts allowed, >= 1; ``None`` for unlimited.
    show_correct_answers : bool, default=False
        Whether students see the key after submitting.
    time_limit : int or None, default=None
        Minutes, >= 1; ``None`` for no limit.
    """

    attempts: int | None = 1
    show_correct_answers: bool = False
    time_limit: int | None = None

    def __post_init__(self) -> None:
        if self.attempts is not None and (type(self.attempts) is not int or self.attempts < 1):
            raise ValueError(f"attempts must be an integer >= 1 (or unlimited), got {self.attempts!r}.")
        if self.time_limit is not None and (type(self.time_limit) is not int or self.time_limit < 1):
            raise ValueError(f"time_limit must be a whole number of minutes >= 1, got {self.time_limit!r}.")


def assessment_xml(
    bank: Bank, *, include_answers: bool = True, glossary: Glossary | None = None,
    settings: QuizSettings | None = None,
) -> bytes:
    """The QTI 1.2 ``questestinterop`` document of one bank, as UTF-8 bytes."""
    settings = settings or QuizSettings()
    root = ET.Element("questestinterop", xmlns=QTI_NAMESPACE)
    ident = assessment_id(bank.lesson)
    assessment = _sub(root, "assessment", ident=ident, title=f"Lesson {bank.lesson}: {bank.title}")
    metadata = _sub(assessment, "qtimetadata")
    fields = {"cc_maxattempts": "unlimited" if settings.attempts is None else str(settings.attempts)}
    if settings.time_limit is not None:
        fields["qmd_timelimit"] = str(settings.time_limit)
    for label, entry in fields.items():
        field = _sub(metadata, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)
    section = _sub(assessment, "section", ident="root_section")
    for question in bank.questions:
        _item(section, question, include_answers, glossary)
    return _serialise(root)


def _assessment_meta(bank: Bank, include_answers: bool, settings: QuizSettings) -> bytes:
    ident = assessment_id(bank.lesson)
    root = ET.Element("quiz", identifier=ident, xmlns=CANVAS_NAMESPACE)
    _sub(root, "title", f"Lesson {bank.lesson}: {bank.title}")
    _sub(
        root,
        "description",
        "" if include_answers else "Student copy: answers are graded by the instructor.",
    )
    _sub(root, "shuffle_answers", "false")
    _sub(root, "scoring_policy", "keep_highest")
    _sub(root, "quiz_type", "assignment")
    _sub(root, "points_possible", f"{bank.max_score:.1f}")
    show = include_answers and settings.show_correct_answers
    _sub(root, "show_correct_answers", "true" if show else "false")
    _sub(root, "allowed_attempts", "-1" if settings.attempts is None else str(settings.attempts))
    if settings.time_limit is not None:
        _sub(root, "time_limit", str(settings.time_limit))
    _sub(root, "available", "false")
    return _serialise(root)


def _manifest(banks: list[Bank]) -> bytes:
    root = ET.Element("manifest", identifier="coursekit_quizzes_manifest", xmlns=MANIFEST_NAMESPACE)
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    for bank in banks:
        ident = assessment_id(bank.lesson)
        resource = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
        _sub(resource, "file", href=f"{ident}/{ident}.xml")
        _sub(resource, "dependency", identifierref=f"{ident}_meta")
        meta = _sub(
            resources,
            "resource",
            identifier=f"{ident}_meta",
            type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
            href=f"{ident}/assessment_meta.xml",
        )
        _sub(meta, "file", href=f"{ident}/assessment_meta.xml")
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write_qti(
    banks: Iterable[Bank],
    out: str | Path,
    *,
    include_answers: bool = True,
    glossary: Glossary | None = None,
    settings: QuizSettings | None = None,
) -> Path:
    """Write a Canvas QTI 1.2 zip with one quiz per bank.

    Parameters
    ----------
    banks : iterable of Bank
    out : str or Path
        The zip file to write (its folder must exist).
    include_answers : bool, default=True
        False writes a student copy (essay questions, no scoring, no feedback).
    glossary : Glossary, optional
        Adds glossary aliases to the accepted short-text answers.
    settings : QuizSettings, optional
        Attempts, whether the key is shown, time limit (default: one attempt, key hidden).

    Returns
    -------
    Path
        ``out``.
    """
    settings = settings or QuizSettings()
    banks = list(banks)
    out = Path(out)
    with zipfile.ZipFile(out, "w") as archive:
        _write_entry(archive, "imsmanifest.xml", _manifest(banks))
        for bank in banks:
            ident = assessment_id(bank.lesson)
            _write_entry(
                archive,
                f"{ident}/{ident}.xml",
                assessment_xml(bank, include_answers=include_answers, glossary=glossary, settings=settings),
            )
            _write_entry(
                archive, f"{ident}/assessment_meta.xml", _assessment_meta(bank, include_answers, settings)
            )
    return out
