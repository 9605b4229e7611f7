"""The course as a grading run sees it: nbgrader's configuration, the submissions handed in, their files.

:func:`load_course` reads the course's nbgrader configuration the way nbgrader does;
:func:`discover` finds the submissions under ``grader/submitted/``; :class:`SubmissionFiles` answers
what planning (:mod:`coursekit.classgrade.planning`) asks of a submission's files: its content hash,
whether its autograded notebooks are there, and its time budget.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from coursekit.classgrade.errors import GradeError
from coursekit.classgrade.ledger import content_hash

__all__ = ["Course", "SubmissionFiles", "discover", "load_course"]


@dataclass(frozen=True)
class Course:
    """The parts of the nbgrader configuration a grading run needs."""

    root: Path
    db_url: str
    course_id: str
    cell_timeout: float
    ignore: list[str]
    exclude: set[str]
    directory_structure: str
    submitted_directory: str
    autograded_directory: str
    source_directory: str
    submitted_regex: str
    state_dir: Path

    def _path(self, step: str, student: str, assignment: str) -> Path:
        # nbgrader's CourseDirectory.format_path
        relative = self.directory_structure.format(
            nbgrader_step=step, student_id=student, assignment_id=assignment
        )
        return Path(os.path.join(self.root, relative))

    def submitted(self, student: str, assignment: str) -> Path:
        return self._path(self.submitted_directory, student, assignment)

    def autograded(self, student: str, assignment: str) -> Path:
        return self._path(self.autograded_directory, student, assignment)

    def source(self, assignment: str) -> Path:
        return self._path(self.source_directory, ".", assignment)


def load_course(root: Path, db_url: str | None = None) -> Course:
    """Read the course's nbgrader configuration the way nbgrader does (from ``root``)."""
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.preprocessors import Execute

    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise GradeError(f"no nbgrader_config.py in {root}: pass the course folder with --course")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        app = NbGrader()
        app.initialize([])
        cd = app.coursedir
        timeout = app.config.Execute.get("timeout", None)
        if timeout is None:
            timeout = Execute.class_traits()["timeout"].default_value
        submitted_root = Path(cd.format_path(cd.submitted_directory, ".", ".")).resolve()
        return Course(
            root=Path(cd.root).resolve(),
            db_url=db_url or cd.db_url,
            course_id=cd.course_id,
            cell_timeout=float(timeout or 0) or 30.0,
            ignore=list(cd.ignore),
            exclude={s for s in (cd.student_id_exclude or "").split(",") if s},
            directory_structure=cd.directory_structure,
            submitted_directory=cd.submitted_directory,
            autograded_directory=cd.autograded_directory,
            source_directory=cd.source_directory,
            submitted_regex=cd.format_path(
                cd.submitted_directory, "(?P<student>[^/]+)", "(?P<assignment>[^/]+)", escape=True
            )
            + "$",
            state_dir=submitted_root.parent / "classgrade",
        )
    finally:
        os.chdir(cwd)


def discover(course: Course, assignments: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The assignments to grade and, for each, the students who handed in a notebook (sorted)."""
    regexp = re.compile(course.submitted_regex)
    found: dict[str, set[str]] = {}
    for assignment in assignments or ["*"]:
        pattern = str(course.submitted("*", "*" if assignment == "*" else glob.escape(assignment)))
        for folder in glob.glob(pattern):
            match = regexp.match(folder)
            if not match or not os.path.isdir(folder):
                continue
            if not glob.glob(os.path.join(glob.escape(folder), "*.ipynb")):
                continue
            student = match.group("student")
            if student not in course.exclude:
                found.setdefault(match.group("assignment"), set()).add(student)
    names = list(assignments) or sorted(found)
    return names, {a: sorted(found.get(a, ())) for a in names}


def code_cells(path: Path) -> int:
    """The number of code cells of the notebook at ``path`` (0 when it cannot be read)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return sum(1 for cell in json.load(handle).get("cells", []) if cell.get("cell_type") == "code")
    except (OSError, ValueError, AttributeError):
        return 0


class SubmissionFiles:
    """A submission's files, as planning asks about them (see :class:`.planning.Files`)."""

    def __init__(self, course: Course, cell_timeout: float, submission_timeout: float | None = None) -> None:
        self.course = course
        self.cell_timeout = cell_timeout
        self.submission_timeout = submission_timeout
        self._source_digests: dict[str, str] = {}

    def digest(self, assignment: str, student: str) -> str:
        """The hash of what the student handed in and of the instructor's version of the assignment.

        The instructor's version counts too: a fixed test (regenerated assignment) regrades everyone.
        """
        course = self.course
        source_digest = self._source_digests.get(assignment)
        if source_digest is None:
            source = course.source(assignment)
            source_digest = content_hash(source, course.ignore) if source.is_dir() else ""
            self._source_digests[assignment] = source_digest
        submitted = content_hash(course.submitted(student, assignment), course.ignore)
        return hashlib.sha256(f"{submitted}:{source_digest}".encode()).hexdigest()

    def is_autograded(self, assignment: str, student: str) -> bool:
        """Whether the submission's autograded notebooks are there."""
        return any(self.course.autograded(student, assignment).glob("*.ipynb"))

    def budget_s(self, assignment: str, student: str) -> float:
        """The seconds the submission may take in all: ``submission_timeout``, or from its code cells."""
        if self.submission_timeout:
            return self.submission_timeout
        folder = self.course.submitted(student, assignment)
        cells = max([code_cells(p) for p in self.course.source(assignment).glob("*.ipynb")] or [0])
        cells = max([cells] + [code_cells(p) for p in folder.glob("*.ipynb")])
        return self.cell_timeout * (cells + 2) + 120.0
