"""What the learner's files say: the released notebook rebuilt from ``solutions/``, started or not.

The release is rebuilt in this process with the course's ``QuizSelfChecks`` and nbgrader's own
``ClearSolutions`` and ``ClearHiddenTests`` (``generate_assignment`` would need a gradebook and
seconds per notebook).  As
in ``nbgrader autograde``, the copy that runs gets the released source of every cell with a
``grade_id`` that the learner does not write, so an edited check still checks.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit.cells import grade_id, is_grade_cell, is_solution_cell
from coursekit.layout import CourseLayout

__all__ = [
    "CODE_STUB",
    "RunPlan",
    "answers_changed",
    "course_notebooks",
    "lesson_started",
    "plan_run",
    "released",
]

# The course's ClearSolutions.code_stub["python"] (nbgrader_config.py; tests/test_learner_progress.py).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def course_notebooks(layout: CourseLayout) -> list[Path]:
    """The notebooks of the course in course order, relative to ``solutions/`` and to the learner's folder."""
    return [
        path.relative_to(layout.source)
        for assignment in layout.assignments()
        for path in sorted((layout.source / assignment).glob("*.ipynb"))
    ]


def released(source: NotebookNode, quiz_mode: str = "answer") -> NotebookNode:
    """The cells of a graded source notebook as ``nbgrader generate_assignment`` releases them.

    ``quiz_mode`` is the course's ``c.QuizSelfChecks.mode`` (:func:`coursekit.quiz_release.configured_mode`).
    """
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    from coursekit.quiz_release import QuizSelfChecks

    nb = nbformat.from_dict(copy.deepcopy(source))
    nb, _ = QuizSelfChecks(mode=quiz_mode).preprocess(nb, {})
    nb, _ = ClearSolutions(code_stub={"python": CODE_STUB}).preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    return nb


def answers_changed(learner: NotebookNode, release: NotebookNode) -> bool:
    """True when an answer cell of ``learner`` differs from the released one, or is gone."""
    mine = {gid: cell.source for cell in learner.cells if (gid := grade_id(cell))}
    return any(
        gid not in mine or mine[gid].strip() != cell.source.strip()
        for cell in release.cells
        if is_solution_cell(cell) and (gid := grade_id(cell))
    )


def lesson_started(learner: NotebookNode, shipped: NotebookNode) -> bool:
    """True when the lesson was saved from a running kernel or a cell differs from the shipped one."""
    kernel_details = set(learner.metadata.get("language_info", {})) - {"name"}
    return bool(kernel_details) or _cell_contents(learner) != _cell_contents(shipped)


def _cell_contents(nb: NotebookNode) -> list[tuple[Any, ...]]:
    return [(c.cell_type, c.source, c.get("outputs"), c.get("execution_count")) for c in nb.cells]


def _docstring(source: str) -> str:
    """The first line of the cell's docstring (a check opens with a one-line docstring)."""
    try:
        text = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        text = source.strip().split("\n", 1)[0].strip("\"' ")
    return text.strip().split("\n", 1)[0]


@dataclass
class RunPlan:
    """A graded notebook to run: the copy, and its checks as ``(grade_id, docstring, index in the copy)``."""

    path: str
    started: bool
    notebook: NotebookNode
    checks: list[tuple[str, str, int | None]]


def plan_run(path: str, learner: NotebookNode, release: NotebookNode) -> RunPlan:
    """The copy of ``learner`` to run, with the released source in every cell it does not write."""
    given = {gid: cell for cell in release.cells if (gid := grade_id(cell)) and not is_solution_cell(cell)}
    nb = nbformat.from_dict(copy.deepcopy(learner))
    for cell in nb.cells:
        if (gid := grade_id(cell)) in given:
            cell.source = given[gid].source
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    index = {gid: i for i, cell in enumerate(nb.cells) if (gid := grade_id(cell))}
    checks = [
        (gid, _docstring(cell.source), index.get(gid))
        for cell in release.cells
        if cell.cell_type == "code" and is_grade_cell(cell) and not is_solution_cell(cell)
        if (gid := grade_id(cell))
    ]
    return RunPlan(path, answers_changed(learner, release), nb, checks)
