"""Shared pieces of the project tests: answers built from the solution notebooks, wrong ones by edits.

A project's answers are the solution cells of its source notebook with the
``### BEGIN/END SOLUTION`` lines removed.  A known-wrong variant is that set of
answers with one edit (``old`` replaced by ``new`` in one answer cell).
:class:`ProjectProof` is the exercises' grader proof (``AutogradeProof``) fed
with them: one ``nbgrader autograde`` run per project grades the reference
answers, the untouched release and every wrong variant, one student each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from grader_support import REPO, AutogradeProof, Wrong, replace_once, without_solution_markers


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
            answers[meta["grade_id"]] = without_solution_markers(cell.source)
    return answers


def apply(answers: Mapping[str, str], edit: Edit) -> dict[str, str]:
    """``answers`` with ``edit`` made; fails unless ``edit.old`` occurs exactly once in its cell."""
    source = replace_once(answers[edit.grade_id], edit.old, edit.new, f"{edit.mistake} ({edit.grade_id})")
    return {**answers, edit.grade_id: source}


class ProjectProof(AutogradeProof):
    """The grader proof of one project: a test class sets the assignment, its answer cells and EDITS."""

    ANSWER_CELLS: frozenset[str]  # answer cells the source notebook must have
    EDITS: dict[str, Edit]  # the known-wrong variants, by student id

    @classmethod
    def solution(cls) -> dict[str, str]:
        return solution_answers(cls.ASSIGNMENT)

    @classmethod
    def wrong(cls) -> dict[str, Wrong]:
        answers = cls.solution()
        return {
            name: Wrong(apply(answers, edit), edit.mistake, frozenset(edit.loses))
            for name, edit in cls.EDITS.items()
        }

    def test_edits_apply_to_the_solution(self) -> None:
        answers = self.solution()
        assert source_notebook(self.ASSIGNMENT).stem == self.NOTEBOOK
        assert set(answers) >= self.ANSWER_CELLS, self.ANSWER_CELLS - set(answers)
        for edit in self.EDITS.values():
            assert apply(answers, edit) != answers, edit.mistake
