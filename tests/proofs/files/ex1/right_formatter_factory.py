# RIGHT: a Formatter subclass built through "()" adds run_id; handlers attached via "loggers": {"": ...};
# pathlib.
# loses: nothing
import logging
import logging.config
import os
from pathlib import Path


class RunFormatter(logging.Formatter):
    """Prefixes every formatted line with the run id."""

    def __init__(self, run_id, fmt=None):
        super().__init__(fmt)
        self.run_id = run_id

    def format(self, record):
        return f"[run {self.run_id}] " + super().format(record)


def setup_logging(log_file, run_id, console_level=None):
    log_file = Path(log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    if console_level is None:
        console_level = os.environ.get("LOG_LEVEL") or "INFO"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "plain": {"format": "%(levelname)s:%(name)s:%(message)s"},
                "run": {
                    "()": RunFormatter,
                    "run_id": run_id,
                    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                },
            },
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "level": console_level,
                    "formatter": "plain",
                },
                "rotating": {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": str(log_file),
                    "maxBytes": 10 * 1024 * 1024,
                    "backupCount": 2,
                    "level": "DEBUG",
                    "formatter": "run",
                },
            },
            "loggers": {"": {"level": "DEBUG", "handlers": ["stderr", "rotating"]}},
        }
    )
