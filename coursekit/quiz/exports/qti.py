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

from coursekit.quiz.model import Bank, Glossary, Question
from coursekit.quiz.render import prompt_with_choices
from coursekit.quiz.types import REGISTRY

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

def assessment_id(lesson: str) -> str:
    """Identifier of the assessment of a lesson, e.g. ``coursekit_lesson_00``."""
    return f"coursekit_lesson_{lesson}"


def _html(text: str) -> str:
    """Plain text as HTML paragraphs (the caller's XML writer escapes it again, as QTI wants)."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br/>')}</p>" for part in paragraphs)


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A new ``tag`` element under ``parent``, with ``text`` and ``attributes``."""
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def material(parent: ET.Element, text: str, texttype: str = "text/html") -> None:
    """A ``material`` block holding ``text`` (as HTML paragraphs unless ``texttype`` is plain)."""
    block = sub(parent, "material")
    sub(block, "mattext", _html(text) if texttype == "text/html" else text, texttype=texttype)


def _metadata(item: ET.Element, fields: dict[str, str]) -> None:
    qtimetadata = sub(sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = sub(qtimetadata, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)


def choice_list(
    presentation: ET.Element, ident: str, cardinality: str, choices: list[tuple[str, str]]
) -> None:
    """A ``response_lid`` list of ``(ident, text)`` choices, ``Single`` or ``Multiple``."""
    render = sub(
        sub(presentation, "response_lid", ident=ident, rcardinality=cardinality), "render_choice"
    )
    for choice_id, text in choices:
        material(sub(render, "response_label", ident=choice_id), text)


def text_entry(presentation: ET.Element, fibtype: str | None = None) -> None:
    """A one-line text entry (``fibtype="Decimal"`` for a number)."""
    response = sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = (
        sub(response, "render_fib", fibtype=fibtype) if fibtype else sub(response, "render_fib")
    )
    sub(render, "response_label", ident="answer1", rshuffle="No")


def scoring(item: ET.Element) -> ET.Element:
    """The ``resprocessing`` of ``item``: a 0-100 score and the general feedback."""
    processing = sub(item, "resprocessing")
    sub(
        sub(processing, "outcomes"),
        "decvar",
        maxvalue="100",
        minvalue="0",
        varname="SCORE",
        vartype="Decimal",
    )
    general = sub(processing, "respcondition", **{"continue": "Yes"})
    sub(sub(general, "conditionvar"), "other")
    sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    return processing


def full_marks(processing: ET.Element) -> ET.Element:
    """A condition that sets the score to 100; returns its ``conditionvar`` to fill in."""
    condition = sub(processing, "respcondition", **{"continue": "No"})
    conditionvar = sub(condition, "conditionvar")
    sub(condition, "setvar", "100", action="Set", varname="SCORE")
    return conditionvar


def _item(
    section: ET.Element, question: Question, include_answers: bool, glossary: Glossary | None
) -> None:
    item = sub(section, "item", ident=question.id, title=question.id)
    qtype = REGISTRY[question.type].canvas_type if include_answers else "essay_question"
    _metadata(item, {"question_type": qtype, "points_possible": "1.0"})
    presentation = sub(item, "presentation")
    if not include_answers:
        block = sub(presentation, "material")
        sub(block, "mattext", prompt_with_choices(question, "html"), texttype="text/html")
        text_entry(presentation)
        condition = sub(sub(item, "resprocessing"), "respcondition", **{"continue": "No"})
        sub(sub(condition, "conditionvar"), "other")
        return
    material(presentation, question.prompt)
    REGISTRY[question.type].qti_item(item, presentation, question, glossary)

    feedback = sub(item, "itemfeedback", ident="general_fb")
    material(sub(feedback, "flow_mat"), question.explanation)


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
    assessment = sub(root, "assessment", ident=ident, title=f"Lesson {bank.lesson}: {bank.title}")
    metadata = sub(assessment, "qtimetadata")
    fields = {"cc_maxattempts": "unlimited" if settings.attempts is None else str(settings.attempts)}
    if settings.time_limit is not None:
        fields["qmd_timelimit"] = str(settings.time_limit)
    for label, entry in fields.items():
        field = sub(metadata, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)
    section = sub(assessment, "section", ident="root_section")
    for question in bank.questions:
        _item(section, question, include_answers, glossary)
    return _serialise(root)


def _assessment_meta(bank: Bank, include_answers: bool, settings: QuizSettings) -> bytes:
    ident = assessment_id(bank.lesson)
    root = ET.Element("quiz", identifier=ident, xmlns=CANVAS_NAMESPACE)
    sub(root, "title", f"Lesson {bank.lesson}: {bank.title}")
    sub(
        root,
        "description",
        "" if include_answers else "Student copy: answers are graded by the instructor.",
    )
    sub(root, "shuffle_answers", "false")
    sub(root, "scoring_policy", "keep_highest")
    sub(root, "quiz_type", "assignment")
    sub(root, "points_possible", f"{bank.max_score:.1f}")
    show = include_answers and settings.show_correct_answers
    sub(root, "show_correct_answers", "true" if show else "false")
    sub(root, "allowed_attempts", "-1" if settings.attempts is None else str(settings.attempts))
    if settings.time_limit is not None:
        sub(root, "time_limit", str(settings.time_limit))
    sub(root, "available", "false")
    return _serialise(root)


def _manifest(banks: list[Bank]) -> bytes:
    root = ET.Element("manifest", identifier="coursekit_quizzes_manifest", xmlns=MANIFEST_NAMESPACE)
    metadata = sub(root, "metadata")
    sub(metadata, "schema", "IMS Content")
    sub(metadata, "schemaversion", "1.1.3")
    sub(root, "organizations")
    resources = sub(root, "resources")
    for bank in banks:
        ident = assessment_id(bank.lesson)
        resource = sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
        sub(resource, "file", href=f"{ident}/{ident}.xml")
        sub(resource, "dependency", identifierref=f"{ident}_meta")
        meta = sub(
            resources,
            "resource",
            identifier=f"{ident}_meta",
            type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
            href=f"{ident}/assessment_meta.xml",
        )
        sub(meta, "file", href=f"{ident}/assessment_meta.xml")
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
