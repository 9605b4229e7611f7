"""Known-wrong answers to exercise 1, written as edits of the solution's answer cell (``setup_logging``).

Each entry is one realistic mistake: the student it is graded as, the mistake in one sentence, the
test cells it must lose points on (exactly those) and the ``(old, new)`` edits that turn the
instructor's answer into the wrong one (see :func:`grader_support.mutate`).  Wrong answers that are
a different design rather than an edit are whole files in ``files/ex1/``.
"""

from __future__ import annotations

from grader_support import Mutation

# A set-up that never happens (or never reaches a handler) fails every test cell.
EVERY_CELL = (
    "ex1_all_loggers",
    "ex1_console_levels",
    "ex1_dictconfig_handlers",
    "ex1_file_levels",
    "ex1_level_sources",
    "ex1_log_folders",
    "ex1_run_id",
    "ex1_second_call",
)

WRONG = (
    Mutation(
        "configure_once",
        "a guard makes every call after the first do nothing, so a new run_id or file is ignored.",
        loses=EVERY_CELL,
        edits=(
            (
                "from pathlib import Path\n",
                ("from pathlib import Path\n\n_configured = False\n"),
            ),
            (
                '    """\n',
                (
                    '    """\n'
                    "    global _configured\n"
                    '    if _configured:  # "avoid duplicate handlers"\n'
                    "        return\n"
                    "    _configured = True\n"
                ),
            ),
        ),
    ),
    Mutation(
        "console_debug",
        "the console handler is hard-wired to DEBUG, so the console is as noisy as the file.",
        loses=("ex1_console_levels", "ex1_level_sources"),
        edits=(
            (
                '                    "level": console_level,\n',
                '                    "level": "DEBUG",\n',
            ),
        ),
    ),
    Mutation(
        "console_stdout",
        "the console handler writes to sys.stdout instead of sys.stderr.",
        loses=(
            "ex1_all_loggers",
            "ex1_console_levels",
            "ex1_dictconfig_handlers",
            "ex1_level_sources",
            "ex1_second_call",
        ),
        edits=(
            (
                '                    "stream": "ext://sys.stderr",\n',
                '                    "stream": "ext://sys.stdout",\n',
            ),
        ),
    ),
    Mutation(
        "disable_existing_loggers",
        "disable_existing_loggers is left at its default (True), so loggers created before the call go silent.",
        loses=(
            "ex1_all_loggers",
            "ex1_console_levels",
            "ex1_file_levels",
            "ex1_level_sources",
            "ex1_log_folders",
            "ex1_run_id",
            "ex1_second_call",
        ),
        edits=(
            (
                (
                    "            # Loggers created before this call (getLogger(__name__) at import time) keep working.\n"
                    '            "disable_existing_loggers": False,\n'
                ),
                "",
            ),
        ),
    ),
    Mutation(
        "env_beats_argument",
        "precedence reversed: LOG_LEVEL wins over an explicit console_level.",
        loses=("ex1_level_sources",),
        edits=(
            (
                (
                    "    if console_level is None:\n"
                    '        console_level = os.environ.get("LOG_LEVEL", "INFO")\n'
                ),
                '    console_level = os.environ.get("LOG_LEVEL") or console_level or "INFO"\n',
            ),
        ),
    ),
    Mutation(
        "file_info",
        "the file handler is at INFO, so DEBUG records never reach the log file.",
        loses=("ex1_all_loggers", "ex1_file_levels", "ex1_level_sources"),
        edits=(
            (
                '                    "level": "DEBUG",\n',
                '                    "level": "INFO",\n',
            ),
        ),
    ),
    Mutation(
        "handlers_on_root_and_train",
        "the handlers are attached to both 'train' and the root logger, so every 'train' record is written twice.",
        loses=("ex1_second_call",),
        edits=(
            (
                '            "root": {"level": "DEBUG", "handlers": ["console", "file"]},\n',
                (
                    '            "root": {"level": "DEBUG", "handlers": ["console", "file"]},\n'
                    '            "loggers": {"train": {"level": "DEBUG", "handlers": ["console", "file"]}},\n'
                ),
            ),
        ),
    ),
    Mutation(
        "ignores_log_level_env",
        "LOG_LEVEL is never read: with console_level=None the console is always at INFO.",
        loses=("ex1_level_sources",),
        edits=(
            (
                "import os\n",
                "",
            ),
            (
                '        console_level = os.environ.get("LOG_LEVEL", "INFO")\n',
                '        console_level = "INFO"\n',
            ),
        ),
    ),
    Mutation(
        "no_mkdir",
        "the folders of log_file are not created, so the file handler cannot open logs/train.log.",
        loses=EVERY_CELL,
        edits=(
            (
                "from pathlib import Path\n",
                "",
            ),
            (
                "    Path(log_file).parent.mkdir(parents=True, exist_ok=True)\n",
                "",
            ),
        ),
    ),
    Mutation(
        "plain_file_handler",
        "a plain FileHandler: the log file never rotates and grows forever.",
        loses=("ex1_dictconfig_handlers",),
        edits=(
            (
                '                    "class": "logging.handlers.RotatingFileHandler",\n',
                '                    "class": "logging.FileHandler",\n',
            ),
            (
                ('                    "maxBytes": 5_000_000,\n                    "backupCount": 3,\n'),
                "",
            ),
        ),
    ),
    Mutation(
        "root_info",
        "the root logger is left at INFO, so DEBUG records are dropped before any handler sees them.",
        loses=("ex1_all_loggers", "ex1_file_levels", "ex1_level_sources"),
        edits=(
            (
                '            "root": {"level": "DEBUG", "handlers": ["console", "file"]},\n',
                '            "root": {"level": "INFO", "handlers": ["console", "file"]},\n',
            ),
        ),
    ),
    Mutation(
        "run_id_console_only",
        "run_id is shown on the console but the file format leaves it out.",
        loses=("ex1_all_loggers", "ex1_run_id", "ex1_second_call"),
        edits=(
            (
                (
                    '                "console": {"format": "%(levelname)s %(name)s: %(message)s"},\n'
                    '                "file": {"format": "%(asctime)s %(levelname)s %(name)s run=%(run_id)s: %(message)s"},\n'
                ),
                (
                    '                "console": {"format": "%(levelname)s %(name)s run=%(run_id)s: %(message)s"},\n'
                    '                "file": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},\n'
                ),
            ),
            (
                '                    "formatter": "console",\n',
                ('                    "formatter": "console",\n                    "filters": ["run_id"],\n'),
            ),
            (
                '                    "filters": ["run_id"],\n',
                "",
            ),
        ),
    ),
    Mutation(
        "run_id_filter_on_logger",
        "the run_id filter sits on the 'train' logger, so records of other loggers (train.data, evaluation) lack run_id and their lines are lost.",
        loses=("ex1_all_loggers",),
        edits=(
            (
                '                    "filters": ["run_id"],\n',
                "",
            ),
            (
                '            "root": {"level": "DEBUG", "handlers": ["console", "file"]},\n',
                (
                    '            "root": {"level": "DEBUG", "handlers": ["console", "file"]},\n'
                    '            "loggers": {"train": {"filters": ["run_id"]}},\n'
                ),
            ),
        ),
    ),
)
