"""Lockstep makes concurrent calls overlap record by record, whatever the scheduler does."""

from __future__ import annotations

import logging
import threading
import time

from coursekit import Lockstep

SHARED = {"request_id": None}


def shared_id_call(request_id: str, log: logging.Logger, pause: float) -> None:
    """A known-wrong call: the request ID lives in one variable that every call overwrites."""
    SHARED["request_id"] = request_id
    for step in ("start", "end"):
        log.info(step, extra={"seen": SHARED["request_id"], "own": request_id})
        time.sleep(pause)


def run_two(log: logging.Logger, lockstep: Lockstep, pauses: tuple[float, float]) -> list[logging.LogRecord]:
    log.addHandler(lockstep)
    threads = [
        threading.Thread(target=lockstep.serve, args=(shared_id_call, rid, log, pause))
        for rid, pause in zip(("a", "b"), pauses, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.removeHandler(lockstep)
    return lockstep.records


def test_a_shared_value_is_always_overwritten_before_the_next_record() -> None:
    log = logging.getLogger("lockstep.test")
    log.setLevel(logging.INFO)
    # Left alone, the first call often ends before the second starts and logs the right ID every time.
    for pauses in [(0.0, 0.0), (0.0, 0.05), (0.05, 0.0)]:
        records = run_two(log, Lockstep(threads=2), pauses)
        assert len(records) == 4
        assert any(r.seen != r.own for r in records), pauses


def test_a_right_answer_that_serialises_its_calls_passes_after_the_timeout() -> None:
    log = logging.getLogger("lockstep.serial")
    log.setLevel(logging.INFO)
    lock = threading.Lock()

    def serialised(request_id: str, log: logging.Logger, pause: float) -> None:
        with lock:
            shared_id_call(request_id, log, pause)

    lockstep = Lockstep(threads=2, timeout=0.2)
    log.addHandler(lockstep)
    threads = [threading.Thread(target=lockstep.serve, args=(serialised, rid, log, 0.0)) for rid in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lockstep.waited_too_long
    assert all(r.seen == r.own for r in lockstep.records)


def test_records_of_threads_that_do_not_serve_pass_straight_through() -> None:
    lockstep = Lockstep(threads=2, timeout=30)
    lockstep.handle(logging.makeLogRecord({"msg": "from the main thread"}))
    assert [r.getMessage() for r in lockstep.records] == ["from the main thread"]
    assert not lockstep.waited_too_long
