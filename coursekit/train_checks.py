"""Run a learner's ``train.py`` (the mini challenge) as a subprocess and check what it does.

The mini challenge's test cells and the pytest suite share these functions::

    run = run_train(find_script(), ["--epochs", "3"], env={"APP_LR": "0.05"})
    check_console_levels(run)            # INFO and above on stderr, no DEBUG
    check_config(run, epochs=3, lr=0.05)  # what the script says it runs with, and what it does

Each run happens in a fresh temporary folder (the script is copied there,
with any config files the test provides) with the learner's environment
scrubbed of ``APP_*``, ``RUN_ID``, ``LOG_LEVEL`` and ``GIT_*`` variables, so
runs do not depend on each other or on the machine.  Output is captured:
nothing reaches the notebook's stderr.  A failed check raises
:class:`coursekit.checks.CheckFailed` naming the command, what was observed
and what was expected.

Interface of ``train.py`` (the mini challenge states it in full):

* text lines carry ``run_id=<id>`` and ``seed=<n>`` tokens and the level name;
  ``--json-logs`` lines are JSON objects with ``level``, ``message``,
  ``run_id`` and ``seed`` keys;
* one INFO record per epoch with ``epoch``, ``loss``, ``lr`` and
  ``epoch_time`` (seconds), as ``key=value`` tokens or JSON keys;
* one INFO record at startup with ``config=<JSON object>`` and
  ``code_version=<git SHA or unknown>`` (JSON keys ``config`` and ``code_version``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from coursekit.checks import check, fail
from coursekit.sandbox import lesson_sandbox_path

__all__ = [
    "DEFAULTS",
    "LEVELS",
    "Entry",
    "TrainRun",
    "check_bad_config",
    "check_code_version",
    "check_config",
    "check_console_levels",
    "check_context",
    "check_different_losses",
    "check_epochs",
    "check_file_levels",
    "check_fresh_run_ids",
    "check_json_lines",
    "check_rotating_file_handler",
    "check_runs",
    "check_same_losses",
    "check_startup_config",
    "check_text_lines",
    "console_entries",
    "default_script",
    "epoch_entries",
    "file_entries",
    "find_script",
    "hash_seed",
    "losses",
    "run_ids",
    "run_train",
    "startup_entry",
]

DEFAULTS: dict[str, Any] = {
    "data_path": "./data/train.csv",
    "lr": 0.001,
    "epochs": 10,
    "seed": 42,
    "log_level": "INFO",
    "log_file": "logs/train.log",
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SANDBOX_NAME = "mini_challenge"
TIMEOUT = 60

_LEVEL_RE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
_TOKEN_RE = re.compile(r"(?<![\w.-])([A-Za-z_]\w*)=(\"[^\"]*\"|'[^']*'|[^\s,;]+)")
_SCRUBBED = ("RUN_ID", "LOG_LEVEL", "LOG_FILE", "PYTHONWARNINGS")
# Runs train.py with its wall clock stopped at COURSEKIT_CLOCK (seconds since the epoch) and/or
# reports the logging handlers alive at exit to the file COURSEKIT_PROBE_OUT.
_WRAPPER = """\
import atexit, json, logging, logging.handlers, os, runpy, sys
_out = os.environ.pop("COURSEKIT_PROBE_OUT", None)
_clock = os.environ.pop("COURSEKIT_CLOCK", None)
if _clock is not None:
    import datetime, time
    _now = float(_clock)
    _localtime, _gmtime, _ctime, _asctime, _strftime = (
        time.localtime, time.gmtime, time.ctime, time.asctime, time.strftime)
    time.time = lambda: _now
    time.time_ns = lambda: int(_now * 1e9)
    time.localtime = lambda secs=None: _localtime(_now if secs is None else secs)
    time.gmtime = lambda secs=None: _gmtime(_now if secs is None else secs)
    time.ctime = lambda secs=None: _ctime(_now if secs is None else secs)
    time.asctime = lambda t=None: _asctime(_localtime(_now) if t is None else t)
    time.strftime = lambda fmt, t=None: _strftime(fmt, _localtime(_now) if t is None else t)
    class _Datetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(_now, tz)
        @classmethod
        def utcnow(cls):
            return cls.fromtimestamp(_now, datetime.timezone.utc).replace(tzinfo=None)
        @classmethod
        def today(cls):
            return cls.fromtimestamp(_now)
    class _Date(datetime.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(_now)
    datetime.datetime, datetime.date = _Datetime, _Date
def _report():
    found = []
    for ref in list(logging._handlerList):
        h = ref()
        if h is not None:
            found.append({"class": type(h).__name__, "file": getattr(h, "baseFilename", None),
                          "rotating": isinstance(h, logging.handlers.BaseRotatingHandler)})
    with open(_out, "w", encoding="utf-8") as fh:
        json.dump(found, fh)
if _out is not None:
    atexit.register(_report)
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


# --- running the script --------------------------------------------------------------------------


def default_script() -> Path:
    """Where the mini challenge notebook writes ``train.py`` (its lesson sandbox)."""
    return lesson_sandbox_path(SANDBOX_NAME) / "train.py"


def find_script(path: str | os.PathLike[str] | None = None) -> Path:
    """The learner's ``train.py``; fails with a hint when the ``%%writefile`` cell has not run."""
    script = Path(path) if path is not None else default_script()
    check(
        script.is_file(),
        "train.py must exist before it can be tested",
        f"no file at {script}",
        "a train.py written by the %%writefile cell",
        hint="run the cell that starts with %%writefile train.py (and the set-up cell above it) first",
    )
    return script


@dataclass
class TrainRun:
    """One finished run of ``train.py``: its command, exit status, console output and files."""

    args: list[str]
    env: dict[str, str]
    inputs: dict[str, str]
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)
    git_sha: str | None = None
    handlers: list[dict[str, Any]] | None = None
    clock: str | None = None

    @property
    def json_logs(self) -> bool:
        return "--json-logs" in self.args

    def describe(self) -> str:
        """The command as a shell line, with its environment and input files."""
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = " ".join(["python train.py", *map(shlex.quote, self.args)])
        text = f"{env} {command}".strip()
        if self.inputs:
            text += " with " + ", ".join(f"{name} = {content}" for name, content in self.inputs.items())
        if self.git_sha:
            text += " (inside a git repository)"
        if self.clock:
            text += f" (the clock reads {self.clock})"
        return text

    @property
    def console_lines(self) -> list[str]:
        """The non-empty lines written to stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]

    def log_lines(self, log_file: str = DEFAULTS["log_file"]) -> list[str]:
        """Non-empty lines of the log file and of its rotated backups (oldest first).

        Backups are ``<file>.1``, ``<file>.2`` ... (size rotation, higher is older) or
        ``<file>.2026-01-05``, ``<file>.2026-01-05_09-12`` ... (time rotation).
        """
        rel = Path(log_file).as_posix().removeprefix("./")
        numbered, dated = [], []
        for name in self.outputs:
            backup = re.fullmatch(re.escape(rel) + r"\.(?:(\d+)|\d{4}-\d{2}-\d{2}[\d_-]*)", name)
            if backup:
                (numbered if backup[1] else dated).append(name)
        numbered.sort(key=lambda name: -int(name.rsplit(".", 1)[1]))
        lines: list[str] = []
        for name in [*sorted(dated), *numbered, rel]:
            lines += [line for line in self.outputs.get(name, "").splitlines() if line.strip()]
        return lines

    def has_file(self, log_file: str) -> bool:
        return Path(log_file).as_posix().removeprefix("./") in self.outputs


def _script_env(extra: Mapping[str, str] | None, workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith(("APP_", "GIT_", "COURSEKIT_")) or k in _SCRUBBED)
    }
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # git must not find a repository above the run's folder (the course repository, say).
    env["GIT_CEILING_DIRECTORIES"] = str(workdir.parent)
    env.update(extra or {})
    return env


def hash_seed(args: Sequence[str], env: Mapping[str, str] | None) -> str:
    """The ``PYTHONHASHSEED`` of a run: the same for the same command, another for another command.

    A script whose results follow the order of a set of strings then gives the same verdict on every
    grading, and two runs that must agree (same seed, another run_id) get different string hashes.
    """
    digest = hashlib.sha256(json.dumps([list(args), dict(env or {})], sort_keys=True).encode()).digest()
    return str(1 + int.from_bytes(digest[:4], "big") % 4_294_967_295)


def _git(workdir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    config = [
        "-c",
        "user.name=Course Kit",
        "-c",
        "user.email=kit@example.invalid",
        "-c",
        "commit.gpgsign=false",
    ]
    result = subprocess.run(
        ["git", *config, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=30, check=True
    )
    return result.stdout.strip()


def _read_outputs(workdir: Path, skip: set[str]) -> dict[str, str]:
    outputs = {}
    for path in sorted(workdir.rglob("*")):
        rel = path.relative_to(workdir).as_posix()
        if (
            path.is_file()
            and rel not in skip
            and ".git" not in path.parts
            and "__pycache__" not in path.parts
        ):
            outputs[rel] = path.read_text(encoding="utf-8", errors="replace")
    return outputs


def run_train(
    script: str | os.PathLike[str],
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    files: Mapping[str, str | Mapping[str, Any]] | None = None,
    git: bool = False,
    probe: bool = False,
    clock: str | None = None,
    check_exit: bool = True,
    timeout: float = TIMEOUT,
) -> TrainRun:
    """Run ``python train.py <args>`` in a fresh folder and return what happened.

    ``env`` adds environment variables; ``files`` writes input files first
    (a mapping is written as JSON); ``git`` commits the script to a new git
    repository first (``run.git_sha`` is the commit); ``probe`` records the
    logging handlers alive at exit in ``run.handlers``; ``clock`` (local time,
    ``"2026-01-05 09:00:00.250"``) stops the script's wall clock at that instant
    (``time.time()``, ``datetime.now()`` ...), so time-based names are the same on
    every machine.  With ``check_exit``
    (the default) a non-zero exit status fails, showing the end of stderr.
    """
    script = Path(script)
    args = [str(a) for a in args]
    inputs = {
        name: content if isinstance(content, str) else json.dumps(content)
        for name, content in (files or {}).items()
    }
    workdir = Path(tempfile.mkdtemp(prefix="train-run-")).resolve()
    try:
        shutil.copy2(script, workdir / "train.py")
        for name, content in inputs.items():
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            (workdir / name).write_text(content, encoding="utf-8")
        git_sha = None
        if git and shutil.which("git"):
            _git(workdir, "init", "-q")
            _git(workdir, "add", "train.py")
            _git(workdir, "commit", "-q", "-m", "train.py")
            git_sha = _git(workdir, "rev-parse", "HEAD")
        run_env = _script_env(env, workdir)
        if "PYTHONHASHSEED" not in (env or {}):
            run_env["PYTHONHASHSEED"] = hash_seed(args, env)
        probe_file = workdir.parent / f"{workdir.name}.probe.json"
        command = [sys.executable, "train.py", *args]
        if probe:
            run_env["COURSEKIT_PROBE_OUT"] = str(probe_file)
        if clock is not None:
            run_env["COURSEKIT_CLOCK"] = repr(datetime.fromisoformat(clock).timestamp())
        if probe or clock is not None:
            command = [sys.executable, "-c", _WRAPPER, "train.py", *args]
        try:
            result = subprocess.run(
                command, cwd=workdir, env=run_env, capture_output=True, text=True, timeout=timeout,
                stdin=subprocess.DEVNULL, encoding="utf-8", errors="replace",
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            fail(
                f"train.py must finish: {_describe(args, env, inputs)}",
                f"still running after {timeout:g} s",
                "a run of a few seconds at most",
                hint="is something waiting for input, or looping forever?",
            )
        handlers = None
        if probe and probe_file.is_file():
            handlers = json.loads(probe_file.read_text(encoding="utf-8"))
            probe_file.unlink()
        run = TrainRun(
            args=args,
            env=dict(env or {}),
            inputs=inputs,
            returncode=result.returncode,
            stdout=result.stdout,
            stderr=result.stderr,
            outputs=_read_outputs(workdir, {"train.py", *inputs}),
            git_sha=git_sha,
            handlers=handlers,
            clock=clock,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if check_exit:
        _expect_success(run)
    return run


def _describe(args: list[str], env: Mapping[str, str] | None, inputs: dict[str, str]) -> str:
    return TrainRun(
        args=args, env=dict(env or {}), inputs=inputs, returncode=0, stdout="", stderr=""
    ).describe()


def _tail(text: str, n: int = 6) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "(nothing)"
    shown = lines[-n:]
    return ("... | " if len(lines) > n else "") + " | ".join(shown)


def _expect_success(run: TrainRun) -> None:
    check(
        run.returncode == 0,
        f"train.py must run to the end: {run.describe()}",
        f"exit status {run.returncode}; stderr ends with: {_tail(run.stderr)}",
        "exit status 0",
        hint="run the same command in a terminal (or with !python train.py ... in a cell) to see the error",
    )


# --- reading the output --------------------------------------------------------------------------


@dataclass
class Entry:
    """One log line, parsed: its level and its fields (``key=value`` tokens, or the JSON object)."""

    line: str
    level: str | None
    data: dict[str, Any]
    is_json: bool

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def parse_line(line: str, json_logs: bool = False) -> Entry:
    """Parse one line of text (``key=value`` tokens) or, with ``json_logs``, one JSON object."""
    if json_logs:
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            level = obj.get("level", obj.get("levelname"))
            return Entry(line, str(level).upper() if level is not None else None, obj, True)
        return Entry(line, None, {}, False)
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
    level = _LEVEL_RE.search(line)
    return Entry(line, level.group(1) if level else None, data, False)


def console_entries(run: TrainRun) -> list[Entry]:
    """The stderr lines of ``run``, parsed (as JSON when the run had ``--json-logs``)."""
    return [parse_line(line, run.json_logs) for line in run.console_lines]


def file_entries(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> list[Entry]:
    """The log file's lines (with rotated backups), parsed; fails when there is no log file."""
    check(
        run.has_file(log_file),
        f"train.py must write its log file at {log_file}: {run.describe()}",
        f"files written: {', '.join(run.outputs) or 'none'}",
        f"a file at {log_file}",
        hint="create the log file's folder first (Path(log_file).parent.mkdir(parents=True, exist_ok=True))",
    )
    return [parse_line(line, run.json_logs) for line in run.log_lines(log_file)]


