"""Proof that the grader of exercise 2 (load_config, log_config) grades right and wrong answers."""

from __future__ import annotations

from grader_support import ExerciseProof
from wrong_ex2 import WRONG


class TestEx2Config(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = "03_ex2_config", "ex2_config", "ex2", "load_config"
    WRONG = WRONG
    FEEDBACK_STUDENT = "truthy_test"
    FEEDBACK_TEXT = "expected: epochs=0 (int)"
    VALIDATE_STUDENT = "log_config_per_field"
    VALIDATE_CELL = "ex2_log_config"
    VALIDATE_TEXT = "log_config must log exactly one record"
    RERUN = "right_own_check_and_fail"
