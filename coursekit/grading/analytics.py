"""Class analytics: what a graded class got wrong, to plan the next session.

:func:`class_analytics` reads the grader's JSON details (``coursekit grade`` writes them next to
the gradebook) and, optionally, quiz responses files; :func:`analytics_html` writes one
self-contained HTML page (figures inline as SVG, no script, no network):

* **per exercise:** the distribution of scores, and the most common failing diagnoses across the
  class with the number of students who got each ("the train part should hold # indices
  (round(fraction * n)), got #: 14 students"). Diagnoses are grouped by their text with every
  number (not the digits of a name such as ``l1_penalty``) replaced by ``#`` and every index
  tuple by ``(…)``; a student counts once per diagnosis, and an exercise that was not
  implemented or used the reference counts once as that;
* **per quiz question:** difficulty (the mean score, i.e. the share who got it right),
  discrimination (the point-biserial correlation between the question's score and the rest of
  the quiz, "corrected": the question itself is left out of the total) and, for choice
  questions, how often each choice was picked.

Both inputs are treated as untrusted: sizes are capped, the structure is checked with a clear
message, and every text is escaped.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coursekit.grading import protocol
from coursekit.grading.assignment import GradingError
from coursekit.grading.reports import inert

MAX_DETAILS_BYTES = 200 * 2**20
#: Diagnoses listed per exercise.
TOP_DIAGNOSES = 5
#: A number standing alone: the 1 of ``l1_penalty`` and the 32 of ``float32`` are kept.
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?!\w)", re.IGNORECASE)
_ARRAY = re.compile(r"\[[^\[\]]*\]")
#: An index once its numbers are masked: ``(#,)`` and ``(#, #)`` are the same mistake.
_INDEX = re.compile(r"\((?:\s*#\s*,)+\s*#?\s*\)")


def diagnosis_key(message: str) -> str:
    """A failure message with numbers, array contents and indices replaced, so equal mistakes group."""
    text = inert(message, 300)
    text = _ARRAY.sub("[…]", text)
    return _INDEX.sub("(…)", _NUMBER.sub("#", text))


@dataclass
class ExerciseStats:
    """Scores and grouped diagnoses of one exercise over the class."""

    name: str
    scores: list[float] = field(default_factory=list)
    diagnoses: Counter = field(default_factory=Counter)

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores)) if self.scores else math.nan


@dataclass
class QuestionStats:
    """Difficulty, discrimination and choice counts of one quiz question."""

    question_id: str
    question_type: str
    difficulty: float
    discrimination: float
    n: int
    choices: list[tuple[str, int, bool]] = field(default_factory=list)


@dataclass
class Analytics:
    lesson: str
    n_students: int
    exercises: list[ExerciseStats]
    questions: list[QuestionStats]


def _load_details(path: Path) -> dict:
    try:
        data = json.loads(protocol.read_bounded(path, MAX_DETAILS_BYTES).decode("utf-8"))
    except (protocol.ProtocolError, OSError) as error:
        raise GradingError(f"{path}: cannot read the grading details ({error}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise GradingError(f"{path}: not the JSON that 'coursekit grade' writes (GRADES.json).") from None
    if type(data) is not dict or type(data.get("students")) is not list or type(data.get("exercises")) is not list:
        raise GradingError(f"{path}: not the JSON that 'coursekit grade' writes (no 'students' and 'exercises').")
    return data


def exercise_stats(details: dict) -> list[ExerciseStats]:
    """Per exercise of the grading details: every student's score and the diagnoses' counts."""
    stats = {str(name): ExerciseStats(str(name)) for name in details["exercises"]}
    for student in details["students"]:
        if type(student) is not dict:
            continue
        scores = student.get("scores") if type(student.get("scores")) is dict else {}
        for name, entry in stats.items():
            value = scores.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                entry.scores.append(float(value))
        for result in student.get("results") or []:
            if type(result) is not dict or result.get("exercise") not in stats or result.get("passed") is True:
                continue
            keys = set()
            if result.get("status") in ("not implemented", "uses reference"):
                stats[result["exercise"]].diagnoses.update({str(result["status"])})
                continue
            for case in result.get("cases") or []:
                if type(case) is dict and case.get("passed") is False and type(case.get("message")) is str:
                    keys.add(diagnosis_key(case["message"]))
            stats[result["exercise"]].diagnoses.update(keys)
    return list(stats.values())


def _choice_picks(question, value) -> list[int]:
    from coursekit.quiz.grading import _choice_index

    if question.type == "true_false":
        return [0] if value is True else [1] if value is False else []
    values = value if question.type == "multiple_choice" and isinstance(value, list) else [value]
    picks = []
    for item in values[:50]:
        index, _, _ = _choice_index(question, item)
        if index is not None:
            picks.append(index)
    return sorted(set(picks))


def question_stats(responses: list, banks, glossary) -> list[QuestionStats]:
    """Per quiz question answered in ``responses``: difficulty, discrimination, choice counts."""
    from coursekit.quiz.grading import grade_responses

    reports = [grade_responses(item, banks, glossary) for item in responses]
    questions = {q.id: q for bank in banks for q in bank.questions}
    ids = [qid for qid in questions if any(r.question_id == qid for rep in reports for r in rep.results)]
    table = np.full((len(reports), len(ids)), np.nan)
    for row, report in enumerate(reports):
        for result in report.results:
            if result.question_id in ids:
                table[row, ids.index(result.question_id)] = result.score
    stats = []
    for column, qid in enumerate(ids):
        answered = ~np.isnan(table[:, column])
        scores = table[answered, column]
        rest = np.nansum(table[answered], axis=1) - scores
        if len(scores) > 2 and scores.std() > 0 and rest.std() > 0:
            discrimination = float(np.corrcoef(scores, rest)[0, 1])
        else:
            discrimination = math.nan
        question = questions[qid]
        stats.append(QuestionStats(qid, question.type, float(scores.mean()), discrimination, int(answered.sum())))
        if question.type in ("single_choice", "multiple_choice", "true_false"):
            labels = list(question.choices) if question.type != "true_false" else ["True", "False"]
            if question.type == "true_false":
                correct = {0 if question.answer else 1}
            elif question.type == "multiple_choice":
                correct = set(question.answer)
            else:
                correct = {question.answer}
            counts = Counter()
            for item in responses:
                if qid in item.answers:
                    counts.update(_choice_picks(question, item.answers[qid]))
            stats[-1].choices = [(label, counts[index], index in correct) for index, label in enumerate(labels)]
    return stats


def class_analytics(details_path: Path, responses_paths: list[Path] | None = None) -> Analytics:
    """Read the grading details and optional quiz responses files into :class:`Analytics`.

    Raises
    ------
    GradingError
        When the details are not the grader's JSON.
    QuizFormatError
        When a responses file is malformed (FILE:LINE).
    """
    details = _load_details(details_path)
    questions: list[QuestionStats] = []
    if responses_paths:
        from coursekit.quiz.banks import load_banks, load_glossary_from
        from coursekit.quiz.grading import read_responses

        responses = [read_responses(path) for path in responses_paths]
        questions = question_stats(responses, load_banks(), load_glossary_from())
    return Analytics(str(details.get("lesson", "?")), len(details["students"]), exercise_stats(details), questions)


def _histogram_svg(stats: ExerciseStats) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(4, 2.2))
    axes.hist(stats.scores, bins=np.linspace(0, 1, 11), color="#3b6ea8", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_xlim(0, 1)
    axes.set_title(stats.name, fontsize=10)
    figure.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "coursekit", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg"):], flags=re.DOTALL)


def _number(value: float, digits: int = 2) -> str:
    return "—" if not math.isfinite(value) else f"{value:.{digits}f}"


def analytics_html(analytics: Analytics) -> str:
    """The analytics as one self-contained HTML page."""
    e = lambda value: html.escape(inert(value, 400))  # noqa: E731
    parts = [f"<h1>Lesson {e(analytics.lesson)}: class report ({analytics.n_students} students)</h1>",
             "<h2>Exercises</h2>"]
    for stats in analytics.exercises:
        description = (f"Histogram of the scores on {stats.name}: mean {_number(stats.mean)} over "
                       f"{len(stats.scores)} students.")
        parts.append(f"<h3>{e(stats.name)}</h3>")
        parts.append(f'<figure role="img" aria-label="{e(description)}">{_histogram_svg(stats)}'
                     f"<figcaption>{e(description)}</figcaption></figure>")
        common = stats.diagnoses.most_common(TOP_DIAGNOSES)
        if common:
            parts.append("<p>Most common failing diagnoses:</p><ol>" + "".join(
                f"<li>{e(key)}: <strong>{count} student{'s' if count != 1 else ''}</strong></li>"
                for key, count in common) + "</ol>")
        else:
            parts.append("<p>No failing diagnosis: every student passed.</p>")
    if analytics.questions:
        parts.append("<h2>Quiz questions</h2>")
        parts.append(
            "<p>Difficulty is the share of the point earned (1 = everyone right). Discrimination is "
            "the point-biserial correlation between the question and the rest of the quiz: below "
            "0.2 the question tells strong and weak students apart poorly; negative means the "
            "stronger students got it wrong more often (check the key).</p>"
        )
        rows = "".join(
            f"<tr><td>{e(q.question_id)}</td><td>{e(q.question_type)}</td><td>{q.n}</td>"
            f"<td>{_number(q.difficulty)}</td><td>{_number(q.discrimination)}</td><td>"
            + "; ".join(f"{'✓ ' if right else ''}{e(label)}: {count}" for label, count, right in q.choices)
            + "</td></tr>"
            for q in analytics.questions
        )
        parts.append(
            '<table><thead><tr><th scope="col">question</th><th scope="col">type</th>'
            '<th scope="col">answers</th><th scope="col">difficulty</th>'
            '<th scope="col">discrimination</th><th scope="col">choices picked (✓ correct)</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.5}"
             "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.25rem .5rem;vertical-align:top}"
             "figure{margin:0}svg{max-width:100%;height:auto}")
    title = f"Lesson {e(analytics.lesson)}: class report"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
