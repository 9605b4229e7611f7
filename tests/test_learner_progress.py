"""coursekit.progress: started or not, visible checks passing and what to do next, for a learner's folder."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest
from grader_support import mutate, solution_answer
from wrong_ex2 import WRONG as WRONG_EX2

from coursekit import cli
from coursekit.cells import cell_sources, grade_id, has_nbgrader_cells, is_grade_cell, is_solution_cell
from coursekit.layout import CourseLayout
from coursekit.notebooks import KERNELSPEC, normalise, normalise_file
from coursekit.progress import (
    CELL_TIMEOUT,
    CODE_STUB,
    Check,
    CourseProgress,
    NotebookProgress,
    answers_changed,
    check_course,
    course_notebooks,
    lesson_started,
    released,
)
from coursekit.proof_harness import make_submission

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = CourseLayout(ROOT)
# What JupyterLab saves in a notebook's metadata once a kernel has run it.
KERNEL_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.9",
}


def _course_setting(target: str):
    """The literal value that nbgrader_config.py assigns to ``target`` (``c.Execute.timeout`` ...)."""
    for node in ast.walk(ast.parse((ROOT / "nbgrader_config.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == target:
            return ast.literal_eval(node.value)
    raise AssertionError(f"nbgrader_config.py sets no {target}")


def _graded(rel: str) -> bool:
    return has_nbgrader_cells(nbformat.read(LAYOUT.source / rel, as_version=4))


def _check_count(rel: str) -> int:
    nb = nbformat.read(LAYOUT.release / rel, as_version=4)
    return sum(1 for cell in nb.cells if is_grade_cell(cell) and not is_solution_cell(cell))


def _learner_copy(tmp_path: Path) -> Path:
    """A copy of notebooks/ as a fresh clone has it, in ``tmp_path``.

    The lessons are copied from solutions/ and normalised, as ``coursekit generate`` ships them, so
    that a lesson being edited in solutions/ and not yet regenerated does not look started.
    """
    folder = tmp_path / "notebooks"
    shutil.copytree(LAYOUT.release, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for assignment in LAYOUT.assignments():
        if not LAYOUT.is_graded(assignment):
            shutil.rmtree(folder / assignment)
            shutil.copytree(LAYOUT.source / assignment, folder / assignment)
            for path in sorted((folder / assignment).glob("*.ipynb")):
                normalise_file(path)
    return folder


def _shipped_lesson(name: str) -> nbformat.NotebookNode:
    """A lesson as notebooks/ ships it: the source, normalised."""
    return normalise(nbformat.read(LAYOUT.source / "01_lessons" / name, as_version=4))


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")
    }


def _answer(folder: Path, rel: str, answers: dict[str, str]) -> None:
    path = folder / rel
    nbformat.write(make_submission(path, answers), path)


def _solution_answers(rel: str) -> dict[str, str]:
    """Every answer cell of ``rel`` as the instructor wrote it, without the solution markers."""
    assignment, name = rel.split("/")
    source = nbformat.read(LAYOUT.source / rel, as_version=4)
    return {
        gid: solution_answer(assignment, name.removesuffix(".ipynb"), gid)
        for cell in source.cells
        if is_solution_cell(cell) and (gid := grade_id(cell))
    }


def _run_lessons(folder: Path) -> None:
    """Save every lesson as JupyterLab does after running it: with the kernel's language_info."""
    for rel in course_notebooks(LAYOUT):
        if _graded(rel.as_posix()):
            continue
        path = folder / rel
        nb = nbformat.read(path, as_version=4)
        nb.metadata.language_info = dict(KERNEL_LANGUAGE_INFO)
        nbformat.write(nb, path)


# ---- quick tests: no kernel ----


def test_settings_are_the_course_config():
    assert _course_setting("c.Execute.timeout") == CELL_TIMEOUT
    assert _course_setting("c.ClearSolutions.code_stub") == {"python": CODE_STUB}


