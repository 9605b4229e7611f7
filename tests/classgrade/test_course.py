"""A submission's files as planning sees them: content hash, autograded notebooks, time budget."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.classgrade.course import Course, SubmissionFiles, discover


def _course(root: Path) -> Course:
    return Course(
        root=root,
        db_url=f"sqlite:///{root / 'gradebook.db'}",
        course_id="c",
        cell_timeout=30.0,
        ignore=[".ipynb_checkpoints"],
        exclude={"teacher"},
        directory_structure="{nbgrader_step}/{student_id}/{assignment_id}",
        submitted_directory="submitted",
        autograded_directory="autograded",
        source_directory="source",
        submitted_regex=f"{root}/submitted/(?P<student>[^/]+)/(?P<assignment>[^/]+)$",
        state_dir=root / "classgrade",
    )


def _notebook(path: Path, code_cells: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_markdown_cell("m")] + [new_code_cell("x") for _ in range(code_cells)])
    nbformat.write(nb, path)


def test_discover_finds_who_handed_in_a_notebook(tmp_path: Path) -> None:
    course = _course(tmp_path)
    for student in ("bob", "ann", "teacher"):
        _notebook(course.submitted(student, "a1") / "nb.ipynb", 1)
    (course.submitted("cid", "a1")).mkdir(parents=True)  # an empty folder is no submission
    _notebook(course.submitted("ann", "a2") / "nb.ipynb", 1)
    assert discover(course, []) == (["a1", "a2"], {"a1": ["ann", "bob"], "a2": ["ann"]})
    assert discover(course, ["a2", "zz"]) == (["a2", "zz"], {"a2": ["ann"], "zz": []})


def test_the_digest_follows_the_submission_and_the_instructors_version(tmp_path: Path) -> None:
    course = _course(tmp_path)
    _notebook(course.source("a1") / "nb.ipynb", 2)
    _notebook(course.submitted("ann", "a1") / "nb.ipynb", 2)
    first = SubmissionFiles(course, 30.0).digest("a1", "ann")
    assert SubmissionFiles(course, 30.0).digest("a1", "ann") == first
    (course.submitted("ann", "a1") / "data.csv").write_text("x")
    second = SubmissionFiles(course, 30.0).digest("a1", "ann")
    assert second != first
    (course.source("a1") / "data.csv").write_text("y")  # a corrected test, a new data file
    assert SubmissionFiles(course, 30.0).digest("a1", "ann") != second


def test_budget_and_autograded_notebooks(tmp_path: Path) -> None:
    course = _course(tmp_path)
    _notebook(course.source("a1") / "nb.ipynb", 3)
    _notebook(course.submitted("ann", "a1") / "nb.ipynb", 5)  # cells added by the learner count
    files = SubmissionFiles(course, 10.0)
    assert files.budget_s("a1", "ann") == 10.0 * (5 + 2) + 120.0
    assert SubmissionFiles(course, 10.0, submission_timeout=7.0).budget_s("a1", "ann") == 7.0
    assert not files.is_autograded("a1", "ann")
    _notebook(course.autograded("ann", "a1") / "nb.ipynb", 5)
    assert files.is_autograded("a1", "ann")
