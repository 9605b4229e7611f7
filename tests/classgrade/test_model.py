"""The typed core: statuses are plain strings to JSON; a worker's result survives its pipe."""

from __future__ import annotations

import json

import pytest

from coursekit.classgrade.model import Status, Task, WorkerResult


def test_statuses_are_their_strings() -> None:
    assert [str(s) for s in Status] == ["graded", "timed_out", "failed", "skipped", "lost"]
    assert Status.GRADED == "graded" and json.dumps([Status.TIMED_OUT]) == '["timed_out"]'
    assert Status("lost") is Status.LOST


def test_a_worker_result_round_trips_through_json() -> None:
    result = WorkerResult(Status.TIMED_OUT, "cell 'q1'", 3.5, 1.25, 2.0, "local-0", False, 2, ("x: changed",))
    line = json.dumps({"event": "done", "id": 7, **result.to_json()})
    assert WorkerResult.from_json(json.loads(line)) == result
    assert json.loads(line)["status"] == "timed_out"


def test_a_worker_result_reads_what_is_there() -> None:
    assert WorkerResult.from_json({}) == WorkerResult(Status.FAILED)
    partial = WorkerResult.from_json({"status": "graded", "seconds": None, "cpu_s": 0.5})
    assert partial == WorkerResult(Status.GRADED, cpu_s=0.5)
    lost = WorkerResult.lost("gone", killed_for_time=True).by("dask:h:1")
    assert (lost.status, lost.reason, lost.killed_for_time, lost.worker) == (
        Status.LOST,
        "gone",
        True,
        "dask:h:1",
    )
    with pytest.raises(ValueError):
        WorkerResult.from_json({"status": "exploded"})


def test_a_task_is_frozen_and_hashable() -> None:
    task = Task("a", "ann", "h", 10.0)
    assert task.label == "a/ann" and {task: 1}[Task("a", "ann", "h", 10.0)] == 1
    with pytest.raises(AttributeError):
        task.budget_s = 5.0  # type: ignore[misc]
