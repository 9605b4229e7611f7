"""Proof that the grader of exercise 1 (setup_logging) grades right and wrong answers as it should."""

from __future__ import annotations

import itertools
import time

import pytest
from grader_support import ExerciseProof, replace_once, solution_answer, source_notebook
from wrong_ex1 import WRONG

from coursekit import CheckFailed
from coursekit.cells import cell_sources

ASSIGNMENT, NOTEBOOK = "02_ex1_logging", "ex1_logging"
HOLD_STILL = '            handler.rolloverAt = float("inf")\n'


class TestEx1Logging(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = ASSIGNMENT, NOTEBOOK, "ex1", "setup_logging"
    WRONG = WRONG
    RERUN = "right_own_check_fail_sandbox_trial"
    FEEDBACK_STUDENT = "console_debug"
    FEEDBACK_TEXT = "the console must not contain 'debug message c1'"
    VALIDATE_STUDENT = "plain_file_handler"
    VALIDATE_CELL = "ex1_dictconfig_handlers"
    VALIDATE_TEXT = "the file handler must rotate the log file"


def run_checks_while_the_clock_races(helpers: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file checks, on an answer whose file rotates every second, with every clock reading 2 s later."""
    answer = replace_once(
        solution_answer(ASSIGNMENT, NOTEBOOK, "ex1"),
        '"class": "logging.handlers.RotatingFileHandler",',
        '"class": "logging.handlers.TimedRotatingFileHandler", "when": "S",',
        "the solution",
    )
    answer = replace_once(answer, '"maxBytes": 5_000_000,', "", "the solution")
    sources = cell_sources(source_notebook(ASSIGNMENT, NOTEBOOK))
    namespace: dict[str, object] = {}
    exec(answer, namespace)
    exec(helpers, namespace)
    clock = itertools.count(time.time(), 2.0)
    monkeypatch.setattr(time, "time", lambda: next(clock))
    for cell in ("ex1_file_levels", "ex1_run_id", "ex1_all_loggers", "ex1_second_call"):
        exec(sources[cell], namespace)


def test_a_rollover_by_time_never_splits_what_a_check_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    helpers = cell_sources(source_notebook(ASSIGNMENT, NOTEBOOK))["helpers_ex1"]
    run_checks_while_the_clock_races(helpers, monkeypatch)


def test_without_holding_the_rollover_the_same_answer_would_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    helpers = cell_sources(source_notebook(ASSIGNMENT, NOTEBOOK))["helpers_ex1"]
    with pytest.raises(CheckFailed, match="the log file must contain"):
        run_checks_while_the_clock_races(
            replace_once(helpers, HOLD_STILL, "            pass\n", "helpers"), monkeypatch
        )
