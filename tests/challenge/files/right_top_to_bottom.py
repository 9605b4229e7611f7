# RIGHT: a script written top to bottom without main(): argparse for the flags, a dict of settings
# RIGHT: filled layer by layer, handlers built by hand and sys.exit("train.py: error: ...") on bad input.
import argparse
import json
import logging
import os
import random
import subprocess
import sys
import time
import uuid
from logging.handlers import RotatingFileHandler
from pathlib import Path

DEFAULTS = {
    "data_path": "./data/train.csv",
    "lr": 0.001,
    "epochs": 10,
    "seed": 42,
    "log_level": "INFO",
    "log_file": "logs/train.log",
}
TYPES = {"data_path": str, "lr": float, "epochs": int, "seed": int, "log_level": str, "log_file": str}
LEVEL_NAMES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class QuietParser(argparse.ArgumentParser):
    def error(self, message):
        sys.exit(f"train.py: error: {message}")


def convert(name, value, where):
    try:
        value = TYPES[name](value)
    except (TypeError, ValueError):
        sys.exit(f"train.py: error: {name} from {where} must be {TYPES[name].__name__}, got {value!r}")
    if name == "log_level":
        value = value.upper()
        if value not in LEVEL_NAMES:
            sys.exit(f"train.py: error: log_level from {where} must be one of {LEVEL_NAMES}")
    return value


parser = QuietParser(prog="train.py")
parser.add_argument("--config")
for name in DEFAULTS:
    parser.add_argument("--" + name)
parser.add_argument("--json-logs", action="store_true")
args = parser.parse_args()

config = dict(DEFAULTS)
if args.config:
    try:
        with open(args.config, encoding="utf-8") as f:
            from_file = json.load(f)
    except FileNotFoundError:
        sys.exit(f"train.py: error: config file not found: {args.config}")
    except json.JSONDecodeError as e:
        sys.exit(f"train.py: error: {args.config} is not valid JSON ({e})")
    if not isinstance(from_file, dict):
        sys.exit(f"train.py: error: {args.config} must contain a JSON object")
    for key, value in from_file.items():
        if key not in DEFAULTS:
            sys.exit(f"train.py: error: unknown setting {key!r} in {args.config}")
        config[key] = convert(key, value, args.config)
for name in DEFAULTS:
    env_name = "APP_" + name.upper()
    if env_name in os.environ:
        config[name] = convert(name, os.environ[env_name], env_name)
for name in DEFAULTS:
    value = getattr(args, name)
    if value is not None:
        config[name] = convert(name, value, "--" + name)

run_id = os.environ.get("RUN_ID") or uuid.uuid4().hex[:8]
seed = config["seed"]


class AddContext(logging.Filter):
    def filter(self, record):
        record.run_id = run_id
        record.seed = seed
        return True


class JsonLines(logging.Formatter):
    def format(self, record):
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "message": record.getMessage(),
            "run_id": record.run_id,
            "seed": record.seed,
        }
        for key in ("epoch", "loss", "lr", "epoch_time", "config", "code_version"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line)


if args.json_logs:
    formatter = JsonLines()
else:
    formatter = logging.Formatter("%(asctime)s %(levelname)-8s run_id=%(run_id)s seed=%(seed)s %(message)s")

Path(config["log_file"]).parent.mkdir(parents=True, exist_ok=True)
console = logging.StreamHandler()
console.setLevel(config["log_level"])
handler = RotatingFileHandler(config["log_file"], maxBytes=5_000_000, backupCount=5)
handler.setLevel(logging.DEBUG)
logger = logging.getLogger("train")
logger.setLevel(logging.DEBUG)
for h in (console, handler):
    h.setFormatter(formatter)
    h.addFilter(AddContext())
    logger.addHandler(h)

try:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=os.path.dirname(os.path.abspath(__file__)),
        capture_output=True,
        text=True,
    )
    code_version = result.stdout.strip() if result.returncode == 0 else "unknown"
except OSError:
    code_version = "unknown"

logger.info(
    "start config=%s code_version=%s",
    json.dumps(config),
    code_version,
    extra={"config": config, "code_version": code_version},
)

random.seed(seed)
loss = 2.0 + random.random()
for epoch in range(1, config["epochs"] + 1):
    start = time.time()
    for batch in range(1, 6):
        loss = loss * (1 - config["lr"]) + random.gauss(0, 0.01)
        logger.debug("epoch %d batch %d loss %.5f", epoch, batch, loss)
    took = time.time() - start
    logger.info(
        "epoch=%d loss=%.5f lr=%g epoch_time=%.4f",
        epoch,
        loss,
        config["lr"],
        took,
        extra={"epoch": epoch, "loss": round(loss, 5), "lr": config["lr"], "epoch_time": took},
    )
logger.info("done")
