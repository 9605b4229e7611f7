"""The errors of class grading, in a module of their own so that every other module can import them."""

from __future__ import annotations

__all__ = ["GradeError"]


class GradeError(RuntimeError):
    """The run cannot start (bad course, unknown assignment, another run in progress ...)."""
