"""The coordinator's decisions on each result: retry a lost worker or a busy machine, record the rest."""

from __future__ import annotations

import pytest
from classgrade_support import NOT_JSON_ERROR, NOT_JSON_LOG

from coursekit.classgrade.model import Status, Task, WorkerResult
from coursekit.classgrade.run import Settler
from coursekit.classgrade.worker import reason_from_log

BUSY = WorkerResult(Status.FAILED, "sqlite3.OperationalError: database is locked")


class _Executor:
    def __init__(self) -> None:
        self.submitted: list[Task] = []

    def submit(self, task: Task) -> None:
        self.submitted.append(task)


def test_a_lost_worker_is_retried_once_then_recorded() -> None:
    executor = _Executor()
    settler = Settler(executor.submit)
    task = Task("a", "ann", "h", 100.0)
    lost = WorkerResult.lost("the grading worker exited with signal SIGKILL")
    assert settler.settle(task, lost) is None and executor.submitted == [task]
    outcome = settler.settle(task, lost)
    assert outcome.status == Status.FAILED and "lost twice" in outcome.reason and outcome.final
    too_long = WorkerResult.lost("took longer", killed_for_time=True)
    timed_out = settler.settle(Task("a", "bob", "h", 1.0), too_long)
    assert timed_out.status == Status.FAILED and timed_out.reason == "took longer"


def test_a_busy_database_is_retried_and_not_final() -> None:
    executor = _Executor()
    settler = Settler(executor.submit)
    task = Task("a", "ann", "h", 100.0)
    assert settler.settle(task, BUSY) is None
    assert settler.settle(task, BUSY) is None
    outcome = settler.settle(task, BUSY)
    assert outcome.status == Status.FAILED and not outcome.final  # the next run tries again
    graded = settler.settle(Task("a", "bob", "h", 1.0), WorkerResult(Status.GRADED, cpu_s=0.2))
    assert graded.status == Status.GRADED and graded.cpu_s == 0.2


@pytest.mark.parametrize(
    "exception",
    [
        "RuntimeError: Kernel died before replying to kernel_info",
        "RuntimeError: Kernel didn't respond in 60 seconds",
    ],
)
def test_a_kernel_that_does_not_start_is_retried_and_not_final(exception: str) -> None:
    reason = reason_from_log(NOT_JSON_LOG.replace(NOT_JSON_ERROR, exception))
    assert reason == exception  # what the summary shows
    executor = _Executor()
    settler = Settler(executor.submit)
    task = Task("a", "ann", "h", 100.0)
    assert settler.settle(task, WorkerResult(Status.FAILED, reason)) is None
    assert settler.settle(task, WorkerResult(Status.FAILED, reason)) is None
    assert executor.submitted == [task, task]
    outcome = settler.settle(task, WorkerResult(Status.FAILED, reason))
    assert outcome.status == Status.FAILED and not outcome.final  # the next run tries again


def test_a_kernel_that_dies_in_the_learners_code_is_final() -> None:
    executor = _Executor()
    reason = reason_from_log(
        "Traceback (most recent call last):\n  File x\nnbclient.exceptions.DeadKernelError: Kernel died\n"
    )
    outcome = Settler(executor.submit).settle(
        Task("a", "ann", "h", 100.0), WorkerResult(Status.FAILED, reason)
    )
    assert outcome.final and not executor.submitted


def test_an_outcome_carries_the_workers_figures() -> None:
    result = WorkerResult(Status.TIMED_OUT, "cell 'q1' ...", 3.5, 1.25, 2.0, worker="local-1", notebooks=2)
    outcome = Settler(_Executor().submit).settle(Task("a", "ann", "h", 100.0), result)
    assert (outcome.status, outcome.reason, outcome.seconds, outcome.worker) == (
        Status.TIMED_OUT,
        "cell 'q1' ...",
        3.5,
        "local-1",
    )
    assert (outcome.cpu_s, outcome.kernel_cpu_s, outcome.final) == (1.25, 2.0, True)


def test_a_retry_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="coursekit.classgrade"):
        assert Settler(_Executor().submit).settle(Task("a", "ann", "h", 100.0), BUSY) is None
    (record,) = [r for r in caplog.records if r.name == "coursekit.classgrade.run"]
    assert (
        record.levelname == "INFO"
        and "a/ann" in record.getMessage()
        and "database is locked" in record.getMessage()
    )
