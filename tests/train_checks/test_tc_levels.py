"""coursekit.train_checks._levels: console and file levels, stdout kept clean, the rotating handler."""

from __future__ import annotations

import pytest
from train_checks_support import make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import (
    check_console_levels,
    check_file_levels,
    check_rotating_file_handler,
    check_runs,
)

FILE = [text_line("DEBUG"), text_line("INFO")]


def test_check_runs_wants_info_on_stderr_nothing_on_stdout_and_the_file() -> None:
    check_runs(make_run([text_line("INFO")], FILE, stdout="result: 3\n"))
    with pytest.raises(CheckFailed, match="must log INFO lines on the console"):
        check_runs(make_run([], FILE, stdout=text_line("INFO")))
    with pytest.raises(CheckFailed, match="log lines belong on stderr, not stdout"):
        check_runs(make_run([text_line("INFO")], FILE, stdout=text_line("INFO")))
    with pytest.raises(CheckFailed, match="must write its log file"):
        check_runs(make_run([text_line("INFO")]))


def test_check_console_levels_wants_that_level_and_nothing_below() -> None:
    check_console_levels(make_run([text_line("INFO"), text_line("ERROR")]))
    check_console_levels(make_run([text_line("ERROR")]), "WARNING")
    with pytest.raises(CheckFailed, match="DEBUG line"):
        check_console_levels(make_run([text_line("DEBUG"), text_line("INFO")]))
    with pytest.raises(CheckFailed, match="must show INFO lines"):
        check_console_levels(make_run([text_line("WARNING")]))


def test_check_file_levels_wants_debug_and_info() -> None:
    check_file_levels(make_run(log=FILE))
    with pytest.raises(CheckFailed, match="no DEBUG line"):
        check_file_levels(make_run(log=[text_line("INFO")]))


def test_check_rotating_file_handler_reads_the_probe() -> None:
    rotating = {"class": "RotatingFileHandler", "file": "/tmp/x/logs/train.log", "rotating": True}
    check_rotating_file_handler(make_run(handlers=[rotating]))
    with pytest.raises(CheckFailed, match="needs run_train"):
        check_rotating_file_handler(make_run())
    with pytest.raises(CheckFailed, match="must be rotated"):
        check_rotating_file_handler(
            make_run(handlers=[{**rotating, "class": "FileHandler", "rotating": False}])
        )
    with pytest.raises(CheckFailed, match="a handler must write the log file"):
        check_rotating_file_handler(make_run(handlers=[{"class": "StreamHandler", "file": None}]))
