"""coursekit.testing: the pytest fixtures that learners and the kit's own tests use."""

from __future__ import annotations

import logging
import logging.config
import sys
from pathlib import Path

pytest_plugins = ["pytester"]


def test_fixtures_capture_console_and_restore_logging(pytester):
    pytester.makepyfile(
        """
        import logging, logging.config, sys
        from pathlib import Path

        def test_configure(console, sandbox_dir):
            assert Path.cwd() == sandbox_dir
            logging.config.dictConfig({
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"c": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
                "root": {"level": "INFO", "handlers": ["c"]},
            })
            logging.getLogger("train").info("hello")
            assert console.stderr_lines == ["hello"]

        def test_next_test_sees_no_leftover(logging_state):
            assert not any(
                isinstance(h, logging.StreamHandler) and h.stream is not sys.stderr and
                type(h).__name__ == "StreamHandler" for h in logging.root.handlers
            )
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:xdist", "-p", "no:nbval")
    result.assert_outcomes(passed=2)


def test_logging_state_fixture_restores_after_the_test(logging_state):
    logging.root.addHandler(logging.NullHandler())
    assert len(logging.root.handlers) == len(logging_state.root.handlers) + 1


def test_sandbox_dir_fixture_is_the_working_directory(sandbox_dir: Path):
    assert Path.cwd() == sandbox_dir
    assert sys.path  # the test ran inside the sandbox without touching the repo