def test_course_notebooks_are_every_notebook_of_solutions_in_course_order():
    names = [p.as_posix() for p in course_notebooks(LAYOUT)]
    assert names[0] == "01_lessons/01_welcome.ipynb"
    assert names == sorted(names) and "_header.ipynb" not in {Path(n).name for n in names}
    assert {n.split("/")[0] for n in names} == set(LAYOUT.assignments())


@pytest.mark.parametrize("rel", [p.as_posix() for p in course_notebooks(LAYOUT) if _graded(p.as_posix())])
def test_released_cells_are_those_of_the_student_version(rel):
    """The release rebuilt in process has the cells of notebooks/ (what generate_assignment wrote)."""
    release = released(nbformat.read(LAYOUT.source / rel, as_version=4))
    assert cell_sources(release) == cell_sources(nbformat.read(LAYOUT.release / rel, as_version=4))
    assert not answers_changed(nbformat.read(LAYOUT.release / rel, as_version=4), release)


def test_answers_changed_compares_every_answer_cell_with_the_release():
    rel = "07_project_training_logger/training_logger.ipynb"
    release = released(nbformat.read(LAYOUT.source / rel, as_version=4))
    learner = nbformat.read(LAYOUT.release / rel, as_version=4)
    answer = next(cell for cell in learner.cells if grade_id(cell) == "tl_answer")
    answer.source += "\n\n"
    assert not answers_changed(learner, release), "blank lines are not an answer"
    answer.source = answer.source.replace("raise NotImplementedError()", "answer_lr = 0.1")
    assert answers_changed(learner, release)
    learner.cells.remove(answer)
    assert answers_changed(learner, release), "a deleted answer cell differs too"


def test_a_lesson_is_started_once_run_or_changed():
    shipped = nbformat.read(LAYOUT.source / "01_lessons/02_concepts.ipynb", as_version=4)
    learner = _shipped_lesson("02_concepts.ipynb")
    assert not lesson_started(learner, shipped)
    saved_from_a_kernel = nbformat.from_dict(learner)
    saved_from_a_kernel.metadata.language_info = dict(KERNEL_LANGUAGE_INFO)
    assert lesson_started(saved_from_a_kernel, shipped)
    printing = next(i for i, cell in enumerate(learner.cells) if cell.get("outputs"))
    for change in ("source", "outputs", "execution_count"):
        edited = nbformat.from_dict(learner)
        cell = edited.cells[printing]
        cell[change] = {"source": cell.source + "\nprint(1)", "outputs": [], "execution_count": 7}[change]
        assert lesson_started(edited, shipped), change


def _progress(*notebooks: NotebookProgress) -> CourseProgress:
    return CourseProgress(Path("notebooks"), notebooks, 1.0)


def test_table_lists_every_notebook_and_says_what_to_do_next():
    lesson = NotebookProgress("01_lessons/01_welcome.ipynb", graded=False, started=True)
    checks = (Check("ex1_a", "First check.", True), Check("ex1_b", "Second check.", False, "CheckFailed"))
    ex1 = NotebookProgress("02_ex1/ex1.ipynb", graded=True, started=True, checks=checks)
    ex2 = NotebookProgress("03_ex2/ex2.ipynb", graded=True, started=False, checks=(), problem="not found")
    table = _progress(lesson, ex1, ex2).table()
    rows = [line.split() for line in table.splitlines()[2:5]]
    assert rows == [
        ["01_lessons/01_welcome.ipynb", "yes", "-", "yes"],
        ["02_ex1/ex1.ipynb", "yes", "1/2", "no"],
        ["03_ex2/ex2.ipynb", "no", "0/0", "no"],
    ]
    assert "  03_ex2/ex2.ipynb: not found" in table
    assert table.endswith("Next: 02_ex1/ex1.ipynb\n  first failing check: Second check.")
    assert _progress(NotebookProgress("01/a.ipynb", graded=False, started=False)).advice() == (
        "Next: 01/a.ipynb: read it and run its cells."
    )
    done = NotebookProgress("02_ex1/ex1.ipynb", graded=True, started=True, checks=checks[:1])
    assert _progress(lesson, done).next is None
    assert _progress(lesson, done).advice().startswith("Next: nothing.")


