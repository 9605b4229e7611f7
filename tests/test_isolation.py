"""coursekit.isolation: logging state is restored and handlers made inside are closed."""

from __future__ import annotations

import io
import logging
import logging.config
import logging.handlers

from coursekit import isolated_logging, snapshot


def _console_config(stream: io.StringIO) -> dict:
    return {
        "version": 1,
        "handlers": {"console": {"class": "logging.StreamHandler", "stream": stream}},
        "root": {"level": "DEBUG", "handlers": ["console"]},
    }


def test_root_handlers_and_level_are_restored():
    before = snapshot()
    with isolated_logging():
        logging.config.dictConfig(_console_config(io.StringIO()))
        assert logging.root.level == logging.DEBUG
        assert len(logging.root.handlers) == 1
    assert logging.root.handlers == list(before.root.handlers)
    assert logging.root.level == before.root.level


def test_running_a_block_twice_never_duplicates_handlers():
    stream = io.StringIO()
    for _ in range(2):
        with isolated_logging():
            logging.basicConfig(stream=stream, level=logging.INFO, format="%(message)s", force=True)
            logging.getLogger("train").info("epoch done")
    assert stream.getvalue().splitlines() == ["epoch done", "epoch done"]


def test_existing_logger_is_reenabled_after_disable_existing_loggers():
    existing = logging.getLogger("coursekit.test.existing")
    existing.setLevel(logging.WARNING)
    with isolated_logging():
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": True})
        assert existing.disabled
    assert not existing.disabled
    assert existing.level == logging.WARNING


def test_logger_created_inside_is_reset_to_pristine():
    with isolated_logging():
        inner = logging.getLogger("coursekit.test.created_inside")
        inner.setLevel(logging.ERROR)
        inner.propagate = False
        inner.addFilter(logging.Filter("x"))
        inner.addHandler(logging.NullHandler())
    assert (inner.level, inner.propagate, inner.filters, inner.handlers) == (logging.NOTSET, True, [], [])


def test_handlers_created_inside_are_closed(tmp_path):
    with isolated_logging():
        handler = logging.handlers.RotatingFileHandler(tmp_path / "x.log")
        logging.getLogger("coursekit.test.file").addHandler(handler)
        logging.getLogger("coursekit.test.file").warning("written")
        assert handler.stream is not None
    assert handler.stream is None  # closed, so the file is complete and released
    assert (tmp_path / "x.log").read_text() == "written\n"


def test_unattached_handler_created_inside_is_closed(tmp_path):
    with isolated_logging():
        handler = logging.FileHandler(tmp_path / "loose.log")
    assert handler.stream is None


def test_pre_existing_handler_survives_dictconfig_inside():
    stream = io.StringIO()
    outer = logging.StreamHandler(stream)
    logger = logging.getLogger("coursekit.test.outer")
    logger.addHandler(outer)
    try:
        with isolated_logging():
            logging.config.dictConfig(_console_config(io.StringIO()))
        logger.warning("still here")
        assert stream.getvalue() == "still here\n"
        assert logger.handlers == [outer]
    finally:
        logger.removeHandler(outer)


def test_state_is_restored_when_the_block_raises():
    before = list(logging.root.handlers)
    try:
        with isolated_logging():
            logging.root.addHandler(logging.NullHandler())
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert logging.root.handlers == before


def test_global_disable_and_record_factory_are_restored():
    factory = logging.getLogRecordFactory()
    with isolated_logging():
        logging.disable(logging.CRITICAL)
        logging.setLogRecordFactory(lambda *a, **k: factory(*a, **k))
    assert logging.root.manager.disable == logging.NOTSET
    assert logging.getLogRecordFactory() is factory


def test_level_cache_is_cleared_so_restored_levels_take_effect():
    logger = logging.getLogger("coursekit.test.cache")
    with isolated_logging():
        logging.root.setLevel(logging.DEBUG)
        assert logger.isEnabledFor(logging.DEBUG)
    assert logger.isEnabledFor(logging.DEBUG) == (logging.root.level <= logging.DEBUG)