def _number(value: Any) -> float | None:
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


def _show(entries: Iterable[Entry], limit: int = 4) -> str:
    lines = [e.line for e in entries]
    if not lines:
        return "no lines at all"
    more = f" ... (+{len(lines) - limit} more)" if len(lines) > limit else ""
    return " | ".join(lines[:limit]) + more


def _where(run: TrainRun, where: str) -> str:
    return f"{where} of `{run.describe()}`"


# --- checks --------------------------------------------------------------------------------------


def check_runs(run: TrainRun, log_file: str = DEFAULTS["log_file"]) -> None:
    """The run logged INFO lines on stderr, nothing on stdout, and wrote its log file."""
    entries = console_entries(run)
    check(
        any(e.level == "INFO" for e in entries),
        f"train.py must log INFO lines on the console (stderr): {run.describe()}",
        f"stderr: {_show(entries)}; stdout: {_tail(run.stdout, 2)}",
        "INFO lines on stderr",
        hint="a logging.StreamHandler on sys.stderr (its default stream) at level INFO",
    )
    leaked = [line for line in run.stdout.splitlines() if _LEVEL_RE.search(line) or "run_id" in line]
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
            f"stderr: {_show(entries)}",
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
            f"no {level} line in it: {_show(entries)}",
            f"{level} lines in the file",
            hint="the file handler's level and the logger's (or root's) level must both let DEBUG through",
        )


