"""A progress line for the grading run: counts, rate and time left, on stderr.

On a terminal the line is redrawn in place (at most ten times a second); elsewhere (a log file, CI)
a plain line is printed every ``every`` seconds and at the end, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from coursekit.classgrade.model import Status

__all__ = ["Progress", "format_duration"]


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    """Counts of a grading run and their display."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        tty: bool | None = None,
        every: float = 10.0,
        width: int = 28,
        enabled: bool = True,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every
        self.width = width
        self.enabled = enabled
        self.started = time.monotonic()
        self.done = 0
        self.graded = 0
        self.timed_out = 0
        self.failed = 0
        self.running = 0
        self._last_draw = 0.0
        self._last_len = 0
        self._final_drawn = False

    def add(self, status: Status) -> None:
        self.done += 1
        if status == Status.GRADED:
            self.graded += 1
        elif status == Status.TIMED_OUT:
            self.timed_out += 1
        else:
            self.failed += 1
        self.draw()

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.started
        parts = [
            f"[{bar}] {self.done}/{self.total} {fraction:4.0%}",
            f"{self.rate:.2f} sub/s",
            f"elapsed {format_duration(elapsed)}",
            f"left {format_duration(self.eta) if self.done < self.total else '00:00'}",
            f"failed {self.failed}",
            f"timed out {self.timed_out}",
        ]
        return " | ".join(parts)

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = self.done >= self.total
        if self.tty:
            if not (force or finished or now - self._last_draw >= 0.1):
                return
            text = self.line()
            pad = max(0, self._last_len - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._last_len = len(text)
        else:
            if not (force or finished or now - self._last_draw >= self.every):
                return
            if finished and self._final_drawn:
                return
            self.stream.write("grading: " + self.line() + "\n")
        self.stream.flush()
        self._last_draw = now
        self._final_drawn = self._final_drawn or finished

    def close(self) -> None:
        if not self.enabled:
            return
        self.draw(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
