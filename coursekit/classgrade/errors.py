"""The errors of class grading, in a module of their own so that every other module can import them."""

from __future__ import annotations

__all__ = ["GradeError", "GradebookError", "WorkerLost"]


class GradeError(RuntimeError):
    """The run cannot start (bad course, unknown assignment, another run in progress ...)."""


class GradebookError(RuntimeError):
    """The gradebook cannot be used for this run (no such assignment, unreachable database ...)."""


class WorkerLost(RuntimeError):
    """The grading worker process ended (or was ended) without answering."""

    def __init__(self, message: str, *, killed_for_time: bool = False) -> None:
        super().__init__(message)
        self.killed_for_time = killed_for_time
