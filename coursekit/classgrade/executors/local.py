"""Grade on this machine: ``jobs`` threads, each driving one long-lived grading worker process."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from pathlib import Path
from typing import ClassVar

from coursekit.classgrade.errors import WorkerLost
from coursekit.classgrade.executors.base import Results, WorkerOptions
from coursekit.classgrade.model import Task, WorkerResult
from coursekit.classgrade.pool import WorkerProcess

__all__ = ["LocalExecutor"]

logger = logging.getLogger(__name__)


class LocalExecutor:
    """``jobs`` threads, each driving one long-lived grading worker process (an :class:`.Executor`).

    Worker ``i`` logs to ``log_dir/worker-i.log``.  A worker that dies is started again by its
    thread for the next task; the task it was grading comes back as ``Status.LOST``.
    """

    backend: ClassVar[str] = "local"

    def __init__(
        self, course_root: Path, log_dir: Path, options: WorkerOptions, jobs: int, results: Results
    ) -> None:
        self.course_root = course_root
        self.log_dir = log_dir
        self.options = options
        self.jobs = jobs
        self.results = results
        self.tasks: queue.Queue[Task | None] = queue.Queue()
        self.stopping = threading.Event()
        self.processes: dict[int, WorkerProcess] = {}
        self.threads = [threading.Thread(target=self._slot, args=(i,), daemon=True) for i in range(jobs)]
        self._startup_s: list[float] = []

    @property
    def workers(self) -> int:
        return self.jobs

    @property
    def startup_s(self) -> list[float]:
        return list(self._startup_s)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def submit(self, task: Task) -> None:
        self.tasks.put(task)

    def _slot(self, index: int) -> None:
        log = self.log_dir / f"worker-{index}.log"
        worker = WorkerProcess(self.course_root, self.options, log_path=log)
        self.processes[index] = worker
        try:
            worker.start()  # start importing nbgrader now, in parallel with the other workers
            worker.wait_ready()
            if worker.startup_s is not None:
                self._startup_s.append(worker.startup_s)
                logger.debug("local-%d: ready after %.2f s (log: %s)", index, worker.startup_s, log)
        except (WorkerLost, OSError) as exc:
            # Its first task starts it again, and reports a worker that cannot start as lost.
            logger.warning("local-%d: the worker did not start: %s (log: %s)", index, exc, log)
        while not self.stopping.is_set():
            task = self.tasks.get()
            if task is None or self.stopping.is_set():
                break
            logger.debug("local-%d: grading %s", index, task.label)
            result = self._grade(index, worker, task).by(f"local-{index}")
            logger.debug("local-%d: %s %s in %.1f s", index, task.label, result.status, result.seconds)
            if not self.stopping.is_set():
                self.results.put((task, result))
        if self.stopping.is_set():
            worker.kill()
        else:
            worker.stop()

    @staticmethod
    def _grade(index: int, worker: WorkerProcess, task: Task) -> WorkerResult:
        try:
            return worker.run(task.assignment, task.student, task.budget_s)
        except WorkerLost as exc:
            logger.warning("local-%d: lost while grading %s: %s", index, task.label, exc)
            return WorkerResult.lost(str(exc), killed_for_time=exc.killed_for_time)
        except Exception as exc:  # noqa: BLE001 - reported as a lost worker, never silently
            logger.warning("local-%d: %s: %s: %s", index, task.label, type(exc).__name__, exc)
            worker.kill()
            return WorkerResult.lost(f"{type(exc).__name__}: {exc}")

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
