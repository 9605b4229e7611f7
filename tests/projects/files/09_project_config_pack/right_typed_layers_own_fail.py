# RIGHT: a typed module with `from __future__ import annotations` and a dataclass of its own (each
# source is a `Layer`), a module-level `logger`, a `fail(...)` helper that raises ConfigError (the
# checks' own name) and a `CP_PREFIX` constant (the notebook's prefix); flags read with argparse.

# %% cp
%%writefile configpack.py
"""configpack: typed settings from defaults, a file, the environment and the command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

try:
    import yaml
except ImportError:
    yaml = None

logger = logging.getLogger(__name__)

CP_PREFIX = "APP_"
MASK = "***"
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_NONE = frozenset({"none", "null", ""})


class ConfigError(ValueError):
    """A setting that cannot be used; the message says which one and where it came from."""


def fail(name: str, raw: Any, source: str, wanted: str) -> NoReturn:
    raise ConfigError(f"setting {name!r}: {raw!r} (from {source}) is not {wanted}")


@dataclass(frozen=True)
class Layer:
    """One source of settings: its description and the raw values it sets."""

    source: str
    values: Mapping[str, Any]


def _split_optional(type_: Any) -> tuple[Any, bool]:
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        rest = [t for t in typing.get_args(type_) if t is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return type_, False


def cast_value(raw: Any, type_: Any, *, name: str = "value", source: str = "value") -> Any:
    base, optional = _split_optional(type_)
    if optional and (raw is None or isinstance(raw, str) and raw.strip().lower() in _NONE):
        return None
    if base is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return raw == 1
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        fail(name, raw, source, "a boolean (true/false/1/0/yes/no)")
    if isinstance(raw, bool):
        fail(name, raw, source, f"a {base.__name__}")
    if base is int:
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
            return int(raw)
        fail(name, raw, source, "an integer")
    if base is float:
        if isinstance(raw, int | float):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw)
            except ValueError:
                pass
        fail(name, raw, source, "a number")
    if base is str:
        if isinstance(raw, str):
            return raw
        if isinstance(raw, int | float):
            return str(raw)
        fail(name, raw, source, "a string")
    raise ConfigError(f"setting {name!r}: cannot handle the type {type_!r}")


def read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(path)
    if path.suffix not in {".json", ".yaml", ".yml"}:
        raise ConfigError(f"{path}: use a .json, .yaml or .yml file")
    if path.suffix != ".json" and yaml is None:
        raise ConfigError(f"{path}: YAML needs PyYAML (pip install pyyaml)")
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: invalid JSON: {error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping, found {type(data).__name__}")
    return data


def _layers(
    cls: type, file: Any, env: Mapping[str, str], argv: Sequence[str], env_prefix: str
) -> list[Layer]:
    names = [f.name for f in dataclasses.fields(cls)]
    layers = []
    if file is not None:
        from_file = read_file(file)
        unknown = sorted(set(from_file) - set(names))
        if unknown:
            raise ConfigError(f"{file}: unknown setting(s) {', '.join(unknown)}")
        layers.append(Layer(f"file {file}", from_file))
    for name in names:
        variable = f"{env_prefix}{name.upper()}"
        if variable in env:
            layers.append(Layer(f"${variable}", {name: env[variable]}))
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in names:
        parser.add_argument(f"--{name}", f"--{name.replace('_', '-')}", dest=name)
    flags, _ = parser.parse_known_args(argv)
    for name in names:
        if getattr(flags, name) is not None:
            layers.append(Layer(f"--{name}", {name: getattr(flags, name)}))
    return layers


def load_config(
    cls: type,
    *,
    file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    argv: Sequence[str] | None = None,
    env_prefix: str = CP_PREFIX,
) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            values[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            values[f.name] = f.default_factory()
    env = os.environ if env is None else env
    argv = sys.argv[1:] if argv is None else list(argv)
    for layer in _layers(cls, file, env, argv, env_prefix):
        for name, raw in layer.values.items():
            values[name] = cast_value(raw, hints[name], name=name, source=layer.source)
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in values]
    if missing:
        raise ConfigError(f"no source sets {', '.join(missing)}")
    logger.debug("configuration from %d source(s)", len(values))
    return cls(**values)


_CREDENTIAL = re.compile(
    r"^(?:bearer|basic)\s+\S+"
    r"|^(?:sk|pk|rk)[-_][\w-]{8,}"
    r"|^gh[pousr]_\w{16,}"
    r"|^AKIA[0-9A-Z]{16}$"
    r"|^xox[abprs]-[\w-]+"
    r"|^eyJ[\w-]+\.[\w-]+\.[\w-]+$"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\b(?:password|passwd|pwd|secret|token|api_?key)=\S"
    r"|^[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    return re.search("token|key|password|secret", name, re.IGNORECASE) is not None


def looks_like_credential(value: Any) -> bool:
    return isinstance(value, str) and _CREDENTIAL.search(value) is not None


def redact(name: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return MASK if is_secret_name(name) or looks_like_credential(value) else value


def redacted(cfg: Any) -> dict[str, Any]:
    return {f.name: redact(f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg)}


def summary(cfg: Any) -> str:
    shown = redacted(cfg)
    return "\n".join([type(cfg).__name__, *(f"- {name}: {value}" for name, value in shown.items())])


def log_config(cfg: Any, logger: logging.Logger) -> None:
    logger.info("configuration %s", json.dumps(redacted(cfg), default=str))
