"""Checks of the context on every line: one run_id per run (``RUN_ID`` or a fresh one) and the seed
(mini challenge cells ``mc_context``, ``mc_run_id``).
"""

from __future__ import annotations

from coursekit.checks import check

from ._logline import console_entries, describe_place, file_entries, log_places
from ._runner import DEFAULTS, TrainRun


def run_ids(run: TrainRun, log_file: str | None = DEFAULTS["log_file"]) -> set[str]:
    """Every run_id value found on the console and (if given) in the log file."""
    entries = console_entries(run) + (file_entries(run, log_file) if log_file else [])
    return {str(e.get("run_id")) for e in entries if e.get("run_id") not in (None, "")}


def check_context(
    run: TrainRun,
    *,
    seed: int,
    run_id: str | None = None,
    log_file: str | None = DEFAULTS["log_file"],
    console: bool = True,
) -> None:
    """Every console line and every log-file line carries the run_id (one value) and the seed."""
    places = log_places(run, log_file, console=console)
    token = "JSON key" if run.json_logs else "token"
    for where, entries in places:
        check(entries, f"{describe_place(run, where)} must have log lines", "no lines at all", "log lines")
        for key, wanted in (("run_id", run_id), ("seed", str(seed))):
            for entry in entries:
                value = entry.get(key)
                check(
                    value not in (None, ""),
                    f"every line of {describe_place(run, where)} must carry the {key}",
                    f"the line {entry.line!r}",
                    f"a {key} {token} in every line" + ("" if run.json_logs else f" ({key}=...)"),
                    hint="add it with a logging.Filter on the handlers (or a LoggerAdapter) and put "
                    f"%({key})s in the format",
                )
                if wanted is not None:
                    check(
                        str(value) == wanted,
                        f"every line of {describe_place(run, where)} must carry {key}={wanted}",
                        f"{key}={value} in the line {entry.line!r}",
                        f"{key}={wanted}",
                    )
        ids = {str(e.get("run_id")) for e in entries}
        check(
            len(ids) == 1,
            f"one run has one run_id: {describe_place(run, where)}",
            f"{len(ids)} different values: {sorted(ids)}",
            "the same run_id on every line of the run",
        )


def check_fresh_run_ids(first: TrainRun, second: TrainRun) -> None:
    """Two runs without RUN_ID get two different run_ids (one per run)."""
    a, b = run_ids(first), run_ids(second)
    check(
        len(a) == 1 and len(b) == 1 and a != b,
        "without RUN_ID every run must get a run_id of its own",
        f"run_ids {sorted(a)} for `{first.describe()}` and {sorted(b)} for `{second.describe()}`",
        "one run_id per run, different between the two runs",
        hint="generate it once at startup, e.g. uuid.uuid4().hex[:12], unless RUN_ID is set "
        "(a timestamp to the second is the same for two runs started in the same second)",
    )
