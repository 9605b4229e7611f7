"""Proof that the grader of exercise 1 (setup_logging) grades right and wrong answers as it should."""

from __future__ import annotations

from grader_support import ExerciseProof
from wrong_ex1 import WRONG


class TestEx1Logging(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = "02_ex1_logging", "ex1_logging", "ex1", "setup_logging"
    WRONG = WRONG
    FEEDBACK_STUDENT = "console_debug"
    FEEDBACK_TEXT = "the console must not contain 'debug message c1'"
    VALIDATE_STUDENT = "console_debug"
    VALIDATE_CELL = "ex1_console_levels"
    VALIDATE_TEXT = "observed: the line 'DEBUG train: debug message c1'"
