"""Reading what a run logged: :func:`parse_line` into a :class:`LogEntry`, per place (console, log file).

Also the helpers every group of checks uses to say where and what it saw (:func:`describe_place`,
:func:`show`) and to read a logged number (:func:`as_number`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coursekit.checks import check

from ._runner import DEFAULTS, TrainRun

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

LEVEL_RE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
_TOKEN_RE = re.compile(r"(?<![\w.-])([A-Za-z_]\w*)=(\"[^\"]*\"|'[^']*'|[^\s,;]+)")


@dataclass
class LogEntry:
    """One log line, parsed: its level and its fields (``key=value`` tokens, or the JSON object)."""

    line: str
    level: str | None
    data: dict[str, Any]
    is_json: bool

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def parse_line(line: str, json_logs: bool = False) -> LogEntry:
    """Parse one line of text (``key=value`` tokens) or, with ``json_logs``, one JSON object."""
    if json_logs:
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            level = obj.get("level", obj.get("levelname"))
            return LogEntry(line, str(level).upper() if level is not None else None, obj, True)
        return LogEntry(line, None, {}, False)
    data: dict[str, Any] = {}
    rest = line
    marker = rest.find("config=")
    if marker >= 0:
        try:
            config, end = json.JSONDecoder().raw_decode(rest, marker + len("config="))
        except ValueError:
            pass
        else:
            data["config"] = config
            rest = rest[:marker] + rest[end:]
    for key, value in _TOKEN_RE.findall(rest):
        data.setdefault(key, value.strip("\"'"))
    level = LEVEL_RE.search(line)
    return LogEntry(line, level.group(1) if level else None, data, False)


def console_entries(run: TrainRun) -> list[LogEntry]:
    """The stderr lines of ``run``, parsed (as JSON when the run had ``--json-logs``)."""
    return [parse_line(line, run.json_logs) for line in run.console_lines]


def file_entries(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> list[LogEntry]:
    """The log file's lines (with rotated backups), parsed; fails when there is no log file."""
    check(
        run.has_file(log_file),
        f"train.py must write its log file at {log_file}: {run.describe()}",
        f"files written: {', '.join(run.outputs) or 'none'}",
        f"a file at {log_file}",
        hint="create the log file's folder first (Path(log_file).parent.mkdir(parents=True, exist_ok=True))",
    )
    return [parse_line(line, run.json_logs) for line in run.log_lines(log_file)]


def log_places(run: TrainRun, log_file: str | None, *, console: bool) -> list[tuple[str, list[LogEntry]]]:
    """``(where, entries)`` for the console (when ``console``) and the log file (when named)."""
    places = [("the console (stderr)", console_entries(run))] if console else []
    if log_file:
        places.append((f"the log file {log_file}", file_entries(run, log_file)))
    return places


def as_number(value: Any) -> float | None:
    """A logged value as a float (``"0.5"``, ``"0.01s"``, ``3``), or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.removesuffix("s"))
        except ValueError:
            return None
    return None


def show(entries: Iterable[LogEntry], limit: int = 4) -> str:
    """The first ``limit`` lines of ``entries`` on one line, for a failure message."""
    lines = [e.line for e in entries]
    if not lines:
        return "no lines at all"
    more = f" ... (+{len(lines) - limit} more)" if len(lines) > limit else ""
    return " | ".join(lines[:limit]) + more


def describe_place(run: TrainRun, place: str) -> str:
    """``place`` (the console, the log file ...) of the run's command, for a failure message."""
    return f"{place} of `{run.describe()}`"
