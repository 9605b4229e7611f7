# WRONG: `if value:` decides whether a layer sets a field, so 0, 0.0 and "" are dropped.
# loses: ex2_falsy_values
import argparse
import dataclasses
import json
import os
import sys
import typing
from dataclasses import dataclass


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


def load_config(file_path=None, env=None, argv=None):
    """Defaults < JSON file < APP_* environment variables < command-line flags; a new TrainingConfig."""
    env = os.environ if env is None else env
    argv = sys.argv[1:] if argv is None else argv
    types = typing.get_type_hints(TrainingConfig)

    def cast(name, raw, source):
        try:
            return types[name](raw)
        except (TypeError, ValueError):
            raise ValueError(
                f"{source}: {raw!r} is not a valid {name} (expected {types[name].__name__})"
            ) from None

    values = {}
    if file_path is not None:
        with open(file_path, encoding="utf-8") as fh:  # a missing file raises FileNotFoundError
            from_file = json.load(fh)
        if not isinstance(from_file, dict):
            raise ValueError(f"{file_path}: expected a JSON object, got {type(from_file).__name__}")
        for name, raw in from_file.items():
            if name not in types:
                raise ValueError(f"{file_path}: unknown key {name!r} (fields: {', '.join(types)})")
            if raw:
                values[name] = cast(name, raw, f"file {file_path}")
    for name in types:
        variable = "APP_" + name.upper()
        if env.get(variable):
            values[name] = cast(name, env[variable], f"environment variable {variable}")
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in types:
        parser.add_argument(f"--{name}")  # kept as strings: cast() words the error
    flags, _others = parser.parse_known_args(argv)
    for name, raw in vars(flags).items():
        value = cast(name, raw, f"command-line flag --{name}") if raw is not None else None
        if value:
            values[name] = value
    return TrainingConfig(**values)


def log_config(cfg, logger):
    """Log every field of cfg and its value as one INFO record through logger."""
    logger.info("config %s", json.dumps(dataclasses.asdict(cfg), sort_keys=True))
