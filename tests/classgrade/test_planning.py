"""Planning: what a run grades and what it skips, from the ledger and the gradebook (no course on disk)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coursekit.classgrade.ledger import Entry
from coursekit.classgrade.model import Outcome, Status, Task
from coursekit.classgrade.planning import plan

DB = "sqlite:///g.db"


@dataclass
class FakeFiles:
    """Every submission's hash is ``h-STUDENT`` (unless changed) and its budget 10 s."""

    changed: set[str] = field(default_factory=set)
    not_autograded: set[str] = field(default_factory=set)

    def digest(self, assignment: str, student: str) -> str:
        return f"h-{student}" + ("-new" if student in self.changed else "")

    def is_autograded(self, assignment: str, student: str) -> bool:
        return student not in self.not_autograded

    def budget_s(self, assignment: str, student: str) -> float:
        return 10.0


def _ledger(*entries: tuple[str, Status, bool]) -> dict[tuple[str, str, str], Entry]:
    made = [Entry(DB, "a", s, f"h-{s}", status, final=final) for s, status, final in entries]
    return {e.key: e for e in made}


LEDGER = _ledger(
    ("ann", Status.GRADED, True),
    ("bob", Status.FAILED, True),
    ("cid", Status.FAILED, False),  # the machine failed: not final
    ("dan", Status.TIMED_OUT, True),
)
IN_GRADEBOOK = {("a", "ann"), ("a", "dan")}
STUDENTS = {"a": ["ann", "bob", "cid", "dan", "eve"]}


def _graded(result) -> list[str]:
    return [t.student for t in result.tasks]


def test_a_first_run_grades_everyone_in_order() -> None:
    result = plan(STUDENTS, FakeFiles(), {}, set(), db=DB)
    assert result.tasks == [Task("a", s, f"h-{s}", 10.0) for s in STUDENTS["a"]]
    assert result.skipped == []


def test_a_rerun_skips_what_is_graded_and_final() -> None:
    result = plan(STUDENTS, FakeFiles(), LEDGER, IN_GRADEBOOK, db=DB)
    assert _graded(result) == ["cid", "eve"]
    assert result.skipped == [
        Outcome("a", "ann", Status.SKIPPED, "graded"),
        Outcome("a", "bob", Status.SKIPPED, "failed"),
        Outcome("a", "dan", Status.SKIPPED, "timed_out"),
    ]


def test_changed_content_missing_grades_or_notebooks_are_graded_again() -> None:
    files = FakeFiles(changed={"ann"}, not_autograded={"dan"})
    assert _graded(plan(STUDENTS, files, LEDGER, IN_GRADEBOOK, db=DB)) == ["ann", "cid", "dan", "eve"]
    # not in the gradebook any more (another database file, a deleted submission)
    assert _graded(plan(STUDENTS, FakeFiles(), LEDGER, {("a", "dan")}, db=DB)) == ["ann", "cid", "eve"]


def test_the_ledger_counts_per_gradebook() -> None:
    other = plan(STUDENTS, FakeFiles(), LEDGER, IN_GRADEBOOK, db="postgresql://h/db")
    assert _graded(other) == STUDENTS["a"] and other.skipped == []


def test_retry_failed_and_force() -> None:
    retry = plan(STUDENTS, FakeFiles(), LEDGER, IN_GRADEBOOK, db=DB, retry_failed=True)
    assert _graded(retry) == ["bob", "cid", "eve"]
    forced = plan(STUDENTS, FakeFiles(), LEDGER, IN_GRADEBOOK, db=DB, force=True)
    assert _graded(forced) == STUDENTS["a"] and forced.skipped == []


def test_assignments_keep_their_order() -> None:
    students = {"b": ["zed"], "a": ["ann", "eve"]}
    result = plan(students, FakeFiles(), LEDGER, IN_GRADEBOOK, db=DB)
    assert [(t.assignment, t.student) for t in result.tasks] == [("b", "zed"), ("a", "eve")]
    assert [o.student for o in result.skipped] == ["ann"]


def test_a_skipped_submission_stays_flagged() -> None:
    flagged = Entry(
        DB, "a", "ann", "h-ann", Status.GRADED, integrity=["nb: sys.modules['coursekit'] was replaced"]
    )
    result = plan({"a": ["ann"]}, FakeFiles(), {flagged.key: flagged}, {("a", "ann")}, db=DB)
    assert result.skipped == [
        Outcome(
            "a", "ann", Status.SKIPPED, "graded", integrity=("nb: sys.modules['coursekit'] was replaced",)
        )
    ]
