"""coursekit.checks: failures name the check, the observation and the expectation."""

from __future__ import annotations

import pytest

from coursekit import (
    CheckFailed,
    check,
    check_absent,
    check_contains,
    check_count,
    check_equal,
    check_every_line,
    check_raises,
)


def test_check_failure_message_has_observed_expected_and_hint():
    with pytest.raises(CheckFailed) as info:
        check(
            False,
            "the console must show INFO and above only",
            "the DEBUG line 'batch loaded' reached the console",
            "DEBUG lines only in the log file",
            hint="set the console handler's level",
        )
    assert str(info.value).splitlines() == [
        "the console must show INFO and above only",
        "  observed: the DEBUG line 'batch loaded' reached the console",
        "  expected: DEBUG lines only in the log file",
        "  hint: set the console handler's level",
    ]
    assert isinstance(info.value, AssertionError)


def test_passing_checks_return_quietly():
    check(True, "w", "o", "e")
    check_equal(3, 3, "three")
    assert check_contains(["a", "run=7 x"], "run=7", "the file") == "run=7 x"
    check_absent("a\nb", "c", "the console")
    check_every_line(["run=1 a", "run=1 b"], "run=1", "the file")
    check_count(["x", "x", "y"], "x", 2, "the file")


def test_check_equal_shows_both_values():
    with pytest.raises(CheckFailed, match=r"observed: 0\.1\n  expected: 0\.0"):
        check_equal(0.1, 0.0, "lr from --lr 0")


def test_check_contains_shows_what_was_there():
    with pytest.raises(CheckFailed, match=r"observed: INFO a \| INFO b"):
        check_contains("INFO a\nINFO b", "DEBUG", "the log file")


def test_check_contains_on_empty_output():
    with pytest.raises(CheckFailed, match="nothing"):
        check_contains([], "x", "the console")


def test_check_absent_shows_the_offending_line():
    with pytest.raises(CheckFailed, match="observed: the line 'DEBUG batch loaded'"):
        check_absent(["INFO start", "DEBUG batch loaded"], "batch loaded", "the console")


def test_check_every_line_names_the_first_line_without_it():
    with pytest.raises(CheckFailed, match="the line 'no id here'"):
        check_every_line(["run=1 a", "no id here"], "run=1", "the log file")
    with pytest.raises(CheckFailed, match="no lines at all"):
        check_every_line([], "run=1", "the log file")


def test_check_count_reports_the_count():
    with pytest.raises(CheckFailed, match="2 such line"):
        check_count(["dup", "dup"], "dup", 1, "the console")


def test_check_raises_returns_the_exception():
    exc = check_raises(ValueError, int, "ten", what="casting 'ten'", match="invalid literal")
    assert isinstance(exc, ValueError)


def test_check_raises_fails_on_no_exception_wrong_type_or_message():
    with pytest.raises(CheckFailed, match="no exception; it returned 10"):
        check_raises(ValueError, int, "10", what="cast")
    with pytest.raises(CheckFailed, match="observed: KeyError"):
        check_raises(ValueError, {}.__getitem__, "k", what="lookup")
    with pytest.raises(CheckFailed, match="mentioning 'epochs'"):
        check_raises(ValueError, int, "ten", what="cast", match="epochs")


def test_long_observations_are_shortened():
    with pytest.raises(CheckFailed) as info:
        check_equal("x" * 1000, "y", "long")
    assert len(str(info.value)) < 500
