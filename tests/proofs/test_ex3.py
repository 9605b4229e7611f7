"""Proof that the grader of exercise 3 (predict with request IDs) grades right and wrong answers."""

from __future__ import annotations

from grader_support import ExerciseProof, SchedulingProof
from wrong_ex3 import WRONG


class TestEx3RequestIds(SchedulingProof, ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = "04_ex3_request_ids", "ex3_request_ids", "ex3", "predict"
    WRONG = WRONG
    FEEDBACK_STUDENT = "shared_adapter"
    FEEDBACK_TEXT = "a record logged while serving a request must carry that request's ID"
    VALIDATE_STUDENT = "latency_in_seconds"
    VALIDATE_CELL = "ex3_start_end"
    VALIDATE_TEXT = "the end record must give the latency in milliseconds"
    REPEATED = (
        "shared_adapter",
        "wrong_global_request_id",
        "wrong_filter_added_per_call",
        "solution",
        "right_contextvar_filter",
        "right_lock_around_each_call",
    )
    RERUN = "right_threadlocal_self_test"
