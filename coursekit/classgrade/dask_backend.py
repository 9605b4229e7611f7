"""Grade on a Dask cluster: each submission is a task; each Dask worker thread keeps a grading worker.

The coordinator (``coursekit grade --scheduler ADDRESS``) submits one task per submission to an
existing Dask scheduler.  On the Dask worker that runs it, :func:`grade_remote` hands the
submission to a long-lived grading worker process (the same :class:`WorkerProcess` as the local
pool: nbgrader imported once, a fresh kernel per notebook, the same limits), started on first use
by that worker thread and replaced when it dies.

What the cluster needs (see the README): ``coursekit`` installed in the workers' environment, the
course folder at the same path on every machine (a shared file system), and a gradebook every
machine can reach (``--db-url postgresql+psycopg://...``).  The ledger stays with the coordinator.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

from coursekit.classgrade.errors import GradeError
from coursekit.classgrade.pool import WorkerLost, WorkerProcess

__all__ = ["DaskExecutor", "grade_remote"]

logger = logging.getLogger(__name__)

_processes: dict[tuple[int, str], WorkerProcess] = {}
_lock = threading.Lock()


def grade_remote(
    course_root: str, options: dict[str, Any], assignment: str, student: str, budget_s: float
) -> dict:
    """Grade one submission on this Dask worker (runs inside the Dask worker process)."""
    key = (threading.get_ident(), json.dumps([course_root, options], sort_keys=True))
    with _lock:
        worker = _processes.get(key)
        if worker is None:
            host = socket.gethostname()
            log_dir = Path(options.get("log_dir") or Path(course_root) / "classgrade-logs")
            log = log_dir / f"dask-{host}-{os.getpid()}-{threading.get_ident() % 100000}.log"
            worker = WorkerProcess(Path(course_root), options, log_path=log)
            _processes[key] = worker
    try:
        result = worker.run(assignment, student, budget_s)
    except WorkerLost as exc:
        result = {"status": "lost", "reason": str(exc), "killed_for_time": exc.killed_for_time}
    result["worker"] = f"dask:{socket.gethostname()}:{os.getpid()}"
    return result


class DaskExecutor:
    """Submits tasks to a Dask scheduler and puts ``(task, result)`` on ``results`` as they finish."""

    backend = "dask"

    def __init__(self, address: str, course, options: dict[str, Any], results) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise GradeError(
                "--scheduler needs Dask distributed: pip install 'coursekit[grading]' (or distributed)"
            ) from exc
        self.course = course
        self.options = options
        self.results = results
        try:
            self.client = Client(address, timeout="20s")
        except OSError as exc:
            raise GradeError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.futures: dict[Any, Any] = {}
        self._closed = False

    @property
    def workers(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except Exception as exc:  # noqa: BLE001 - a scheduler that does not answer has no workers for us
            logger.warning("cannot count the Dask workers: %s: %s", type(exc).__name__, exc)
            return 0

    def start(self) -> None:
        if not self.workers:
            raise GradeError("the Dask scheduler has no workers: start some with `dask worker ADDRESS`")

    def submit(self, task) -> None:
        future = self.client.submit(
            grade_remote,
            str(self.course.root),
            self.options,
            task.assignment,
            task.student,
            task.budget_s,
            key=f"coursekit-grade-{task.assignment}-{task.student}-{uuid.uuid4().hex[:8]}",
            pure=False,
        )
        self.futures[future] = task
        future.add_done_callback(self._done)

    def _done(self, future) -> None:
        task = self.futures.pop(future, None)
        if task is None or self._closed:
            return
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost Dask worker, a cancelled task ...
            where = f"{task.assignment}/{task.student}"
            logger.warning("%s: the Dask task was lost: %s: %s", where, type(exc).__name__, exc)
            result = {"status": "lost", "reason": f"{type(exc).__name__}: {exc}", "killed_for_time": False}
        logger.debug(
            "%s/%s: %s from %s", task.assignment, task.student, result.get("status"), result.get("worker")
        )
        self.results.put((task, result))

    def shutdown(self, kill: bool = False) -> None:
        self._closed = True
        if kill:
            try:
                self.client.cancel(list(self.futures))
            except Exception as exc:  # noqa: BLE001 - stopping goes on; the scheduler drops them in the end
                logger.warning("cannot cancel the Dask tasks still queued: %s: %s", type(exc).__name__, exc)
        try:
            self.client.close()
        except Exception as exc:  # noqa: BLE001 - the run is over either way
            logger.warning("cannot close the Dask client: %s: %s", type(exc).__name__, exc)
