"""coursekit.train_checks._epochs: per-epoch records and the losses of two runs."""

from __future__ import annotations

import pytest
from train_checks_support import epoch_lines, make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import (
    check_different_losses,
    check_epochs,
    check_same_losses,
    epoch_entries,
    losses,
)
from coursekit.train_checks._logline import parse_line


def test_epoch_entries_are_the_lines_with_epoch_time() -> None:
    entries = [parse_line(line) for line in [text_line("INFO"), *epoch_lines([0.5])]]
    assert [e.get("epoch") for e in epoch_entries(entries)] == ["1"]


def test_check_epochs_wants_numbered_info_records_with_the_learning_rate() -> None:
    lines = epoch_lines([0.5, 0.4], lr=0.1)
    check_epochs(make_run(lines, lines), epochs=2, lr=0.1)
    with pytest.raises(CheckFailed, match="one record per epoch"):
        check_epochs(make_run(lines, lines), epochs=3, lr=0.1)
    with pytest.raises(CheckFailed, match="learning rate in use"):
        check_epochs(make_run(lines, lines), epochs=2, lr=0.2)
    debug = [line.replace(" INFO ", " DEBUG ") for line in lines]
    with pytest.raises(CheckFailed, match="per-epoch records are INFO"):
        check_epochs(make_run(debug, lines), epochs=2, lr=0.1)


def test_json_epoch_values_must_be_json_numbers() -> None:
    lines = epoch_lines([0.5], json_logs=True)
    check_epochs(make_run(lines, lines, args=["--json-logs"]), epochs=1, lr=0.001)
    quoted = [line.replace('"loss": 0.5', '"loss": "0.5"') for line in lines]
    with pytest.raises(CheckFailed, match="a JSON number, not a string"):
        check_epochs(make_run(quoted, quoted, args=["--json-logs"]), epochs=1, lr=0.001)


def test_losses_and_their_comparison() -> None:
    first, same, other = (make_run(epoch_lines(v)) for v in ([0.5, 0.25], [0.5, 0.25], [0.4, 0.2]))
    assert losses(first) == [0.5, 0.25]
    check_same_losses(first, same)
    check_different_losses(first, other)
    with pytest.raises(CheckFailed, match="the same seed and settings must give the same losses"):
        check_same_losses(first, other)
    with pytest.raises(CheckFailed, match="different seeds must give different losses"):
        check_different_losses(first, same)
    with pytest.raises(CheckFailed, match="per-epoch losses must be on the console"):
        losses(make_run([text_line("INFO")]))
