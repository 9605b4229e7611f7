"""What nbgrader's metadata says about a notebook's cells: the one place that reads it.

nbgrader keeps its view of a cell in ``cell.metadata.nbgrader``: a ``grade_id``, and the flags
``solution`` (the learner writes it), ``grade`` (a test cell worth points) and ``task``.  Every part of
the kit that asks about them (normalising and generating notebooks, the namespace rules, the class
grader's failure reasons, the proof harness and the proofs) asks here.

A cell is anything ``nbformat`` reads (a ``NotebookNode``, or a plain ``dict``); nothing here imports
nbformat, so the grading worker can use it before its heavy imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "cell_label",
    "cell_sources",
    "given_code_cells",
    "grade_id",
    "grade_ids",
    "has_nbgrader_cells",
    "is_grade_cell",
    "is_solution_cell",
    "nbgrader_metadata",
]


def nbgrader_metadata(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    """The cell's ``metadata.nbgrader`` (empty when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: Mapping[str, Any]) -> str | None:
    """The cell's nbgrader ``grade_id``, or None."""
    return nbgrader_metadata(cell).get("grade_id")


def is_solution_cell(cell: Mapping[str, Any]) -> bool:
    """True for a cell the learner writes (an nbgrader solution cell)."""
    return bool(nbgrader_metadata(cell).get("solution"))


def is_grade_cell(cell: Mapping[str, Any]) -> bool:
    """True for a cell worth points (an nbgrader test cell, or a manually graded answer)."""
    return bool(nbgrader_metadata(cell).get("grade"))


def has_nbgrader_cells(notebook: Any) -> bool:
    """True when any cell is an nbgrader solution, test or task cell."""
    for cell in notebook.cells:
        meta = nbgrader_metadata(cell)
        if meta.get("solution") or meta.get("grade") or meta.get("task"):
            return True
    return False


def grade_ids(notebook: Any) -> list[str]:
    """The nbgrader ``grade_id`` of every cell that has one, in notebook order."""
    return [gid for gid in map(grade_id, notebook.cells) if gid]


def cell_sources(notebook: Any) -> dict[str, str]:
    """Map each ``grade_id`` of ``notebook`` to its cell's source."""
    return {gid: cell.source for cell in notebook.cells if (gid := grade_id(cell))}


def given_code_cells(notebook: Any) -> list[Any]:
    """The code cells the learner does not write (setup, *Try it*, helpers, tests), in order."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and not is_solution_cell(cell)]


def cell_label(cell: Mapping[str, Any], index: int) -> str:
    """How a message names a cell: ``cell 'ex1_console'`` by its grade_id, else ``cell #3`` (1-based)."""
    gid = grade_id(cell)
    return f"cell {gid!r}" if gid else f"cell #{index + 1}"
