"""Grade a class: find the submissions, skip those already graded, grade the rest in parallel.

The coordinator (this module, in the ``coursekit grade`` process) is the only writer of the ledger
and prepares the gradebook; the grading itself happens in worker processes
(:mod:`coursekit.classgrade.worker`), either a local pool of ``jobs`` workers or the workers of a
Dask cluster (:mod:`coursekit.classgrade.dask_backend`).  Results come back through one queue, in
whatever order they finish.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import logging
import os
import queue
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from coursekit.classgrade.errors import GradeError
from coursekit.classgrade.gradebook import (
    GradebookError,
    describe_db,
    graded_pairs,
    install_sqlite_guard,
    max_class_scores,
    prepare_gradebook,
    set_sqlite_journal,
    sqlite_path,
)
from coursekit.classgrade.ledger import Entry, Ledger, content_hash
from coursekit.classgrade.pool import WorkerLost, WorkerProcess
from coursekit.classgrade.progress import Progress, format_duration
from coursekit.grading import KERNEL_START_FAILURES, gradebook_scores, nbgrader_env

__all__ = ["Course", "GradeError", "GradeOptions", "Outcome", "RunReport", "grade_class", "load_course"]

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 2048.0
DEFAULT_MAX_OUTPUT_MB = 16.0
LOST = "lost"  # a result that says the worker, not the submission, failed
# Failures of the machine, not of the submission: retried in the run, and left for the next run when
# they persist.  A kernel that does not come up has not run a line of the learner's code yet.
TRANSIENT = (
    "database is locked",
    "error accessing the nbgrader database",
    "could not connect",
    *KERNEL_START_FAILURES,
)


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


@dataclass
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


@dataclass
class Task:
    assignment: str
    student: str
    hash: str
    budget_s: float
    attempts: int = 0


@dataclass
class Outcome:
    """The result of one submission in this run."""

    assignment: str
    student: str
    status: str  # graded | timed_out | failed | skipped
    reason: str = ""
    seconds: float = 0.0
    final: bool = True
    worker: str = ""
    cpu_s: float = 0.0  # the worker's own CPU time for this submission
    kernel_cpu_s: float = 0.0  # its kernels' CPU time


@dataclass
class RunReport:
    outcomes: list[Outcome]
    wall_s: float
    workers: int
    backend: str
    db: str
    interrupted: bool = False
    averages: dict[str, dict[str, Any]] = field(default_factory=dict)
    startup_s: float = 0.0  # from the command's start until the first submission was handed out
    worker_startup_s: list[float] = field(default_factory=list)  # each local worker's import time
    discovered: dict[str, int] = field(default_factory=dict)  # submissions found, per assignment

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def graded_now(self) -> int:
        return sum(1 for o in self.outcomes if o.status != "skipped")

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.count("failed") else 0


# -- discovery -------------------------------------------------------------------------------------


def _code_cells(path: Path) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            return sum(1 for cell in json.load(handle).get("cells", []) if cell.get("cell_type") == "code")
    except (OSError, ValueError, AttributeError):
        return 0


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


def _budget(course: Course, assignment: str, folder: Path, cell_timeout: float) -> float:
    source = course.source(assignment)
    cells = max([_code_cells(p) for p in source.glob("*.ipynb")] or [0])
    cells = max([cells] + [_code_cells(p) for p in folder.glob("*.ipynb")])
    return cell_timeout * (cells + 2) + 120.0


# -- executors -------------------------------------------------------------------------------------


class LocalExecutor:
    """``jobs`` threads, each driving one long-lived grading worker process."""

    backend = "local"

    def __init__(self, course: Course, options: dict[str, Any], jobs: int, results: queue.Queue) -> None:
        self.course = course
        self.options = options
        self.jobs = jobs
        self.results = results
        self.tasks: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        self.processes: dict[int, WorkerProcess] = {}
        self.threads = [threading.Thread(target=self._slot, args=(i,), daemon=True) for i in range(jobs)]
        self.startup_s: list[float] = []

    @property
    def workers(self) -> int:
        return self.jobs

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def submit(self, task: Task) -> None:
        self.tasks.put(task)

    def _slot(self, index: int) -> None:
        log = self.course.state_dir / "logs" / f"worker-{index}.log"
        worker = WorkerProcess(self.course.root, self.options, log_path=log)
        self.processes[index] = worker
        try:
            worker.start()  # start importing nbgrader now, in parallel with the other workers
            worker.wait_ready()
            if worker.startup_s is not None:
                self.startup_s.append(worker.startup_s)
                logger.debug("local-%d: ready after %.2f s (log: %s)", index, worker.startup_s, log)
        except (WorkerLost, OSError) as exc:
            # Its first task starts it again, and reports a worker that cannot start as lost.
            logger.warning("local-%d: the worker did not start: %s (log: %s)", index, exc, log)
        while not self.stopping.is_set():
            task = self.tasks.get()
            if task is None or self.stopping.is_set():
                break
            logger.debug("local-%d: grading %s/%s", index, task.assignment, task.student)
            try:
                result = worker.run(task.assignment, task.student, task.budget_s)
            except WorkerLost as exc:
                logger.warning(
                    "local-%d: lost while grading %s/%s: %s", index, task.assignment, task.student, exc
                )
                result = {"status": LOST, "reason": str(exc), "killed_for_time": exc.killed_for_time}
            except Exception as exc:  # noqa: BLE001 - reported as a lost worker, never silently
                logger.warning(
                    "local-%d: %s/%s: %s: %s", index, task.assignment, task.student, type(exc).__name__, exc
                )
                worker.kill()
                result = {"status": LOST, "reason": f"{type(exc).__name__}: {exc}", "killed_for_time": False}
            logger.debug(
                "local-%d: %s/%s %s in %.1f s",
                index,
                task.assignment,
                task.student,
                result.get("status"),
                float(result.get("seconds") or 0.0),
            )
            result["worker"] = f"local-{index}"
            if not self.stopping.is_set():
                self.results.put((task, result))
        if self.stopping.is_set():
            worker.kill()
        else:
            worker.stop()

    def shutdown(self, kill: bool = False) -> None:
        if kill:
            self.stopping.set()
            with contextlib.suppress(queue.Empty):
                while True:
                    self.tasks.get_nowait()
            for worker in list(self.processes.values()):
                pid = worker.pid
                if pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, 9)
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            if thread.ident is not None:
                thread.join(timeout=30)


# -- the run ---------------------------------------------------------------------------------------


def _pick_jobs(requested: int | None) -> int:
    if requested and requested > 0:
        return requested
    with contextlib.suppress(AttributeError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _run_lock(state_dir: Path):
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


def _is_final(status: str, reason: str) -> bool:
    return status != "failed" or not any(marker in reason for marker in TRANSIENT)


def grade_class(options: GradeOptions, *, err: TextIO | None = None, out: TextIO | None = None) -> RunReport:
    """Grade every submission of ``options.assignments`` (all when empty) that needs it."""
    err = err if err is not None else sys.stderr
    out = out if out is not None else sys.stdout
    started = time.monotonic()
    from coursekit.notebooks import find_course_root

    # nbgrader runs `alembic` from PATH when it creates a gradebook: this environment's first
    os.environ["PATH"] = nbgrader_env()["PATH"]
    root = Path(options.course_root) if options.course_root else find_course_root()
    course = load_course(root, options.db_url)
    install_sqlite_guard()  # the coordinator's own gradebook sessions are guarded too
    with _run_lock(course.state_dir):
        return _grade_locked(options, course, started, err, out)


def _grade_locked(
    options: GradeOptions, course: Course, started: float, err: TextIO, out: TextIO
) -> RunReport:  # fmt: skip
    db = describe_db(course.db_url)
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
    in_gradebook = graded_pairs(course.db_url, course.course_id, assignments)

    ledger = Ledger(course.state_dir / "ledger.jsonl")
    previous = ledger.load()
    cell_timeout = float(options.cell_timeout or course.cell_timeout)
    tasks: list[Task] = []
    outcomes: list[Outcome] = []
    for assignment in assignments:
        # The instructor's version counts too: a fixed test (regenerated assignment) regrades everyone.
        source = course.source(assignment)
        source_digest = content_hash(source, course.ignore) if source.is_dir() else ""
        for student in students[assignment]:
            folder = course.submitted(student, assignment)
            digest = hashlib.sha256(
                f"{content_hash(folder, course.ignore)}:{source_digest}".encode()
            ).hexdigest()
            entry = previous.get((db, assignment, student))
            done = False
            if not options.force and entry is not None and entry.hash == digest and entry.final:
                if entry.status == "failed":  # the same content fails the same way: only on request
                    done = not options.retry_failed
                else:  # graded: still in the gradebook, and its autograded notebooks still there
                    done = (assignment, student) in in_gradebook and any(
                        course.autograded(student, assignment).glob("*.ipynb")
                    )
            if done:
                outcomes.append(Outcome(assignment, student, "skipped", entry.status))
            else:
                budget = options.submission_timeout or _budget(course, assignment, folder, cell_timeout)
                tasks.append(Task(assignment, student, digest, budget))

    worker_options = {
        "course_root": str(course.root),
        "log_dir": str(course.state_dir / "logs"),
        "lock_dir": str(course.state_dir / "locks"),
        "db_url": options.db_url,
        "cell_timeout": options.cell_timeout,
        "memory_mb": options.memory_mb,
        "max_output_mb": options.max_output_mb,
        "immediate_shutdown": options.immediate_shutdown,
    }
    results: queue.Queue = queue.Queue()
    executor: Any = None
    if tasks and options.scheduler:
        from coursekit.classgrade.dask_backend import DaskExecutor

        executor = DaskExecutor(options.scheduler, course, worker_options, results)
    elif tasks:
        jobs = min(_pick_jobs(options.jobs), len(tasks))
        executor = LocalExecutor(course, worker_options, jobs, results)

    sqlite_wal = set_sqlite_journal(course.db_url, "wal") if tasks else None
    progress = Progress(len(tasks), stream=err, enabled=options.progress and bool(tasks))
    interrupted = False
    n_workers = 0
    grading_started = time.monotonic()
    try:
        if executor is not None:
            executor.start()
            n_workers = executor.workers
            for task in tasks:
                executor.submit(task)
            progress.started = time.monotonic()
            progress.draw(force=True)
        remaining = len(tasks)
        while remaining:
            try:
                task, result = results.get(timeout=0.25)
            except queue.Empty:
                progress.draw()
                continue
            outcome = _settle(task, result, executor)
            if outcome is None:  # handed to another worker
                continue
            remaining -= 1
            ledger.append(Entry(db=db, assignment=task.assignment, student=task.student, hash=task.hash,
                                status=outcome.status, reason=outcome.reason, final=outcome.final,
                                seconds=outcome.seconds))  # fmt: skip
            outcomes.append(outcome)
            progress.add(outcome.status)
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
    report = RunReport(
        outcomes=outcomes,
        wall_s=wall,
        workers=n_workers,
        backend="dask" if options.scheduler else "local",
        db=db,
        interrupted=interrupted,
        startup_s=grading_started - started,
        worker_startup_s=list(getattr(executor, "startup_s", []) or []),
        discovered={a: len(students[a]) for a in assignments},
    )
    try:
        report.averages = _averages(course, assignments)
    except Exception as exc:  # noqa: BLE001 - the summary then goes without the averages table
        logger.warning("cannot compute the class averages: %s: %s", type(exc).__name__, exc)
    _write_last_run(course, report)
    out.write(summary_text(report, assignments))
    out.flush()
    return report


def _settle(task: Task, result: dict[str, Any], executor: Any) -> Outcome | None:
    """Turn a worker's result into an outcome, or resubmit the task (and return None)."""
    status = result.get("status", "failed")
    reason = result.get("reason", "")
    seconds = float(result.get("seconds") or 0.0)
    worker = str(result.get("worker", ""))
    if status == LOST:
        logger.debug(
            "%s/%s: worker lost (attempt %d): %s", task.assignment, task.student, task.attempts + 1, reason
        )
        if result.get("killed_for_time"):
            return Outcome(
                task.assignment, task.student, "failed", reason, seconds, final=True, worker=worker
            )
        if task.attempts < 1:
            task.attempts += 1
            executor.submit(task)
            return None
        return Outcome(task.assignment, task.student, "failed",
                       f"the grading worker was lost twice while grading this submission ({reason})", seconds,
                       final=True, worker=worker)  # fmt: skip
    final = _is_final(status, reason)
    if not final and task.attempts < 2:
        logger.info("%s/%s: the machine failed, grading again: %s", task.assignment, task.student, reason)
        task.attempts += 1
        executor.submit(task)
        return None
    cpu = float(result.get("cpu_s") or 0.0)
    kernel_cpu = float(result.get("kernel_cpu_s") or 0.0)
    return Outcome(task.assignment, task.student, status, reason, seconds, final=final, worker=worker,
                   cpu_s=cpu, kernel_cpu_s=kernel_cpu)  # fmt: skip


