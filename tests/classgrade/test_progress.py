"""The progress line: plain lines in a log, redrawn in place on a terminal; durations."""

from __future__ import annotations

import io

from coursekit.classgrade.model import Status
from coursekit.classgrade.progress import Progress, format_duration


def test_progress_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream=stream, tty=False, every=3600)
    progress.draw(force=True)
    for status in (Status.GRADED, Status.TIMED_OUT, Status.FAILED):
        progress.add(status)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in stream.getvalue()  # the first line and the last, no repeats
    assert lines[0].startswith("grading: [") and "0/3" in lines[0]
    assert "3/3 100%" in lines[-1] and "failed 1" in lines[-1] and "timed out 1" in lines[-1]
    assert "sub/s" in lines[-1] and "left 00:00" in lines[-1]


def test_progress_redraws_in_place_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=True)
    progress.add(Status.GRADED)
    progress.add(Status.GRADED)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n") and text.count("\n") == 1


def test_format_duration() -> None:
    assert format_duration(5) == "00:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "--:--"
