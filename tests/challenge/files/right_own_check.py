# RIGHT: its own check() and fail() helpers for the settings, argparse with exit_on_error=False and
# RIGHT: typed flags, logging.basicConfig(handlers=[...]) with a filter on each handler, secrets for run_id.
import argparse
import json
import logging
import os
import random
import secrets
import subprocess
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

MC_DEFAULTS = {
    "data_path": ("./data/train.csv", str),
    "lr": (0.001, float),
    "epochs": (10, int),
    "seed": (42, int),
    "log_level": ("INFO", str),
    "log_file": ("logs/train.log", str),
}

logger = logging.getLogger("train")


def fail(message):
    print(f"train.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def check(condition, message):
    if not condition:
        fail(message)


def typed(name, value, origin):
    kind = MC_DEFAULTS[name][1]
    try:
        value = kind(value)
    except (TypeError, ValueError):
        fail(f"{origin}: {name} should be {kind.__name__}, not {value!r}")
    if name == "log_level":
        value = value.upper()
        check(
            value in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), f"{origin}: unknown log_level {value}"
        )
    return value


def read_settings():
    parser = argparse.ArgumentParser(prog="train.py", exit_on_error=False)
    parser.add_argument("--config")
    parser.add_argument("--json-logs", action="store_true")
    for name, (_, kind) in MC_DEFAULTS.items():
        parser.add_argument("--" + name, type=kind)
    try:
        flags, unknown = parser.parse_known_args()
    except argparse.ArgumentError as error:
        fail(error)
    check(not unknown, f"unrecognized arguments: {' '.join(unknown)}")

    settings = {name: default for name, (default, _) in MC_DEFAULTS.items()}
    if flags.config:
        check(os.path.isfile(flags.config), f"config file not found: {flags.config}")
        try:
            from_file = json.loads(Path(flags.config).read_text())
        except ValueError as error:
            fail(f"cannot parse {flags.config}: {error}")
        check(isinstance(from_file, dict), f"{flags.config} must hold a JSON object")
        for name, value in from_file.items():
            check(name in MC_DEFAULTS, f"{flags.config}: unknown key {name!r}")
            settings[name] = typed(name, value, flags.config)
    for name in MC_DEFAULTS:
        if "APP_" + name.upper() in os.environ:
            settings[name] = typed(name, os.environ["APP_" + name.upper()], "APP_" + name.upper())
    for name in MC_DEFAULTS:
        if getattr(flags, name) is not None:
            settings[name] = typed(name, getattr(flags, name), "--" + name)
    return settings, flags.json_logs


class Stamp(logging.Filter):
    def __init__(self, run_id, seed):
        super().__init__()
        self.run_id = run_id
        self.seed = seed

    def filter(self, record):
        record.run_id = self.run_id
        record.seed = self.seed
        return True


class JsonFormatter(logging.Formatter):
    extras = ("config", "code_version", "epoch", "loss", "lr", "epoch_time")

    def format(self, record):
        fields = {"level": record.levelname, "message": record.getMessage()}
        fields.update(run_id=record.run_id, seed=record.seed, time=self.formatTime(record))
        fields.update({key: getattr(record, key) for key in self.extras if hasattr(record, key)})
        return json.dumps(fields)


def start_logging(settings, run_id, as_json):
    Path(settings["log_file"]).parent.mkdir(parents=True, exist_ok=True)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(settings["log_level"])
    to_file = RotatingFileHandler(settings["log_file"], maxBytes=10_000_000, backupCount=2)
    to_file.setLevel("DEBUG")
    text = logging.Formatter("%(asctime)s | %(levelname)s | run_id=%(run_id)s seed=%(seed)s | %(message)s")
    for handler in (console, to_file):
        handler.addFilter(Stamp(run_id, settings["seed"]))
        handler.setFormatter(JsonFormatter() if as_json else text)
    logging.basicConfig(level=logging.DEBUG, handlers=[console, to_file])


def commit_sha():
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).resolve().parent
        )
    except FileNotFoundError:
        return "unknown"
    return result.stdout.strip() or "unknown"


def train(settings):
    rng = random.Random(settings["seed"])
    weight = rng.gauss(0, 1)
    history = []
    for epoch in range(1, settings["epochs"] + 1):
        began = time.perf_counter()
        batch_losses = []
        for batch in range(4):
            x = rng.uniform(-2, 2)
            error = weight * x - 2 * x
            weight -= settings["lr"] * 2 * error * x
            batch_losses.append(error**2)
            logger.debug("batch %d: loss %.6f", batch, error**2)
        loss = sum(batch_losses) / len(batch_losses)
        duration = time.perf_counter() - began
        logger.info(
            "epoch=%d loss=%.6f lr=%s epoch_time=%.5f",
            epoch,
            loss,
            settings["lr"],
            duration,
            extra={"epoch": epoch, "loss": loss, "lr": settings["lr"], "epoch_time": duration},
        )
        history.append(loss)
    return history


if __name__ == "__main__":
    cfg, json_logs = read_settings()
    start_logging(cfg, os.environ.get("RUN_ID") or secrets.token_hex(6), json_logs)
    version = commit_sha()
    logger.info(
        "config=%s code_version=%s", json.dumps(cfg), version, extra={"config": cfg, "code_version": version}
    )
    result = train(cfg)
    logger.info("finished after %d epochs, final loss %.6f", len(result), result[-1])
