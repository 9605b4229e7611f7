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


FILES = Path(__file__).resolve().parent / "files"
_CELL_MARK = "# %% "


def read_answer_file(path: Path, solution: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A right answer to a project, from ``files/<assignment>/right_*.py``: ``(description, answers)``.

    The file opens with ``# RIGHT: ...`` comment lines, then one section per answer cell it writes,
    each under a line ``# %% <grade_id>``; the cells it does not write are the solution's.
    """
    text = path.read_text(encoding="utf-8")
    header, *sections = text.split("\n" + _CELL_MARK)
    description = " ".join(line.lstrip("#").strip() for line in header.splitlines() if line.startswith("#"))
    answers = dict(solution)
    for section in sections:
        grade_id, _, source = section.partition("\n")
        assert grade_id.strip() in solution, f"{path.name}: no answer cell {grade_id.strip()!r}"
        answers[grade_id.strip()] = source.strip("\n") + "\n"
    assert sections, f"{path.name}: no '{_CELL_MARK}<grade_id>' section"
    return description, answers


class ProjectProof(AutogradeProof):
    """The grader proof of one project: a test class sets the assignment, its answer cells and EDITS."""

    ANSWER_CELLS: frozenset[str]  # answer cells the source notebook must have
    EDITS: dict[str, Edit]  # the known-wrong variants, by student id

    @classmethod
    def solution(cls) -> dict[str, str]:
        return solution_answers(cls.ASSIGNMENT)

    @classmethod
    def right_files(cls) -> dict[str, tuple[str, dict[str, str]]]:
        """``{student: (description, answers)}`` for every ``files/<assignment>/right_*.py``."""
        solution = cls.solution()
        return {
            path.stem: read_answer_file(path, solution)
            for path in sorted((FILES / cls.ASSIGNMENT).glob("right_*.py"))
        }

    @classmethod
    def right(cls) -> dict[str, dict[str, str]]:
        return {name: answers for name, (_, answers) in cls.right_files().items()}

    def test_right_files_say_what_they_get_right(self) -> None:
        for name, (description, answers) in self.right_files().items():
            assert description.startswith("RIGHT:"), f"{name}: {description!r}"
            assert answers != self.solution(), f"{name} is the solution itself"

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