def test_the_command_is_registered():
    args = cli.build_parser().parse_args(["progress", "--folder", "mine", "-j", "3", "--cell-timeout", "5"])
    assert (args.folder, args.jobs, args.cell_timeout) == ("mine", 3, 5.0)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["progress", "--jobs", "0"])


# ---- the real course, run in kernels ----


@pytest.mark.slow
def test_untouched_course_nothing_started_and_no_check_passes(tmp_path, capsys, monkeypatch):
    folder = _learner_copy(tmp_path)
    before = _snapshot(folder)
    monkeypatch.chdir(ROOT)
    assert cli.main(["progress", "--folder", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert _snapshot(folder) == before
    names = [p.as_posix() for p in course_notebooks(LAYOUT)]
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2 : 2 + len(names)]}
    assert list(rows) == names
    for rel, (started, checks, done) in rows.items():
        assert (started, done) == ("no", "no"), rel
        assert checks == (f"0/{_check_count(rel)}" if _graded(rel) else "-"), rel
    assert out.rstrip().endswith("Next: 01_lessons/01_welcome.ipynb: read it and run its cells.")
    graded = [rel for rel in names if _graded(rel)]
    assert f"checked {len(graded)}/{len(graded)} " in err  # stderr is no terminal here: a line per notebook


@pytest.mark.slow
def test_half_done_course_next_is_the_first_failing_check_of_exercise_2(tmp_path):
    folder = _learner_copy(tmp_path)
    _run_lessons(folder)
    ex1, ex2 = "02_ex1_logging/ex1_logging.ipynb", "03_ex2_config/ex2_config.ipynb"
    _answer(folder, ex1, _solution_answers(ex1))
    env_beats_flags = next(m for m in WRONG_EX2 if m.name == "env_beats_flags")
    _answer(
        folder,
        ex2,
        {"ex2": mutate(solution_answer("03_ex2_config", "ex2_config", "ex2"), env_beats_flags, ex2)},
    )
    before = _snapshot(folder)

    progress = check_course(ROOT, folder)

    assert _snapshot(folder) == before
    by_path = {nb.path: nb for nb in progress.notebooks}
    assert all(by_path[rel].done for rel in by_path if rel.startswith("01_lessons/"))
    assert by_path[ex1].started and by_path[ex1].done and by_path[ex1].passed == _check_count(ex1)
    failing = {check.grade_id for check in by_path[ex2].checks if not check.passed}
    assert by_path[ex2].started and not by_path[ex2].done
    assert failing == {"ex2_precedence"} <= set(env_beats_flags.loses)
    for nb in progress.notebooks:
        if nb.graded and nb.path not in (ex1, ex2):
            assert (nb.started, nb.passed, nb.problem) == (False, 0, ""), nb.path
    assert progress.next is by_path[ex2]
    docstring = ast.get_docstring(
        ast.parse(cell_sources(released(nbformat.read(LAYOUT.source / ex2, as_version=4)))["ex2_precedence"])
    )
    assert progress.next.first_failing.docstring == docstring
    assert progress.table().endswith(f"Next: {ex2}\n  first failing check: {docstring}")


@pytest.mark.slow
def test_finished_course_every_visible_check_passes(tmp_path):
    folder = _learner_copy(tmp_path)
    _run_lessons(folder)
    graded = [p.as_posix() for p in course_notebooks(LAYOUT) if _graded(p.as_posix())]
    for rel in graded:
        _answer(folder, rel, _solution_answers(rel))
    before = _snapshot(folder)

    progress = check_course(ROOT, folder, jobs=2)

    assert _snapshot(folder) == before
    for nb in progress.notebooks:
        assert nb.started and nb.done and not nb.problem, (nb.path, nb.problem, nb.first_failing)
        if nb.graded:
            assert nb.passed == len(nb.checks) == _check_count(nb.path), nb.path
    assert progress.next is None


