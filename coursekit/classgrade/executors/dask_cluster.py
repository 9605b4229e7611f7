"""Grade on a Dask cluster: each submission is a task; each Dask worker thread keeps a grading worker.

The coordinator (``coursekit grade --scheduler ADDRESS``) registers a :class:`GradingPlugin` on the
cluster's workers, under a name of its own for the run, and submits one task per submission.  On the
Dask worker that runs it, :func:`grade_remote` hands the submission to a long-lived grading worker
process that the plugin keeps for that worker thread (the same :class:`WorkerProcess` as the local
executor: nbgrader imported once, a fresh kernel per notebook, the same limits), started on first
use and replaced when it dies.  When the run ends the coordinator unregisters the plugin, and its
:meth:`GradingPlugin.teardown` stops those processes (as it does when the Dask worker closes).

What the cluster needs (see the README): ``coursekit`` installed in the workers' environment, the
course folder at the same path on every machine (a shared file system), and a gradebook every
machine can reach (``--db-url postgresql+psycopg://...``).  The ledger stays with the coordinator.

This module imports Dask ``distributed`` (an optional dependency): import it only for ``--scheduler``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from pathlib import Path
from typing import ClassVar

from distributed import Client, Future, Worker, WorkerPlugin, get_worker

from coursekit.classgrade.errors import GradeError, WorkerLost
from coursekit.classgrade.executors.base import Results, WorkerOptions
from coursekit.classgrade.model import JSONObject, Task, WorkerResult
from coursekit.classgrade.pool import WorkerProcess

__all__ = ["DaskExecutor", "GradingPlugin", "grade_remote"]

logger = logging.getLogger(__name__)


class GradingPlugin(WorkerPlugin):
    """A Dask worker's grading worker processes for one run: one per Dask worker thread."""

    def __init__(self, course_root: str, options: WorkerOptions) -> None:
        self.course_root = course_root
        self.options = options
        self._processes: dict[int, WorkerProcess] = {}
        self._lock = threading.Lock()

    # Sent to the Dask workers pickled: its configuration only, no processes and no lock.
    def __getstate__(self) -> tuple[str, WorkerOptions]:
        return (self.course_root, self.options)

    def __setstate__(self, state: tuple[str, WorkerOptions]) -> None:
        self.course_root, self.options = state
        self._processes = {}
        self._lock = threading.Lock()

    def process(self) -> WorkerProcess:
        """The grading worker process of the calling thread (made on first use)."""
        thread = threading.get_ident()
        with self._lock:
            worker = self._processes.get(thread)
            if worker is None:
                log_dir = Path(self.options.get("log_dir") or Path(self.course_root) / "classgrade-logs")
                name = f"dask-{socket.gethostname()}-{os.getpid()}-{thread % 100000}.log"
                worker = WorkerProcess(Path(self.course_root), self.options, log_path=log_dir / name)
                self._processes[thread] = worker
        return worker

    def stop_processes(self) -> None:
        """Stop every grading worker process of this plugin (killing those that do not stop)."""
        with self._lock:
            processes = list(self._processes.values())
            self._processes = {}
        for process in processes:
            try:
                process.stop()
            except Exception as exc:  # noqa: BLE001 - stop the others all the same
                logger.warning("cannot stop grading worker %s: %s: %s", process.pid, type(exc).__name__, exc)
                process.kill()

    async def teardown(self, worker: Worker) -> None:
        # Off the event loop: stopping waits for each process a little.
        await asyncio.to_thread(self.stop_processes)


def grade_remote(plugin: str, assignment: str, student: str, budget_s: float) -> JSONObject:
    """Grade one submission on this Dask worker with the processes of plugin ``plugin``.

    Runs inside the Dask worker process; returns the :class:`WorkerResult` as JSON.
    """
    grading = get_worker().plugins[plugin]
    assert isinstance(grading, GradingPlugin), f"{plugin} is not a grading plugin"
    try:
        result = grading.process().run(assignment, student, budget_s)
    except WorkerLost as exc:
        result = WorkerResult.lost(str(exc), killed_for_time=exc.killed_for_time)
    return result.by(f"dask:{socket.gethostname()}:{os.getpid()}").to_json()


class DaskExecutor:
    """Submits tasks to a Dask scheduler and puts ``(task, result)`` on ``results`` as they finish."""

    backend: ClassVar[str] = "dask"

    def __init__(self, address: str, course_root: Path, options: WorkerOptions, results: Results) -> None:
        self.course_root = course_root
        self.options = options
        self.results = results
        try:
            self.client = Client(address, timeout="20s")
        except OSError as exc:
            raise GradeError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.plugin = f"coursekit-grade-{uuid.uuid4().hex}"
        self.futures: dict[Future, Task] = {}
        self._registered = False
        self._closed = False

    @property
    def workers(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except Exception as exc:  # noqa: BLE001 - a scheduler that does not answer has no workers for us
            logger.warning("cannot count the Dask workers: %s: %s", type(exc).__name__, exc)
            return 0

    @property
    def startup_s(self) -> list[float]:
        return []  # the grading processes start on the Dask workers, with their first task

    def start(self) -> None:
        if not self.workers:
            raise GradeError("the Dask scheduler has no workers: start some with `dask worker ADDRESS`")
        try:
            self.client.register_plugin(GradingPlugin(str(self.course_root), self.options), name=self.plugin)
        except Exception as exc:  # noqa: BLE001 - a Dask worker that cannot load it cannot grade either
            raise GradeError(
                f"the Dask workers cannot load coursekit's grading plugin (is coursekit installed in their "
                f"environment?): {type(exc).__name__}: {exc}"
            ) from exc
        self._registered = True

    def submit(self, task: Task) -> None:
        future = self.client.submit(
            grade_remote,
            self.plugin,
            task.assignment,
            task.student,
            task.budget_s,
            key=f"coursekit-grade-{task.assignment}-{task.student}-{uuid.uuid4().hex[:8]}",
            pure=False,
        )
        self.futures[future] = task
        future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        task = self.futures.pop(future, None)
        if task is None or self._closed:
            return
        try:
            result = WorkerResult.from_json(future.result())
        except Exception as exc:  # noqa: BLE001 - a lost Dask worker, a cancelled task ...
            logger.warning("%s: the Dask task was lost: %s: %s", task.label, type(exc).__name__, exc)
            result = WorkerResult.lost(f"{type(exc).__name__}: {exc}")
        logger.debug("%s: %s from %s", task.label, result.status, result.worker)
        self.results.put((task, result))

    def shutdown(self, kill: bool = False) -> None:
        self._closed = True
        if kill:
            try:
                self.client.cancel(list(self.futures))
            except Exception as exc:  # noqa: BLE001 - stopping goes on; the scheduler drops them in the end
                logger.warning("cannot cancel the Dask tasks still queued: %s: %s", type(exc).__name__, exc)
        if self._registered:
            try:  # the plugin's teardown stops its grading processes on every Dask worker
                self.client.unregister_worker_plugin(self.plugin)
            except Exception as exc:  # noqa: BLE001 - they stop with their Dask worker in the end
                logger.warning(
                    "cannot stop the grading processes on the Dask workers: %s: %s", type(exc).__name__, exc
                )
        try:
            self.client.close()
        except Exception as exc:  # noqa: BLE001 - the run is over either way
            logger.warning("cannot close the Dask client: %s: %s", type(exc).__name__, exc)
