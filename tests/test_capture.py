"""coursekit.capture: console text, log-file lines and records."""

from __future__ import annotations

import logging
import logging.config
import sys

import pytest

from coursekit import capture_console, capture_records, isolated_logging, read_log_lines


def test_stream_handler_created_inside_writes_into_the_capture():
    with isolated_logging(), capture_console() as console:
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
                "root": {"level": "INFO", "handlers": ["console"]},
            }
        )
        logging.getLogger("train").info("epoch 1")
        print("plain print")
    assert console.stderr_lines == ["epoch 1"]
    assert console.stdout_lines == ["plain print"]
    assert console.lines == ["plain print", "epoch 1"]


def test_streams_are_restored_after_the_block():
    saved = sys.stdout, sys.stderr
    with capture_console():
        assert sys.stderr is not saved[1]
    assert (sys.stdout, sys.stderr) == saved


def test_last_resort_output_is_captured():
    with isolated_logging(), capture_console() as console:
        logging.root.handlers.clear()  # as in a fresh interpreter, where logging.lastResort applies
        logging.getLogger("nohandlers.anywhere").warning("no handler configured")
    assert "no handler configured" in console.stderr


def test_read_log_lines_flushes_and_reads(tmp_path):
    path = tmp_path / "train.log"
    with isolated_logging():
        handler = logging.FileHandler(path)
        logger = logging.getLogger("coursekit.test.read")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.debug("one")
        logger.info("two")
        assert read_log_lines(path) == ["one", "two"]


def test_read_log_lines_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no log file was written at .*missing.log"):
        read_log_lines(tmp_path / "missing.log")


def test_capture_records_sees_extra_attributes():
    logger = logging.getLogger("inference")
    with capture_records("inference") as captured:
        logger.info("predict start", extra={"request_id": "abc"})
    assert captured.messages == ["predict start"]
    assert captured.records[0].request_id == "abc"
    assert captured not in logger.handlers


def test_capture_records_restores_the_level():
    logger = logging.getLogger("coursekit.test.level")
    logger.setLevel(logging.WARNING)
    with capture_records(logger, level=logging.DEBUG) as captured:
        logger.debug("visible while capturing")
    assert captured.messages == ["visible while capturing"]
    assert logger.level == logging.WARNING
