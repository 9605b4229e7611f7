# RIGHT: a dataclass and functions, one dictConfig with a TimedRotatingFileHandler (midnight), a log
# RIGHT: record factory that stamps run_id and seed, and a run_id made of the start time to the microsecond.
import argparse
import dataclasses
import json
import logging
import logging.config
import os
import random
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Config:
    data_path: str = "./data/train.csv"
    lr: float = 0.001
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"
    log_file: str = "logs/train.log"


class BadConfig(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise BadConfig(message)


def parse(setting, raw, source):
    kind = {f.name: f.type for f in dataclasses.fields(Config)}[setting]
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise BadConfig(f"bad value {raw!r} for {setting} ({source})") from None
    if setting == "log_level":
        value = value.upper()
        if value not in logging.getLevelNamesMapping():
            raise BadConfig(f"bad value {raw!r} for log_level ({source})")
    return value


def get_config(argv):
    parser = Parser(prog="train.py")
    parser.add_argument("--config")
    parser.add_argument("--json-logs", action="store_true")
    for f in dataclasses.fields(Config):
        parser.add_argument(f"--{f.name}")
    opts = parser.parse_args(argv)

    cfg = Config()
    if opts.config is not None:
        path = Path(opts.config)
        if not path.exists():
            raise BadConfig(f"config file not found: {path}")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise BadConfig(f"{path}: invalid JSON: {err}") from None
        for setting, raw in data.items():
            if not hasattr(cfg, setting):
                raise BadConfig(f"{path}: unknown setting {setting}")
            setattr(cfg, setting, parse(setting, raw, path))
    for f in dataclasses.fields(Config):
        if f"APP_{f.name.upper()}" in os.environ:
            setattr(cfg, f.name, parse(f.name, os.environ[f"APP_{f.name.upper()}"], "environment"))
        if getattr(opts, f.name) is not None:
            setattr(cfg, f.name, parse(f.name, getattr(opts, f.name), "command line"))
    return cfg, opts.json_logs


class Json(logging.Formatter):
    skip = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}

    def format(self, record):
        out = {"asctime": self.formatTime(record), "level": record.levelname, "message": record.getMessage()}
        out.update({k: v for k, v in record.__dict__.items() if k not in self.skip})
        return json.dumps(out)


def configure_logging(cfg, run_id, json_logs):
    old_factory = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = old_factory(*args, **kwargs)
        record.run_id = run_id
        record.seed = cfg.seed
        return record

    logging.setLogRecordFactory(factory)
    os.makedirs(os.path.dirname(cfg.log_file) or ".", exist_ok=True)
    text = {"format": "[%(levelname)s] %(asctime)s run_id=%(run_id)s seed=%(seed)s | %(message)s"}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"main": {"()": Json} if json_logs else text},
            "handlers": {
                "console": {"class": "logging.StreamHandler", "level": cfg.log_level, "formatter": "main"},
                "file": {
                    "class": "logging.handlers.TimedRotatingFileHandler",
                    "filename": cfg.log_file,
                    "when": "midnight",
                    "backupCount": 7,
                    "level": "DEBUG",
                    "formatter": "main",
                },
            },
            "root": {"level": "DEBUG", "handlers": ["console", "file"]},
        }
    )


def git_commit():
    try:
        return subprocess.check_output(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, stderr=subprocess.DEVNULL, text=True
        ).strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def fit(cfg):
    rng = random.Random(cfg.seed)
    loss = rng.uniform(1.0, 3.0)
    for epoch in range(1, cfg.epochs + 1):
        t0 = time.monotonic()
        for step in range(8):
            loss = max(0.0, loss - cfg.lr * rng.random() + rng.gauss(0, 0.001))
            logger.debug("step %d of epoch %d: loss %.6f", step, epoch, loss)
        seconds = time.monotonic() - t0
        logger.info(
            f"epoch={epoch} loss={loss:.6f} lr={cfg.lr} epoch_time={seconds:.6f}",
            extra={"epoch": epoch, "loss": loss, "lr": cfg.lr, "epoch_time": seconds},
        )
    return loss


def main():
    try:
        cfg, json_logs = get_config(sys.argv[1:])
    except BadConfig as err:
        print(f"train.py: error: {err}", file=sys.stderr)
        return 2
    run_id = os.environ.get("RUN_ID") or datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    configure_logging(cfg, run_id, json_logs)
    commit = git_commit()
    settings = dataclasses.asdict(cfg)
    logger.info(
        f"config={json.dumps(settings)} code_version={commit}",
        extra={"config": settings, "code_version": commit},
    )
    fit(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
