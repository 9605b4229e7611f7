# RIGHT: a cast table built at module level in a loop, `from os import path` for the file name,
# dataclasses.replace once per layer, and a try-out at the bottom (config, path, name, value, result).
# loses: nothing
import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, replace
from os import path


@dataclass
class TrainingConfig:
    """Settings of one training run (the defaults are the lowest layer)."""

    data_path: str = "./data/train.csv"
    lr: float = 1e-3
    epochs: int = 10
    seed: int = 42
    log_level: str = "INFO"


casts = {}
for name, value in asdict(TrainingConfig()).items():
    casts[name] = type(value)


def convert(layer, where):
    out = {}
    for name, value in layer.items():
        if name not in casts:
            raise ValueError(f"{name!r} in {where} is not a setting; known: {sorted(casts)}")
        try:
            if casts[name] is int and isinstance(value, float) and value % 1:
                raise ValueError
            out[name] = casts[name](value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}={value!r} from {where} is not a {casts[name].__name__}") from None
    return out


def load_config(file_path=None, env=None, argv=None):
    config = TrainingConfig()
    if file_path is not None:
        with open(path.expanduser(file_path)) as f:
            config = replace(config, **convert(json.load(f), f"the file {file_path}"))
    env = os.environ if env is None else env
    from_env = {name: env["APP_" + name.upper()] for name in casts if "APP_" + name.upper() in env}
    config = replace(config, **convert(from_env, "env"))
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in casts:
        parser.add_argument("--" + name)
    flags, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    from_flags = {name: value for name, value in vars(flags).items() if value is not None}
    return replace(config, **convert(from_flags, "the command line flags"))


def log_config(cfg, logger):
    logger.info("configuration: " + ", ".join(f"{name}={value!r}" for name, value in asdict(cfg).items()))


result = load_config(env={"APP_SEED": "0"}, argv=["--epochs", "3"])
for name, value in asdict(result).items():
    print(name, "=", value)
