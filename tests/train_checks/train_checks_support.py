"""Made-up finished runs for the tests of coursekit.train_checks: no subprocess, so the checks run fast."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from coursekit.train_checks import TrainRun

LOG = "logs/train.log"


def text_line(
    level: str, message: str = "train: hello", *, run_id: str = "r1", seed: int = 42, **fields: Any
) -> str:
    """A line as the reference script's text formatter writes it."""
    tokens = "".join(f" {key}={value}" for key, value in fields.items())
    return f"2026-01-05 09:00:00,250 {level} run_id={run_id} seed={seed} {message}{tokens}"


def json_line(level: str, message: str = "hello", **fields: Any) -> str:
    return json.dumps({"level": level, "message": message, "run_id": "r1", "seed": 42, **fields})


def epoch_lines(losses: Sequence[float], *, lr: float = 0.001, json_logs: bool = False) -> list[str]:
    """One INFO line per epoch, numbered from 1."""
    line = json_line if json_logs else text_line
    return [
        line("INFO", "epoch done", epoch=n, loss=loss, lr=lr, epoch_time=0.01)
        for n, loss in enumerate(losses, start=1)
    ]


def make_run(
    console: Iterable[str] = (),
    log: Iterable[str] | None = None,
    *,
    args: Sequence[str] = (),
    stdout: str = "",
    returncode: int = 0,
    outputs: dict[str, str] | None = None,
    **fields: Any,
) -> TrainRun:
    """A finished run: ``console`` on stderr and, unless ``log`` is None, ``log`` in logs/train.log."""
    outputs = dict(outputs or {})
    if log is not None:
        outputs[LOG] = "".join(line + "\n" for line in log)
    return TrainRun(
        args=list(args),
        env={},
        inputs={},
        returncode=returncode,
        stdout=stdout,
        stderr="".join(line + "\n" for line in console),
        outputs=outputs,
        **fields,
    )
