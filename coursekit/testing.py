"""Pytest fixtures for tests that configure logging (registered as a pytest plugin).

``logging_state``  restores the logging module after the test;
``sandbox_dir``    a temporary working folder the test runs in;
``console``        the console text captured during the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coursekit.capture import ConsoleCapture, capture_console
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
def console(logging_state: LoggingSnapshot) -> Iterator[ConsoleCapture]:
    """Capture stdout and stderr as handlers created during the test see them."""
    with capture_console() as captured:
        yield captured