def run_ids(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> set[str]:
    """Every run_id value found on the console and (if given) in the log file."""
    entries = console_entries(run) + (file_entries(run, log_file) if log_file else [])
    return {str(e.get("run_id")) for e in entries if e.get("run_id") not in (None, "")}


def _log_places(run: TrainRun, log_file: str | None, *, console: bool) -> list[tuple[str, list[Entry]]]:
    """``(where, entries)`` for the console (when ``console``) and the log file (when named)."""
    places = [("the console (stderr)", console_entries(run))] if console else []
    if log_file:
        places.append((f"the log file {log_file}", file_entries(run, log_file)))
    return places


def check_context(
    run: TrainRun,
    *,
    seed: int,
    run_id: str | None = None,
    log_file: str | None = DEFAULTS["log_file"],
    console: bool = True,
) -> None:
    """Every console line and every log-file line carries the run_id (one value) and the seed."""
    places = _log_places(run, log_file, console=console)
    token = "JSON key" if run.json_logs else "token"
    for where, entries in places:
        check(entries, f"{_where(run, where)} must have log lines", "no lines at all", "log lines")
        for key, wanted in (("run_id", run_id), ("seed", str(seed))):
            for entry in entries:
                value = entry.get(key)
                check(
                    value not in (None, ""),
                    f"every line of {_where(run, where)} must carry the {key}",
                    f"the line {entry.line!r}",
                    f"a {key} {token} in every line" + ("" if run.json_logs else f" ({key}=...)"),
                    hint="add it with a logging.Filter on the handlers (or a LoggerAdapter) and put "
                    f"%({key})s in the format",
                )
                if wanted is not None:
                    check(
                        str(value) == wanted,
                        f"every line of {_where(run, where)} must carry {key}={wanted}",
                        f"{key}={value} in the line {entry.line!r}",
                        f"{key}={wanted}",
                    )
        ids = {str(e.get("run_id")) for e in entries}
        check(
            len(ids) == 1,
            f"one run has one run_id: {_where(run, where)}",
            f"{len(ids)} different values: {sorted(ids)}",
            "the same run_id on every line of the run",
        )


def check_fresh_run_ids(first: TrainRun, second: TrainRun) -> None:
    """Two runs without RUN_ID get two different run_ids (one per run)."""
    a, b = run_ids(first), run_ids(second)
    check(
        len(a) == 1 and len(b) == 1 and a != b,
        "without RUN_ID every run must get a run_id of its own",
        f"run_ids {sorted(a)} for `{first.describe()}` and {sorted(b)} for `{second.describe()}`",
        "one run_id per run, different between the two runs",
        hint="generate it once at startup, e.g. uuid.uuid4().hex[:12], unless RUN_ID is set "
        "(a timestamp to the second is the same for two runs started in the same second)",
    )


def epoch_entries(entries: Iterable[Entry]) -> list[Entry]:
    """The per-epoch records: those with an ``epoch_time`` field."""
    return [e for e in entries if e.get("epoch_time") is not None]


def check_epochs(
    run: TrainRun,
    *,
    epochs: int,
    lr: float,
    log_file: str | None = DEFAULTS["log_file"],
    console: bool = True,
) -> None:
    """One INFO record per epoch (numbered 1..epochs) with loss, lr and epoch_time, on console and in file."""
    places = _log_places(run, log_file, console=console)
    how = "JSON keys" if run.json_logs else "key=value tokens"
    for where, entries in places:
        found = epoch_entries(entries)
        numbers = [e.get("epoch") for e in found]
        check(
            [str(n) for n in numbers] == [str(n) for n in range(1, epochs + 1)],
            f"{_where(run, where)} must have one record per epoch, with epoch, loss, lr and epoch_time",
            f"epochs {numbers} in the lines with epoch_time: {_show(found)}"
            if found
            else f"no line with epoch_time: {_show(entries)}",
            f"epochs {list(range(1, epochs + 1))}, each line with {how} epoch, loss, lr, epoch_time",
            hint="log once per epoch, e.g. 'epoch=%d loss=%.6f lr=%s epoch_time=%.4f'"
            + (", with the values in extra={...} too" if run.json_logs else ""),
        )
        for entry in found:
            check(
                entry.level == "INFO",
                f"per-epoch records are INFO: {_where(run, where)}",
                f"{entry.level} in {entry.line!r}",
                "INFO",
            )
            for key in ("loss", "lr", "epoch_time"):
                value = entry.get(key)
                number = _number(value)
                check(
                    number is not None
                    and math.isfinite(number)
                    and not (run.json_logs and isinstance(value, str)),
                    f"{key} must be a number in every per-epoch record: {_where(run, where)}",
                    f"{key}={value!r} in {entry.line!r}",
                    f"{key}=<number>" + (" (a JSON number, not a string)" if run.json_logs else ""),
                )
            check(
                math.isclose(_number(entry.get("lr")), lr, rel_tol=1e-9),
                f"each epoch logs the learning rate in use: {_where(run, where)}",
                f"lr={entry.get('lr')} in {entry.line!r}",
                f"lr={lr:g}",
            )
            check(
                0 <= _number(entry.get("epoch_time")) < 60,
                f"epoch_time is the epoch's duration in seconds: {_where(run, where)}",
                f"epoch_time={entry.get('epoch_time')}",
                "a duration in seconds, >= 0",
            )


def losses(run: TrainRun) -> list[float]:
    """The per-epoch losses of ``run``, in order, as the console shows them."""
    found = epoch_entries(console_entries(run))
    check(
        found,
        f"per-epoch losses must be on the console: {run.describe()}",
        f"no line with epoch_time: {_show(console_entries(run))}",
        "one line per epoch with loss=...",
    )
    values = [_number(e.get("loss")) for e in found]
    check(
        all(v is not None for v in values),
        f"every per-epoch record needs a numeric loss: {run.describe()}",
        f"losses {[e.get('loss') for e in found]}",
        "numbers",
    )
    return values  # type: ignore[return-value]


def check_same_losses(first: TrainRun, second: TrainRun) -> None:
    """Two runs with the same seed and settings report the same losses (a deterministic run)."""
    a, b = losses(first), losses(second)
    check(
        len(a) == len(b)
        and all(math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) for x, y in zip(a, b, strict=False)),
        "the same seed and settings must give the same losses",
        f"`{first.describe()}` logged {a}, `{second.describe()}` logged {b}",
        "identical losses",
        hint="draw every random number from random.Random(seed) (or seed the generator once, at startup)",
    )


