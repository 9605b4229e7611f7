"""Capture what code logs: console text, log-file lines and ``LogRecord`` objects."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = [
    "ConsoleCapture",
    "RecordCapture",
    "capture_console",
    "capture_records",
    "flush_logging",
    "read_log_lines",
]


@dataclass
class ConsoleCapture:
    """Text written to ``sys.stdout`` and ``sys.stderr`` while a capture is active.

    ``read`` returns everything captured so far as ``(stdout, stderr)``.
    """

    read: Callable[[], tuple[str, str]] = field(repr=False)

    @property
    def stdout(self) -> str:
        flush_logging()
        return self.read()[0]

    @property
    def stderr(self) -> str:
        flush_logging()
        return self.read()[1]

    @property
    def stdout_lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    @property
    def lines(self) -> list[str]:
        """Every console line, stdout first and then stderr."""
        return self.stdout_lines + self.stderr_lines


@contextmanager
def capture_console() -> Iterator[ConsoleCapture]:
    """Swap ``sys.stdout`` and ``sys.stderr`` for buffers while the block runs.

    A ``StreamHandler`` created inside the block (directly, or by
    ``dictConfig`` with ``"stream": "ext://sys.stderr"``) binds to the buffer,
    exactly as it would bind to the real console.  Handlers created before
    the block keep writing where they wrote before.
    """
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield ConsoleCapture(lambda: (out.getvalue(), err.getvalue()))
    finally:
        flush_logging()
        sys.stdout, sys.stderr = saved


def flush_logging() -> None:
    """Flush every live handler, so files and buffers hold everything logged so far."""
    for ref in list(logging._handlerList):
        handler = ref()
        if handler is None:
            continue
        # One broken handler must not hide the output of the others.
        with contextlib.suppress(Exception):
            handler.flush()


def read_log_lines(path: str | os.PathLike[str]) -> list[str]:
    """Return the lines of a log file after flushing every handler.

    Raises ``FileNotFoundError`` naming the file when it does not exist.
    """
    flush_logging()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines()
    except FileNotFoundError:
        raise FileNotFoundError(f"no log file was written at {os.fspath(path)!r}") from None


class RecordCapture(logging.Handler):
    """A handler that keeps every record it receives, for tests that inspect records."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@contextmanager
def capture_records(logger: str | logging.Logger = "", level: int = logging.DEBUG) -> Iterator[RecordCapture]:
    """Attach a :class:`RecordCapture` to ``logger`` (the root by default) for the block.

    The logger's level is lowered to ``level`` while the block runs so that
    nothing is filtered out before it reaches the capture; both are restored
    afterwards.
    """
    target = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
    handler = RecordCapture()
    saved_level = target.level
    target.addHandler(handler)
    target.setLevel(level)
    try:
        yield handler
    finally:
        target.removeHandler(handler)
        target.setLevel(saved_level)
        handler.close()
