"""nbgrader configuration for the course (read by every `nbgrader` command run from this folder)."""

import os
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from coursekit.classgrade.integrity import FlagForReview
from coursekit.classgrade.kernel_sandbox import autograde_preprocessors
from coursekit.hide_hidden_tests import HideHiddenTests
from coursekit.quiz_release import generate_assignment_preprocessors

c = get_config()  # noqa: F821 - injected by traitlets when nbgrader loads this file

COURSE_ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(COURSE_ROOT)
c.CourseDirectory.course_id = "logging-config-ml"
# solutions/ holds the instructor notebooks; notebooks/ is what learners open.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "grader/submitted"
c.CourseDirectory.autograded_directory = "grader/autograded"
c.CourseDirectory.feedback_directory = "grader/feedback"
c.CourseDirectory.solution_directory = "grader/solution"
c.CourseDirectory.db_url = f"sqlite:///{COURSE_ROOT / 'grader' / 'gradebook.db'}"
# The exchange (release/collect between accounts on one server) lives under grader/ too.
c.Exchange.root = str(COURSE_ROOT / "grader" / "exchange")
(COURSE_ROOT / "grader" / "exchange").mkdir(parents=True, exist_ok=True)  # a fresh clone has neither

# A name cell at the top of every student notebook.
c.IncludeHeaderFooter.header = str(COURSE_ROOT / "solutions" / "_header.ipynb")

# `nbgrader zip_collect ASSIGNMENT` takes the files of grader/downloaded/ASSIGNMENT/archive/
# (a zip, or loose notebooks) named <student>_<notebook>.ipynb, as most course platforms name them.
c.ZipCollectApp.downloaded_directory = "grader/downloaded"  # nbgrader wants it relative to the root
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+\.ipynb)$"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# The quiz (06_quiz): "answer" makes each check under an answer tell the learner at once whether the answer
# is right, with the explanation when it is and a hint when it is not (the explanations are encrypted with
# the right answers); "form" checks only the form of each answer until the quiz is graded. Read when the
# assignment is generated (`coursekit generate`, `nbgrader generate_assignment`): regenerate after a change.
# The points are the same either way: the hidden tests decide them (coursekit/quiz_release.py).
c.QuizSelfChecks.mode = "answer"
c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()

# No learner cell may run for more than a minute; a timed-out cell is an error, not a hang.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# After a cell's reply, nbgrader waits this long for the rest of its output and otherwise fails the
# whole submission ("Timeout waiting for IOPub output"). The default, 4 s, is short on a busy
# machine grading many submissions at once; the wait only lasts as long as the output lags.
c.Execute.iopub_timeout = 60

# Feedback shows each test cell's visible code, its score and the check's message, and one line in place
# of the hidden tests (coursekit/hide_hidden_tests.py); the autograded notebooks keep them for the
# formgrader. A submission flagged for review says so at the top (coursekit/classgrade/integrity.py).
c.GenerateFeedback.preprocessors = [GetGrades, FlagForReview, HideHiddenTests, CSSHTMLHeaderPreprocessor]

# Every kernel is fingerprinted before the first cell and after each one, so that a submission that
# disarms the checks (replaces a helper, fakes coursekit in sys.modules, silences IPython's errors) is
# flagged for review (coursekit/classgrade/integrity.py). Opt in: COURSEKIT_SANDBOX=1 nbgrader
# autograde ... also runs each kernel in the bubblewrap sandbox that `coursekit grade` uses by default
# (coursekit/classgrade/kernel_sandbox.py); validation is neither.
c.Autograde.autograde_preprocessors = autograde_preprocessors(
    c, sandbox=os.environ.get("COURSEKIT_SANDBOX") == "1"
)
