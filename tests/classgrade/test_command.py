"""``coursekit grade`` on the command line: its options, its usage errors, its logging."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from coursekit import cli
from coursekit.classgrade.command import configure_logging


def test_grade_is_a_coursekit_subcommand(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["grade", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--jobs", "--db-url", "--scheduler", "--cell-timeout", "--memory-mb", "--max-output-mb"):
        assert option in out


def test_grade_outside_a_course_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["grade", "--course", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "level"), [([], "WARNING"), (["-v"], "DEBUG"), (["--log-level", "info"], "INFO")]
)
def test_log_level_flags(flags: list[str], level: str) -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["grade", *flags]).log_level == level


def test_the_grader_logs_to_stderr_at_the_level_asked(capsys) -> None:
    configure_logging("DEBUG")
    logging.getLogger("coursekit.classgrade.run").debug("local-0: grading a/ann")
    logging.getLogger("other.library").warning("not the grader's")
    err = capsys.readouterr().err
    assert "DEBUG coursekit.classgrade.run: local-0: grading a/ann" in err
    assert "not the grader's" not in err
