"""A harness that drives the real ``nbgrader`` on a throwaway copy of the course.

Tests use it to prove that the autograder grades the way it should: build a
course folder, release an assignment, hand in notebooks for made-up students,
run ``nbgrader autograde`` and read the scores back from the gradebook::

    course = make_course(tmp_path / "course", ["02_ex1_logging"], source_root=repo)
    release = course / "notebooks" / "02_ex1_logging" / "ex1_logging.ipynb"
    nb = make_submission(release, {"ex1": Path("answer.py").read_text()})
    submit(course, "alice", "02_ex1_logging", {"ex1_logging": nb})
    autograde(course, "02_ex1_logging").check_returncode()
    read_scores(course, "02_ex1_logging")["alice"]  # {"ex1_console_level": 2.0, ...}

Every command runs with the course folder as its working directory, so the
``nbgrader_config.py`` copied there (which derives its paths from its own
location) points nbgrader at the copy, never at the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import nbformat
from nbformat import NotebookNode

T = TypeVar("T")

if TYPE_CHECKING:  # nbgrader.api pulls in SQLAlchemy: imported only when a gradebook is read
    from nbgrader.api import Gradebook

__all__ = [
    "KERNEL_START_FAILURES",
    "start_kernel_retrying",
    "autograde",
    "cell_sources",
    "feedback_html",
    "generate_feedback",
    "grade_ids",
    "gradebook_scores",
    "make_course",
    "make_submission",
    "max_scores",
    "nbgrader_env",
    "read_scores",
    "run_nbgrader",
    "submit",
    "total_scores",
]


def nbgrader_env() -> dict[str, str]:
    """The environment for an ``nbgrader`` subprocess: this interpreter's ``bin`` folder first on PATH.

    nbgrader calls ``alembic`` (and starts kernels) through PATH, so the
    virtualenv that runs the tests must come first.
    """
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    # A learner's environment must not leak into the notebooks being graded.
    for name in ("LOG_LEVEL", "APP_DATA_PATH", "APP_LR", "APP_EPOCHS", "APP_SEED", "APP_LOG_LEVEL"):
        env.pop(name, None)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


# What nbgrader logs when a kernel never came up.  A kernel's TCP ports are chosen by binding port 0
# and releasing it, and the kernel binds them a moment later; on a busy machine another process can
# take one first ("Address already in use") and the kernel dies before it runs a line of the notebook.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


def start_kernel_retrying(start: Callable[[], T]) -> T:
    """``start()``, which starts a kernel, called once more when the kernel did not come up."""
    try:
        return start()
    except RuntimeError as exc:
        if not any(marker in str(exc) for marker in KERNEL_START_FAILURES):
            raise
        return start()


def run_nbgrader(course: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nbgrader <args>`` in ``course``; return the finished process (it never raises).

    The run gets a temporary folder of its own (``TMPDIR``), removed afterwards: the scratch folders
    that notebooks create there cannot collide with those of another run going on at the same time.
    When a kernel did not start (:data:`KERNEL_START_FAILURES`), the command runs once more and its
    output is appended: ``autograde`` then grades what failed (it skips what it graded, unless
    ``--force``), ``validate`` validates again.
    """
    result = _run_nbgrader_once(course, args, timeout)
    if any(marker in result.stdout + result.stderr for marker in KERNEL_START_FAILURES):
        again = _run_nbgrader_once(course, args, timeout)
        note = "\n[coursekit] a kernel did not start; the command ran once more:\n"
        result = subprocess.CompletedProcess(
            again.args,
            again.returncode,
            result.stdout + note + again.stdout,
            result.stderr + note + again.stderr,
        )
    return result


def _run_nbgrader_once(
    course: Path, args: tuple[str, ...], timeout: float | None
) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="coursekit-nbgrader-") as tmp:
        return subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=course,
            env={**nbgrader_env(), "TMPDIR": tmp},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


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
    source_root = Path(source_root)
    missing = [a for a in assignments if not (source_root / "solutions" / a).is_dir()]
    if missing:
        raise FileNotFoundError(
            f"no source folder for {', '.join(missing)} under {source_root / 'solutions'}"
        )
    (dest / "solutions").mkdir(parents=True, exist_ok=True)
    shutil.copy2(source_root / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copy2(source_root / "solutions" / "_header.ipynb", dest / "solutions" / "_header.ipynb")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for assignment in assignments:
        target = dest / "solutions" / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source_root / "solutions" / assignment, target, ignore=ignore)
    for assignment in assignments:
        _checked(
            run_nbgrader(dest, "generate_assignment", assignment, "--force", "--log-level=WARN"),
            f"nbgrader generate_assignment {assignment}",
        )
    return dest


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def grade_ids(notebook: NotebookNode) -> list[str]:
    """The nbgrader ``grade_id`` of every cell that has one, in notebook order."""
    return [gid for gid in map(_grade_id, notebook.cells) if gid]


def cell_sources(notebook: NotebookNode) -> dict[str, str]:
    """Map each ``grade_id`` of ``notebook`` to its cell's source."""
    return {gid: cell.source for cell in notebook.cells if (gid := _grade_id(cell))}


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
        gid = _grade_id(cell)
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
    folder = Path(course) / "grader" / "submitted" / student / assignment
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
    name = notebook if notebook.endswith(".html") else f"{notebook.removesuffix('.ipynb')}.html"
    return (Path(course) / "grader" / "feedback" / student / assignment / name).read_text(encoding="utf-8")


def _gradebook_url(course: Path) -> str:
    db = Path(course) / "grader" / "gradebook.db"
    if not db.is_file():
        raise FileNotFoundError(f"no gradebook at {db}: run make_course (generate_assignment) first")
    return f"sqlite:///{db}"


def _gradebook(course: Path) -> Gradebook:
    from nbgrader.api import Gradebook

    return Gradebook(_gradebook_url(course))


def gradebook_scores(
    db_url: str, assignment: str, course_id: str | None = None
) -> dict[str, dict[str, float]]:
    """``{student: {grade_id: score}}`` for every submission of ``assignment`` in any gradebook.

    ``db_url`` is any SQLAlchemy URL nbgrader accepts (SQLite, PostgreSQL).
    Only students whose submission reached the gradebook appear.  A grade
    cell without a score (not graded) counts as 0.
    """
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, course_id) if course_id is not None else Gradebook(db_url) as gb:
        for submission in gb.assignment_submissions(assignment):
            per_cell: dict[str, float] = {}
            for nb in submission.notebooks:
                for grade in nb.grades:
                    per_cell[grade.name] = float(grade.score or 0.0)
            scores[submission.student.id] = per_cell
    return scores


def read_scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    """Scores of every graded submission of the course's SQLite gradebook (see :func:`gradebook_scores`)."""
    return gradebook_scores(_gradebook_url(course), assignment)


def max_scores(course: Path, assignment: str) -> dict[str, float]:
    """The points each grade cell of ``assignment`` is worth: ``{grade_id: max_score}``."""
    with _gradebook(course) as gb:
        return {
            cell.name: float(cell.max_score)
            for nb in gb.find_assignment(assignment).notebooks
            for cell in nb.grade_cells
        }


def total_scores(course: Path, assignment: str, prefix: str = "") -> dict[str, float]:
    """Each student's total over the grade cells whose ``grade_id`` starts with ``prefix``."""
    return {
        student: sum(score for gid, score in cells.items() if gid.startswith(prefix))
        for student, cells in read_scores(course, assignment).items()
    }
