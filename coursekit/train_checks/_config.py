"""Checks of the configuration: the startup record's config and code version, and the precedence
CLI > ``APP_*`` environment > config file > defaults, in what the run says and does (mini challenge
cells ``mc_levels``, ``mc_precedence``, ``mc_startup``).
"""

from __future__ import annotations

import math
from typing import Any

from coursekit.checks import check, fail

from ._epochs import check_epochs
from ._levels import check_console_levels, check_file_levels
from ._logline import LogEntry, as_number, console_entries, file_entries, show
from ._run_ids import check_context
from ._runner import DEFAULTS, TrainRun


def startup_entry(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> LogEntry:
    """The startup record with the configuration (searched on the console, then in the log file)."""
    entries = console_entries(run) + (
        file_entries(run, log_file) if log_file and run.has_file(log_file) else []
    )
    for entry in entries:
        if isinstance(entry.get("config"), dict):
            return entry
    fail(
        f"train.py must log its configuration at startup: {run.describe()}",
        f"no line with a config: {show(entries)}",
        "an INFO line with " + ("a JSON key config (an object)" if run.json_logs else "config=<JSON object>"),
        hint="log.info('starting run: config=%s code_version=%s', json.dumps(asdict(cfg)), version)",
    )


def check_startup_config(run: TrainRun, **expected: Any) -> None:
    """The startup record's config holds every setting, with these values (the defaults for the others)."""
    settings = {**DEFAULTS, **expected}
    entry = startup_entry(run, settings["log_file"])
    config = entry.get("config")
    for key, wanted in settings.items():
        got = config.get(key)
        if isinstance(wanted, float):
            same = as_number(got) is not None and math.isclose(as_number(got), wanted, rel_tol=1e-9)
        elif key == "log_level":
            same = str(got).upper() == str(wanted).upper()
        else:
            same = str(got) == str(wanted)
        check(
            same,
            f"{key} must be {wanted!r} for `{run.describe()}` (precedence: CLI > APP_* env > file > default)",
            f"the startup config says {key}={got!r}: {entry.line}",
            f"{key}={wanted!r}",
            hint="apply the sources in order, each one overriding the previous: defaults, file, env, CLI; "
            "a value such as 0 still counts as set",
        )


def check_config(run: TrainRun, **expected: Any) -> None:
    """The run used these settings: its startup config says so, and its behaviour agrees.

    Behaviour checked: ``epochs`` (number of per-epoch records), ``lr`` (in
    them), ``seed`` (on every line), ``log_file`` (the file exists) and
    ``log_level`` (the lowest level on the console).
    """
    settings = {**DEFAULTS, **expected}
    settings["log_level"] = str(settings["log_level"]).upper()
    log_file = settings["log_file"]
    check_startup_config(run, **expected)
    check(
        run.has_file(log_file),
        f"the log file must be where log_file says: {run.describe()}",
        f"files written: {', '.join(run.outputs) or 'none'}",
        f"a log file at {log_file}",
    )
    console = settings["log_level"] in ("DEBUG", "INFO")  # else the console shows no INFO records
    check_epochs(
        run, epochs=int(settings["epochs"]), lr=float(settings["lr"]), log_file=log_file, console=console
    )
    check_context(run, seed=int(settings["seed"]), log_file=log_file, console=console)
    check_file_levels(run, log_file)
    if console:
        check_console_levels(run, settings["log_level"])
    else:
        shown = [e for e in console_entries(run) if e.level in ("DEBUG", "INFO")]
        check(
            not shown,
            f"log_level={settings['log_level']} must hide DEBUG and INFO on the console: {run.describe()}",
            f"{shown[0].line!r}" if shown else "",
            f"only {settings['log_level']} and above on stderr",
        )


def check_code_version(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> None:
    """The startup record names the code version: the git commit when there is one, else "unknown"."""
    entry = startup_entry(run, log_file)
    version = entry.get("code_version")
    if run.git_sha:
        ok = isinstance(version, str) and len(version) >= 7 and run.git_sha.startswith(version)
        expected = f"code_version={run.git_sha} (the commit of the folder train.py is in; 7+ characters)"
    else:
        ok = version == "unknown"
        expected = "code_version=unknown (train.py is not in a git repository here)"
    check(
        ok,
        f"the startup record must give the code version: {run.describe()}",
        f"code_version={version!r} in {entry.line!r}",
        expected,
        hint="run `git rev-parse HEAD` with subprocess in the script's folder; on any failure use 'unknown'",
    )
