"""coursekit.train_checks._output_form: JSON or text lines, and the one-line error of a bad configuration."""

from __future__ import annotations

import pytest
from train_checks_support import json_line, make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import check_bad_config, check_json_lines, check_text_lines

JSON = ["--json-logs"]


def test_check_json_lines_wants_one_object_per_line_with_four_keys() -> None:
    check_json_lines(make_run([json_line("INFO")], [json_line("DEBUG")], args=JSON))
    with pytest.raises(CheckFailed, match="needs a run with --json-logs"):
        check_json_lines(make_run([json_line("INFO")], []))
    with pytest.raises(CheckFailed, match="must be one JSON object"):
        check_json_lines(make_run([text_line("INFO")], [json_line("DEBUG")], args=JSON))
    with pytest.raises(CheckFailed, match=r"missing \['seed'\]"):
        check_json_lines(make_run(['{"levelname": "INFO", "msg": "m", "run_id": "r"}'], [], args=JSON))
    check_json_lines(make_run([json_line("INFO")], args=JSON), log_file=None)


def test_check_text_lines_refuses_json_objects() -> None:
    check_text_lines(make_run([text_line("INFO"), "[1, 2]"]))
    with pytest.raises(CheckFailed, match="readable text"):
        check_text_lines(make_run([json_line("INFO")]))


def test_check_bad_config_wants_one_line_naming_the_culprit_and_a_failure() -> None:
    check_bad_config(make_run(["train.py: error: lr must be a number"], returncode=2), "lr")
    with pytest.raises(CheckFailed, match="non-zero exit status"):
        check_bad_config(make_run(["error: lr"]), "lr")
    with pytest.raises(CheckFailed, match="without a traceback"):
        check_bad_config(
            make_run(["Traceback (most recent call last):", "ValueError: lr"], returncode=1), "lr"
        )
    with pytest.raises(CheckFailed, match="one-line error"):
        check_bad_config(make_run(["usage: train.py", "error: lr"], returncode=2), "lr")
    with pytest.raises(CheckFailed, match=r"must name what is wrong \(seed\)"):
        check_bad_config(make_run(["error: lr"], returncode=2), "seed")
