"""Checks of the per-epoch records (epoch, loss, lr, epoch_time) and of determinism: the same seed
gives the same losses, another seed others (mini challenge cells ``mc_epochs``, ``mc_deterministic``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from coursekit.checks import check

from ._logline import LogEntry, as_number, console_entries, describe_place, log_places, show
from ._runner import DEFAULTS, TrainRun


def epoch_entries(entries: Iterable[LogEntry]) -> list[LogEntry]:
    """The per-epoch records: those with an ``epoch_time`` field."""
    return [e for e in entries if e.get("epoch_time") is not None]


def check_epochs(
    run: TrainRun,
    *,
    epochs: int,
    lr: float,
    log_file: str | None = DEFAULTS["log_file"],
    console: bool = True,
) -> None:
    """One INFO record per epoch (numbered 1..epochs) with loss, lr and epoch_time, on console and in file."""
    places = log_places(run, log_file, console=console)
    how = "JSON keys" if run.json_logs else "key=value tokens"
    for where, entries in places:
        found = epoch_entries(entries)
        numbers = [e.get("epoch") for e in found]
        check(
            [str(n) for n in numbers] == [str(n) for n in range(1, epochs + 1)],
            f"{describe_place(run, where)} must have one record per epoch, "
            "with epoch, loss, lr and epoch_time",
            f"epochs {numbers} in the lines with epoch_time: {show(found)}"
            if found
            else f"no line with epoch_time: {show(entries)}",
            f"epochs {list(range(1, epochs + 1))}, each line with {how} epoch, loss, lr, epoch_time",
            hint="log once per epoch, e.g. 'epoch=%d loss=%.6f lr=%s epoch_time=%.4f'"
            + (", with the values in extra={...} too" if run.json_logs else ""),
        )
        for entry in found:
            check(
                entry.level == "INFO",
                f"per-epoch records are INFO: {describe_place(run, where)}",
                f"{entry.level} in {entry.line!r}",
                "INFO",
            )
            for key in ("loss", "lr", "epoch_time"):
                value = entry.get(key)
                number = as_number(value)
                check(
                    number is not None
                    and math.isfinite(number)
                    and not (run.json_logs and isinstance(value, str)),
                    f"{key} must be a number in every per-epoch record: {describe_place(run, where)}",
                    f"{key}={value!r} in {entry.line!r}",
                    f"{key}=<number>" + (" (a JSON number, not a string)" if run.json_logs else ""),
                )
            check(
                math.isclose(as_number(entry.get("lr")), lr, rel_tol=1e-9),
                f"each epoch logs the learning rate in use: {describe_place(run, where)}",
                f"lr={entry.get('lr')} in {entry.line!r}",
                f"lr={lr:g}",
            )
            check(
                0 <= as_number(entry.get("epoch_time")) < 60,
                f"epoch_time is the epoch's duration in seconds: {describe_place(run, where)}",
                f"epoch_time={entry.get('epoch_time')}",
                "a duration in seconds, >= 0",
            )


def losses(run: TrainRun) -> list[float]:
    """The per-epoch losses of ``run``, in order, as the console shows them."""
    found = epoch_entries(console_entries(run))
    check(
        found,
        f"per-epoch losses must be on the console: {run.describe()}",
        f"no line with epoch_time: {show(console_entries(run))}",
        "one line per epoch with loss=...",
    )
    values = [as_number(e.get("loss")) for e in found]
    check(
        all(v is not None for v in values),
        f"every per-epoch record needs a numeric loss: {run.describe()}",
        f"losses {[e.get('loss') for e in found]}",
        "numbers",
    )
    return values  # type: ignore[return-value]


def check_same_losses(first: TrainRun, second: TrainRun) -> None:
    """Two runs with the same seed and settings report the same losses (a deterministic run)."""
    a, b = losses(first), losses(second)
    check(
        len(a) == len(b)
        and all(math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) for x, y in zip(a, b, strict=False)),
        "the same seed and settings must give the same losses",
        f"`{first.describe()}` logged {a}, `{second.describe()}` logged {b}",
        "identical losses",
        hint="draw every random number from random.Random(seed) (or seed the generator once, at startup)",
    )


def check_different_losses(first: TrainRun, second: TrainRun) -> None:
    """Two runs with different seeds report different losses (the seed is really used)."""
    a, b = losses(first), losses(second)
    check(
        a != b,
        "different seeds must give different losses",
        f"`{first.describe()}` and `{second.describe()}` both logged {a}",
        "the losses to depend on the seed",
        hint="the simulated data or the initial weights should come from random.Random(seed)",
    )
