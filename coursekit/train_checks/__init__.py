"""Run a learner's ``train.py`` (the mini challenge) as a subprocess and check what it does.

The mini challenge's test cells and the pytest suite share these functions::

    run = run_train(find_script(), ["--epochs", "3"], env={"APP_LR": "0.05"})
    check_console_levels(run)            # INFO and above on stderr, no DEBUG
    check_config(run, epochs=3, lr=0.05)  # what the script says it runs with, and what it does

Each run happens in a fresh temporary folder (the script is copied there,
with any config files the test provides) with the learner's environment
scrubbed of ``APP_*``, ``RUN_ID``, ``LOG_LEVEL`` and ``GIT_*`` variables, so
runs do not depend on each other or on the machine.  Output is captured:
nothing reaches the notebook's stderr.  A failed check raises
:class:`coursekit.checks.CheckFailed` naming the command, what was observed
and what was expected.

Interface of ``train.py`` (the mini challenge states it in full):

* text lines carry ``run_id=<id>`` and ``seed=<n>`` tokens and the level name;
  ``--json-logs`` lines are JSON objects with ``level``, ``message``,
  ``run_id`` and ``seed`` keys;
* one INFO record per epoch with ``epoch``, ``loss``, ``lr`` and
  ``epoch_time`` (seconds), as ``key=value`` tokens or JSON keys;
* one INFO record at startup with ``config=<JSON object>`` and
  ``code_version=<git SHA or unknown>`` (JSON keys ``config`` and ``code_version``).

The modules, and what each owns (the names below are imported from them):

* :mod:`._runner` -- running the script: :func:`run_train` and the :class:`TrainRun` it returns,
  the scrubbed environment, the git repository, :func:`hash_seed` (``PYTHONHASHSEED``),
  :func:`find_script` / :func:`default_script`, and ``DEFAULTS`` (train.py's settings).
* :mod:`._probe` -- a program, run by path in the script's process (never imported for its work):
  stops the wall clock at ``run_train(clock=...)`` and reports the logging handlers alive at exit
  for ``run_train(probe=True)``.
* :mod:`._logline` -- the log-line parser: ``parse_line`` into a :class:`LogEntry`,
  :func:`console_entries`, :func:`file_entries`, ``LEVELS``.
* :mod:`._levels` -- where records go: :func:`check_runs`, :func:`check_console_levels`,
  :func:`check_file_levels`, :func:`check_rotating_file_handler`.
* :mod:`._run_ids` -- the context on every line: :func:`run_ids`, :func:`check_context`,
  :func:`check_fresh_run_ids`.
* :mod:`._config` -- the configuration and its precedence: :func:`startup_entry`,
  :func:`check_startup_config`, :func:`check_config`, :func:`check_code_version`.
* :mod:`._epochs` -- the per-epoch records and determinism: :func:`epoch_entries`,
  :func:`check_epochs`, :func:`losses`, :func:`check_same_losses`, :func:`check_different_losses`.
* :mod:`._output_form` -- JSON or text lines and the one-line error: :func:`check_json_lines`,
  :func:`check_text_lines`, :func:`check_bad_config`.
"""

from __future__ import annotations

from ._config import check_code_version, check_config, check_startup_config, startup_entry
from ._epochs import check_different_losses, check_epochs, check_same_losses, epoch_entries, losses
from ._levels import check_console_levels, check_file_levels, check_rotating_file_handler, check_runs
from ._logline import LEVELS, LogEntry, console_entries, file_entries, parse_line
from ._output_form import check_bad_config, check_json_lines, check_text_lines
from ._run_ids import check_context, check_fresh_run_ids, run_ids
from ._runner import DEFAULTS, TrainRun, default_script, find_script, hash_seed, run_train

__all__ = [
    "DEFAULTS",
    "LEVELS",
    "LogEntry",
    "TrainRun",
    "check_bad_config",
    "check_code_version",
    "check_config",
    "check_console_levels",
    "check_context",
    "check_different_losses",
    "check_epochs",
    "check_file_levels",
    "check_fresh_run_ids",
    "check_json_lines",
    "check_rotating_file_handler",
    "check_runs",
    "check_same_losses",
    "check_startup_config",
    "check_text_lines",
    "console_entries",
    "default_script",
    "epoch_entries",
    "file_entries",
    "find_script",
    "hash_seed",
    "losses",
    "parse_line",
    "run_ids",
    "run_train",
    "startup_entry",
]
