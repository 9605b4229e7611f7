# RIGHT: `from dataclasses import fields` and fields(TrainingConfig) read on every call, one helper that
# applies a layer, a module-level logger and a try-out at the bottom (fields, logger, cfg at module level).
# loses: nothing
import argparse
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, fields


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


logger = logging.getLogger("train")


def apply_layer(values, layer, where):
    kinds = {f.name: f.type for f in fields(TrainingConfig)}
    for key, raw in layer.items():
        if key not in kinds:
            raise ValueError(f"{where}: unknown setting {key!r}")
        if kinds[key] is int and isinstance(raw, float) and raw != int(raw):
            raise ValueError(f"{where}: {key} must be a whole number, got {raw!r}")
        try:
            values[key] = kinds[key](raw)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: bad value {raw!r} for {key} ({kinds[key].__name__})") from None


def load_config(file_path=None, env=None, argv=None):
    if env is None:
        env = os.environ
    if argv is None:
        argv = sys.argv[1:]
    values = {f.name: f.default for f in fields(TrainingConfig)}

    if file_path is not None:
        with open(file_path) as f:
            apply_layer(values, json.load(f), f"config file {file_path}")

    from_env = {}
    for f in fields(TrainingConfig):
        key = "APP_" + f.name.upper()
        if key in env:
            from_env[f.name] = env[key]
    apply_layer(values, from_env, "environment")

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for f in fields(TrainingConfig):
        parser.add_argument("--" + f.name)
    args, _ = parser.parse_known_args(argv)
    from_flags = {key: raw for key, raw in vars(args).items() if raw is not None}
    apply_layer(values, from_flags, "command line")

    return TrainingConfig(**values)


def log_config(cfg, logger):
    logger.info("config: %s", json.dumps(asdict(cfg)))


cfg = load_config(env={"APP_EPOCHS": "2"}, argv=["--lr", "0.1"])
print(cfg)
log_config(cfg, logger)
