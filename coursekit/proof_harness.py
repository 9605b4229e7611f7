"""The proof harness: drives the real ``nbgrader`` on a throwaway copy of the course, for the proofs.

The grader proofs (``tests/proofs/``, and the quiz, challenge and project proofs built on them) use
it to prove that the autograder grades the way it should: build a course folder, release an
assignment, hand in notebooks for made-up students, run ``nbgrader autograde`` and read the scores
back from the gradebook::

    course = make_course(tmp_path / "course", ["02_ex1_logging"], source_root=repo)
    release = CourseLayout(course).release_notebook("02_ex1_logging", "ex1_logging")
    nb = make_submission(release, {"ex1": Path("answer.py").read_text()})
    submit(course, "alice", "02_ex1_logging", {"ex1_logging": nb})
    autograde(course, "02_ex1_logging").check_returncode()
    read_scores(course, "02_ex1_logging")["alice"]  # {"ex1_console_level": 2.0, ...}

Every command runs with the course folder as its working directory, so the
``nbgrader_config.py`` copied there (which derives its paths from its own
location) points nbgrader at the copy, never at the repository.  The folders come from
:class:`coursekit.layout.CourseLayout`, nbgrader is run by :mod:`coursekit.nbgrader_run`, and the
gradebook is read by :mod:`coursekit.classgrade.gradebook`: production code imports those, never this.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from coursekit.cells import grade_id, grade_ids
from coursekit.classgrade.gradebook import gradebook_scores, max_class_scores
from coursekit.layout import CONFIG_FILE, CourseLayout
from coursekit.nbgrader_run import run_nbgrader

__all__ = [
    "autograde",
    "feedback_html",
    "generate_feedback",
    "make_course",
    "make_submission",
    "max_scores",
    "read_scores",
    "review_flags",
    "submit",
    "total_scores",
]


def _checked(result: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def make_course(dest: Path, assignments: Sequence[str], *, source_root: Path) -> Path:
    """Build a minimal course in ``dest`` and release ``assignments`` there; return ``dest``.

    Copies ``nbgrader_config.py``, ``solutions/_header.ipynb`` and
    ``solutions/<assignment>`` for each assignment from ``source_root``, then
    runs ``nbgrader generate_assignment <assignment> --force`` in ``dest`` so
    the assignment and its grade cells are recorded in ``dest``'s own
    gradebook and the student version lands in ``dest/notebooks/``.

    Raises ``FileNotFoundError`` when an assignment has no source folder and
    ``RuntimeError`` (with nbgrader's output) when generation fails.
    """
    dest = Path(dest)
    source, target = CourseLayout(Path(source_root)).source, CourseLayout(dest).source
    missing = [a for a in assignments if not (source / a).is_dir()]
    if missing:
        raise FileNotFoundError(f"no source folder for {', '.join(missing)} under {source}")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(source_root) / CONFIG_FILE, dest / CONFIG_FILE)
    shutil.copy2(source / "_header.ipynb", target / "_header.ipynb")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for assignment in assignments:
        if (target / assignment).exists():
            shutil.rmtree(target / assignment)
        shutil.copytree(source / assignment, target / assignment, ignore=ignore)
    for assignment in assignments:
        _checked(
            run_nbgrader(dest, "generate_assignment", assignment, "--force", "--log-level=WARN"),
            f"nbgrader generate_assignment {assignment}",
        )
    return dest


def make_submission(release_notebook: Path, answers: Mapping[str, str]) -> NotebookNode:
    """Return the student notebook at ``release_notebook`` with some cells answered.

    ``answers`` maps a ``grade_id`` to the new source of that cell.  Every
    other cell is left as released.  A ``grade_id`` that no cell carries
    raises ``KeyError`` naming it (and the ids that exist), so that a typo in
    a test never silently submits an unanswered notebook.
    """
    notebook = nbformat.read(release_notebook, as_version=4)
    known = grade_ids(notebook)
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise KeyError(
            f"no cell with grade_id {', '.join(map(repr, unknown))} in {release_notebook}; "
            f"grade_ids there: {', '.join(known)}"
        )
    for cell in notebook.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid]
    return notebook


def submit(
    course: Path,
    student: str,
    assignment: str,
    notebooks: Mapping[str, NotebookNode | str | bytes],
) -> Path:
    """Hand in ``notebooks`` for ``student``; return ``grader/submitted/<student>/<assignment>``.

    Keys are notebook names (with or without ``.ipynb``).  A ``NotebookNode``
    is written as JSON; ``str`` and ``bytes`` are written as they are, so a
    test can hand in a file that is not a valid notebook at all.  An existing
    submitted notebook is never overwritten: ``FileExistsError`` instead.
    """
    if not student or any(sep in student for sep in ("/", "\\")) or student in {".", ".."}:
        raise ValueError(f"a student id must be a plain name, got {student!r}")
    folder = CourseLayout(Path(course)).submitted / student / assignment
    targets = {
        (name if name.endswith(".ipynb") else f"{name}.ipynb"): content for name, content in notebooks.items()
    }
    existing = [name for name in targets if (folder / name).exists()]
    if existing:
        raise FileExistsError(
            f"{student} already handed in {', '.join(existing)} for {assignment} (in {folder}); "
            "use another student id"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in targets.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, path)
    return folder


def autograde(course: Path, assignment: str, *extra_args: str) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader autograde <assignment> <extra_args>`` in ``course`` and return the process.

    The return code is not checked: a test decides what a failure means.
    Extra arguments are passed on as they are (``--student=alice``,
    ``--Execute.timeout=5``, ``--force`` ...).
    """
    return run_nbgrader(Path(course), "autograde", assignment, *extra_args)


def generate_feedback(course: Path, assignment: str, *extra_args: str) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader generate_feedback <assignment> <extra_args>`` in ``course`` and return the process."""
    return run_nbgrader(Path(course), "generate_feedback", assignment, *extra_args)


def feedback_html(course: Path, student: str, assignment: str, notebook: str) -> str:
    """The HTML feedback that ``generate_feedback`` wrote for one notebook of one student."""
    return CourseLayout(Path(course)).feedback_page(student, assignment, notebook).read_text(encoding="utf-8")


def _gradebook_url(course: Path) -> str:
    layout = CourseLayout(Path(course))
    if not layout.gradebook.is_file():
        raise FileNotFoundError(
            f"no gradebook at {layout.gradebook}: run make_course (generate_assignment) first"
        )
    return layout.gradebook_url


def read_scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    """Scores of every graded submission of the course's SQLite gradebook (see :func:`gradebook_scores`)."""
    return gradebook_scores(_gradebook_url(course), assignment)


def max_scores(course: Path, assignment: str) -> dict[str, float]:
    """The points each grade cell of ``assignment`` (any notebook) is worth: ``{grade_id: max_score}``."""
    per_notebook = max_class_scores(_gradebook_url(course), assignment)
    return {gid: points for cells in per_notebook.values() for gid, points in cells.items()}


def review_flags(course: Path, assignment: str) -> dict[str, list[str]]:
    """Each autograded student's integrity findings (:mod:`coursekit.classgrade.integrity`), by student.

    A notebook whose kernel was not fingerprinted before and after its cells counts as a finding, so
    that ``{}`` means: every notebook was checked and found untouched.
    """
    from coursekit.classgrade.integrity import integrity_record

    flags: dict[str, list[str]] = {}
    folder = CourseLayout(Path(course)).autograded
    for path in sorted(folder.glob(f"*/{assignment}/*.ipynb")):
        record = integrity_record(nbformat.read(path, as_version=4))
        student = path.parent.parent.name
        if record is None or record.get("probes", 0) < 2:
            flags.setdefault(student, []).append(f"{path.stem}: not fingerprinted ({record})")
        else:
            flags.setdefault(student, []).extend(f"{path.stem}: {f}" for f in record["findings"])
    return {student: found for student, found in flags.items() if found}


def total_scores(course: Path, assignment: str, prefix: str = "") -> dict[str, float]:
    """Each student's total over the grade cells whose ``grade_id`` starts with ``prefix``."""
    return {
        student: sum(score for gid, score in cells.items() if gid.startswith(prefix))
        for student, cells in read_scores(course, assignment).items()
    }
