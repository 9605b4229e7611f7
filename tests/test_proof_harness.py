"""coursekit.proof_harness on a tiny fixture assignment (one answer cell, two test cells)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.cells import cell_sources, grade_ids
from coursekit.proof_harness import (
    autograde,
    make_course,
    make_submission,
    max_scores,
    read_scores,
    submit,
    total_scores,
)

REPO = Path(__file__).resolve().parents[1]
TINY = "00_tiny"


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    meta = dict(grade=grade, solution=solution, locked=not solution, grade_id=grade_id, schema_version=3)
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def tiny_notebook() -> nbformat.NotebookNode:
    """An instructor notebook: `double(x)` as the answer, two test cells worth 2 and 1 points."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [
        new_markdown_cell("Write `double(x)`.", metadata=_meta("tiny_statement")),
        new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n",
            metadata=_meta("tiny", solution=True),
        ),
        new_code_cell(
            '"""double(2) is 4."""\nassert double(2) == 4\n', metadata=_meta("tiny_two", grade=True, points=2)
        ),
        new_code_cell(
            '"""double(-3) is -6."""\n'
            "### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n### END HIDDEN TESTS\n",
            metadata=_meta("tiny_negative", grade=True, points=1),
        ),
    ]
    return nb


def tiny_source_root(root: Path) -> Path:
    """A course source tree with the real config and header and the tiny assignment."""
    (root / "solutions" / TINY).mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copy2(REPO / "solutions" / "_header.ipynb", root / "solutions" / "_header.ipynb")
    nbformat.write(tiny_notebook(), root / "solutions" / TINY / "tiny.ipynb")
    return root


# --- fast tests: no nbgrader run ---------------------------------------------------------------


