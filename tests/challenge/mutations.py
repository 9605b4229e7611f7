"""Known-wrong ``train.py`` scripts for the mini challenge, written as edits of ``files/train_reference.py``.

Each entry of ``MUTATIONS`` is one realistic mistake: its name (the student it is graded as), the
mistake in one sentence, the test cells it must lose points on (``loses``: exactly those, the cell
about the mistake first) and the ``(old, new)`` text replacements that turn the reference script
into the wrong one.  A mistake often costs several cells: most test cells also re-run the shared
checks (INFO and above on the console, run_id and seed on every line, one record per epoch) on
their own runs.  :func:`wrong_script` applies
them and fails (``AssertionError``) when an ``old`` snippet does not occur exactly once in the
reference or two edits overlap, so an edit can never silently do nothing.
"""

from __future__ import annotations

from pathlib import Path

from grader_support import Mutation, mutate

__all__ = ["MUTATIONS", "REFERENCE", "RUN_ID", "Mutation", "reference_script", "wrong_script"]

REFERENCE = Path(__file__).resolve().parent / "files" / "train_reference.py"


def reference_script() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def wrong_script(mutation: Mutation) -> str:
    """The reference script with the mutation's edits made (see :func:`grader_support.mutate`)."""
    return mutate(reference_script(), mutation, REFERENCE.name)


# Layers of load_config, as the reference writes them (the precedence mistakes move them around).
FILE_LAYER = """\
    if args.config is not None:
        for key, raw in read_config_file(args.config).items():
            if key not in values:
                raise ConfigError(f"unknown setting {key!r} in config file {args.config}")
            values[key] = cast(key, raw, f"config file {args.config}")
"""
ENV_LAYER = """\
    for name in values:
        env_name = f"APP_{name.upper()}"
        if env_name in environ:  # `in`, not truthiness: APP_SEED=0 is a setting
            values[name] = cast(name, environ[env_name], f"environment variable {env_name}")
"""
CLI_LAYER = """\
    for name in values:
        raw = getattr(args, name)
        if raw is not None:
            values[name] = cast(name, raw, f"--{name}")
"""
TEXT_FILE_FORMAT = '"file": {"format": f"%(asctime)s %(levelname)s {context} %(name)s: %(message)s"}'
RUN_ID = 'run_id = environ.get("RUN_ID") or uuid.uuid4().hex[:12]'

