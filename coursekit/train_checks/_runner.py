"""Running ``train.py``: :func:`run_train` and the :class:`TrainRun` it returns.

Each run happens in a fresh temporary folder (the script is copied there, with any input files),
with an environment scrubbed of ``APP_*``, ``GIT_*``, ``COURSEKIT_*``, ``RUN_ID``, ``LOG_LEVEL`` ...,
a ``PYTHONHASHSEED`` of its own (:func:`hash_seed`), optionally inside a new git repository and,
for a stopped clock or a handler report, through :mod:`._probe`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from coursekit.checks import check, fail
from coursekit.sandbox import lesson_sandbox_path

from ._probe import CLOCK_VAR, REPORT_VAR

DEFAULTS: dict[str, Any] = {
    "data_path": "./data/train.csv",
    "lr": 0.001,
    "epochs": 10,
    "seed": 42,
    "log_level": "INFO",
    "log_file": "logs/train.log",
}
SANDBOX_NAME = "mini_challenge"
TIMEOUT = 60
PROBE = Path(__file__).resolve().with_name("_probe.py")  # run by path: see _probe.py

_SCRUBBED = ("RUN_ID", "LOG_LEVEL", "LOG_FILE", "PYTHONWARNINGS")


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


def output_name(log_file: str) -> str:
    """The key of ``log_file`` in :attr:`TrainRun.outputs` (a relative POSIX path, no leading ``./``)."""
    return Path(log_file).as_posix().removeprefix("./")


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
        rel = output_name(log_file)
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
        return output_name(log_file) in self.outputs


def script_env(extra: Mapping[str, str] | None, workdir: Path) -> dict[str, str]:
    """The script's environment: this process's, scrubbed, plus ``extra``."""
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


def run_git(workdir: Path, *args: str) -> str:
    """``git ARGS`` in ``workdir``, ignoring the user's and the system's git configuration."""
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


def read_outputs(workdir: Path, skip: set[str]) -> dict[str, str]:
    """The files the run left in ``workdir`` (but ``skip``, ``.git`` and ``__pycache__``): {path: text}."""
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
        git_sha = _commit_script(workdir) if git and shutil.which("git") else None
        run_env = script_env(env, workdir)
        if "PYTHONHASHSEED" not in (env or {}):
            run_env["PYTHONHASHSEED"] = hash_seed(args, env)
        probe_file = workdir.parent / f"{workdir.name}.probe.json"
        command = [sys.executable, "train.py", *args]
        if probe:
            run_env[REPORT_VAR] = str(probe_file)
        if clock is not None:
            run_env[CLOCK_VAR] = repr(datetime.fromisoformat(clock).timestamp())
        if probe or clock is not None:
            command = [sys.executable, str(PROBE), "train.py", *args]
        try:
            result = subprocess.run(
                command,
                cwd=workdir,
                env=run_env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                encoding="utf-8",
                errors="replace",
            )
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
            outputs=read_outputs(workdir, {"train.py", *inputs}),
            git_sha=git_sha,
            handlers=handlers,
            clock=clock,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if check_exit:
        expect_success(run)
    return run


def _commit_script(workdir: Path) -> str:
    """Commit ``train.py`` to a new repository in ``workdir``; the commit's SHA."""
    run_git(workdir, "init", "-q")
    run_git(workdir, "add", "train.py")
    run_git(workdir, "commit", "-q", "-m", "train.py")
    return run_git(workdir, "rev-parse", "HEAD")


def _describe(args: list[str], env: Mapping[str, str] | None, inputs: dict[str, str]) -> str:
    return TrainRun(
        args=args, env=dict(env or {}), inputs=inputs, returncode=0, stdout="", stderr=""
    ).describe()


def tail(text: str, n: int = 6) -> str:
    """The last ``n`` non-empty lines of ``text`` on one line, ``" | "`` between them."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "(nothing)"
    shown = lines[-n:]
    return ("... | " if len(lines) > n else "") + " | ".join(shown)


def expect_success(run: TrainRun) -> None:
    """Fail unless ``run`` exited with status 0, showing the end of its stderr."""
    check(
        run.returncode == 0,
        f"train.py must run to the end: {run.describe()}",
        f"exit status {run.returncode}; stderr ends with: {tail(run.stderr)}",
        "exit status 0",
        hint="run the same command in a terminal (or with !python train.py ... in a cell) to see the error",
    )
