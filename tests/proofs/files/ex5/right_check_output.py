# RIGHT: subprocess.check_output with git -C, leaving git's own "fatal: not a git repository" on the
# console; json.dumps(sort_keys=True) without separators; a record built in one dict literal; it tries its
# functions on a config named config and keeps the hash in result.
# loses: nothing
import hashlib
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version


class RecordError(ValueError):
    """A run record that cannot be trusted: missing, malformed, or its config does not match its hash."""


def config_hash(config):
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def git_state(folder="."):
    try:
        commit = subprocess.check_output(["git", "-C", str(folder), "rev-parse", "HEAD"], text=True).strip()
        status = subprocess.check_output(["git", "-C", str(folder), "status", "--porcelain"], text=True)
    except (FileNotFoundError, subprocess.CalledProcessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": commit, "dirty": status != ""}


def package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def write_run_record(run_dir, config, seed, packages=("nbformat", "ipykernel")):
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, "run.json")
    with open(path, "w") as f:
        json.dump(
            {
                "config": config,
                "config_hash": config_hash(config),
                "git": git_state(),
                "python": platform.python_version(),
                "packages": {name: package_version(name) for name in packages},
                "seed": seed,
            },
            f,
            indent=2,
        )
    return path


def read_run_record(run_dir):
    path = os.path.join(run_dir, "run.json")
    if not os.path.exists(path):
        raise RecordError(f"no run.json in {run_dir}")
    with open(path) as f:
        try:
            result = json.load(f)
        except json.JSONDecodeError as e:
            raise RecordError(f"{path} is not valid JSON: {e}") from e
    if not isinstance(result, dict) or "config" not in result or "config_hash" not in result:
        raise RecordError(f"{path} is malformed: config or config_hash missing")
    if config_hash(result["config"]) != result["config_hash"]:
        raise RecordError(f"{path} was tampered with: config_hash does not match the config")
    return result


def rerun_config(run_dir):
    return read_run_record(run_dir)["config"]


config = {"lr": 0.001, "epochs": 3}
result = config_hash(config)
print(result, git_state())
