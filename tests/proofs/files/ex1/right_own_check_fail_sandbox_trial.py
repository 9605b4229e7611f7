# RIGHT: checks the level name with its own check() and fail(), tries itself out at once in its own
# sandbox() with its own ex1_trial(), module-level logger and result.
# loses: nothing
import contextlib
import logging
import logging.config
import os
import tempfile
from pathlib import Path

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
logger = logging.getLogger("train")


def fail(message):
    raise ValueError(message)


def check(level):
    """The level name in capitals; an unknown name is an error."""
    if str(level).upper() not in LEVELS:
        fail(f"unknown log level {level!r}, use one of {LEVELS}")
    return str(level).upper()


class RunId(logging.Filter):
    def __init__(self, run_id):
        super().__init__()
        self.run_id = run_id

    def filter(self, record):
        record.run_id = self.run_id
        return True


def setup_logging(log_file, run_id, console_level=None):
    level = check(console_level if console_level is not None else os.environ.get("LOG_LEVEL", "INFO"))
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "human": {"format": "%(levelname)s %(name)s: %(message)s"},
                "machine": {"format": "%(asctime)s %(run_id)s %(levelname)s %(name)s: %(message)s"},
            },
            "filters": {"run_id": {"()": RunId, "run_id": run_id}},
            "handlers": {
                "console": {"class": "logging.StreamHandler", "level": level, "formatter": "human"},
                "file": {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": str(log_file),
                    "maxBytes": 500_000,
                    "backupCount": 4,
                    "level": "DEBUG",
                    "formatter": "machine",
                    "filters": ["run_id"],
                },
            },
            "root": {"level": "DEBUG", "handlers": ["console", "file"]},
        }
    )


@contextlib.contextmanager
def sandbox():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def ex1_trial():
    """Run setup_logging once in a throwaway folder; return what reached the file."""
    with sandbox() as folder:
        log_file = folder / "logs" / "trial.log"
        setup_logging(log_file, "trial-1", console_level="WARNING")
        logger.debug("a debug line for the file only")
        text = log_file.read_text()
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False, "root": {"handlers": []}})
    return text


result = ex1_trial()
print(result)
