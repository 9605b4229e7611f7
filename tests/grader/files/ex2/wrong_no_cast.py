# WRONG: values are stored as they come: environment variables and flags stay strings.
# loses: ex2_each_layer, ex2_precedence, ex2_type_casts, ex2_falsy_values, ex2_bad_values,
# loses: ex2_real_sources
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
        return raw

    values = {}
    if file_path is not None:
        with open(file_path, encoding="utf-8") as fh:  # a missing file raises FileNotFoundError
            from_file = json.load(fh)
        if not isinstance(from_file, dict):
            raise ValueError(f"{file_path}: expected a JSON object, got {type(from_file).__name__}")
        for name, raw in from_file.items():
            if name not in types:
                raise ValueError(f"{file_path}: unknown key {name!r} (fields: {', '.join(types)})")
            values[name] = cast(name, raw, f"file {file_path}")
    for name in types:
        variable = "APP_" + name.upper()
        if variable in env:
            values[name] = cast(name, env[variable], f"environment variable {variable}")
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in types:
        parser.add_argument(f"--{name}")  # kept as strings: cast() words the error
    flags, _others = parser.parse_known_args(argv)
    for name, raw in vars(flags).items():
        if raw is not None:
            values[name] = cast(name, raw, f"command-line flag --{name}")
    return TrainingConfig(**values)


def log_config(cfg, logger):
    """Log every field of cfg and its value as one INFO record through logger."""
    logger.info("config %s", json.dumps(dataclasses.asdict(cfg), sort_keys=True))