def _averages(course: Course, assignments: list[str]) -> dict[str, dict[str, Any]]:
    """Per assignment and notebook: submissions in the gradebook, average score, maximum."""
    table: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        maxima = max_class_scores(course.db_url, course.course_id, assignment)
        scores = gradebook_scores(course.db_url, assignment, course.course_id)
        for notebook, cells in sorted(maxima.items()):
            totals = [sum(per_cell.get(gid, 0.0) for gid in cells) for per_cell in scores.values()]
            table[f"{assignment}/{notebook}"] = {
                "submissions": len(totals),
                "average": (sum(totals) / len(totals)) if totals else 0.0,
                "max": sum(cells.values()),
            }
    return table


def _write_last_run(course: Course, report: RunReport) -> None:
    data = asdict(report)
    data["exit_code"] = report.exit_code
    path = course.state_dir / "last-run.json"
    try:
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    except OSError as exc:  # the ledger holds every result; this file only repeats the last summary
        logger.warning("cannot write %s: %s", path, exc)


def summary_text(report: RunReport, assignments: list[str]) -> str:
    """The table printed at the end of a run."""
    lines = []
    graded_now = report.graded_now
    rate = graded_now / report.wall_s if report.wall_s > 0 else 0.0
    what = "interrupted after" if report.interrupted else "done in"
    lines.append(
        f"coursekit grade: {what} {format_duration(report.wall_s)} ({report.wall_s:.1f} s) with "
        f"{report.workers} {report.backend} worker(s), gradebook {report.db}"
    )
    lines.append(f"graded {graded_now} submission(s) this run, {rate:.2f} per second")
    lines.append("")
    header = ("assignment", "submissions", "graded", "timed out", "failed", "skipped", "left")
    rows = []
    by_assignment: dict[str, Counter] = {a: Counter() for a in assignments}
    for outcome in report.outcomes:
        by_assignment.setdefault(outcome.assignment, Counter())[outcome.status] += 1
    for assignment, counts in by_assignment.items():
        done = sum(counts.values())
        total = max(report.discovered.get(assignment, 0), done)
        figures = (
            total,
            counts["graded"],
            counts["timed_out"],
            counts["failed"],
            counts["skipped"],
            total - done,
        )
        rows.append((assignment, *map(str, figures)))
    lines.extend(_table(header, rows))
    if report.averages:
        lines.append("")
        header2 = ("exercise (assignment/notebook)", "in gradebook", "average", "out of", "average %")
        rows2 = [
            (
                name,
                str(v["submissions"]),
                f"{v['average']:.2f}",
                f"{v['max']:g}",
                f"{(100 * v['average'] / v['max']) if v['max'] else 0:.0f}%",
            )  # fmt: skip
            for name, v in report.averages.items()
        ]
        lines.extend(_table(header2, rows2))
    problems = [o for o in report.outcomes if o.status in ("failed", "timed_out")]
    if problems:
        lines.append("")
        lines.append("needs a look:")
        for o in problems:
            label = "timed out" if o.status == "timed_out" else "failed"
            lines.append(f"  {o.assignment}/{o.student}: {label}: {o.reason}")
    if report.interrupted:
        lines.append("")
        lines.append("interrupted: run the same command again to grade what is left")
    return "\n".join(lines) + "\n"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [fmt.format(*r) for r in rows]
