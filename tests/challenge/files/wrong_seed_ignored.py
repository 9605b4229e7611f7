# mistake: the generator is seeded with a constant, not the configured seed: every seed gives the same losses
# loses points on: mc_deterministic
"""train.py: a tiny training run with layered configuration and structured logs.

    python train.py [--config FILE] [--epochs N] [--lr X] [--seed N] [--data_path P]
                    [--log_level L] [--log_file F] [--json-logs]

Settings, highest precedence first: command-line flags > APP_* environment variables
> JSON config file > defaults.  INFO and above go to the console (stderr), DEBUG and above
to a rotating log file; every line carries the run_id and the seed.
"""

import argparse
import json
import logging
import logging.config
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path

log = logging.getLogger("train")

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass
class Config:
    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"
    log_file: str = "logs/train.log"


FIELD_TYPES = {f.name: f.type for f in fields(Config)}
TYPE_NAMES = {int: "an integer", float: "a number", str: "a string"}


class ConfigError(Exception):
    """A configuration problem, reported to the user as a one-line error."""


class Parser(argparse.ArgumentParser):
    """argparse prints a usage block and exits on errors; we want one line and our own exit."""

    def error(self, message):
        raise ConfigError(message)


def cast(name, raw, source):
    """Convert ``raw`` to the type of the field ``name``; the error names the field and the source."""
    wanted = FIELD_TYPES[name]
    try:
        if isinstance(raw, bool) or (wanted is int and isinstance(raw, float)):
            raise ValueError
        value = wanted(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} from {source} must be {TYPE_NAMES[wanted]}, got {raw!r}") from None
    if name == "log_level":
        value = value.upper()
        if value not in LEVELS:
            raise ConfigError(f"log_level from {source} must be one of {', '.join(LEVELS)}, got {raw!r}")
    return value


def read_config_file(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    return data


def load_config(argv, environ):
    """Return (Config, json_logs): defaults < config file < APP_* environment < CLI flags."""
    parser = Parser(prog="train.py", description="Train a tiny model with well-behaved logs.")
    parser.add_argument("--config", help="JSON file with settings")
    for name in FIELD_TYPES:
        parser.add_argument(f"--{name}")  # cast below, so every source is checked the same way
    parser.add_argument("--json-logs", action="store_true", help="one JSON object per log line")
    args = parser.parse_args(argv)

    values = asdict(Config())
    if args.config is not None:
        for key, raw in read_config_file(args.config).items():
            if key not in values:
                raise ConfigError(f"unknown setting {key!r} in config file {args.config}")
            values[key] = cast(key, raw, f"config file {args.config}")
    for name in values:
        env_name = f"APP_{name.upper()}"
        if env_name in environ:  # `in`, not truthiness: APP_SEED=0 is a setting
            values[name] = cast(name, environ[env_name], f"environment variable {env_name}")
    for name in values:
        raw = getattr(args, name)
        if raw is not None:
            values[name] = cast(name, raw, f"--{name}")
    return Config(**values), args.json_logs


def code_version():
    """The git commit of the folder this script lives in, or "unknown"."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    sha = result.stdout.strip()
    return sha if result.returncode == 0 and sha else "unknown"


class RunContext(logging.Filter):
    """Stamp run_id and seed on every record that reaches a handler."""

    def __init__(self, run_id, seed):
        super().__init__()
        self.run_id, self.seed = run_id, seed

    def filter(self, record):
        record.run_id, record.seed = self.run_id, self.seed
        return True


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: the standard fields plus everything passed in ``extra``."""

    def format(self, record):
        payload = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS:
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def setup_logging(cfg, run_id, json_logs):
    Path(cfg.log_file).parent.mkdir(parents=True, exist_ok=True)
    context = "run_id=%(run_id)s seed=%(seed)s"
    if json_logs:
        formatters = {"console": {"()": JsonFormatter}, "file": {"()": JsonFormatter}}
    else:
        formatters = {
            "console": {"format": f"%(levelname)s {context} %(name)s: %(message)s"},
            "file": {"format": f"%(asctime)s %(levelname)s {context} %(name)s: %(message)s"},
        }
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"run_context": {"()": RunContext, "run_id": run_id, "seed": cfg.seed}},
            "formatters": formatters,
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "level": cfg.log_level,
                    "formatter": "console",
                    "filters": ["run_context"],
                },
                "file": {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": cfg.log_file,
                    "maxBytes": 1_000_000,
                    "backupCount": 3,
                    "encoding": "utf-8",
                    "level": "DEBUG",
                    "formatter": "file",
                    "filters": ["run_context"],
                },
            },
            "root": {"level": "DEBUG", "handlers": ["console", "file"]},
        }
    )


def train(cfg):
    """Fit y = 3x + 1 by mini-batch gradient descent on data drawn from the seeded generator."""
    rng = random.Random(1234)
    data = [(x, 3.0 * x + 1.0 + rng.gauss(0.0, 0.1)) for x in (rng.uniform(-1, 1) for _ in range(64))]
    w, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
    batch_size = 16
    for epoch in range(1, cfg.epochs + 1):
        started = time.perf_counter()
        rng.shuffle(data)
        total = 0.0
        for start in range(0, len(data), batch_size):
            batch = data[start : start + batch_size]
            errors = [(w * x + b - y, x) for x, y in batch]
            batch_loss = sum(e * e for e, _ in errors) / len(batch)
            w -= cfg.lr * 2 * sum(e * x for e, x in errors) / len(batch)
            b -= cfg.lr * 2 * sum(e for e, _ in errors) / len(batch)
            total += batch_loss * len(batch)
            log.debug("epoch=%d batch=%d batch_loss=%.6f", epoch, start // batch_size + 1, batch_loss)
        loss = total / len(data)
        elapsed = time.perf_counter() - started
        log.info(
            "epoch=%d loss=%.6f lr=%s epoch_time=%.6f",
            epoch,
            loss,
            cfg.lr,
            elapsed,
            extra={"epoch": epoch, "loss": round(loss, 6), "lr": cfg.lr, "epoch_time": elapsed},
        )
    return w, b


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    try:
        cfg, json_logs = load_config(sys.argv[1:] if argv is None else argv, environ)
    except ConfigError as exc:
        print(f"train.py: error: {exc}", file=sys.stderr)
        return 2
    run_id = environ.get("RUN_ID") or uuid.uuid4().hex[:12]
    try:
        setup_logging(cfg, run_id, json_logs)
    except (OSError, ValueError) as exc:
        print(f"train.py: error: cannot set up logging: {exc}", file=sys.stderr)
        return 2
    version = code_version()
    log.info(
        "starting run: config=%s code_version=%s",
        json.dumps(asdict(cfg)),
        version,
        extra={"config": asdict(cfg), "code_version": version},
    )
    log.debug("python=%s argv=%s", sys.version.split()[0], sys.argv)
    w, b = train(cfg)
    log.info("finished: w=%.4f b=%.4f", w, b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
