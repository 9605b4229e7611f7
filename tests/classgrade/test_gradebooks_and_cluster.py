"""The gradebook under parallel workers: SQLite from many processes, a real PostgreSQL server, a Dask cluster.

The PostgreSQL server is started from Debian's packages on 127.0.0.1 in a temporary folder
(``tests/classgrade/install_services.sh`` installs them); the Dask cluster is a ``dask scheduler``
and a ``dask worker --nworkers 2`` on loopback.  Nothing is mocked and nothing is skipped: a
missing service fails the test with what to install.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from classgrade_support import (
    ASSIGNMENT,
    explain_difference,
    generate_into,
    last_run,
    ledger_lines,
    outcomes,
    run_grade,
    snapshot,
)

from coursekit.nbgrader_run import nbgrader_env

pytestmark = pytest.mark.slow

WRITERS = 4
ROUNDS = 6
GRADE_CELLS = ("q1", "q2", "q3")

# One writer process does to the gradebook what nbgrader's autograde does for a submission (create or
# update the student, find or create the submission, save each grade with a commit), in rounds that start
# at the same instant in every writer: each round, all writers race to create the same new student and
# submission, then each writes its own.  Unguarded, such races end in "database is locked" or
# IntegrityError (a check-then-insert that another process won); guarded, every row is there exactly once.
WRITER = textwrap.dedent(
    """
    import sys, time
    from coursekit.classgrade.gradebook import install_sqlite_guard
    from nbgrader.api import Gradebook

    url, writer, rounds, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    install_sqlite_guard()
    for i in range(rounds):
        gb = Gradebook(url, "course")
        time.sleep(max(0.0, start + 0.4 * i - time.time()))
        for student in (f"shared-{i}", f"{writer}-{i}"):
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission("a1", student)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    grade.auto_score = float(len(student) + i)
                    gb.db.commit()
        gb.close()
    """
)


def _make_gradebook(url: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(url, "course") as gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb1", "a1")
        for name in GRADE_CELLS:
            gb.add_grade_cell(name, "nb1", "a1", max_score=1, cell_type="code")


def _counts(url: str) -> dict[str, int]:
    from nbgrader.api import Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook

    models = [Student, SubmittedAssignment, SubmittedNotebook, Grade]
    with Gradebook(url, "course") as gb:
        return {m.__tablename__: gb.db.query(m).count() for m in models}


def test_sqlite_from_parallel_writers_loses_and_duplicates_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])  # nbgrader runs `alembic` to create a gradebook
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    _make_gradebook(url)
    from coursekit.classgrade.gradebook import set_sqlite_journal

    assert set_sqlite_journal(url, "wal") == "wal"  # as the grading run does while workers write
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    start = time.time() + 5  # every writer has imported nbgrader by then
    commands = [[sys.executable, str(script), url, f"w{k}", str(ROUNDS), str(start)] for k in range(WRITERS)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(cmd, env=nbgrader_env(), **pipes) for cmd in commands]
    errors = []
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        if proc.returncode != 0:
            errors.append(err[-2000:])
    assert not errors, "\n---\n".join(errors)
    students = ROUNDS * (WRITERS + 1)  # each writer's own, and each round's shared one exactly once
    assert _counts(url) == {
        "student": students,
        "submitted_assignment": students,
        "submitted_notebook": students,
        "grade": students * len(GRADE_CELLS),
    }
    from nbgrader.api import Gradebook

    with Gradebook(url, "course") as gb:
        for i in range(ROUNDS):
            for student in [f"w{k}-{i}" for k in range(WRITERS)] + [f"shared-{i}"]:
                nb = gb.find_submission_notebook("nb1", "a1", student)
                assert [g.auto_score for g in nb.grades] == [float(len(student) + i)] * len(GRADE_CELLS)
    assert set_sqlite_journal(url, "delete") == "delete"


def test_postgresql_gradebook_same_grades_as_plain_nbgrader(postgres, make_class, reference, roster) -> None:
    url = postgres.create_database("gradebook_local")
    course = make_class()
    generate_into(course, url)
    result = run_grade(course, "--db-url", url, "--jobs", "3")
    assert result.returncode == 1 and "coursekit grade: done" in result.stdout, result.stdout + result.stderr
    assert "gradebook postgresql+psycopg://postgres@127.0.0.1" in result.stdout
    assert (snap := snapshot(url)) == reference, explain_difference(course, snap, reference)
    # the course's own SQLite gradebook was not written to
    assert snapshot(f"sqlite:///{course / 'grader' / 'gradebook.db'}")["counts"]["submitted_assignment"] == 0
    assert {e["db"] for e in ledger_lines(course)} == {url}
    # a rerun against the same database has nothing to do
    again = run_grade(course, "--db-url", url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {status for status, _ in outcomes(course).values()} == {"skipped"}


def test_dask_cluster_with_postgresql_same_grades(
    dask_local_cluster, postgres, make_class, reference, roster
):
    url = postgres.create_database("gradebook_dask")
    course = make_class()
    generate_into(course, url)
    result = run_grade(course, "--scheduler", dask_local_cluster.address, "--db-url", url, timeout=400)
    assert result.returncode == 1 and "coursekit grade: done" in result.stdout, (
        result.stdout + result.stderr + dask_local_cluster.log("worker.log")
    )
    assert "with 2 dask worker(s)" in result.stdout
    assert (snap := snapshot(url)) == reference, explain_difference(course, snap, reference)
    report = last_run(course)
    assert report["backend"] == "dask" and report["workers"] == 2
    workers = {o["worker"] for o in report["outcomes"]}
    assert len(workers) == 2 and all(w.startswith("dask:") for w in workers), workers
    assert {o["student"] for o in report["outcomes"]} == set(roster)
    assert list((course / "grader" / "autograded" / "s000_right" / ASSIGNMENT).glob("*.ipynb"))
