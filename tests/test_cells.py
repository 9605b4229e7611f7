"""coursekit.cells: what nbgrader's metadata says about a cell, read in one place."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.cells import (
    cell_label,
    cell_sources,
    given_code_cells,
    grade_id,
    grade_ids,
    has_nbgrader_cells,
    is_grade_cell,
    is_solution_cell,
    nbgrader_metadata,
)


def _notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    answer_meta = dict(grade=False, solution=True, locked=False, grade_id="ex9", schema_version=3)
    test_meta = dict(grade=True, solution=False, locked=True, grade_id="ex9_t", points=1, schema_version=3)
    nb.cells = [
        new_markdown_cell("Write `f`."),
        new_code_cell("_setup = 1"),
        new_code_cell("def f():\n    return 1\n", metadata={"nbgrader": answer_meta}),
        new_code_cell("assert f() == 1\n", metadata={"nbgrader": test_meta}),
    ]
    return nb


def test_a_cell_without_nbgrader_metadata_has_none() -> None:
    plain = _notebook().cells[1]
    assert nbgrader_metadata(plain) == {} and grade_id(plain) is None
    assert not is_solution_cell(plain) and not is_grade_cell(plain)
    assert grade_id({"cell_type": "code", "source": ""}) is None  # a plain dict, as a worker reads JSON


def test_solution_and_grade_cells_are_told_apart() -> None:
    _, _, answer, test = _notebook().cells
    assert (grade_id(answer), is_solution_cell(answer), is_grade_cell(answer)) == ("ex9", True, False)
    assert (grade_id(test), is_solution_cell(test), is_grade_cell(test)) == ("ex9_t", False, True)


def test_grade_ids_and_sources_in_notebook_order() -> None:
    nb = _notebook()
    assert grade_ids(nb) == ["ex9", "ex9_t"]
    assert cell_sources(nb) == {"ex9": "def f():\n    return 1\n", "ex9_t": "assert f() == 1\n"}


def test_given_code_cells_are_every_code_cell_but_the_answers() -> None:
    assert [cell.source for cell in given_code_cells(_notebook())] == ["_setup = 1", "assert f() == 1\n"]


def test_a_notebook_has_nbgrader_cells_when_one_is_a_solution_test_or_task() -> None:
    nb = _notebook()
    assert has_nbgrader_cells(nb)
    nb.cells = nb.cells[:2]
    assert not has_nbgrader_cells(nb)
    nb.cells.append(new_markdown_cell("Explain.", metadata={"nbgrader": {"task": True, "grade_id": "t"}}))
    assert has_nbgrader_cells(nb)


def test_a_cell_is_named_by_its_grade_id_else_by_its_place() -> None:
    nb = _notebook()
    assert cell_label(nb.cells[2], 2) == "cell 'ex9'"
    assert cell_label(nb.cells[1], 1) == "cell #2"
