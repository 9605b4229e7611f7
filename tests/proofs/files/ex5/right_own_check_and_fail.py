# RIGHT: its own helpers named check() (raise RecordError unless a condition holds) and fail(), shutil.which
# to notice a missing git, `git status --porcelain --untracked-files=all`, pathlib throughout; the keys it
# needs in a record are named fields, the record it tries is named record.
# loses: nothing
import hashlib
import importlib.metadata
import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path


class RecordError(ValueError):
    """A run record that cannot be trusted: missing, malformed, or its config does not match its hash."""


fields = ("config", "config_hash")


def fail(message):
    raise RecordError(message)


def check(condition, message):
    if not condition:
        fail(message)


def config_hash(config):
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_state(folder="."):
    unknown = {"commit": "unknown", "dirty": None}
    if shutil.which("git") is None:
        return unknown
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True)
    if head.returncode != 0:
        return unknown
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=folder, capture_output=True, text=True
    )
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def write_run_record(run_dir, config, seed, packages=("nbformat", "ipykernel")):
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    record = {"config": config, "config_hash": config_hash(config), "seed": seed}
    record["git"] = git_state()
    record["python"] = platform.python_version()
    record["packages"] = {}
    for name in packages:
        try:
            record["packages"][name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            record["packages"][name] = "not installed"
    (run_dir / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True))
    return run_dir / "run.json"


def read_run_record(run_dir):
    path = Path(run_dir) / "run.json"
    check(path.is_file(), f"{path} is missing")
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        fail(f"{path} is malformed: {error}")
    check(isinstance(record, dict), f"{path} is malformed: not a JSON object")
    for name in fields:
        check(name in record, f"{path} is malformed: no {name}")
    check(
        config_hash(record["config"]) == record["config_hash"], f"{path}: config_hash does not match config"
    )
    return record


def rerun_config(run_dir):
    return read_run_record(run_dir)["config"]


record = {"config": {"lr": 0.1}, "seed": 1}
print(config_hash(record["config"]), sys.version_info[:2])
