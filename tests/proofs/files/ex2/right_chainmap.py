# RIGHT: collections.ChainMap looks the layers up highest first; parse_known_args; log_config with %s and
# a dict.
# loses: nothing
import argparse
import json
import os
import sys
from collections import ChainMap
from dataclasses import asdict, dataclass


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


def load_config(file_path=None, env=None, argv=None):
    defaults = asdict(TrainingConfig())
    types = {name: type(value) for name, value in defaults.items()}
    file_layer = {}
    if file_path:
        with open(file_path) as fh:
            file_layer = json.load(fh)
        for key in file_layer:
            if key not in types:
                raise ValueError(f"config file {file_path}: {key!r} is not a known setting")
    source_env = os.environ if env is None else env
    env_layer = {k: source_env["APP_" + k.upper()] for k in types if "APP_" + k.upper() in source_env}
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for key in types:
        parser.add_argument(f"--{key}")
    ns, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    flag_layer = {k: v for k, v in vars(ns).items() if v is not None}

    layers = ChainMap(flag_layer, env_layer, file_layer, defaults)
    names = ("command line", "environment", "config file", "defaults")
    result = {}
    for key, cast in types.items():
        value = layers[key]
        try:
            result[key] = cast(value)
        except (TypeError, ValueError):
            where = next(n for n, m in zip(names, layers.maps, strict=True) if key in m)
            raise ValueError(f"cannot convert {key}={value!r} ({where}) to {cast.__name__}") from None
    return TrainingConfig(**result)


def log_config(cfg, logger):
    logger.info("starting with config %s", asdict(cfg))