@pytest.fixture
def release_nb(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    return path


def test_make_submission_replaces_only_the_named_cells(release_nb: Path) -> None:
    nb = make_submission(release_nb, {"tiny": "def double(x):\n    return x + x\n"})
    sources = cell_sources(nb)
    assert sources["tiny"] == "def double(x):\n    return x + x\n"
    assert sources["tiny_two"] == tiny_notebook().cells[2].source
    assert grade_ids(nb) == ["tiny_statement", "tiny", "tiny_two", "tiny_negative"]


def test_make_submission_names_an_unknown_grade_id(release_nb: Path) -> None:
    with pytest.raises(KeyError, match="ex9"):
        make_submission(release_nb, {"ex9": "pass"})


def test_submit_writes_notebooks_and_raw_text(tmp_path: Path, release_nb: Path) -> None:
    nb = make_submission(release_nb, {})
    folder = submit(tmp_path, "alice", TINY, {"tiny": nb, "broken.ipynb": "{not json", "raw": b"\x00"})
    assert folder == tmp_path / "grader" / "submitted" / "alice" / TINY
    assert nbformat.read(folder / "tiny.ipynb", as_version=4).cells[1].source == nb.cells[1].source
    assert (folder / "broken.ipynb").read_text() == "{not json"
    assert (folder / "raw.ipynb").read_bytes() == b"\x00"


def test_submit_refuses_to_overwrite(tmp_path: Path, release_nb: Path) -> None:
    submit(tmp_path, "bob", TINY, {"tiny": "{}"})
    with pytest.raises(FileExistsError, match="bob"):
        submit(tmp_path, "bob", TINY, {"tiny": "{}"})
    assert (tmp_path / "grader" / "submitted" / "bob" / TINY / "tiny.ipynb").read_text() == "{}"


def test_submit_rejects_a_path_as_student(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plain name"):
        submit(tmp_path, "../eve", TINY, {"tiny": "{}"})


def test_make_course_names_a_missing_assignment(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="99_nothing"):
        make_course(tmp_path / "course", ["99_nothing"], source_root=tiny_source_root(tmp_path / "src"))


# --- slow tests: the real nbgrader on the tiny assignment -------------------------------------


@pytest.fixture(scope="module")
def graded_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Release the tiny assignment, hand in four submissions and autograde them in one run."""
    base = tmp_path_factory.mktemp("grading")
    course = make_course(base / "course", [TINY], source_root=tiny_source_root(base / "src"))
    release = course / "notebooks" / TINY / "tiny.ipynb"
    submit(
        course,
        "right",
        TINY,
        {"tiny": make_submission(release, {"tiny": "def double(x):\n    return 2 * x\n"})},
    )
    submit(
        course,
        "half",
        TINY,
        {"tiny": make_submission(release, {"tiny": "def double(x):\n    return abs(2 * x)\n"})},
    )
    submit(course, "untouched", TINY, {"tiny": make_submission(release, {})})
    submit(course, "garbage", TINY, {"tiny": "this is not JSON"})
    result = autograde(course, TINY)
    (course / "autograde.log").write_text(f"exit code {result.returncode}\n{result.stdout}{result.stderr}")
    return course


@pytest.mark.slow
def test_make_course_releases_without_solutions(graded_tiny: Path) -> None:
    text = (graded_tiny / "notebooks" / TINY / "tiny.ipynb").read_text()
    assert "2 * x" not in text and "assert double(-3)" not in text
    assert "raise NotImplementedError()" in text
    assert "".join(json.loads(text)["cells"][0]["source"]).startswith("Before you submit")  # the header


@pytest.mark.slow
def test_max_scores(graded_tiny: Path) -> None:
    assert max_scores(graded_tiny, TINY) == {"tiny_two": 2.0, "tiny_negative": 1.0}


@pytest.mark.slow
def test_read_scores(graded_tiny: Path) -> None:
    scores = read_scores(graded_tiny, TINY)
    log = (graded_tiny / "autograde.log").read_text()
    assert scores["right"] == {"tiny_two": 2.0, "tiny_negative": 1.0}, log
    assert scores["half"] == {"tiny_two": 2.0, "tiny_negative": 0.0}, log
    assert scores["untouched"] == {"tiny_two": 0.0, "tiny_negative": 0.0}, log
    assert total_scores(graded_tiny, TINY).get("garbage", 0.0) == 0.0


@pytest.mark.slow
def test_autograde_reports_a_broken_notebook_and_keeps_the_rest(graded_tiny: Path) -> None:
    log = (graded_tiny / "autograde.log").read_text()
    assert "for student 'garbage'" in log
    assert not log.startswith("exit code 0")  # the run says something went wrong ...
    for student in ("right", "half", "untouched"):  # ... yet graded everyone else
        assert (graded_tiny / "grader" / "autograded" / student / TINY / "tiny.ipynb").is_file()
    assert (
        graded_tiny / "grader" / "submitted" / "garbage" / TINY / "tiny.ipynb"
    ).read_text() == "this is not JSON"


def test_course_config_waits_for_late_output_as_long_as_a_cell_may_run() -> None:
    """A cell that prints a lot can be answered before its output has arrived; that is no failure."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.Execute.iopub_timeout >= config.Execute.timeout == 60


# A kernel extension that makes the first kernel started die before it answers (as a kernel does
# that loses one of its ports to another process), and lets every later one start.
DIE_ONCE = """
import os, pathlib
def load_ipython_extension(ip):
    marker = pathlib.Path(os.environ["DIE_ONCE_MARKER"])
    if not marker.exists():
        marker.write_text("died")
        os._exit(1)
"""


@pytest.mark.slow
def test_autograde_grades_again_what_failed_because_a_kernel_did_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = make_course(tmp_path / "course", [TINY], source_root=tiny_source_root(tmp_path / "src"))
    release = course / "notebooks" / TINY / "tiny.ipynb"
    for student in ("ann", "bob"):
        answer = {"tiny": "def double(x):\n    return 2 * x\n"}
        submit(course, student, TINY, {"tiny": make_submission(release, answer)})
    (tmp_path / "die_once.py").write_text(DIE_ONCE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("DIE_ONCE_MARKER", str(tmp_path / "died"))
    result = autograde(course, TINY, "--Execute.extra_arguments=['--IPKernelApp.extensions=die_once']")
    log = result.stdout + result.stderr
    assert (tmp_path / "died").exists() and "Kernel died before replying to kernel_info" in log
    assert "a kernel did not start; the command ran once more" in log
    assert result.returncode == 0, log[-3000:]
    assert read_scores(course, TINY) == dict.fromkeys(("ann", "bob"), {"tiny_two": 2.0, "tiny_negative": 1.0})
