"""coursekit.train_checks._logline: entries per place, numbers in logged values, failure-message helpers."""

from __future__ import annotations

import pytest
from train_checks_support import LOG, json_line, make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import console_entries, file_entries
from coursekit.train_checks._logline import as_number, describe_place, log_places, parse_line, show


def test_console_entries_are_json_only_with_json_logs() -> None:
    line = json_line("warning", "careful")
    assert [e.level for e in console_entries(make_run([line], args=["--json-logs"]))] == ["WARNING"]
    assert console_entries(make_run([line]))[0].is_json is False


def test_file_entries_need_the_log_file() -> None:
    assert [e.get("run_id") for e in file_entries(make_run(log=[text_line("DEBUG")]))] == ["r1"]
    with pytest.raises(CheckFailed, match=f"train.py must write its log file at {LOG}"):
        file_entries(make_run([text_line("INFO")]))


def test_log_places_name_the_console_and_the_file() -> None:
    run = make_run([text_line("INFO")], [text_line("DEBUG"), text_line("INFO")])
    assert [(where, len(entries)) for where, entries in log_places(run, LOG, console=True)] == [
        ("the console (stderr)", 1),
        (f"the log file {LOG}", 2),
    ]
    assert log_places(run, None, console=False) == []


@pytest.mark.parametrize(
    ("value", "number"),
    [("0.5", 0.5), ("0.012s", 0.012), (3, 3.0), (True, None), ("fast", None), (None, None)],
)
def test_as_number_reads_logged_numbers(value: object, number: float | None) -> None:
    assert as_number(value) == number


def test_show_and_describe_place_for_failure_messages() -> None:
    entries = [parse_line(f"INFO n={n}") for n in range(6)]
    assert show(entries, limit=2) == "INFO n=0 | INFO n=1 ... (+4 more)"
    assert show([]) == "no lines at all"
    assert describe_place(make_run(args=["--epochs", "2"]), "the console") == (
        "the console of `python train.py --epochs 2`"
    )


def test_a_token_inside_a_word_is_not_a_field() -> None:
    assert parse_line("ERROR x.seed=1 path=a/b,c").data == {"path": "a/b"}
