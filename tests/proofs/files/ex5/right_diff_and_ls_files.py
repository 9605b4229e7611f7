# RIGHT: the dirty flag from `git diff --quiet HEAD` (edited or staged) plus `git ls-files --others
# --exclude-standard` (new, not ignored); a logger named logger warns when git cannot tell; the hash of
# canonical bytes; a Path named path, the config it tries named cfg and an output it prints named output.
# loses: nothing
import hashlib
import json
import logging
import subprocess
import sys
from importlib import metadata
from pathlib import Path

logger = logging.getLogger("runrecord")


class RecordError(ValueError):
    pass


def config_hash(config):
    data = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def _git(folder, *args):
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)


def git_state(folder="."):
    try:
        head = _git(folder, "rev-parse", "HEAD")
    except OSError:
        logger.warning("git is not installed: code version unknown")
        return {"commit": "unknown", "dirty": None}
    if head.returncode != 0:
        logger.warning("%s is not in a git repository: code version unknown", folder)
        return {"commit": "unknown", "dirty": None}
    changed = _git(folder, "diff", "--quiet", "HEAD").returncode != 0
    new_files = _git(folder, "ls-files", "--others", "--exclude-standard").stdout.strip() != ""
    return {"commit": head.stdout.strip(), "dirty": changed or new_files}


def write_run_record(run_dir, config, seed, packages=("nbformat", "ipykernel")):
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    v = sys.version_info
    record = dict(
        config=config,
        config_hash=config_hash(config),
        git=git_state(),
        python=f"{v.major}.{v.minor}.{v.micro}",
        packages=versions,
        seed=seed,
    )
    path = Path(run_dir, "run.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1)
    return path


def read_run_record(run_dir):
    path = Path(run_dir, "run.json")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        stored, config = record["config_hash"], record["config"]
    except FileNotFoundError:
        raise RecordError(f"missing: {path} does not exist") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordError(f"malformed record {path}: {exc!r}") from None
    if config_hash(config) != stored:
        raise RecordError(f"{path}: hash mismatch, the config was changed after the run")
    return record


def rerun_config(run_dir):
    return read_run_record(run_dir)["config"]


cfg = {"lr": 0.01, "model": {"depth": 2}}
output = config_hash(cfg)
print(output)
