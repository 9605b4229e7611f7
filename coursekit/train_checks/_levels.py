"""Checks of where records go: INFO and above on the console (stderr), DEBUG and above in the log file,
nothing on stdout, and a rotating handler on the file (mini challenge cells ``mc_runs``,
``mc_levels``, ``mc_rotating``).
"""

from __future__ import annotations

from pathlib import Path

from coursekit.checks import check

from ._logline import LEVEL_RE, LEVELS, console_entries, file_entries, show
from ._runner import DEFAULTS, TrainRun, tail


def check_runs(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> None:
    """The run logged INFO lines on stderr, nothing on stdout, and wrote its log file."""
    entries = console_entries(run)
    check(
        any(e.level == "INFO" for e in entries),
        f"train.py must log INFO lines on the console (stderr): {run.describe()}",
        f"stderr: {show(entries)}; stdout: {tail(run.stdout, 2)}",
        "INFO lines on stderr",
        hint="a logging.StreamHandler on sys.stderr (its default stream) at level INFO",
    )
    leaked = [line for line in run.stdout.splitlines() if LEVEL_RE.search(line) or "run_id" in line]
    check(
        not leaked,
        f"log lines belong on stderr, not stdout: {run.describe()}",
        f"on stdout: {leaked[0]!r}" if leaked else "",
        "nothing logged on stdout",
        hint="StreamHandler() writes to sys.stderr by default; do not pass sys.stdout",
    )
    file_entries(run, log_file)


def check_console_levels(run: TrainRun, lowest: str = "INFO") -> None:
    """The console (stderr) shows records at ``lowest`` and above only, and nothing is logged on stdout."""
    entries = console_entries(run)
    rank = LEVELS.index(lowest)
    below = [e for e in entries if e.level in LEVELS[:rank]]
    check(
        not below,
        f"the console must show {lowest} and above only: {run.describe()}",
        f"{below[0].level} line(s) on the console, e.g. {below[0].line!r}" if below else "",
        f"no line below {lowest} on stderr",
        hint="give the console handler its own level (INFO by default, or the configured log_level)",
    )
    if lowest in ("DEBUG", "INFO"):
        check(
            any(e.level == lowest for e in entries),
            f"the console must show {lowest} lines: {run.describe()}",
            f"stderr: {show(entries)}",
            f"{lowest} lines on stderr (the console handler writes to sys.stderr)",
            hint="a StreamHandler on sys.stderr with level " + lowest,
        )


def check_file_levels(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> None:
    """The log file receives DEBUG and above: it has DEBUG lines and INFO lines."""
    entries = file_entries(run, log_file)
    for level in ("DEBUG", "INFO"):
        check(
            any(e.level == level for e in entries),
            f"the log file {log_file} must receive DEBUG and above: {run.describe()}",
            f"no {level} line in it: {show(entries)}",
            f"{level} lines in the file",
            hint="the file handler's level and the logger's (or root's) level must both let DEBUG through",
        )


def check_rotating_file_handler(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> None:
    """The log file is written by a rotating handler (RotatingFileHandler or TimedRotatingFileHandler)."""
    check(run.handlers is not None, "check_rotating_file_handler needs run_train(..., probe=True)", "", "")
    target = Path(log_file).name
    writers = [h for h in run.handlers if h.get("file") and Path(h["file"]).name == target]
    check(
        writers,
        f"a handler must write the log file {log_file}: {run.describe()}",
        f"handlers at exit: {[h['class'] for h in run.handlers]}",
        f"a file handler on {log_file}",
    )
    check(
        all(h["rotating"] for h in writers),
        f"the log file must be rotated so it cannot grow forever: {run.describe()}",
        f"written by {', '.join(h['class'] for h in writers)}",
        "logging.handlers.RotatingFileHandler or TimedRotatingFileHandler",
        hint="'class': 'logging.handlers.RotatingFileHandler' with maxBytes and backupCount",
    )
