"""The results of ``coursekit progress``: each notebook's checks, the course, the table it prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "CourseProgress", "NotebookProgress"]


@dataclass(frozen=True)
class Check:
    """One visible check (a grade cell) of a graded notebook, and how it went."""

    grade_id: str
    docstring: str
    passed: bool
    error: str = ""  # why it failed: the exception's name, or "not run" / "missing from the notebook"


@dataclass(frozen=True)
class NotebookProgress:
    """The learner's copy of one notebook of the course."""

    path: str  # relative to the learner's folder, e.g. "02_ex1_logging/ex1_logging.ipynb"
    graded: bool
    started: bool
    checks: tuple[Check, ...] = ()
    problem: str = ""  # why the checks could not all run
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(check.passed for check in self.checks)

    @property
    def done(self) -> bool:
        """Every visible check passes; a lesson, which has none, once it is started."""
        if not self.graded:
            return self.started
        return bool(self.checks) and self.passed == len(self.checks)

    @property
    def first_failing(self) -> Check | None:
        return next((check for check in self.checks if not check.passed), None)


@dataclass(frozen=True)
class CourseProgress:
    """Every notebook of the course, in course order, as the learner's folder has it."""

    folder: Path
    notebooks: tuple[NotebookProgress, ...]
    seconds: float

    @property
    def next(self) -> NotebookProgress | None:
        """The first notebook not done."""
        return next((nb for nb in self.notebooks if not nb.done), None)

    def advice(self) -> str:
        nb = self.next
        if nb is None:
            return "Next: nothing. Every lesson is started and every visible check passes."
        if not nb.graded:
            return f"Next: {nb.path}: read it and run its cells."
        first = nb.first_failing
        return f"Next: {nb.path}\n  first failing check: {first.docstring or first.grade_id}"

    def table(self) -> str:
        """The table ``coursekit progress`` prints, then what to do next."""
        rows = [("notebook", "started", "visible checks passing", "done")]
        for nb in self.notebooks:
            checks = f"{nb.passed}/{len(nb.checks)}" if nb.graded else "-"
            rows.append((nb.path, _yes(nb.started), checks, _yes(nb.done)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        problems = [f"  {nb.path}: {nb.problem}" for nb in self.notebooks if nb.problem]
        if problems:
            lines += ["", "Could not check everything:", *problems]
        lines += ["", self.advice()]
        return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
