# WRONG: the run_id filter sits on the 'train' logger, so records of other loggers (train.data,
# evaluation) lack run_id and their lines are lost.
# loses: ex1_all_loggers
import logging
import logging.config
import os
from pathlib import Path


def setup_logging(log_file, run_id, console_level=None):
    """Configure logging for one training run (see the statement above).

    - console (sys.stderr): console_level, else $LOG_LEVEL, else INFO;
    - log_file (rotating, folders created): DEBUG and above, run_id on every line;
    - calling it again replaces the previous set-up.
    """
    if console_level is None:
        console_level = os.environ.get("LOG_LEVEL", "INFO")
    if isinstance(console_level, str):
        console_level = console_level.upper()
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)

    class RunIdFilter(logging.Filter):
        """Stamps every record that reaches the handler with the run id."""

        def filter(self, record):
            record.run_id = run_id
            return True

    logging.config.dictConfig(
        {
            "version": 1,
            # Loggers created before this call (getLogger(__name__) at import time) keep working.
            "disable_existing_loggers": False,
            "formatters": {
                "console": {"format": "%(levelname)s %(name)s: %(message)s"},
                "file": {"format": "%(asctime)s %(levelname)s %(name)s run=%(run_id)s: %(message)s"},
            },
            "filters": {"run_id": {"()": RunIdFilter}},
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "level": console_level,
                    "formatter": "console",
                },
                "file": {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": str(log_file),
                    "maxBytes": 5_000_000,
                    "backupCount": 3,
                    "encoding": "utf-8",
                    "level": "DEBUG",
                    "formatter": "file",
                },
            },
            # The root logger lets everything through; each handler keeps what its level allows.
            "root": {"level": "DEBUG", "handlers": ["console", "file"]},
            "loggers": {"train": {"filters": ["run_id"]}},
        }
    )
