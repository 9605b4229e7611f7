"""Shared pieces of the project tests: answers built from the solution notebooks, one autograde run.

A project's answers are the solution cells of its source notebook with the
``### BEGIN/END SOLUTION`` lines removed.  A known-wrong variant is that set of
answers with one edit (``old`` replaced by ``new`` in one answer cell).  Each
project module grades, in one ``nbgrader autograde`` run, the reference
answers, the untouched release and its wrong variants, one student each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from coursekit.grading import autograde, make_course, make_submission, max_scores, read_scores, submit

REPO = Path(__file__).resolve().parents[2]
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Edit:
    """A known-wrong variant: in answer cell ``grade_id``, ``old`` becomes ``new``; it must lose ``loses``."""

    mistake: str
    grade_id: str
    old: str
    new: str
    loses: tuple[str, ...]


def source_notebook(assignment: str) -> Path:
    (path,) = sorted((REPO / "solutions" / assignment).glob("*.ipynb"))
    return path


def solution_answers(assignment: str) -> dict[str, str]:
    """{grade_id: source} of every answer cell of the source notebook, solution markers removed."""
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = cell.source.splitlines(keepends=True)
            answers[meta["grade_id"]] = "".join(line for line in lines if line.strip() not in _MARKERS)
    return answers


def apply(answers: Mapping[str, str], edit: Edit) -> dict[str, str]:
    source = answers[edit.grade_id]
    assert source.count(edit.old) == 1, f"{edit.mistake}: {edit.old!r} must occur once in {edit.grade_id}"
    return {**answers, edit.grade_id: source.replace(edit.old, edit.new)}


def grade(tmp_path_factory: pytest.TempPathFactory, assignment: str, edits: Mapping[str, Edit]) -> dict:
    """Autograde reference, untouched and every edit of ``assignment`` in one run; return scores and more."""
    answers = solution_answers(assignment)
    name = source_notebook(assignment).stem
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmp")))  # the notebooks' lesson sandboxes
        course = make_course(tmp_path_factory.mktemp("course"), [assignment], source_root=REPO)
        release = course / "notebooks" / assignment / f"{name}.ipynb"
        submit(course, "reference", assignment, {name: make_submission(release, answers)})
        submit(course, "untouched", assignment, {name: nbformat.read(release, as_version=4)})
        for student, edit in edits.items():
            submit(course, student, assignment, {name: make_submission(release, apply(answers, edit))})
        result = autograde(course, assignment)
    return {
        "course": course,
        "result": result,
        "scores": read_scores(course, assignment),
        "max": max_scores(course, assignment),
    }


def lost(graded: dict, student: str) -> dict[str, tuple[float, float]]:
    """The grade cells where ``student`` did not get full marks: {grade_id: (score, max)}."""
    scores = graded["scores"][student]
    return {gid: (scores.get(gid, 0.0), pts) for gid, pts in graded["max"].items() if scores.get(gid) != pts}
