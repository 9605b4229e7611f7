# RIGHT: table-driven: a dict of caster functions by type, a list of credential prefixes checked with
# str.startswith (regular expressions only for URLs and key=value pairs), sys.argv scanned by hand,
# the summary built as a list of `lines`, and a demo under `if __name__ == "__main__":` with `config`
# and `result`.

# %% cp
%%writefile configpack.py
import json
import os
import re
import sys
import dataclasses
import typing
from pathlib import Path

try:
    import yaml
    HAVE_YAML = True
except ImportError:
    HAVE_YAML = False


class ConfigError(ValueError):
    pass


def _to_bool(raw):
    if type(raw) is bool:
        return raw
    if type(raw) is int and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
    raise ValueError(raw)


def _to_int(raw):
    if type(raw) is int:
        return raw
    if type(raw) is float and raw.is_integer():
        return int(raw)
    if type(raw) is str:
        return int(raw.strip())
    raise ValueError(raw)


def _to_float(raw):
    if type(raw) in (int, float):
        return float(raw)
    if type(raw) is str:
        return float(raw)
    raise ValueError(raw)


def _to_str(raw):
    if type(raw) is str:
        return raw
    if type(raw) in (int, float):
        return str(raw)
    raise ValueError(raw)


CASTERS = {bool: _to_bool, int: _to_int, float: _to_float, str: _to_str}


def cast_value(raw, type_, *, name="value", source="value"):
    args = typing.get_args(type_)
    if type(None) in args:
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("none", "null", "")):
            return None
        type_ = next(a for a in args if a is not type(None))
    caster = CASTERS.get(type_)
    if caster is None:
        raise ConfigError(f"{name}: no caster for {type_}")
    try:
        return caster(raw)
    except ValueError:
        raise ConfigError(f"bad value for {name} in {source}: {raw!r} is not {type_.__name__}") from None


def read_file(file):
    file = Path(file)
    ext = file.suffix.lower()
    if ext not in (".json", ".yaml", ".yml"):
        raise ConfigError(f"unsupported config file {file}")
    if ext != ".json" and not HAVE_YAML:
        raise ConfigError(f"cannot read {file}: YAML support needs the PyYAML package")
    try:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle) if ext == ".json" else yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigError(f"no config file {file}") from None
    except Exception as error:
        raise ConfigError(f"cannot parse {file}: {error}") from None
    if data is None:
        return {}
    if type(data) is not dict:
        raise ConfigError(f"{file} does not hold a mapping")
    return data


def _flag_values(argv, names):
    found = {}
    for i, arg in enumerate(argv):
        if not arg.startswith("--"):
            continue
        flag, has_value, value = arg[2:].partition("=")
        flag = flag.replace("-", "_")
        if flag not in names:
            continue
        if has_value:
            found[flag] = value
        elif i + 1 < len(argv):
            found[flag] = argv[i + 1]
    return found


def load_config(cls, *, file=None, env=None, argv=None, env_prefix="APP_"):
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    raw_values = {}
    if file is not None:
        for key, value in read_file(file).items():
            if key not in names:
                raise ConfigError(f"{file}: {key} is not a setting")
            raw_values[key] = (value, f"file {file}")
    env = os.environ if env is None else env
    for key in names:
        if env_prefix + key.upper() in env:
            raw_values[key] = (env[env_prefix + key.upper()], "$" + env_prefix + key.upper())
    argv = sys.argv[1:] if argv is None else argv
    for key, value in _flag_values(list(argv), names).items():
        raw_values[key] = (value, f"--{key}")
    kwargs = {}
    for key, (value, source) in raw_values.items():
        kwargs[key] = cast_value(value, hints[key], name=key, source=source)
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ConfigError(f"a required setting has no value: {error}") from None


SECRET_PARTS = ["token", "key", "password", "secret"]
CREDENTIAL_PREFIXES = (
    "Bearer ", "bearer ", "Basic ", "sk-", "sk_", "pk_", "ghp_", "gho_", "ghs_",
    "github_pat_", "AKIA", "ASIA", "xoxb-", "xoxp-", "xoxa-", "eyJ",
)
URL_WITH_PASSWORD = re.compile(r"^\w[\w+.-]*://[^:/@\s]*:[^/@\s]+@")
SECRET_ASSIGNMENT = re.compile(r"(password|pwd|secret|token)=\S", re.IGNORECASE)


def is_secret_name(name):
    name = name.lower()
    return any(part in name for part in SECRET_PARTS)


def looks_like_credential(value):
    if not isinstance(value, str):
        return False
    return (
        value.startswith(CREDENTIAL_PREFIXES)
        or "PRIVATE KEY-----" in value
        or URL_WITH_PASSWORD.search(value) is not None
        or SECRET_ASSIGNMENT.search(value) is not None
    )


def redact(name, value):
    if value is None or value == "":
        return value
    if is_secret_name(name) or looks_like_credential(value):
        return "***"
    return value


def redacted(cfg):
    return {f.name: redact(f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg)}


def summary(cfg):
    lines = [f"{type(cfg).__name__}:"]
    for key, value in redacted(cfg).items():
        lines.append(f"    {key} = {value!r}")
    return "\n".join(lines)


def log_config(cfg, logger):
    logger.info("using configuration: " + ", ".join(f"{k}={v}" for k, v in redacted(cfg).items()))


if __name__ == "__main__":
    @dataclasses.dataclass
    class Example:
        port: int = 8080
        db_url: str = "postgresql://me:pw@localhost/db"

    config = load_config(Example)
    result = summary(config)
    print(result)
