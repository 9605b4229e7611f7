"""What a run grades and what it skips: a pure function of the submissions, the ledger and the gradebook.

A submission is skipped when its last grading (the ledger's entry for this gradebook) was of the
same content and final, and

* it was graded (or timed out): the gradebook still holds it and its autograded notebooks are there;
* it failed: unless ``retry_failed`` asks for another try (the same content fails the same way).

``force`` grades everything.  The submissions' files are read through :class:`Files` (in a run,
:class:`coursekit.classgrade.course.SubmissionFiles`), so :func:`plan` needs neither a course on disk
nor a gradebook to be tested.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from coursekit.classgrade.ledger import Entry
from coursekit.classgrade.model import Outcome, Status, Task

__all__ = ["Files", "Plan", "plan"]


class Files(Protocol):
    """What planning asks about a submission's files."""

    def digest(self, assignment: str, student: str) -> str:
        """The hash of its content (the ledger's ``hash``)."""
        ...

    def is_autograded(self, assignment: str, student: str) -> bool:
        """Whether its autograded notebooks are there."""
        ...

    def budget_s(self, assignment: str, student: str) -> float:
        """The seconds its grading may take in all."""
        ...


@dataclass(frozen=True)
class Plan:
    """The submissions to grade, and those skipped (as outcomes), in the order found."""

    tasks: list[Task]
    skipped: list[Outcome]


def plan(
    students: Mapping[str, Sequence[str]],
    files: Files,
    ledger: Mapping[tuple[str, str, str], Entry],
    in_gradebook: Collection[tuple[str, str]],
    *,
    db: str,
    force: bool = False,
    retry_failed: bool = False,
) -> Plan:
    """Plan a run over ``students`` (``{assignment: [student, ...]}``) grading into gradebook ``db``.

    ``ledger`` holds the latest entry of each ``(db, assignment, student)``; ``in_gradebook`` the
    ``(assignment, student)`` pairs the gradebook holds a submission for.
    """
    tasks: list[Task] = []
    skipped: list[Outcome] = []
    for assignment, names in students.items():
        for student in names:
            digest = files.digest(assignment, student)
            entry = ledger.get((db, assignment, student))
            if not force and entry is not None and entry.hash == digest and entry.final:
                if entry.status == Status.FAILED:
                    done = not retry_failed
                else:
                    done = (assignment, student) in in_gradebook and files.is_autograded(assignment, student)
                if done:
                    flags = tuple(entry.integrity)
                    skipped.append(
                        Outcome(assignment, student, Status.SKIPPED, str(entry.status), integrity=flags)
                    )
                    continue
            tasks.append(Task(assignment, student, digest, files.budget_s(assignment, student)))
    return Plan(tasks=tasks, skipped=skipped)
