"""Parts of ``coursekit grade`` that need no nbgrader run: ledger, progress, reasons, limits, summary, CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coursekit import cli
from coursekit.classgrade import kernel_limits
from coursekit.classgrade.gradebook import describe_db, sqlite_path
from coursekit.classgrade.ledger import Entry, Ledger, content_hash
from coursekit.classgrade.progress import Progress, format_duration
from coursekit.classgrade.run import LOST, Outcome, RunReport, Task, _settle, summary_text
from coursekit.classgrade.worker import FAILED, GRADED, TIMED_OUT, _reason_from_log, classify


def _entry(student: str, status: str = "graded", hash_: str = "h1", **kw) -> Entry:
    return Entry(db="sqlite:///g.db", assignment="a", student=student, hash=hash_, status=status, **kw)


# -- ledger ------------------------------------------------------------------------------------------


def test_ledger_keeps_the_latest_entry_and_survives_a_torn_line(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state" / "ledger.jsonl")
    ledger.append(_entry("ann"))
    ledger.append(_entry("bob", "failed", reason="boom"))
    ledger.append(_entry("ann", hash_="h2"))
    ledger.close()
    with open(ledger.path, "a") as handle:  # a run killed in the middle of a write
        handle.write('{"db": "sqlite:///g.db", "assignment": "a", "stud')
    entries = Ledger(ledger.path).load()
    assert {k[2]: e.hash for k, e in entries.items()} == {"ann": "h2", "bob": "h1"}
    assert entries[("sqlite:///g.db", "a", "bob")].reason == "boom"
    again = Ledger(ledger.path)
    again.append(_entry("cid"))  # starts on a fresh line: the torn one stays unreadable, cid is kept
    again.close()
    assert {k[2] for k in Ledger(ledger.path).load()} == {"ann", "bob", "cid"}


def test_ledger_entries_are_per_gradebook(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.append(_entry("ann"))
    ledger.append(Entry(db="postgresql://h/db", assignment="a", student="ann", hash="h1", status="graded"))
    ledger.close()
    assert len(Ledger(ledger.path).load()) == 2


def test_content_hash_follows_content_and_ignores_checkpoints(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "a.ipynb").write_text("one")
    first = content_hash(folder, [".ipynb_checkpoints"])
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("old")
    assert content_hash(folder, [".ipynb_checkpoints"]) == first
    (folder / "a.ipynb").write_text("two")
    assert content_hash(folder, [".ipynb_checkpoints"]) != first
    (folder / "a.ipynb").write_text("one")
    (folder / "data.csv").write_text("x")
    assert content_hash(folder, [".ipynb_checkpoints"]) != first


# -- progress ----------------------------------------------------------------------------------------


def test_progress_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream=stream, tty=False, every=3600)
    progress.draw(force=True)
    for status in ("graded", "timed_out", "failed"):
        progress.add(status)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in stream.getvalue()  # the first line and the last, no repeats
    assert lines[0].startswith("grading: [") and "0/3" in lines[0]
    assert "3/3 100%" in lines[-1] and "failed 1" in lines[-1] and "timed out 1" in lines[-1]
    assert "sub/s" in lines[-1] and "left 00:00" in lines[-1]


def test_progress_redraws_in_place_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=True)
    progress.add("graded")
    progress.add("graded")
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n") and text.count("\n") == 1


def test_format_duration() -> None:
    assert format_duration(5) == "00:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "--:--"


# -- what a worker reports -----------------------------------------------------------------------------

NOT_JSON_LOG = textwrap.dedent(
    """\
    [AutogradeApp | ERROR] There was an error processing assignment: /c/grader/submitted/x/a
    [AutogradeApp | ERROR] Traceback (most recent call last):
          File "/site-packages/nbformat/reader.py", line 25, in parse_json
            raise NotJSONError(message) from e
        nbformat.reader.NotJSONError: Notebook does not appear to be JSON: 'not json'

    [AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'x'
    [AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors.
    """
)


def test_reason_is_the_exception_of_nbgraders_traceback() -> None:
    expected = "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: 'not json'"
    assert _reason_from_log(NOT_JSON_LOG) == expected  # as nbgrader logs it: one record
    chained = NOT_JSON_LOG.replace(
        "      File",
        '      File "x", line 1\n    ValueError: inner\n\n'
        "    The above exception was the direct cause of the following exception:\n\n"
        "    Traceback (most recent call last):\n      File",
        1,
    )
    assert chained.count("Traceback") == 2
    assert _reason_from_log(chained) == expected  # the last exception of a chain
    dead = "Traceback (most recent call last):\n  File x\nnbclient.exceptions.DeadKernelError: Kernel died\n"
    assert _reason_from_log(dead).startswith("the kernel died while running the notebook")
    assert "unresponsive" in _reason_from_log(
        "... the kernel became unresponsive and we could not interrupt it"
    )
    assert _reason_from_log("[AutogradeApp | ERROR] No notebooks were matched") == "No notebooks were matched"


def _graded_notebook(tmp_path: Path, *errors: str) -> Path:
    nb = new_notebook()
    cell = new_code_cell("x", metadata={"nbgrader": {"grade_id": "q1", "grade": True, "points": 1}})
    cell.outputs = [new_output("error", ename=e, evalue="", traceback=[]) for e in errors]
    nb.cells = [new_code_cell("y"), cell]
    path = tmp_path / f"nb{len(list(tmp_path.glob('*.ipynb')))}.ipynb"
    nbformat.write(nb, path)
    return path


def test_classify_names_the_limit_and_the_cell(tmp_path: Path) -> None:
    assert classify([_graded_notebook(tmp_path)], 60, None) == (GRADED, "")
    assert classify([_graded_notebook(tmp_path, "AssertionError")], 60, None) == (GRADED, "")
    status, reason = classify([_graded_notebook(tmp_path, "KeyboardInterrupt", "CellTimeoutError")], 5, None)
    assert status == TIMED_OUT and "cell 'q1'" in reason and "5 s time limit" in reason
    status, reason = classify([_graded_notebook(tmp_path, "MemoryError")], 5, 256)
    assert status == FAILED and "out of memory" in reason and "256 MiB" in reason
    status, reason = classify([_graded_notebook(tmp_path, "OutputLimitExceeded")], 5, 256)
    assert status == FAILED and "output limit" in reason
    (tmp_path / "broken.ipynb").write_text("{")
    assert classify([tmp_path / "broken.ipynb"], 5, None)[0] == FAILED


# -- kernel limits -------------------------------------------------------------------------------------


def test_output_budget_refuses_writes_past_the_limit() -> None:
    budget = kernel_limits._Budget(10)
    assert budget.spend(10)
    with pytest.raises(kernel_limits.OutputLimitExceeded, match="output limit"):
        budget.spend(1)


def test_memory_cap_turns_a_memory_bomb_into_a_memory_error() -> None:
    code = textwrap.dedent(
        """
        from coursekit.classgrade.kernel_limits import cap_memory
        cap_memory(64)
        try:
            hog = bytearray(512 * 1024 * 1024)
        except MemoryError:
            print("MemoryError")
        small = bytearray(8 * 1024 * 1024)
        print("still alive")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["MemoryError", "still alive"], result.stderr


def test_sqlite_guard_takes_the_write_lock_with_every_transaction(tmp_path: Path) -> None:
    """Guarded, even a read transaction holds the write lock: a check-then-insert cannot interleave."""
    code = textwrap.dedent(
        f"""
        import sqlite3
        from sqlalchemy import create_engine, text
        from coursekit.classgrade.gradebook import install_sqlite_guard
        install_sqlite_guard()
        engine = create_engine("sqlite:///{tmp_path / "g.db"}")
        with engine.begin() as conn:
            conn.execute(text("create table t (x integer)"))
        other = sqlite3.connect("{tmp_path / "g.db"}", timeout=0, isolation_level=None)
        with engine.connect() as conn:
            conn.execute(text("select count(*) from t")).fetchall()  # a read, inside a transaction
            try:
                other.execute("begin immediate")
                print("lock was free")
            except sqlite3.OperationalError as exc:
                print("locked:", exc)
        other.execute("begin immediate")  # free again once the transaction ended
        print("then free")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["locked: database is locked", "then free"], result.stderr


def test_gradebook_urls() -> None:
    assert describe_db("postgresql+psycopg://grader:s3cret@db.example:5432/gb") == (
        "postgresql+psycopg://grader:***@db.example:5432/gb"
    )
    assert describe_db("sqlite:////x/gradebook.db") == "sqlite:////x/gradebook.db"
    assert sqlite_path("sqlite:////x/gradebook.db") == Path("/x/gradebook.db")
    assert sqlite_path("postgresql://h/db") is None and sqlite_path("sqlite://") is None


# -- the coordinator's decisions -------------------------------------------------------------------------


class _Executor:
    def __init__(self) -> None:
        self.submitted: list[Task] = []

    def submit(self, task: Task) -> None:
        self.submitted.append(task)


def test_a_lost_worker_is_retried_once_then_recorded() -> None:
    executor = _Executor()
    task = Task("a", "ann", "h", 100.0)
    lost = {"status": LOST, "reason": "the grading worker exited with signal SIGKILL"}
    assert _settle(task, lost, executor) is None and executor.submitted == [task]
    outcome = _settle(task, lost, executor)
    assert outcome.status == "failed" and "lost twice" in outcome.reason and outcome.final
    too_long = {**lost, "killed_for_time": True, "reason": "took longer"}
    timed_out = _settle(Task("a", "bob", "h", 1.0), too_long, executor)
    assert timed_out.status == "failed" and timed_out.reason == "took longer"


def test_a_busy_database_is_retried_and_not_final() -> None:
    executor = _Executor()
    task = Task("a", "ann", "h", 100.0)
    busy = {"status": "failed", "reason": "sqlite3.OperationalError: database is locked"}
    assert _settle(task, busy, executor) is None
    assert _settle(task, busy, executor) is None
    outcome = _settle(task, busy, executor)
    assert outcome.status == "failed" and not outcome.final  # the next run tries again
    graded = _settle(Task("a", "bob", "h", 1.0), {"status": "graded", "reason": "", "cpu_s": 0.2}, executor)
    assert graded.status == "graded" and graded.cpu_s == 0.2


@pytest.mark.parametrize(
    "exception",
    [
        "RuntimeError: Kernel died before replying to kernel_info",
        "RuntimeError: Kernel didn't respond in 60 seconds",
    ],
)
def test_a_kernel_that_does_not_start_is_retried_and_not_final(exception: str) -> None:
    log = NOT_JSON_LOG.replace(
        "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: 'not json'", exception
    )
    reason = _reason_from_log(log)
    assert reason == exception  # what the summary shows
    executor = _Executor()
    task = Task("a", "ann", "h", 100.0)
    assert _settle(task, {"status": FAILED, "reason": reason}, executor) is None
    assert _settle(task, {"status": FAILED, "reason": reason}, executor) is None
    assert executor.submitted == [task, task]
    outcome = _settle(task, {"status": FAILED, "reason": reason}, executor)
    assert outcome.status == FAILED and not outcome.final  # the next run tries again


def test_a_kernel_that_dies_in_the_learners_code_is_final() -> None:
    executor = _Executor()
    reason = _reason_from_log(
        "Traceback (most recent call last):\n  File x\nnbclient.exceptions.DeadKernelError: Kernel died\n"
    )
    outcome = _settle(Task("a", "ann", "h", 100.0), {"status": FAILED, "reason": reason}, executor)
    assert outcome.final and not executor.submitted


def test_summary_table() -> None:
    report = RunReport(
        outcomes=[Outcome("a", "ann", "graded"), Outcome("a", "bob", "timed_out", "cell 'q1' exceeded ..."),
                  Outcome("a", "cid", "failed", "NotJSONError"), Outcome("a", "dan", "skipped")],
        wall_s=12.0, workers=2, backend="local", db="sqlite:///g.db",
        averages={"a/nb": {"submissions": 4, "average": 1.5, "max": 3.0}},
    )  # fmt: skip
    text = summary_text(report, ["a"])
    assert "graded 3 submission(s) this run, 0.25 per second" in text
    row = next(line for line in text.splitlines() if line.startswith("a "))
    assert row.split() == ["a", "4", "1", "1", "1", "1", "0"]
    assert "a/nb" in text and "1.50" in text and "50%" in text
    assert "a/bob: timed out: cell 'q1'" in text and "a/cid: failed: NotJSONError" in text
    assert report.exit_code == 1
    json.dumps(report.__dict__, default=lambda o: o.__dict__)  # serialisable for last-run.json


def test_grade_is_a_coursekit_subcommand(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["grade", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--jobs", "--db-url", "--scheduler", "--cell-timeout", "--memory-mb", "--max-output-mb"):
        assert option in out


def test_grade_outside_a_course_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["grade", "--course", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err


def test_a_retry_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    busy = {"status": "failed", "reason": "sqlite3.OperationalError: database is locked"}
    with caplog.at_level("INFO", logger="coursekit.classgrade"):
        assert _settle(Task("a", "ann", "h", 100.0), busy, _Executor()) is None
    (record,) = [r for r in caplog.records if r.name == "coursekit.classgrade.run"]
    assert (
        record.levelname == "INFO"
        and "a/ann" in record.getMessage()
        and "database is locked" in record.getMessage()
    )


@pytest.mark.parametrize(
    ("flags", "level"), [([], "WARNING"), (["-v"], "DEBUG"), (["--log-level", "info"], "INFO")]
)
def test_log_level_flags(flags: list[str], level: str) -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["grade", *flags]).log_level == level


def test_the_grader_logs_to_stderr_at_the_level_asked(capsys) -> None:
    import logging

    from coursekit.classgrade.command import configure_logging

    configure_logging("DEBUG")
    logging.getLogger("coursekit.classgrade.run").debug("local-0: grading a/ann")
    logging.getLogger("other.library").warning("not the grader's")
    err = capsys.readouterr().err
    assert "DEBUG coursekit.classgrade.run: local-0: grading a/ann" in err
    assert "not the grader's" not in err
