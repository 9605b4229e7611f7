"""Known-wrong answers to exercise 2, written as edits of the solution's answer cell (``load_config``).

Each entry is one realistic mistake: the student it is graded as, the mistake in one sentence, the
test cells it must lose points on (exactly those) and the ``(old, new)`` edits that turn the
instructor's answer into the wrong one (see :func:`grader_support.mutate`).  Wrong answers that are
a different design rather than an edit are whole files in ``files/ex2/``.
"""

from __future__ import annotations

from grader_support import Mutation

# A mistake in reading the environment fails every test cell that sets an APP_* variable.
EVERY_CELL_WITH_APP_VARIABLES = (
    "ex2_bad_values",
    "ex2_each_layer",
    "ex2_falsy_values",
    "ex2_precedence",
    "ex2_real_sources",
    "ex2_type_casts",
)

# Pieces of the solution that several mistakes move or replace.
ENV_LAYER = """\
    for name in types:
        variable = "APP_" + name.upper()
        if variable in env:
            values[name] = cast(name, env[variable], f"environment variable {variable}")
"""
CHECKED_CAST = """\
        try:
            if types[name] is int and isinstance(raw, float) and not raw.is_integer():
                raise ValueError("int() would drop the fraction")  # int(2.7) is 2: refuse, do not round
            return types[name](raw)
        except (TypeError, ValueError):
            wanted = types[name].__name__
            raise ValueError(f"{source}: {raw!r} is not a valid {name} (expected {wanted})") from None
"""

WRONG = (
    Mutation(
        "argparse_types",
        "the flags are cast by argparse (type=float/int), so a bad flag value ends the program with SystemExit instead of a ValueError.",
        loses=("ex2_bad_values",),
        edits=(
            (
                '        parser.add_argument(f"--{name}")  # kept as strings: cast() words the error\n',
                '        parser.add_argument(f"--{name}", type=types[name])\n',
            ),
        ),
    ),
    Mutation(
        "env_beats_flags",
        "the environment variables are applied after the flags, so APP_* wins over the command line.",
        loses=("ex2_precedence",),
        edits=(
            (
                ENV_LAYER,
                "",
            ),
            (
                '            values[name] = cast(name, raw, f"command-line flag --{name}")\n',
                '            values[name] = cast(name, raw, f"command-line flag --{name}")\n' + ENV_LAYER,
            ),
        ),
    ),
    Mutation(
        "env_names_not_capitalised",
        "the variable names are built as APP_ + field name, so it looks for APP_lr instead of APP_LR.",
        loses=EVERY_CELL_WITH_APP_VARIABLES,
        edits=(
            (
                '        variable = "APP_" + name.upper()\n',
                '        variable = "APP_" + name\n',
            ),
        ),
    ),
    Mutation(
        "file_beats_env",
        "the file is read after the environment variables, so the file wins over APP_*.",
        loses=("ex2_precedence",),
        edits=(
            (
                "    values = {}\n",
                "    values = {}\n" + ENV_LAYER,
            ),
            (
                ENV_LAYER,
                "",
            ),
        ),
    ),
    Mutation(
        "ignores_env_argument",
        "the env argument is ignored and os.environ is always read.",
        loses=EVERY_CELL_WITH_APP_VARIABLES,
        edits=(
            (
                "    env = os.environ if env is None else env\n",
                "    env = os.environ\n",
            ),
        ),
    ),
    Mutation(
        "ignores_unknown_key",
        "keys that are not fields are skipped silently, so a typo like learning_rate is ignored.",
        loses=("ex2_unknown_key",),
        edits=(
            (
                "                raise ValueError(f\"{file_path}: unknown key {name!r} (fields: {', '.join(types)})\")\n",
                "                continue\n",
            ),
        ),
    ),
    Mutation(
        "log_config_debug",
        "log_config logs the configuration at DEBUG, so a production log at INFO never shows it.",
        loses=("ex2_log_config",),
        edits=(
            (
                '    logger.info("config %s", json.dumps(dataclasses.asdict(cfg), sort_keys=True))\n',
                '    logger.debug("config %s", json.dumps(dataclasses.asdict(cfg), sort_keys=True))\n',
            ),
        ),
    ),
    Mutation(
        "log_config_per_field",
        "log_config writes one record per field, so the configuration is scattered over five lines.",
        loses=("ex2_log_config",),
        edits=(
            (
                '    logger.info("config %s", json.dumps(dataclasses.asdict(cfg), sort_keys=True))\n',
                (
                    "    for name, value in dataclasses.asdict(cfg).items():\n"
                    '        logger.info("config %s=%s", name, value)\n'
                ),
            ),
        ),
    ),
    Mutation(
        "no_cast",
        "values are stored as they come: environment variables and flags stay strings.",
        loses=EVERY_CELL_WITH_APP_VARIABLES,
        edits=(
            (
                CHECKED_CAST,
                "        return raw\n",
            ),
        ),
    ),
    Mutation(
        "parse_args",
        "parse_args instead of parse_known_args: an unknown flag (a kernel's -f) ends the program.",
        loses=("ex2_real_sources",),
        edits=(
            (
                "    flags, _others = parser.parse_known_args(argv)\n",
                "    flags = parser.parse_args(argv)\n",
            ),
        ),
    ),
    Mutation(
        "shared_default_object",
        "every call changes and returns one shared TrainingConfig, so a value set once sticks.",
        loses=("ex2_defaults", "ex2_each_layer", "ex2_fresh_objects", "ex2_real_sources"),
        edits=(
            (
                '    log_level: str = "INFO"\n',
                ('    log_level: str = "INFO"\n\n\nDEFAULT_CONFIG = TrainingConfig()\n'),
            ),
            (
                "    return TrainingConfig(**values)\n",
                (
                    "    for name, value in values.items():\n"
                    "        setattr(DEFAULT_CONFIG, name, value)\n"
                    "    return DEFAULT_CONFIG\n"
                ),
            ),
        ),
    ),
    Mutation(
        "skips_missing_file",
        "a missing file is skipped silently (os.path.exists), so a mistyped path goes unnoticed.",
        loses=("ex2_missing_file",),
        edits=(
            (
                "    if file_path is not None:\n",
                "    if file_path is not None and os.path.exists(file_path):\n",
            ),
        ),
    ),
    Mutation(
        "truthy_test",
        '`if value:` decides whether a layer sets a field, so 0, 0.0 and "" are dropped.',
        loses=("ex2_falsy_values",),
        edits=(
            (
                '            values[name] = cast(name, raw, f"file {file_path}")\n',
                (
                    "            if raw:\n"
                    '                values[name] = cast(name, raw, f"file {file_path}")\n'
                ),
            ),
            (
                "        if variable in env:\n",
                "        if env.get(variable):\n",
            ),
            (
                (
                    "        if raw is not None:\n"
                    '            values[name] = cast(name, raw, f"command-line flag --{name}")\n'
                ),
                (
                    '        value = cast(name, raw, f"command-line flag --{name}") if raw is not None else None\n'
                    "        if value:\n"
                    "            values[name] = value\n"
                ),
            ),
        ),
    ),
    Mutation(
        "unexplained_cast_error",
        "a failed cast escapes as Python's own ValueError, which names neither the field nor the layer.",
        loses=("ex2_bad_values",),
        edits=(
            (
                CHECKED_CAST,
                "        return types[name](raw)\n",
            ),
        ),
    ),
)
