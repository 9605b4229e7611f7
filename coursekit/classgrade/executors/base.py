"""The protocol every executor follows, and the queue on which it hands back results.

The coordinator (:mod:`coursekit.classgrade.run`) builds an executor with a :data:`Results` queue,
calls :meth:`Executor.start`, :meth:`Executor.submit` for each task (and again for a task it
retries), reads ``(task, result)`` pairs from the queue as they arrive, in whatever order the
submissions finish, and ends with :meth:`Executor.shutdown`.
"""

from __future__ import annotations

import queue
from typing import Any, ClassVar, Protocol, TypeAlias

from coursekit.classgrade.model import Task, WorkerResult

__all__ = ["Executor", "Results", "WorkerOptions"]

Results: TypeAlias = queue.Queue[tuple[Task, WorkerResult]]
# The grading worker's options (see :class:`coursekit.classgrade.worker.Grader`), passed to it as JSON.
WorkerOptions: TypeAlias = dict[str, Any]


class Executor(Protocol):
    """Grades tasks somewhere and puts ``(task, result)`` on its results queue as each finishes."""

    backend: ClassVar[str]  # "local" or "dask": what the summary calls its workers

    @property
    def workers(self) -> int:
        """How many submissions it grades at once."""
        ...

    @property
    def startup_s(self) -> list[float]:
        """Each worker's start-up time (importing nbgrader), as far as known."""
        ...

    def start(self) -> None:
        """Get ready to grade (raises :class:`~coursekit.classgrade.errors.GradeError` when it cannot)."""
        ...

    def submit(self, task: Task) -> None:
        """Grade ``task``; its result arrives on the results queue (a lost worker as ``Status.LOST``)."""
        ...

    def shutdown(self, kill: bool = False) -> None:
        """Stop: after the last result, or at once (``kill``: interrupted) dropping what is queued."""
        ...
