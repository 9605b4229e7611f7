"""Proof that the grader of exercise 5 (a run record written and read back) grades right and wrong answers."""

from __future__ import annotations

from grader_support import ExerciseProof
from wrong_ex5 import WRONG


class TestEx5RunRecord(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = (
        "12_ex5_run_record",
        "ex5_run_record",
        "ex5",
        "write_run_record",
    )
    WRONG = WRONG
    FEEDBACK_STUDENT = "seed_missing"
    FEEDBACK_TEXT = "expected: seed: 7"
    VALIDATE_STUDENT = "dirty_from_git_diff"
    VALIDATE_CELL = "ex5_git_state"
    VALIDATE_TEXT = "a new file notes.txt that git does not track yet"
    RERUN = "right_own_check_and_fail"
