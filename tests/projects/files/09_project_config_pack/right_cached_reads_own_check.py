# RIGHT: written around a small class, `Loader`, with one method per source; each config file is
# parsed once per version (functools.lru_cache keyed on the path and its modification time), a
# module-level `check(condition, message)` helper raises ConfigError (the checks' own name), and the
# booleans, null words and secret words are module-level sets.

# %% cp
%%writefile configpack.py
import functools
import json
import os
import re
import sys
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path

try:
    import yaml
except ImportError:
    yaml = None

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}
NULL = {"none", "null", ""}
SECRET = {"token", "key", "password", "secret"}


class ConfigError(ValueError):
    pass


def check(condition, message):
    if not condition:
        raise ConfigError(message)


def cast_value(raw, type_, *, name="value", source="value"):
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in NULL):
            return None
        (type_,) = [t for t in typing.get_args(type_) if t is not type(None)]
    bad = f"{name} from {source}: cannot make a {type_.__name__} of {raw!r}"
    if type_ is bool:
        if isinstance(raw, str):
            check(raw.strip().lower() in TRUE | FALSE, bad)
            return raw.strip().lower() in TRUE
        check(raw in (0, 1) and isinstance(raw, int), bad)
        return bool(raw)
    check(not isinstance(raw, bool), bad)
    if type_ in (int, float):
        if isinstance(raw, str):
            try:
                number = float(raw) if type_ is float else int(raw)
            except ValueError:
                raise ConfigError(bad) from None
        else:
            check(isinstance(raw, (int, float)), bad)
            number = raw
        check(type_ is float or float(number).is_integer(), bad)
        return type_(number)
    if type_ is str:
        check(isinstance(raw, (str, int, float)), bad)
        return str(raw)
    raise ConfigError(f"{name}: unsupported type {type_}")


@functools.lru_cache(maxsize=32)
def _parse(path, mtime):
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{path}: not valid JSON ({error.msg})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML") from None


def read_file(path):
    path = str(path)
    check(path.endswith((".json", ".yaml", ".yml")), f"{path}: a config file is .json, .yaml or .yml")
    check(path.endswith(".json") or yaml is not None, f"{path}: YAML files need PyYAML (pip install pyyaml)")
    check(os.path.isfile(path), f"{path}: config file not found")
    data = _parse(path, os.stat(path).st_mtime_ns)
    if data is None:
        return {}
    check(isinstance(data, dict), f"{path}: the file must hold name: value pairs")
    return dict(data)


class Loader:
    def __init__(self, cls, env_prefix):
        self.cls = cls
        self.env_prefix = env_prefix
        self.hints = typing.get_type_hints(cls)
        self.names = [f.name for f in fields(cls)]
        self.values = {}

    def set(self, name, raw, source):
        self.values[name] = cast_value(raw, self.hints[name], name=name, source=source)

    def defaults(self):
        for f in fields(self.cls):
            if f.default is not MISSING:
                self.values[f.name] = f.default
            elif f.default_factory is not MISSING:
                self.values[f.name] = f.default_factory()

    def file(self, path):
        for name, raw in read_file(path).items():
            check(name in self.names, f"{path}: {name!r} is not a setting")
            self.set(name, raw, f"file {path}")

    def environment(self, env):
        for name in self.names:
            variable = self.env_prefix + name.upper()
            if variable in env:
                self.set(name, env[variable], "$" + variable)

    def flags(self, argv):
        flags = {f"--{name}": name for name in self.names}
        flags.update({f"--{name.replace('_', '-')}": name for name in self.names})
        for position, arg in enumerate(argv):
            flag, equals, raw = arg.partition("=")
            if flag in flags:
                if equals:
                    self.set(flags[flag], raw, flag)
                elif position + 1 < len(argv):
                    self.set(flags[flag], argv[position + 1], flag)

    def build(self):
        missing = [name for name in self.names if name not in self.values]
        check(not missing, f"no value for {', '.join(missing)}")
        return self.cls(**self.values)


def load_config(cls, *, file=None, env=None, argv=None, env_prefix="APP_"):
    loader = Loader(cls, env_prefix)
    loader.defaults()
    if file is not None:
        loader.file(file)
    loader.environment(os.environ if env is None else env)
    loader.flags(list(sys.argv[1:] if argv is None else argv))
    return loader.build()


CREDENTIAL = re.compile(
    r"^(bearer|basic) \S{8,}|^(sk|pk)[-_]\w|^gh[pousr]_|^github_pat_|^(AKIA|ASIA)[A-Z0-9]{16}$|^xox[a-z]-"
    r"|^eyJ[\w-]+\.[\w-]+\.[\w-]+$|PRIVATE KEY-----|(password|secret|token|pwd)=\S|://[^/@\s]*:[^/@\s]+@",
    re.IGNORECASE,
)


def is_secret_name(name):
    return any(word in name.lower() for word in SECRET)


def looks_like_credential(value):
    return isinstance(value, str) and bool(CREDENTIAL.search(value))


def redact(name, value):
    if value in (None, ""):
        return value
    if is_secret_name(name) or looks_like_credential(value):
        return "***"
    return value


def redacted(cfg):
    return {f.name: redact(f.name, getattr(cfg, f.name)) for f in fields(cfg)}


def summary(cfg):
    width = max(map(len, redacted(cfg)), default=0)
    return "\n".join(f"{name.ljust(width)} : {value}" for name, value in redacted(cfg).items())


def log_config(cfg, logger):
    logger.info("config %s", json.dumps(redacted(cfg), default=str))
