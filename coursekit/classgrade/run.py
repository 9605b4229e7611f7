"""Grade a class: plan what to grade, grade it on an executor, settle and record each result, report.

The coordinator (this module, in the ``coursekit grade`` process) is the only writer of the ledger
and prepares the gradebook; the grading itself happens in worker processes
(:mod:`coursekit.classgrade.worker`), either a local pool of ``jobs`` workers
(:mod:`coursekit.classgrade.executors.local`) or the workers of a Dask cluster
(:mod:`coursekit.classgrade.executors.dask_cluster`).  Results come back through one queue, in
whatever order they finish; :class:`Settler` turns each into an outcome or hands the task out again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import queue
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from coursekit.classgrade.course import Course, SubmissionFiles, discover, load_course
from coursekit.classgrade.errors import GradebookError, GradeError
from coursekit.classgrade.executors.base import Executor, Results, WorkerOptions
from coursekit.classgrade.gradebook import (
    describe_db,
    graded_pairs,
    install_sqlite_guard,
    prepare_gradebook,
    set_sqlite_journal,
    sqlite_path,
)
from coursekit.classgrade.ledger import Entry, Ledger
from coursekit.classgrade.model import Outcome, Status, Task, WorkerResult
from coursekit.classgrade.planning import plan
from coursekit.classgrade.progress import Progress
from coursekit.classgrade.report import RunReport, class_averages, summary_text, write_last_run
from coursekit.nbgrader_run import KERNEL_START_FAILURES, nbgrader_env

__all__ = [
    "DEFAULT_MAX_OUTPUT_MB",
    "DEFAULT_MEMORY_MB",
    "GradeOptions",
    "Settler",
    "grade_class",
    "is_final",
]

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 2048.0
DEFAULT_MAX_OUTPUT_MB = 16.0
# Failures of the machine, not of the submission: retried in the run, and left for the next run when
# they persist.  A kernel that does not come up has not run a line of the learner's code yet.
TRANSIENT = (
    "database is locked",
    "error accessing the nbgrader database",
    "could not connect",
    *KERNEL_START_FAILURES,
)
LOST_RETRIES = 1  # a task whose worker was lost is handed out once more
TRANSIENT_RETRIES = 2  # and one the machine failed twice more


@dataclass
class GradeOptions:
    """What ``coursekit grade`` was asked to do."""

    course_root: Path | None = None
    assignments: list[str] = field(default_factory=list)
    jobs: int | None = None  # default: the number of cores
    db_url: str | None = None  # default: the course's (nbgrader_config.py)
    scheduler: str | None = None  # a Dask scheduler address: grade on that cluster
    cell_timeout: float | None = None  # default: the course's Execute.timeout
    submission_timeout: float | None = None  # default: from the cell timeout and the number of cells
    memory_mb: float | None = DEFAULT_MEMORY_MB
    max_output_mb: float | None = DEFAULT_MAX_OUTPUT_MB
    force: bool = False  # regrade everything, whatever the ledger says
    retry_failed: bool = False  # regrade submissions whose last grading failed
    progress: bool = True
    immediate_shutdown: bool = True
    sandbox: bool = True  # each kernel in bubblewrap (coursekit.classgrade.kernel_sandbox)


# -- settling results --------------------------------------------------------------------------------


def is_final(status: Status, reason: str) -> bool:
    """Whether a result stands: anything but a failure of the machine (see ``TRANSIENT``)."""
    return status != Status.FAILED or not any(marker in reason for marker in TRANSIENT)


class Settler:
    """Turns a worker's result into an outcome, or hands the task out again through ``resubmit``.

    It keeps the count of each task's retries: a lost worker is retried once (unless it was killed
    for running past the task's budget), a failure of the machine twice and then recorded as not
    final, so that the next run grades it again.
    """

    def __init__(self, resubmit: Callable[[Task], None]) -> None:
        self.resubmit = resubmit
        self.retries: Counter[Task] = Counter()

    def settle(self, task: Task, result: WorkerResult) -> Outcome | None:
        """The outcome of ``task``, or None when it was handed out again."""
        attempts = self.retries[task]
        if result.status == Status.LOST:
            logger.debug("%s: worker lost (attempt %d): %s", task.label, attempts + 1, result.reason)
            if result.killed_for_time:
                return self._outcome(task, result, Status.FAILED, result.reason)
            if attempts < LOST_RETRIES:
                self._retry(task)
                return None
            reason = f"the grading worker was lost twice while grading this submission ({result.reason})"
            return self._outcome(task, result, Status.FAILED, reason)
        final = is_final(result.status, result.reason)
        if not final and attempts < TRANSIENT_RETRIES:
            logger.info("%s: the machine failed, grading again: %s", task.label, result.reason)
            self._retry(task)
            return None
        return Outcome(
            task.assignment,
            task.student,
            result.status,
            result.reason,
            result.seconds,
            final=final,
            worker=result.worker,
            cpu_s=result.cpu_s,
            kernel_cpu_s=result.kernel_cpu_s,
            integrity=result.integrity,
        )

    def _retry(self, task: Task) -> None:
        self.retries[task] += 1
        self.resubmit(task)

    @staticmethod
    def _outcome(task: Task, result: WorkerResult, status: Status, reason: str) -> Outcome:
        return Outcome(task.assignment, task.student, status, reason, result.seconds, worker=result.worker)


# -- the run -----------------------------------------------------------------------------------------


def grade_class(options: GradeOptions, *, err: TextIO | None = None, out: TextIO | None = None) -> RunReport:
    """Grade every submission of ``options.assignments`` (all when empty) that needs it."""
    err = err if err is not None else sys.stderr
    out = out if out is not None else sys.stdout
    started = time.monotonic()
    from coursekit.layout import find_course_root

    # nbgrader runs `alembic` from PATH when it creates a gradebook: this environment's first
    os.environ["PATH"] = nbgrader_env()["PATH"]
    root = Path(options.course_root) if options.course_root else find_course_root()
    course = load_course(root, options.db_url)
    if options.sandbox:  # before anything is graded: without bwrap there is nothing to grade in
        from coursekit.classgrade.kernel_sandbox import SandboxUnavailable, check_available

        try:
            check_available(hint="or grade without the sandbox: coursekit grade --no-sandbox")
        except SandboxUnavailable as exc:
            raise GradeError(str(exc)) from None
    install_sqlite_guard()  # the coordinator's own gradebook sessions are guarded too
    with _run_lock(course.state_dir):
        return _grade_locked(options, course, started, err, out)


def _grade_locked(
    options: GradeOptions, course: Course, started: float, err: TextIO, out: TextIO
) -> RunReport:
    db = describe_db(course.db_url)
    assignments, students = _prepare(options, course, db, err)
    ledger = Ledger(course.state_dir / "ledger.jsonl")
    cell_timeout = float(options.cell_timeout or course.cell_timeout)
    todo = plan(
        students,
        SubmissionFiles(course, cell_timeout, options.submission_timeout),
        ledger.load(),
        graded_pairs(course.db_url, course.course_id, assignments),
        db=db,
        force=options.force,
        retry_failed=options.retry_failed,
    )
    tasks = todo.tasks
    outcomes = list(todo.skipped)

    def record(task: Task, outcome: Outcome) -> None:
        entry = Entry(
            db=db,
            assignment=task.assignment,
            student=task.student,
            hash=task.hash,
            status=outcome.status,
            reason=outcome.reason,
            final=outcome.final,
            seconds=outcome.seconds,
            integrity=list(outcome.integrity),
        )
        ledger.append(entry)
        outcomes.append(outcome)

    results: Results = queue.Queue()
    executor = _executor(options, course, len(tasks), results) if tasks else None
    sqlite_wal = set_sqlite_journal(course.db_url, "wal") if tasks else None
    progress = Progress(len(tasks), stream=err, enabled=options.progress and bool(tasks))
    interrupted = False
    workers = 0
    grading_started = time.monotonic()
    try:
        if executor is not None:
            executor.start()
            workers = executor.workers
            for task in tasks:
                executor.submit(task)
            progress.started = time.monotonic()
            progress.draw(force=True)
            _collect(len(tasks), results, Settler(executor.submit), progress, record)
    except KeyboardInterrupt:
        interrupted = True
        if executor is not None:
            executor.shutdown(kill=True)
    except BaseException:
        if executor is not None:
            executor.shutdown(kill=True)
        raise
    else:
        if executor is not None:
            executor.shutdown()
    finally:
        progress.close()
        ledger.close()
        if sqlite_wal is not None:
            try:
                set_sqlite_journal(course.db_url, "delete")
            except Exception as exc:  # noqa: BLE001 - the grades are written; WAL mode only costs speed
                logger.warning(
                    "cannot switch the gradebook back from WAL mode: %s: %s", type(exc).__name__, exc
                )

    wall = time.monotonic() - started
    try:
        averages = class_averages(course.db_url, course.course_id, assignments)
    except Exception as exc:  # noqa: BLE001 - the summary then goes without the averages table
        logger.warning("cannot compute the class averages: %s: %s", type(exc).__name__, exc)
        averages = {}
    report = RunReport(
        outcomes=outcomes,
        wall_s=wall,
        workers=workers,
        backend="dask" if options.scheduler else "local",
        db=db,
        interrupted=interrupted,
        averages=averages,
        startup_s=grading_started - started,
        worker_startup_s=executor.startup_s if executor is not None else [],
        discovered={a: len(students[a]) for a in assignments},
        sandbox=options.sandbox,
    )
    write_last_run(course.state_dir / "last-run.json", report)
    out.write(summary_text(report, assignments))
    out.flush()
    return report


def _prepare(
    options: GradeOptions, course: Course, db: str, err: TextIO
) -> tuple[list[str], dict[str, list[str]]]:
    """Find the submissions and make the gradebook ready for them: ``(assignments, students)``."""
    assignments, students = discover(course, list(options.assignments))
    if not assignments:
        raise GradeError(f"no submissions under {course.root / course.submitted_directory}")
    if options.scheduler and sqlite_path(course.db_url) is not None:
        err.write(
            "coursekit grade: warning: an SQLite gradebook is only safe when every Dask worker runs on "
            "this machine; give the cluster a PostgreSQL gradebook with --db-url\n"
        )
    all_students = sorted({s for names in students.values() for s in names})
    try:
        prepare_gradebook(course.db_url, course.course_id, assignments, all_students)
    except GradebookError as exc:
        raise GradeError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - an unreachable database is a usage error here
        raise GradeError(f"cannot open the gradebook {db}: {type(exc).__name__}: {exc}") from None
    return assignments, students


def _collect(
    count: int,
    results: Results,
    settler: Settler,
    progress: Progress,
    record: Callable[[Task, Outcome], None],
) -> None:
    """Settle results until ``count`` tasks have an outcome, recording each as it comes."""
    remaining = count
    while remaining:
        try:
            task, result = results.get(timeout=0.25)
        except queue.Empty:
            progress.draw()
            continue
        outcome = settler.settle(task, result)
        if outcome is None:  # handed to another worker
            continue
        remaining -= 1
        record(task, outcome)
        progress.add(outcome.status)


def _worker_options(options: GradeOptions, course: Course) -> WorkerOptions:
    return {
        "course_root": str(course.root),
        "log_dir": str(course.state_dir / "logs"),
        "lock_dir": str(course.state_dir / "locks"),
        "db_url": options.db_url,
        "cell_timeout": options.cell_timeout,
        "memory_mb": options.memory_mb,
        "max_output_mb": options.max_output_mb,
        "immediate_shutdown": options.immediate_shutdown,
        "sandbox": options.sandbox,
    }


def _executor(options: GradeOptions, course: Course, tasks: int, results: Results) -> Executor:
    """The local executor, or the Dask one when a scheduler is given."""
    worker_options = _worker_options(options, course)
    if options.scheduler:
        try:
            from coursekit.classgrade.executors.dask_cluster import DaskExecutor
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise GradeError(
                "--scheduler needs Dask distributed: pip install 'coursekit[grading]' (or distributed)"
            ) from exc
        return DaskExecutor(options.scheduler, course.root, worker_options, results)
    from coursekit.classgrade.executors.local import LocalExecutor

    jobs = min(_pick_jobs(options.jobs), tasks)
    return LocalExecutor(course.root, course.state_dir / "logs", worker_options, jobs, results)


def _pick_jobs(requested: int | None) -> int:
    if requested and requested > 0:
        return requested
    with contextlib.suppress(AttributeError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _run_lock(state_dir: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "run.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise GradeError(
                f"another `coursekit grade` is grading this course (pid {holder}); wait for it or stop it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
