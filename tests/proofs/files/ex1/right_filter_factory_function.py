# RIGHT: the run_id filter comes from a factory function ("()" with a keyword), levels as numbers, train
# logger kept open.
# loses: nothing
import logging
import logging.config
import os
import pathlib


def make_run_filter(run_id):
    def add_run_id(record):
        record.run_id = run_id
        return True

    return add_run_id


def setup_logging(log_file, run_id, console_level=None):
    chosen = console_level or os.environ.get("LOG_LEVEL") or "INFO"
    pathlib.Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"run": {"()": make_run_filter, "run_id": run_id}},
        "formatters": {
            "console": {"format": "%(asctime)s %(levelname)s %(message)s", "datefmt": "%H:%M:%S"},
            "file": {
                "format": "%(asctime)s run_id=%(run_id)s level=%(levelname)s logger=%(name)s msg=%(message)s"
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "level": logging.getLevelName(chosen.upper()),
                "formatter": "console",
            },
            "file": {
                "class": "logging.handlers.RotatingFileHandler",
                "filename": os.fspath(log_file),
                "maxBytes": 2_000_000,
                "backupCount": 10,
                "level": logging.DEBUG,
                "formatter": "file",
                "filters": ["run"],
            },
        },
        "root": {"level": logging.DEBUG, "handlers": ["console", "file"]},
        "loggers": {"train": {"level": logging.DEBUG}},
    }
    logging.config.dictConfig(config)