def check_different_losses(first: TrainRun, second: TrainRun) -> None:
    """Two runs with different seeds report different losses (the seed is really used)."""
    a, b = losses(first), losses(second)
    check(
        a != b,
        "different seeds must give different losses",
        f"`{first.describe()}` and `{second.describe()}` both logged {a}",
        "the losses to depend on the seed",
        hint="the simulated data or the initial weights should come from random.Random(seed)",
    )


def startup_entry(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> Entry:
    """The startup record with the configuration (searched on the console, then in the log file)."""
    entries = console_entries(run) + (
        file_entries(run, log_file) if log_file and run.has_file(log_file) else []
    )
    for entry in entries:
        if isinstance(entry.get("config"), dict):
            return entry
    fail(
        f"train.py must log its configuration at startup: {run.describe()}",
        f"no line with a config: {_show(entries)}",
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
            same = _number(got) is not None and math.isclose(_number(got), wanted, rel_tol=1e-9)
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


def check_bad_config(run: TrainRun, culprit: str) -> None:
    """A bad configuration makes train.py exit non-zero with one line on stderr naming the culprit."""
    lines = run.console_lines
    check(
        run.returncode != 0,
        f"a bad configuration must stop train.py with a non-zero exit status: {run.describe()}",
        f"exit status 0; stderr: {_tail(run.stderr)}",
        "exit status 1 or 2",
        hint="catch the error in main(), print one line to sys.stderr and return/exit with 2",
    )
    check(
        "Traceback (most recent call last)" not in run.stderr,
        f"a bad configuration must be reported without a traceback: {run.describe()}",
        f"a traceback: {_tail(run.stderr, 3)}",
        "one line such as 'train.py: error: ...'",
        hint="catch the exception (FileNotFoundError, ValueError, ...) and print str(exc) on one line",
    )
    check(
        len(lines) == 1,
        f"a bad configuration must give a one-line error: {run.describe()}",
        f"{len(lines)} lines on stderr: {_tail(run.stderr)}",
        "exactly one line on stderr",
        hint="argparse prints a usage block before its error; override ArgumentParser.error to raise instead",
    )
    check(
        culprit.lower() in lines[0].lower(),
        f"the error must name what is wrong ({culprit}): {run.describe()}",
        repr(lines[0]),
        f"a line that mentions {culprit!r}",
    )


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
        check(lines, f"{_where(run, where)} must have log lines", "no lines at all", "JSON lines")
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            check(
                isinstance(obj, dict),
                f"with --json-logs every line of {_where(run, where)} must be one JSON object",
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
                f"every JSON line of {_where(run, where)} needs level, message, run_id and seed",
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
