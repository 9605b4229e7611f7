"""Broken submissions: the broken exercise scores zero with a reason, everything else is still graded.

One course with the five exercises. Every student hands in exercises 1-3, and exercises 4 and 5 are handed
in by alice and by the student who breaks them (they start processes and git, so fewer copies keep the test
quick); each of the students below breaks exactly one exercise, in a different way. Each assignment is
autograded in one run, as an instructor would.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from grader_support import FILES, REPO, solution_answer

from coursekit.proof_harness import (
    autograde,
    feedback_html,
    generate_feedback,
    make_course,
    make_submission,
    max_scores,
    read_scores,
    review_flags,
    submit,
)

EXERCISES = {  # assignment -> (notebook, answer cell grade_id)
    "02_ex1_logging": ("ex1_logging", "ex1"),
    "03_ex2_config": ("ex2_config", "ex2"),
    "04_ex3_request_ids": ("ex3_request_ids", "ex3"),
    "11_ex4_multiprocess": ("ex4_multiprocess", "ex4"),
    "12_ex5_run_record": ("ex5_run_record", "ex5"),
}
BROKEN = {  # student -> the assignment they broke
    "loop": "02_ex1_logging",  # an infinite loop in the answer cell
    "deleted": "02_ex1_logging",  # the answer cell deleted
    "syntax": "03_ex2_config",  # a syntax error in the answer cell
    "reordered": "03_ex2_config",  # a right answer, moved below the checks
    "crash": "04_ex3_request_ids",  # an exception while the answer cell runs
    "notjson": "04_ex3_request_ids",  # a notebook file that is not valid JSON
    "badmodule": "11_ex4_multiprocess",  # the module the workers import has a syntax error
    "sysexit": "12_ex5_run_record",  # the answer cell ends with sys.exit(0), as a script would
}
REASONS = {  # what the feedback of the broken notebook must say
    "loop": ["CellTimeoutError", "setup_logging is not defined"],
    "deleted": ["setup_logging is not defined", "run the answer cell"],
    "syntax": ["SyntaxError", "load_config is not defined"],
    "reordered": ["load_config is not defined", "run the answer cell"],
    "crash": ["FileNotFoundError", "model/weights.json", "predict is not defined"],
}
STUDENTS = ["alice", *BROKEN]
EVERYONE = {"02_ex1_logging", "03_ex2_config", "04_ex3_request_ids"}  # handed in by every student


def handed_in(student: str, assignment: str) -> bool:
    return assignment in EVERYONE or student == "alice" or BROKEN.get(student) == assignment


# nbgrader_config.py allows 60 s per cell. A right answer needs well under a second per cell, so the
# infinite loop is cut off after 10 s here to keep the test suite fast; the behaviour is the same.
SHORT_TIMEOUT = "--Execute.timeout=10"


@dataclass
class Outcome:
    course: Path
    logs: dict[str, str]
    returncodes: dict[str, int]
    scores: dict[str, dict[str, dict[str, float]]]
    max: dict[str, dict[str, float]]
    submitted: dict[tuple[str, str], bytes]

    def total(self, assignment: str, student: str) -> float:
        return sum(self.scores[assignment].get(student, {}).values())

    def full(self, assignment: str) -> float:
        return sum(self.max[assignment].values())


def _broken_notebook(student: str, release: Path, good: nbformat.NotebookNode, grade_id: str):
    if student == "loop":
        return make_submission(release, {grade_id: (FILES / "broken" / "ex1_infinite_loop.py").read_text()})
    if student == "syntax":
        return make_submission(release, {grade_id: (FILES / "broken" / "ex2_syntax_error.txt").read_text()})
    if student == "badmodule":
        return make_submission(
            release, {grade_id: (FILES / "broken" / "ex4_module_syntax_error.txt").read_text()}
        )
    if student == "sysexit":
        return make_submission(release, {grade_id: (FILES / "broken" / "ex5_sys_exit.py").read_text()})
    if student == "crash":
        return make_submission(
            release, {grade_id: (FILES / "broken" / "ex3_exception_at_import.py").read_text()}
        )
    nb = nbformat.from_dict(good)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    nb.cells.remove(answer)
    if student == "reordered":
        nb.cells.append(answer)
    if student == "notjson":
        return nbformat.writes(good)[:700]  # a file cut short, as after a failed upload
    return nb


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    course = make_course(tmp_path_factory.mktemp("broken") / "course", list(EXERCISES), source_root=REPO)
    submitted = {}
    for assignment, (notebook, grade_id) in EXERCISES.items():
        release = course / "notebooks" / assignment / f"{notebook}.ipynb"
        good = make_submission(release, {grade_id: solution_answer(assignment, notebook, grade_id)})
        for student in (s for s in STUDENTS if handed_in(s, assignment)):
            nb = (
                _broken_notebook(student, release, good, grade_id)
                if BROKEN.get(student) == assignment
                else good
            )
            folder = submit(course, student, assignment, {notebook: nb})
            submitted[student, assignment] = (folder / f"{notebook}.ipynb").read_bytes()
    logs, codes = {}, {}
    for assignment in EXERCISES:
        result = autograde(course, assignment, SHORT_TIMEOUT)
        feedback = generate_feedback(course, assignment)
        logs[assignment] = result.stdout + result.stderr + feedback.stdout + feedback.stderr
        codes[assignment] = result.returncode
    return Outcome(
        course=course,
        logs=logs,
        returncodes=codes,
        scores={a: read_scores(course, a) for a in EXERCISES},
        max={a: max_scores(course, a) for a in EXERCISES},
        submitted=submitted,
    )


@pytest.mark.slow
def test_a_student_with_nothing_broken_gets_full_marks_everywhere(outcome: Outcome) -> None:
    for assignment in EXERCISES:
        assert outcome.total(assignment, "alice") == outcome.full(assignment), outcome.logs[assignment][
            -3000:
        ]


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(BROKEN))
def test_the_broken_exercise_scores_zero(outcome: Outcome, student: str) -> None:
    assert outcome.total(BROKEN[student], student) == 0


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(BROKEN))
def test_the_other_exercises_are_still_graded(outcome: Outcome, student: str) -> None:
    for assignment in EXERCISES:
        if assignment != BROKEN[student] and handed_in(student, assignment):
            assert outcome.total(assignment, student) == outcome.full(assignment), (
                assignment,
                outcome.scores,
            )


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(REASONS))
def test_the_feedback_gives_the_reason(outcome: Outcome, student: str) -> None:
    assignment = BROKEN[student]
    page = html.unescape(feedback_html(outcome.course, student, assignment, EXERCISES[assignment][0]))
    for reason in REASONS[student]:
        assert reason in page, reason


@pytest.mark.slow
def test_a_notebook_that_is_not_json_is_reported_and_kept(outcome: Outcome) -> None:
    assignment = BROKEN["notjson"]
    log = outcome.logs[assignment]
    assert "There was an error processing assignment" in log and "'notjson'" in log, log[-3000:]
    assert "JSONDecodeError" in log or "NotJSONError" in log, log[-3000:]
    assert outcome.returncodes[assignment] != 0  # the instructor's command says something went wrong ...
    feedback = outcome.course / "grader" / "feedback" / "notjson" / assignment
    assert not feedback.exists()  # ... and no feedback pretends otherwise


@pytest.mark.slow
def test_every_run_finishes_and_grades_every_readable_notebook(outcome: Outcome) -> None:
    for assignment, (notebook, _) in EXERCISES.items():
        assert outcome.returncodes[assignment] == (1 if assignment == BROKEN["notjson"] else 0)
        for student in STUDENTS:
            if (student, assignment) == ("notjson", BROKEN["notjson"]) or not handed_in(student, assignment):
                continue
            autograded = outcome.course / "grader" / "autograded" / student / assignment / f"{notebook}.ipynb"
            feedback = outcome.course / "grader" / "feedback" / student / assignment / f"{notebook}.html"
            assert autograded.is_file() and feedback.is_file(), (student, assignment)


@pytest.mark.slow
def test_nothing_handed_in_is_changed_or_lost(outcome: Outcome) -> None:
    for (student, assignment), content in outcome.submitted.items():
        notebook = EXERCISES[assignment][0]
        path = outcome.course / "grader" / "submitted" / student / assignment / f"{notebook}.ipynb"
        assert path.read_bytes() == content, path


@pytest.mark.slow
def test_a_broken_submission_is_not_flagged_for_review(outcome: Outcome) -> None:
    """An infinite loop, a syntax error or a crash is a mistake, not tampering: no notebook is flagged."""
    assert {a: review_flags(outcome.course, a) for a in EXERCISES} == dict.fromkeys(EXERCISES, {})
