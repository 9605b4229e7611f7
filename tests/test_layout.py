"""coursekit.layout: the course's folders, named once, and as nbgrader_config.py sets them."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config.loader import PyFileConfigLoader

from coursekit.layout import CONFIG_FILE, CourseLayout, find_course_root

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course with a lesson folder (no nbgrader cells) and a graded one."""
    shutil.copy(REPO / CONFIG_FILE, tmp_path)
    (tmp_path / "solutions" / "01_lessons").mkdir(parents=True)
    (tmp_path / "solutions" / "02_demo").mkdir()
    (tmp_path / "solutions" / "_hidden").mkdir()
    graded = new_notebook(
        cells=[new_code_cell("pass", metadata={"nbgrader": {"grade_id": "x", "solution": True}})]
    )
    nbformat.write(
        new_notebook(cells=[new_code_cell("print('hi')")]), tmp_path / "solutions" / "01_lessons" / "a.ipynb"
    )
    nbformat.write(graded, tmp_path / "solutions" / "02_demo" / "demo.ipynb")
    return tmp_path


def test_find_course_root(tmp_path: Path, course: Path) -> None:
    (course / "solutions" / "deep").mkdir()
    assert find_course_root(course / "solutions" / "deep") == course
    with pytest.raises(FileNotFoundError, match="no nbgrader_config.py"):
        find_course_root(tmp_path.parent)


def test_layout_tells_lessons_from_graded_assignments(course: Path) -> None:
    layout = CourseLayout(course)
    assert layout.assignments() == ["01_lessons", "02_demo"]
    assert not layout.is_graded("01_lessons")
    assert layout.is_graded("02_demo")


def test_the_layout_is_the_folders_nbgrader_config_sets(tmp_path: Path) -> None:
    shutil.copy(REPO / CONFIG_FILE, tmp_path)
    config = PyFileConfigLoader(CONFIG_FILE, path=str(tmp_path)).load_config()
    directories = config.CourseDirectory
    layout = CourseLayout(tmp_path)
    relative = {
        "source_directory": layout.source,
        "release_directory": layout.release,
        "submitted_directory": layout.submitted,
        "autograded_directory": layout.autograded,
        "feedback_directory": layout.feedback,
    }
    for trait, path in relative.items():
        assert tmp_path / directories[trait] == path, trait
    assert directories.db_url == layout.gradebook_url


def test_a_notebook_is_named_with_or_without_its_suffix() -> None:
    layout = CourseLayout(Path("/c"))
    assert layout.release_notebook("a1", "nb") == Path("/c/notebooks/a1/nb.ipynb")
    assert layout.submitted_notebook("ann", "a1", "nb.ipynb") == Path("/c/grader/submitted/ann/a1/nb.ipynb")
    assert layout.autograded_notebook("ann", "a1", "nb") == Path("/c/grader/autograded/ann/a1/nb.ipynb")
    assert layout.feedback_page("ann", "a1", "nb.ipynb") == Path("/c/grader/feedback/ann/a1/nb.html")
    assert layout.feedback_page("ann", "a1", "nb.html") == Path("/c/grader/feedback/ann/a1/nb.html")
