"""Where a course keeps its folders: the one place in the kit that names them.

``nbgrader_config.py`` at the course root is what nbgrader reads, and it sets the real folders; this
module says the same in Python for the kit's own code (generating notebooks, the proof harness, the
proofs), and ``tests/test_layout.py`` fails when the two disagree.  The class grader
(:mod:`coursekit.classgrade.course`) reads nbgrader's configuration itself instead, so an instructor
who changes it there is followed.

================  =================================  ====================================
property          folder                             what lives there
================  =================================  ====================================
``source``        ``solutions/``                     the instructor notebooks (nbgrader's source)
``release``       ``notebooks/``                     the student versions (nbgrader's release)
``submitted``     ``grader/submitted/``              ``<student>/<assignment>/`` as handed in
``autograded``    ``grader/autograded/``             the same, graded by ``nbgrader autograde``
``feedback``      ``grader/feedback/``               the HTML feedback of ``generate_feedback``
``gradebook``     ``grader/gradebook.db``            nbgrader's SQLite gradebook
================  =================================  ====================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursekit.cells import has_nbgrader_cells

__all__ = ["CONFIG_FILE", "CourseLayout", "find_course_root"]

CONFIG_FILE = "nbgrader_config.py"


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) with nbgrader_config.py."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise FileNotFoundError(
        f"no {CONFIG_FILE} in {here} or any folder above it: run this inside the course repository"
    )


@dataclass(frozen=True)
class CourseLayout:
    """The folders of the course at ``root`` (see the module's table)."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "solutions"

    @property
    def release(self) -> Path:
        return self.root / "notebooks"

    @property
    def grader(self) -> Path:
        """nbgrader's working folder: every folder below, and the gradebook."""
        return self.root / "grader"

    @property
    def submitted(self) -> Path:
        return self.grader / "submitted"

    @property
    def autograded(self) -> Path:
        return self.grader / "autograded"

    @property
    def feedback(self) -> Path:
        return self.grader / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.grader / "gradebook.db"

    @property
    def gradebook_url(self) -> str:
        """The gradebook as the SQLAlchemy URL nbgrader takes (``sqlite:///...``)."""
        return f"sqlite:///{self.gradebook}"

    def release_notebook(self, assignment: str, notebook: str) -> Path:
        """The student version of ``notebook`` (with or without ``.ipynb``)."""
        return self.release / assignment / _with_suffix(notebook, ".ipynb")

    def submitted_notebook(self, student: str, assignment: str, notebook: str) -> Path:
        return self.submitted / student / assignment / _with_suffix(notebook, ".ipynb")

    def autograded_notebook(self, student: str, assignment: str, notebook: str) -> Path:
        return self.autograded / student / assignment / _with_suffix(notebook, ".ipynb")

    def feedback_page(self, student: str, assignment: str, notebook: str) -> Path:
        return self.feedback / student / assignment / _with_suffix(notebook, ".html")

    def assignments(self) -> list[str]:
        """Assignment folders of ``solutions/``, in course order."""
        return sorted(
            p.name for p in self.source.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
        )

    def is_graded(self, assignment: str) -> bool:
        import nbformat

        return any(
            has_nbgrader_cells(nbformat.read(p, as_version=4))
            for p in sorted((self.source / assignment).glob("*.ipynb"))
        )


def _with_suffix(notebook: str, suffix: str) -> str:
    """``notebook`` named with ``suffix``, whether it came as ``name``, ``name.ipynb`` or ``name.html``."""
    stem = notebook.removesuffix(".ipynb").removesuffix(".html")
    return f"{stem}{suffix}"