MUTATIONS = (
    Mutation(
        "debug_on_console",
        "the console handler is at DEBUG, so batch-level noise floods the console",
        loses=("mc_levels", "mc_precedence"),
        edits=(('"level": cfg.log_level,', '"level": "DEBUG",'),),
    ),
    Mutation(
        "env_cast_traceback",
        "environment values are cast without a check: APP_LR=fast ends in a ValueError traceback",
        loses=("mc_bad_config",),
        edits=(
            (
                'values[name] = cast(name, environ[env_name], f"environment variable {env_name}")',
                "values[name] = FIELD_TYPES[name](environ[env_name])",
            ),
        ),
    ),
    Mutation(
        "env_over_cli",
        "wrong precedence: command-line flags are applied before the environment, so APP_* wins over the CLI",
        loses=("mc_precedence", "mc_levels"),
        edits=((ENV_LAYER + CLI_LAYER, CLI_LAYER + ENV_LAYER),),
    ),
    Mutation(
        "falsy_values_dropped",
        "`if value:` instead of `is not None`: a flag set to 0 (--seed 0) is silently ignored",
        loses=("mc_precedence",),
        edits=(
            (
                '        if raw is not None:\n            values[name] = cast(name, raw, f"--{name}")\n',
                '        value = cast(name, raw, f"--{name}") if raw is not None else None\n'
                "        if value:\n"
                "            values[name] = value\n",
            ),
        ),
    ),
    Mutation(
        "file_over_env",
        "wrong precedence: the config file is read after the environment, so the file wins over APP_*",
        loses=("mc_precedence",),
        edits=((FILE_LAYER + ENV_LAYER, ENV_LAYER + FILE_LAYER),),
    ),
    Mutation(
        "fixed_run_id",
        "without RUN_ID every run is called 'local', so two runs cannot be told apart",
        loses=("mc_run_id",),
        edits=(("import uuid\n", ""), (RUN_ID, 'run_id = environ.get("RUN_ID", "local")')),
    ),
    Mutation(
        "json_console_only",
        "--json-logs switches the console to JSON but the log file stays plain text",
        loses=("mc_json", "mc_context", "mc_epochs"),
        edits=(
            (
                '        formatters = {"console": {"()": JsonFormatter}, "file": {"()": JsonFormatter}}\n',
                "        formatters = {\n"
                '            "console": {"()": JsonFormatter},\n'
                f"            {TEXT_FILE_FORMAT},\n"
                "        }\n",
            ),
        ),
    ),
    Mutation(
        "logs_to_stdout",
        "the console handler writes to stdout instead of stderr",
        loses=(
            "mc_runs",
            "mc_levels",
            "mc_context",
            "mc_run_id",
            "mc_precedence",
            "mc_epochs",
            "mc_deterministic",
            "mc_json",
        ),
        edits=(('"stream": "ext://sys.stderr"', '"stream": "ext://sys.stdout"'),),
    ),
    Mutation(
        "no_code_version",
        "the startup record has the configuration but not the code version",
        loses=("mc_startup",),
        edits=(
            ("    version = code_version()\n", ""),
            ('"starting run: config=%s code_version=%s",', '"starting run: config=%s",'),
            (
                '        version,\n        extra={"config": asdict(cfg), "code_version": version},',
                '        extra={"config": asdict(cfg)},',
            ),
        ),
    ),
    Mutation(
        "no_epoch_time",
        "the per-epoch record has the loss and lr but not the time the epoch took",
        loses=("mc_epochs", "mc_levels", "mc_precedence", "mc_deterministic"),
        edits=(
            ("import time\n", ""),
            ("        started = time.perf_counter()\n", ""),
            ("        elapsed = time.perf_counter() - started\n", ""),
            ('"epoch=%d loss=%.6f lr=%s epoch_time=%.6f",', '"epoch=%d loss=%.6f lr=%s",'),
            ("            elapsed,\n", ""),
            (', "epoch_time": elapsed}', "}"),
        ),
    ),
    Mutation(
        "no_run_id_in_file",
        "the log file's format has no run_id, so file lines cannot be traced back to their run",
        loses=("mc_context", "mc_levels", "mc_run_id", "mc_precedence"),
        edits=(
            (
                TEXT_FILE_FORMAT,
                '"file": {"format": "%(asctime)s %(levelname)s seed=%(seed)s %(name)s: %(message)s"}',
            ),
        ),
    ),
    Mutation(
        "no_seed_in_lines",
        "the seed is logged at startup only, not on every line",
        loses=("mc_context", "mc_levels", "mc_run_id", "mc_precedence", "mc_json"),
        edits=(
            ("record.run_id, record.seed = self.run_id, self.seed", "record.run_id = self.run_id"),
            ('context = "run_id=%(run_id)s seed=%(seed)s"', 'context = "run_id=%(run_id)s"'),
        ),
    ),
    Mutation(
        "plain_file_handler",
        "a plain FileHandler: the log file is never rotated and grows forever",
        loses=("mc_rotating",),
        edits=(
            ('"class": "logging.handlers.RotatingFileHandler",', '"class": "logging.FileHandler",'),
            ('                    "maxBytes": 1_000_000,\n                    "backupCount": 3,\n', ""),
        ),
    ),
    Mutation(
        "run_id_from_clock",
        "the run_id is the start time to the second: two runs started in the same second share it",
        loses=("mc_run_id",),
        edits=(
            ("import uuid\n", ""),
            (RUN_ID, 'run_id = environ.get("RUN_ID") or time.strftime("%Y%m%d-%H%M%S")'),
        ),
    ),
    Mutation(
        "run_id_ignores_env",
        "RUN_ID from the environment is ignored: a new run_id is always generated",
        loses=("mc_run_id",),
        edits=((RUN_ID, "run_id = uuid.uuid4().hex[:12]"),),
    ),
    Mutation(
        "seed_ignored",
        "the generator is seeded with a constant, not the configured seed: every seed gives the same losses",
        loses=("mc_deterministic",),
        edits=(("rng = random.Random(cfg.seed)", "rng = random.Random(1234)"),),
    ),
    Mutation(
        "sha_always_unknown",
        "the code version is hard-coded to 'unknown', even when the script is in a git repository",
        loses=("mc_startup",),
        edits=(
            (
                '    """The git commit of the folder this script lives in, or "unknown"."""\n',
                '    """The git commit of the folder this script lives in, or "unknown"."""\n'
                '    return "unknown"\n',
            ),
        ),
    ),
    Mutation(
        "traceback_on_missing_config",
        "a missing config file is not caught: the learner sees a FileNotFoundError traceback",
        loses=("mc_bad_config",),
        edits=(
            (
                "    except FileNotFoundError:\n"
                '        raise ConfigError(f"config file not found: {path}") from None\n'
                "    except OSError as exc:\n"
                '        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None\n',
                "",
            ),
        ),
    ),
    Mutation(
        "unseeded_loss",
        "the training loop draws from the global, unseeded random module: losses change from run to run",
        loses=("mc_deterministic",),
        edits=(
            ("rng.gauss(0.0, 0.1)", "random.gauss(0.0, 0.1)"),
            ("rng.shuffle(data)", "random.shuffle(data)"),
        ),
    ),
    Mutation(
        "usage_block_on_error",
        "argparse's default error handling: a usage block plus the error, several lines instead of one",
        loses=("mc_bad_config",),
        edits=(
            (
                'parser = Parser(prog="train.py", description="Train a tiny model with well-behaved logs.")',
                "parser = argparse.ArgumentParser(\n"
                '        prog="train.py", description="Train a tiny model with well-behaved logs."\n'
                "    )",
            ),
            (
                'parser.add_argument(f"--{name}")  # cast below, so every source is checked the same way',
                'parser.add_argument(f"--{name}", type=FIELD_TYPES[name])',
            ),
        ),
    ),
)
