"""The typed core of class grading: statuses, what to grade, what a worker answers, what a run decided.

Every other module of :mod:`coursekit.classgrade` takes these from here.  They are plain data:

* :class:`Status` -- a submission's status, a ``str`` enum so that the ledger's JSON, the summary and
  ``status == "graded"`` comparisons see the plain strings;
* :class:`Task` -- one submission to grade (the coordinator counts its retries, the task is frozen);
* :class:`WorkerResult` -- what a grading worker reports for a task, sent as JSON over the worker's
  pipe (:meth:`WorkerResult.to_json`, :meth:`WorkerResult.from_json`) and returned by a Dask task;
* :class:`Outcome` -- the result of one submission in this run, as the ledger and the summary see it.

Nothing here imports anything heavy: the grading worker imports it before nbgrader.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["JSONObject", "Outcome", "Status", "Task", "WorkerResult"]

JSONObject = dict[str, object]


class Status(enum.StrEnum):
    """A submission's status in a grading run."""

    GRADED = "graded"  # nbgrader graded it (a failing test is still graded)
    TIMED_OUT = "timed_out"  # graded, but a cell ran past the time limit
    FAILED = "failed"  # nbgrader could not grade it, or a limit stopped it
    SKIPPED = "skipped"  # graded in an earlier run, unchanged since
    LOST = "lost"  # the worker, not the submission, failed: the coordinator decides what next


@dataclass(frozen=True)
class Task:
    """One submission to grade and the wall-clock budget its worker gets for it."""

    assignment: str
    student: str
    hash: str  # of the files handed in and the instructor's version (see :mod:`.ledger`)
    budget_s: float

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.student}"


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float | str) and value != "" else 0.0


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


@dataclass(frozen=True)
class WorkerResult:
    """What a grading worker reports for one task."""

    status: Status
    reason: str = ""
    seconds: float = 0.0  # wall-clock time of the grading
    cpu_s: float = 0.0  # the worker's own CPU time for this submission
    kernel_cpu_s: float = 0.0  # its kernels' CPU time
    worker: str = ""  # who graded it: local-N or dask:HOST:PID
    killed_for_time: bool = False  # LOST because the worker ran past the task's budget
    notebooks: int = 0  # autograded notebooks written
    integrity: tuple[str, ...] = ()  # why it is flagged for review (see :mod:`.integrity`)

    @classmethod
    def lost(cls, reason: str, *, killed_for_time: bool = False, worker: str = "") -> WorkerResult:
        return cls(Status.LOST, reason, killed_for_time=killed_for_time, worker=worker)

    def by(self, worker: str) -> WorkerResult:
        """This result, graded by ``worker``."""
        return dataclasses.replace(self, worker=worker)

    def to_json(self) -> JSONObject:
        """The result as a JSON object (``status`` as its string)."""
        data: JSONObject = dataclasses.asdict(self)
        data["status"] = str(self.status)
        data["integrity"] = list(self.integrity)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> WorkerResult:
        """The result in ``data`` (a worker's message; other keys are ignored, missing ones default)."""
        return cls(
            status=Status(str(data.get("status") or Status.FAILED)),
            reason=str(data.get("reason") or ""),
            seconds=_number(data.get("seconds")),
            cpu_s=_number(data.get("cpu_s")),
            kernel_cpu_s=_number(data.get("kernel_cpu_s")),
            worker=str(data.get("worker") or ""),
            killed_for_time=bool(data.get("killed_for_time")),
            notebooks=int(_number(data.get("notebooks"))),
            integrity=_strings(data.get("integrity")),
        )


@dataclass(frozen=True)
class Outcome:
    """The result of one submission in this run."""

    assignment: str
    student: str
    status: Status  # never LOST: a lost worker ends as FAILED (or is retried)
    reason: str = ""
    seconds: float = 0.0
    final: bool = True  # False: the machine failed (database busy ...): the next run grades it again
    worker: str = ""
    cpu_s: float = 0.0  # the worker's own CPU time for this submission
    kernel_cpu_s: float = 0.0  # its kernels' CPU time
    integrity: tuple[str, ...] = ()  # why it is flagged for review; its score stands
