# RIGHT: a short module in plain names, the way a first version is written: `from dataclasses import
# fields`, PyYAML imported inside the file reader only when a YAML file is read, flags parsed by hand,
# and a demo at the bottom under `if __name__ == "__main__":` that binds `cfg`, `name` and `value`.

# %% cp
%%writefile configpack.py
import json
import os
import re
import sys
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from types import UnionType
from typing import Union, get_args, get_origin, get_type_hints


class ConfigError(ValueError):
    pass


def cast_value(raw, type_, *, name="value", source="value"):
    optional = False
    if get_origin(type_) in (Union, UnionType):
        args = [a for a in get_args(type_) if a is not type(None)]
        optional = len(args) < len(get_args(type_))
        type_ = args[0]
    if optional and (raw is None or (isinstance(raw, str) and raw.strip().lower() in ("none", "null", ""))):
        return None
    problem = ConfigError(f"{name}={raw!r} from {source} is not a valid {type_.__name__}")
    if type_ is bool:
        if isinstance(raw, str):
            word = raw.strip().lower()
            if word in ("true", "1", "yes"):
                return True
            if word in ("false", "0", "no"):
                return False
        elif raw in (0, 1) and isinstance(raw, int):
            return bool(raw)
        raise problem
    if isinstance(raw, bool):
        raise problem
    if type_ is int:
        if isinstance(raw, float) and raw == int(raw):
            return int(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+\s*", raw):
            return int(raw)
        raise problem
    if type_ is float:
        if isinstance(raw, (int, float)):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw)
            except ValueError:
                raise problem from None
        raise problem
    if type_ is str:
        if isinstance(raw, str):
            return raw
        if isinstance(raw, (int, float)):
            return str(raw)
        raise problem
    raise ConfigError(f"{name}: type {type_} is not supported")


def read_file(path):
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    text = path.read_text()
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: bad JSON ({e})") from None
    elif path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{path}: YAML files need PyYAML, install it with pip install pyyaml") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ConfigError(f"{path}: bad YAML ({e})") from None
    else:
        raise ConfigError(f"{path}: only .json, .yaml and .yml files are supported")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} should contain a mapping")
    return data


def parse_flags(argv):
    flags = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("--"):
            continue
        key = arg[2:]
        if "=" in key:
            key, val = key.split("=", 1)
        elif i < len(argv):
            val = argv[i]
            i += 1
        else:
            continue
        flags[key.replace("-", "_")] = val
    return flags


def load_config(cls, *, file=None, env=None, argv=None, env_prefix="APP_"):
    if not is_dataclass(cls):
        raise TypeError("load_config needs a dataclass")
    types = get_type_hints(cls)
    values = {}
    for f in fields(cls):
        if f.default is not MISSING:
            values[f.name] = f.default
        elif f.default_factory is not MISSING:
            values[f.name] = f.default_factory()
    known = [f.name for f in fields(cls)]
    if file is not None:
        for key, raw in read_file(file).items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r} in {file}")
            values[key] = cast_value(raw, types[key], name=key, source=str(file))
    if env is None:
        env = os.environ
    for key in known:
        var = env_prefix + key.upper()
        if var in env:
            values[key] = cast_value(env[var], types[key], name=key, source="$" + var)
    flags = parse_flags(sys.argv[1:] if argv is None else list(argv))
    for key in known:
        if key in flags:
            values[key] = cast_value(flags[key], types[key], name=key, source="--" + key)
    missing = [key for key in known if key not in values]
    if missing:
        raise ConfigError(f"missing required setting(s): {missing}")
    return cls(**values)


SECRET_WORDS = ("token", "key", "password", "secret")
CREDENTIALS = [
    re.compile(r"^(Bearer|Basic|Token) \S+", re.I),
    re.compile(r"^(sk|pk|rk)[-_]\w"),
    re.compile(r"^(ghp|gho|ghs|ghu|ghr)_\w+"),
    re.compile(r"^AKIA[A-Z0-9]{16}$"),
    re.compile(r"^xox[a-z]-"),
    re.compile(r"^eyJ[\w-]+\.[\w-]+\.[\w-]+$"),
    re.compile(r"PRIVATE KEY-----"),
    re.compile(r"(password|passwd|pwd|secret|token)=\S+", re.I),
    re.compile(r"://[^/@\s]*:[^/@\s]+@"),
]


def is_secret_name(name):
    return any(word in name.lower() for word in SECRET_WORDS)


def looks_like_credential(value):
    return isinstance(value, str) and any(p.search(value) for p in CREDENTIALS)


def redact(name, value):
    if value is None or value == "":
        return value
    if is_secret_name(name) or looks_like_credential(value):
        return "***"
    return value


def redacted(cfg):
    return {f.name: redact(f.name, getattr(cfg, f.name)) for f in fields(cfg)}


def summary(cfg):
    return "\n".join(f"{key}: {val}" for key, val in redacted(cfg).items())


def log_config(cfg, logger):
    logger.info("config: %s", redacted(cfg))


if __name__ == "__main__":
    from dataclasses import dataclass

    @dataclass
    class Demo:
        lr: float = 0.001
        api_key: str = "sk-live-0123456789"

    cfg = load_config(Demo)
    for name, value in redacted(cfg).items():
        print(name, "=", value)
