"""coursekit.train_checks._run_ids: run_id and seed on every line, one run_id per run."""

from __future__ import annotations

import pytest
from train_checks_support import make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import check_context, check_fresh_run_ids, run_ids


def test_run_ids_are_collected_from_console_and_file() -> None:
    run = make_run([text_line("INFO", run_id="a")], [text_line("DEBUG", run_id="b")])
    assert run_ids(run) == {"a", "b"}
    assert run_ids(run, log_file=None) == {"a"}


def test_check_context_wants_one_run_id_and_the_seed_on_every_line() -> None:
    lines = [text_line("INFO"), text_line("DEBUG")]
    check_context(make_run(lines, lines), seed=42, run_id="r1")
    with pytest.raises(CheckFailed, match="must carry seed=7"):
        check_context(make_run(lines, lines), seed=7)
    with pytest.raises(CheckFailed, match="must carry the run_id"):
        check_context(make_run(["INFO seed=42 no id"], lines), seed=42)
    with pytest.raises(CheckFailed, match="one run has one run_id"):
        check_context(make_run([text_line("INFO", run_id="x"), text_line("INFO")], lines), seed=42)
    check_context(make_run(["INFO seed=42 no id"], lines), seed=42, console=False)


def test_check_fresh_run_ids_wants_two_different_ids() -> None:
    check_fresh_run_ids(
        make_run([text_line("INFO", run_id="a")], []), make_run([text_line("INFO", run_id="b")], [])
    )
    with pytest.raises(CheckFailed, match="a run_id of its own"):
        check_fresh_run_ids(make_run([text_line("INFO")], []), make_run([text_line("INFO")], []))
