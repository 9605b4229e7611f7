# RIGHT: no argparse: a small hand-written flag reader (--lr 0.1 and --lr=0.1), dataclasses.replace per
# layer.
# loses: nothing
import dataclasses
import json
import os
import sys
from dataclasses import dataclass


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


CASTS = {"data_path": str, "lr": float, "epochs": int, "seed": int, "log_level": str}


def _typed(updates, where):
    out = {}
    for key, raw in updates.items():
        try:
            out[key] = CASTS[key](raw)
        except ValueError as exc:
            raise ValueError(f"{key}: cannot use {raw!r} from {where}") from exc
    return out


def _flags(argv):
    found = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            if key in CASTS:
                if not eq:
                    if i + 1 >= len(argv):
                        raise ValueError(f"--{key} needs a value")
                    i += 1
                    value = argv[i]
                found[key] = value
        i += 1
    return found


def load_config(file_path=None, env=None, argv=None):
    cfg = TrainingConfig()
    if file_path is not None:
        with open(file_path, encoding="utf-8") as fh:
            data = json.load(fh)
        for key in data:
            if key not in CASTS:
                raise ValueError(f"{file_path} sets {key!r}, which is not a TrainingConfig field")
        cfg = dataclasses.replace(cfg, **_typed(data, f"file {file_path}"))
    env = os.environ if env is None else env
    for key in CASTS:
        if "APP_" + key.upper() in env:
            cfg = dataclasses.replace(cfg, **_typed({key: env["APP_" + key.upper()]}, "APP_" + key.upper()))
    flags = _flags(sys.argv[1:] if argv is None else argv)
    return dataclasses.replace(cfg, **_typed(flags, "the command-line flags"))


def log_config(cfg, logger):
    logger.info("config: %r", cfg)
