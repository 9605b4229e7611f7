"""coursekit.notebooks: normalisation and generating notebooks/ from solutions/."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.notebooks import (
    KERNELSPEC,
    generate,
    leaked_solution_markers,
    normalise,
    normalise_file,
)

ROOT = Path(__file__).resolve().parents[1]


def _graded_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell(
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    )
    answer_meta = dict(grade=False, solution=True, locked=False, grade_id="demo", schema_version=3)
    answer.metadata.nbgrader = answer_meta
    test = nbformat.v4.new_code_cell(
        '"""double doubles."""\nassert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(0) == 0\n'
        "### END HIDDEN TESTS"
    )
    test_meta = dict(grade=True, solution=False, locked=True, grade_id="demo_t", points=1, schema_version=3)
    test.metadata.nbgrader = test_meta
    nb.cells += [nbformat.v4.new_markdown_cell("# Demo"), answer, test]
    return nb


def _lesson_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hi')", execution_count=7)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    cell.metadata = {"scrolled": True, "tags": ["keep"], "ExecuteTime": {"x": 1}}
    nb.cells.append(cell)
    nb.metadata = {"kernelspec": {"name": "other", "display_name": "x"}, "widgets": {}}
    return nb


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A two-assignment course: a lesson folder and a graded exercise."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "solutions" / "01_lessons").mkdir(parents=True)
    (tmp_path / "solutions" / "02_demo").mkdir()
    shutil.copy(ROOT / "solutions" / "_header.ipynb", tmp_path / "solutions")
    nbformat.write(_lesson_notebook(), tmp_path / "solutions" / "01_lessons" / "01_hello.ipynb")
    nbformat.write(_graded_notebook(), tmp_path / "solutions" / "02_demo" / "demo.ipynb")
    return tmp_path


def test_normalise_keeps_lesson_outputs_and_drops_volatile_metadata():
    nb = normalise(_lesson_notebook())
    cell = nb.cells[0]
    assert cell.execution_count == 1  # renumbered from 7: counts follow cell order
    assert cell.outputs[0].text == "hi\n"
    assert dict(cell.metadata) == {"tags": ["keep"]}
    assert dict(nb.metadata.kernelspec) == KERNELSPEC
    assert "widgets" not in nb.metadata


def test_normalise_clears_outputs_and_counts_of_graded_sources():
    nb = _graded_notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x")]
    nb.cells[1].execution_count = 4
    assert normalise(nb).cells[1].outputs == []
    assert normalise(nb).cells[1].execution_count is None


def test_normalise_leaves_unrun_notebooks_without_counts():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell('NAME = ""', execution_count=3))
    assert normalise(nb).cells[0].execution_count is None


def test_normalise_numbers_lesson_cells_in_order():
    nb = _lesson_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("text"))
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1", execution_count=99))
    nb.cells[-1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    nb.cells[-1].outputs[0].execution_count = 99
    counts = [c.execution_count for c in normalise(nb).cells if c.cell_type == "code"]
    assert counts == [1, 2]
    assert normalise(nb).cells[-1].outputs[0].execution_count == 2


def test_normalise_is_idempotent_and_ids_are_stable(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_graded_notebook(), path)
    assert normalise_file(path) is True
    first = path.read_text()
    assert normalise_file(path) is False
    assert path.read_text() == first
    ids = [c["id"] for c in nbformat.reads(first, as_version=4).cells]
    assert ids[1:] == ["demo", "demo_t"]
    nbformat.validate(nbformat.reads(first, as_version=4))


def test_normalise_check_mode_does_not_write(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_lesson_notebook(), path)
    before = path.read_text()
    assert normalise_file(path, check=True) is True
    assert path.read_text() == before


def test_normalise_names_an_unreadable_file(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="broken.ipynb: not a readable notebook"):
        normalise_file(path)


@pytest.mark.slow
def test_generate_strips_solutions_keeps_lesson_outputs_and_reports_drift(course):
    report = generate(course)
    assert report.missing == ["01_lessons/01_hello.ipynb", "02_demo/demo.ipynb"]
    release = course / "notebooks"
    student = nbformat.read(release / "02_demo" / "demo.ipynb", as_version=4)
    sources = "\n".join(c.source for c in student.cells)
    assert "return 2 * x" not in sources and "double(0)" not in sources
    assert "raise NotImplementedError()" in sources
    assert student.cells[0].source.startswith("Before you submit")  # the name header
    lesson = nbformat.read(release / "01_lessons" / "01_hello.ipynb", as_version=4)
    assert lesson.cells[0].outputs[0].text == "hi\n"
    assert leaked_solution_markers(release) == []

    assert generate(course, check=True).clean
    (release / "02_demo" / "demo.ipynb").write_text("{}")
    (release / "stray.txt").write_text("x")
    drift = generate(course, check=True)
    assert (drift.changed, drift.extra) == (["02_demo/demo.ipynb"], ["stray.txt"])
    assert "differs from its source: 02_demo/demo.ipynb" in drift.describe()


@pytest.mark.slow
def test_generate_backs_up_what_it_replaces(course):
    generate(course)
    student = course / "notebooks" / "02_demo" / "demo.ipynb"
    student.write_text('{"learner": "work in progress"}')
    generate(course, ["02_demo"])
    backups = list((course / ".backup").rglob("demo.ipynb"))
    assert [b.read_text() for b in backups] == ['{"learner": "work in progress"}']
    assert "NotImplementedError" in student.read_text()


def test_generate_rejects_unknown_assignments(course):
    with pytest.raises(ValueError, match="no such assignment in solutions/: nope"):
        generate(course, ["nope"])


def test_leaked_markers_are_found(tmp_path):
    nbformat.write(_graded_notebook(), tmp_path / "leak.ipynb")
    assert leaked_solution_markers(tmp_path) == ["leak.ipynb"]


@pytest.mark.slow
def test_committed_notebooks_match_their_sources():
    """The drift check: regenerating notebooks/ from solutions/ changes nothing."""
    report = generate(ROOT, check=True)
    assert report.clean, report.describe() + "\nrun `make generate` and commit notebooks/"


def test_no_solution_or_hidden_test_survives_in_notebooks():
    assert leaked_solution_markers(ROOT / "notebooks") == []


def test_every_committed_notebook_is_normalised():
    paths = [p for folder in ("solutions", "notebooks") for p in (ROOT / folder).rglob("*.ipynb")]
    assert [str(p) for p in paths if normalise_file(p, check=True)] == []
