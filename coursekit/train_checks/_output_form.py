"""Checks of the output's form: JSON lines with ``--json-logs``, text without, and a bad configuration
reported in one line on stderr, without a traceback (mini challenge cells ``mc_json``, ``mc_bad_config``).
"""

from __future__ import annotations

import json

from coursekit.checks import check

from ._logline import describe_place, file_entries
from ._runner import DEFAULTS, TrainRun, tail


def check_json_lines(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> None:
    """With --json-logs every console and file line is one JSON object with level, message, run_id, seed."""
    check(
        run.json_logs,
        "check_json_lines needs a run with --json-logs",
        run.describe(),
        "--json-logs in the args",
    )
    places = [("the console (stderr)", run.console_lines)]
    if log_file:
        file_entries(run, log_file)  # fails clearly when the file is missing
        places.append((f"the log file {log_file}", run.log_lines(log_file)))
    for where, lines in places:
        check(lines, f"{describe_place(run, where)} must have log lines", "no lines at all", "JSON lines")
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            check(
                isinstance(obj, dict),
                f"with --json-logs every line of {describe_place(run, where)} must be one JSON object",
                f"the line {line!r}",
                "a line that json.loads() turns into a dict",
                hint="give every handler (console and file) the JSON formatter, and print nothing else",
            )
            missing = [
                key
                for key, alternatives in (
                    ("level", ("level", "levelname")),
                    ("message", ("message", "msg")),
                    ("run_id", ("run_id",)),
                    ("seed", ("seed",)),
                )
                if not any(a in obj for a in alternatives)
            ]
            check(
                not missing,
                f"every JSON line of {describe_place(run, where)} needs level, message, run_id and seed",
                f"missing {missing} in {line!r}",
                "keys level, message, run_id, seed",
            )


def check_text_lines(run: TrainRun) -> None:
    """Without --json-logs the console shows readable text, not JSON objects."""
    for line in run.console_lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        check(
            not isinstance(obj, dict),
            f"without --json-logs the console shows readable text: {run.describe()}",
            f"a JSON line {line!r}",
            "text lines such as 'INFO run_id=... seed=42 train: epoch=1 loss=...'",
            hint="choose the formatter from the --json-logs flag",
        )


def check_bad_config(run: TrainRun, culprit: str) -> None:
    """A bad configuration makes train.py exit non-zero with one line on stderr naming the culprit."""
    lines = run.console_lines
    check(
        run.returncode != 0,
        f"a bad configuration must stop train.py with a non-zero exit status: {run.describe()}",
        f"exit status 0; stderr: {tail(run.stderr)}",
        "exit status 1 or 2",
        hint="catch the error in main(), print one line to sys.stderr and return/exit with 2",
    )
    check(
        "Traceback (most recent call last)" not in run.stderr,
        f"a bad configuration must be reported without a traceback: {run.describe()}",
        f"a traceback: {tail(run.stderr, 3)}",
        "one line such as 'train.py: error: ...'",
        hint="catch the exception (FileNotFoundError, ValueError, ...) and print str(exc) on one line",
    )
    check(
        len(lines) == 1,
        f"a bad configuration must give a one-line error: {run.describe()}",
        f"{len(lines)} lines on stderr: {tail(run.stderr)}",
        "exactly one line on stderr",
        hint="argparse prints a usage block before its error; override ArgumentParser.error to raise instead",
    )
    check(
        culprit.lower() in lines[0].lower(),
        f"the error must name what is wrong ({culprit}): {run.describe()}",
        repr(lines[0]),
        f"a line that mentions {culprit!r}",
    )
