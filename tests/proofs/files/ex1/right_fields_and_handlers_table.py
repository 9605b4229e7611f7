# RIGHT: the file format built from a module-level list of fields, a module-level handlers table copied on
# each call, an hourly TimedRotatingFileHandler, the loggers named up front.
# loses: nothing
import logging
import logging.config
import os
from pathlib import Path

fields = ["asctime", "levelname", "name", "run_id", "message"]
LOG_FORMAT = " | ".join(f"%({field})s" for field in fields)

handlers = {
    "console": {"class": "logging.StreamHandler", "formatter": "short"},
    "file": {
        "class": "logging.handlers.TimedRotatingFileHandler",
        "when": "H",
        "backupCount": 48,
        "level": "DEBUG",
        "formatter": "full",
        "filters": ["add_run_id"],
    },
}

for name in ("train", "train.data", "evaluation"):
    logging.getLogger(name)


class AddRunId(logging.Filter):
    def __init__(self, run_id):
        super().__init__()
        self.run_id = run_id

    def filter(self, record):
        record.run_id = self.run_id
        return True


def setup_logging(log_file, run_id, console_level=None):
    level = console_level or os.environ.get("LOG_LEVEL") or "INFO"
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    these = {key: dict(spec) for key, spec in handlers.items()}
    these["console"]["level"] = level.upper()
    these["file"]["filename"] = log_file
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "short": {"format": "%(levelname)s %(name)s %(message)s"},
                "full": {"format": LOG_FORMAT},
            },
            "filters": {"add_run_id": {"()": AddRunId, "run_id": run_id}},
            "handlers": these,
            "root": {"level": "DEBUG", "handlers": list(these)},
        }
    )
