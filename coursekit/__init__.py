"""coursekit: helpers for the logging and configuration course.

Lessons, exercises and their test cells import from here.  Which module owns which step of the
course (generate, check, grade, prove the grading) is in README.md, section "Architecture".
"""

from coursekit.capture import (
    ConsoleCapture,
    RecordCapture,
    capture_console,
    capture_records,
    flush_logging,
    read_log_lines,
)
from coursekit.checks import (
    CheckFailed,
    check,
    check_absent,
    check_contains,
    check_count,
    check_equal,
    check_every_line,
    check_raises,
    fail,
)
from coursekit.isolation import LoggingSnapshot, isolated_logging, restore, snapshot
from coursekit.lockstep import Lockstep
from coursekit.sandbox import lesson_sandbox, lesson_sandbox_path, sandbox

__all__ = [
    "CheckFailed",
    "ConsoleCapture",
    "Lockstep",
    "LoggingSnapshot",
    "RecordCapture",
    "capture_console",
    "capture_records",
    "check",
    "check_absent",
    "check_contains",
    "check_count",
    "check_equal",
    "check_every_line",
    "check_raises",
    "fail",
    "flush_logging",
    "isolated_logging",
    "lesson_sandbox",
    "lesson_sandbox_path",
    "read_log_lines",
    "restore",
    "sandbox",
    "snapshot",
]