# ---- a small course of its own: what can go wrong in a learner's notebook ----


def _demo_source() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    answer = nbformat.v4.new_code_cell(
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    )
    answer.metadata.nbgrader = dict(
        grade=False, solution=True, locked=False, grade_id="demo", schema_version=3
    )
    test = nbformat.v4.new_code_cell(
        '"""double doubles."""\nassert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(0) == 0\n'
        "### END HIDDEN TESTS"
    )
    test.metadata.nbgrader = dict(
        grade=True, solution=False, locked=True, grade_id="demo_test", points=1, schema_version=3
    )
    nb.cells += [nbformat.v4.new_markdown_cell("# Demo"), answer, test]
    return nb


ANSWERS = {
    "02_visible_only": "def double(x):\n    return 2 * x if x else 1\n",  # right for the visible check only
    "03_runs_forever": "while True:\n    pass\n",
    "04_kills_kernel": "import os\nos._exit(1)\n",
    "05_edits_the_check": "def double(x):\n    return x\n",
    "06_missing": None,
    "07_damaged": None,
}


@pytest.mark.slow
def test_runaway_dead_edited_missing_and_damaged_notebooks(tmp_path, capfd):
    root, folder = tmp_path / "course", tmp_path / "learner"
    lesson = nbformat.v4.new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    lesson.cells.append(nbformat.v4.new_code_cell("print(1)"))
    for name, nb in [("01_lesson", lesson)] + [(name, _demo_source()) for name in ANSWERS]:
        (root / "solutions" / name).mkdir(parents=True)
        nbformat.write(nb, root / "solutions" / name / "demo.ipynb")
        (folder / name).mkdir(parents=True)
    nbformat.write(lesson, folder / "01_lesson" / "demo.ipynb")
    for name, answer in ANSWERS.items():
        if answer is None:
            continue
        nb = released(_demo_source())
        nb.cells[1].source = answer
        if name == "05_edits_the_check":
            nb.cells[2].source = '"""double doubles."""\n'
        nbformat.write(nb, folder / name / "demo.ipynb")
    (folder / "07_damaged" / "demo.ipynb").write_text("{ not a notebook", encoding="utf-8")
    before = _snapshot(folder)
    capfd.readouterr()

    progress = check_course(root, folder, jobs=2, cell_timeout=3)

    assert capfd.readouterr() == ("", ""), "kernels and nbclient print nothing"
    assert _snapshot(folder) == before
    by_name = {nb.path.split("/")[0]: nb for nb in progress.notebooks}
    assert (by_name["01_lesson"].started, by_name["01_lesson"].checks) == (False, ())
    assert by_name["02_visible_only"].done, "hidden tests are not run"
    assert by_name["03_runs_forever"].problem == "cell 'demo' ran longer than 3 s and was stopped"
    assert by_name["03_runs_forever"].checks[0].error == "NameError"
    assert by_name["04_kills_kernel"].problem == "the kernel died while running cell 'demo'"
    assert by_name["04_kills_kernel"].checks[0].error == "not run"
    assert by_name["05_edits_the_check"].checks[0].error == "AssertionError", "the released check runs"
    assert by_name["06_missing"].problem == "not found in your folder"
    assert (
        not by_name["06_missing"].started and by_name["06_missing"].checks[0].docstring == "double doubles."
    )
    assert by_name["07_damaged"].problem.startswith("not a readable notebook")
    assert by_name["07_damaged"].started
    for name, nb in by_name.items():
        if name != "02_visible_only" and nb.graded:
            assert nb.passed == 0 and len(nb.checks) == 1, name
    assert progress.next is by_name["01_lesson"]
    assert "Could not check everything:" in progress.table()
