"""The quiz engine: glossary, question banks, grading, front ends, exports and flashcards.

Data
----
``quizzes/glossary.yaml`` holds every key term (id, term, lesson, definition, related, example,
optional aliases). ``quizzes/lesson_NN.yaml`` holds one bank per lesson: ``lesson``, ``title``
and ``questions``. A question has ``id`` (kebab-case, unique across all banks), ``type``,
``prompt``, ``explanation``, optional ``terms`` (glossary ids) and ``flashcard`` (bool), and by
type:

=================  ===========================================================================
type               key
=================  ===========================================================================
single_choice      ``choices`` (>= 2) and ``answer``: the 0-based index of the correct choice
multiple_choice    ``choices`` and ``answer``: a list of 0-based indices (at least one)
true_false         ``answer``: true or false
numeric            ``answer``: a number or a fraction (``4/3``), and ``decimals``: the decimal
                   places the prompt asks for, or ``tolerance``: the absolute tolerance (>= 0)
matching           ``pairs``: >= 2 ``{left, right}``; the key is the identity pairing
short_text         ``answer``: text, optional ``accept``: more accepted texts
=================  ===========================================================================

:mod:`coursekit.quiz.reading` reads these files safely (no YAML aliases or merge keys, bounded
size), :mod:`coursekit.quiz.schema` validates them, handing each question to its type in
:mod:`coursekit.quiz.types` (one module per type, registered in one table), and every problem
is reported as ``FILE:LINE: message``; ``coursekit quiz validate`` runs it. Responses for ``coursekit quiz
grade`` are a YAML or JSON mapping with ``answers`` (question id -> answer) and optional
``student`` and ``lesson``.

Where a quiz can be taken
-------------------------
- in a notebook: :func:`show_quiz` (ipywidgets, or plain text without a widget front end);
- in a terminal: ``coursekit quiz take LESSON``;
- from a responses file: ``coursekit quiz grade RESPONSES_FILE``.

About the answer keys
---------------------
The answer key is in the same files as the questions, on the learner's own machine, because
the notebook and terminal quizzes grade locally and give instant feedback. **Anyone who opens
``quizzes/*.yaml`` can read the answers.** These quizzes are for self-assessment, not for
marks. For assessed work, an instructor exports a student copy without answers
(``coursekit quiz export --no-answers``, GIFT or QTI) or imports the quizzes into an LMS, and
grades submissions with ``coursekit quiz grade`` on their own machine against the full banks.
"""

from coursekit.quiz.banks import load_bank, load_banks, quizzes_dir, validate_paths
from coursekit.quiz.grading import (
    GradeReport,
    QuestionResult,
    grade_answer,
    grade_responses,
    read_responses,
)
from coursekit.quiz.model import Bank, Glossary, Question, Term
from coursekit.quiz.schema import QuizFormatError
from coursekit.quiz.widget import show_quiz

__all__ = [
    "Bank",
    "Glossary",
    "GradeReport",
    "Question",
    "QuestionResult",
    "QuizFormatError",
    "Term",
    "grade_answer",
    "grade_responses",
    "load_bank",
    "load_banks",
    "quizzes_dir",
    "read_responses",
    "show_quiz",
    "validate_paths",
]
