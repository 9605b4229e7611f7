"""Proof that the grader of exercise 4 (workers logging through one queue) grades right and wrong answers."""

from __future__ import annotations

from grader_support import ExerciseProof
from wrong_ex4 import WRONG

MAGIC = "%%writefile ex4_workers.py\n"


class TestEx4Multiprocess(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = (
        "11_ex4_multiprocess",
        "ex4_multiprocess",
        "ex4",
        "worker_configure",
    )
    ALSO_DEFINED = ("start_listener", "stop_listener")
    WRONG = WRONG
    FEEDBACK_STUDENT = "every_rank_on_console"
    FEEDBACK_TEXT = "only rank 0's records may reach the console"
    VALIDATE_STUDENT = "no_respect_handler_level"
    VALIDATE_CELL = "ex4_console"
    VALIDATE_TEXT = "records below INFO must not reach the console"
    RERUN = "right_basicconfig_force"

    def test_every_answer_writes_the_module(self) -> None:
        answers = [self.solution()[self.EXERCISE], *(a[self.EXERCISE] for a in self.right().values())]
        assert all(answer.startswith(MAGIC) for answer in answers)
