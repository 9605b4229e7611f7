# RIGHT: its own helpers named check() (cast one value) and fail() (raise ValueError), the env it tries
# the function with named sandbox, and its own ex2_trial() that calls load_config on it.
# loses: nothing
import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


def fail(message):
    raise ValueError(message)


def check(name, raw, where):
    """raw as the type of the field name, or a ValueError that says which field and where."""
    if name not in TrainingConfig.__annotations__:
        fail(f"{where}: {name!r} is not a field of TrainingConfig")
    kind = TrainingConfig.__annotations__[name]
    if kind is int and isinstance(raw, float) and not raw.is_integer():
        fail(f"{where}: {name}={raw!r} is not a whole number")
    try:
        return kind(raw)
    except (TypeError, ValueError):
        fail(f"{where}: cannot read {name}={raw!r} as {kind.__name__}")


def load_config(file_path=None, env=None, argv=None):
    env = os.environ if env is None else env
    argv = sys.argv[1:] if argv is None else argv
    settings = asdict(TrainingConfig())
    if file_path is not None:
        with open(file_path) as fh:
            data = json.load(fh)
        for name, raw in data.items():
            settings[name] = check(name, raw, f"file {file_path}")
    for name in list(settings):
        if f"APP_{name.upper()}" in env:
            settings[name] = check(name, env[f"APP_{name.upper()}"], f"env APP_{name.upper()}")
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in settings:
        parser.add_argument(f"--{name}", default=None)
    known, _rest = parser.parse_known_args(argv)
    for name, raw in vars(known).items():
        if raw is not None:
            settings[name] = check(name, raw, f"flag --{name}")
    return TrainingConfig(**settings)


def log_config(cfg, logger):
    logger.info("config %r", asdict(cfg))


sandbox = {"APP_LR": "0.5", "APP_EPOCHS": "0"}


def ex2_trial(*flags):
    return load_config(env=sandbox, argv=list(flags))


print(ex2_trial("--seed", "1"))
