"""The cells a learner does not write leave the learner's names alone (coursekit.namespace)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from coursekit.cells import given_code_cells, has_nbgrader_cells, is_solution_cell
from coursekit.namespace import NOTEBOOKS, NotebookNames, bound_names, namespace_problems

REPO = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "files" / "namespace_bad.ipynb"


def graded_notebooks() -> list[Path]:
    return [
        path
        for path in sorted((REPO / "solutions").glob("*/*.ipynb"))
        if has_nbgrader_cells(nbformat.read(path, as_version=4))
    ]


def _answer_cell_names(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return {
        name
        for cell in nb.cells
        if cell.cell_type == "code" and is_solution_cell(cell)
        for name, _ in bound_names(cell.source)
    }


@pytest.mark.parametrize("path", graded_notebooks(), ids=lambda p: p.stem)
def test_given_cells_bind_and_read_no_learner_name(path: Path) -> None:
    problems = namespace_problems(path)
    assert not problems, "given cells must use private (_name) or prefixed names:\n" + "\n".join(
        map(str, problems)
    )


def test_every_graded_notebook_has_an_entry_and_every_entry_a_notebook() -> None:
    assert {p.stem for p in graded_notebooks()} == set(NOTEBOOKS)


@pytest.mark.parametrize("path", graded_notebooks(), ids=lambda p: p.stem)
def test_listed_names_are_what_the_notebook_says(path: Path) -> None:
    """An answer name is defined by the reference answer; a promised name is bound by a given cell."""
    names = NOTEBOOKS[path.stem]
    assert set(names.answers) <= _answer_cell_names(path), set(names.answers) - _answer_cell_names(path)
    nb = nbformat.read(path, as_version=4)
    given = {name for cell in given_code_cells(nb) for name, _ in bound_names(cell.source)}
    assert set(names.promised) <= given, set(names.promised) - given
    assert all(names.answers.values()) and all(names.promised.values()), "every exception says why"


# --- the guard catches every way of binding a name (tests/files/namespace_bad.ipynb) -------------

EXPECTED_IN_BAD_FIXTURE = {
    ("assign", "cfg"),
    ("augmented", "total"),
    ("annotated", "value"),
    ("unpacking", "first"),
    ("unpacking", "second"),
    ("unpacking", "rest"),
    ("for_target", "name"),
    ("with_target", "handle"),
    ("imports", "json"),
    ("imports", "path"),
    ("imports", "logging"),
    ("definitions", "check"),
    ("definitions", "Config"),
    ("walrus", "count"),
    ("walrus", "found"),
    ("except_as", "error"),
    ("global_statement", "logger"),
    ("delete", "fields"),
    ("match_capture", "x"),
}


def test_guard_reports_every_binding_of_the_bad_fixture() -> None:
    problems = namespace_problems(BAD, NotebookNames("bad_"))
    binds = {(p.cell_id, p.name) for p in problems if p.what == "binds"}
    missed, unexpected = EXPECTED_IN_BAD_FIXTURE - binds, binds - EXPECTED_IN_BAD_FIXTURE
    assert not missed and not unexpected, f"missed: {sorted(missed)}, unexpected: {sorted(unexpected)}"


def test_guard_reports_a_read_of_a_learner_name() -> None:
    problems = namespace_problems(BAD, NotebookNames("bad_"))
    reads = {(p.cell_id, p.name) for p in problems if p.what == "reads"}
    assert reads == {("reads_learner_name", "model")}
    # What the learner's answer cell binds is never reported: that namespace is the learner's.
    assert not {p for p in problems if p.cell_id == "answer"}


def test_guard_accepts_private_prefixed_and_listed_names() -> None:
    problems = namespace_problems(BAD, NotebookNames("bad_", answers={"model": "the answer"}))
    assert not {p for p in problems if p.cell_id in {"private_and_prefixed", "reads_learner_name"}}


def test_a_problem_names_notebook_cell_and_name() -> None:
    (problem,) = [p for p in namespace_problems(BAD, NotebookNames("bad_")) if p.cell_id == "assign"]
    assert str(problem) == "namespace_bad [assign] line 1: binds 'cfg'"


def test_magics_are_read_as_the_calls_they_stand_for() -> None:
    assert bound_names("%xmode Minimal\nfrom coursekit.quiz import grade\n") == [("grade", 2)]
    assert bound_names("%%writefile train.py\nimport os\n") == []


def test_a_notebook_without_an_entry_is_a_problem(tmp_path: Path) -> None:
    unknown = tmp_path / "new_exercise.ipynb"
    unknown.write_bytes(BAD.read_bytes())
    (problem,) = namespace_problems(unknown)
    assert "has no entry" in str(problem)
