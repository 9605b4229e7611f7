"""Pytest fixtures for tests that configure logging (registered as a pytest plugin).

``logging_state``  restores the logging module after the test;
``sandbox_dir``    a temporary working folder the test runs in;
``console``        the console text captured during the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coursekit.capture import ConsoleCapture
from coursekit.isolation import LoggingSnapshot, isolated_logging
from coursekit.sandbox import sandbox

__all__ = ["console", "logging_state", "sandbox_dir"]


@pytest.fixture
def logging_state() -> Iterator[LoggingSnapshot]:
    """Snapshot logging before the test and restore it (closing new handlers) afterwards."""
    with isolated_logging() as snap:
        yield snap


@pytest.fixture
def sandbox_dir() -> Iterator[Path]:
    """Run the test inside a fresh temporary folder that is removed afterwards."""
    with sandbox() as path:
        yield path


@pytest.fixture
def console(logging_state: LoggingSnapshot, capsys: pytest.CaptureFixture[str]) -> ConsoleCapture:
    """Console text of the test, as handlers created during the test see it.

    Built on pytest's ``capsys`` (pytest swaps ``sys.stderr`` itself before
    each test phase, so a handler created in the test binds to its capture).
    """
    out: list[str] = []
    err: list[str] = []

    def read() -> tuple[str, str]:
        captured = capsys.readouterr()
        out.append(captured.out)
        err.append(captured.err)
        return "".join(out), "".join(err)

    return ConsoleCapture(read)
