# RIGHT: the layers are merged as dictionaries ({**defaults, **file, **env, **flags}) and cast in one
# place at the end.
# loses: nothing
import argparse
import json
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


FIELD_TYPES = {f.name: f.type for f in fields(TrainingConfig)}


def load_config(file_path=None, env=None, argv=None):
    env = os.environ if env is None else env
    argv = sys.argv[1:] if argv is None else argv

    from_file = {}
    if file_path is not None:
        with open(file_path) as fh:
            from_file = json.load(fh)
        unknown = sorted(set(from_file) - set(FIELD_TYPES))
        if unknown:
            raise ValueError(f"unknown setting(s) in {file_path}: {', '.join(unknown)}")

    from_env = {name: env[f"APP_{name.upper()}"] for name in FIELD_TYPES if f"APP_{name.upper()}" in env}

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in FIELD_TYPES:
        parser.add_argument("--" + name, dest=name, default=None)
    known, _ = parser.parse_known_args(argv)
    from_flags = {k: v for k, v in vars(known).items() if v is not None}

    origin = {}
    for label, layer in (("config file", from_file), ("environment", from_env), ("command line", from_flags)):
        for name in layer:
            origin[name] = label
    merged = {**from_file, **from_env, **from_flags}

    typed = {}
    for name, raw in merged.items():
        try:
            typed[name] = FIELD_TYPES[name](raw)
        except ValueError:
            raise ValueError(f"bad value {raw!r} for {name} from the {origin[name]}") from None
    return TrainingConfig(**typed)


def log_config(cfg, logger):
    logger.info("effective configuration: " + " ".join(f"{k}={v}" for k, v in asdict(cfg).items()))
