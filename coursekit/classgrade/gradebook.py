"""The gradebook side of class grading: safe SQLite from parallel processes, set-up and read-back.

nbgrader opens a new SQLAlchemy engine for every step of an autograde (creating the student, the
submission, each saved grade ...).  When several processes do that on one SQLite file, a
transaction that reads and then writes can meet another writer and fail at once with "database is
locked" (SQLite does not wait in that case).  :func:`install_sqlite_guard` prevents it in the
process it runs in: every transaction on an SQLite connection starts with ``BEGIN IMMEDIATE`` (it
takes the write lock up front, so a check-then-insert such as nbgrader's ``update_or_create_*`` is
atomic across processes) and waits up to ``busy_timeout`` for the lock instead of failing.  The
coordinator also switches the file to write-ahead logging while workers run (readers never block
the writer; one fsync per commit) and back to nbgrader's default journal when they are done.

PostgreSQL needs none of this; the coordinator only creates the students, the course rows and
checks the assignments before any worker starts, so no two workers race to create the same row.

Reading a gradebook back happens here too, and only here: :func:`gradebook_scores` (each student's
score per grade cell), :func:`max_class_scores` (what each grade cell is worth) and
:func:`graded_pairs`; the report, the proof harness and ``scripts/benchmark_grading.py`` use them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from coursekit.classgrade.errors import GradebookError

__all__ = [
    "GradebookError",  # defined in .errors
    "describe_db",
    "gradebook_scores",
    "graded_pairs",
    "install_sqlite_guard",
    "max_class_scores",
    "prepare_gradebook",
    "set_sqlite_journal",
    "sqlite_path",
]

BUSY_TIMEOUT_S = 600.0
_installed = False


def install_sqlite_guard(busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
    """Make every SQLAlchemy SQLite connection of this process safe to share with other processes."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    timeout_ms = int(busy_timeout_s * 1000)

    def on_connect(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            # SQLAlchemy's documented recipe: pysqlite must not issue its own BEGIN ...
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            cursor.close()

    def on_begin(connection) -> None:
        # ... and every transaction takes the write lock first, waiting for it if need be.
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(Pool, "connect", on_connect)
    event.listen(Engine, "begin", on_begin)
    _installed = True


def sqlite_path(db_url: str) -> Path | None:
    """The file of an ``sqlite:///`` URL, or None for another database (or an in-memory one)."""
    if not db_url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    database = make_url(db_url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def describe_db(db_url: str) -> str:
    """The URL without its password: safe to print and to record in the ledger."""
    parts = urlsplit(db_url)
    if parts.password is None:
        return db_url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def set_sqlite_journal(db_url: str, mode: str) -> str | None:
    """Set the journal mode of an SQLite gradebook (``wal`` or ``delete``); None for other databases."""
    path = sqlite_path(db_url)
    if path is None or not path.exists():
        return None
    with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as connection:
        return connection.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]


@contextlib.contextmanager
def _gradebook(db_url: str, course_id: str | None = None) -> Iterator:
    from nbgrader.api import Gradebook

    gb = Gradebook(db_url, course_id) if course_id is not None else Gradebook(db_url)
    try:
        yield gb
    finally:
        gb.close()


def prepare_gradebook(
    db_url: str, course_id: str, assignments: Iterable[str], students: Iterable[str]
) -> None:
    """Create the tables, the course rows and the missing students; check the assignments exist.

    Runs in the coordinator before any worker starts, so workers only ever update existing rows of
    these kinds.  Raises :class:`GradebookError` naming an assignment the gradebook does not know.
    """
    from nbgrader.api import MissingEntry

    with _gradebook(db_url):  # the course nbgrader's SaveAutoGrades opens without a course id
        pass
    with _gradebook(db_url, course_id) as gb:
        missing = []
        for assignment in assignments:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                missing.append(assignment)
        if missing:
            raise GradebookError(
                f"the gradebook ({describe_db(db_url)}) has no assignment {', '.join(missing)}: "
                f"run `nbgrader generate_assignment {missing[0]}` (with the same db_url) first"
            )
        known = {student.id for student in gb.students}
        for student in students:
            if student not in known:
                gb.add_student(student)


def graded_pairs(db_url: str, course_id: str, assignments: Iterable[str]) -> set[tuple[str, str]]:
    """``(assignment, student)`` of every submission the gradebook holds for these assignments."""
    from nbgrader.api import MissingEntry

    pairs: set[tuple[str, str]] = set()
    with _gradebook(db_url, course_id) as gb:
        for assignment in assignments:
            try:
                for submission in gb.find_assignment(assignment).submissions:
                    pairs.add((assignment, submission.student_id))
            except MissingEntry:
                continue
    return pairs


def gradebook_scores(
    db_url: str, assignment: str, course_id: str | None = None
) -> dict[str, dict[str, float]]:
    """``{student: {grade_id: score}}`` for every submission of ``assignment`` in any gradebook.

    ``db_url`` is any SQLAlchemy URL nbgrader accepts (SQLite, PostgreSQL).
    Only students whose submission reached the gradebook appear.  A grade
    cell without a score (not graded) counts as 0.
    """
    scores: dict[str, dict[str, float]] = {}
    with _gradebook(db_url, course_id) as gb:
        for submission in gb.assignment_submissions(assignment):
            per_cell: dict[str, float] = {}
            for nb in submission.notebooks:
                for grade in nb.grades:
                    per_cell[grade.name] = float(grade.score or 0.0)
            scores[submission.student.id] = per_cell
    return scores


def max_class_scores(
    db_url: str, assignment: str, course_id: str | None = None
) -> dict[str, dict[str, float]]:
    """``{notebook: {grade_id: max_score}}`` for ``assignment``: the points each grade cell is worth."""
    with _gradebook(db_url, course_id) as gb:
        return {
            nb.name: {cell.name: float(cell.max_score) for cell in nb.grade_cells}
            for nb in gb.find_assignment(assignment).notebooks
        }
