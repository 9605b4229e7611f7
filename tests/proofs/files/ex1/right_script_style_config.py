# RIGHT: written like a script: a module-level logger made before the set-up, a module-level config
# dictionary that each call fills in and passes to dictConfig, a look at its handlers in a loop.
# loses: nothing
import logging
import logging.config
import os
from pathlib import Path

LOG_FORMAT = "%(asctime)s [%(run_id)s] %(levelname)-8s %(name)s - %(message)s"
CONSOLE_FORMAT = "%(levelname)-8s %(name)s - %(message)s"

logger = logging.getLogger("train")


class RunIdFilter(logging.Filter):
    def __init__(self, run_id):
        super().__init__()
        self.run_id = run_id

    def filter(self, record):
        record.run_id = self.run_id
        return True


config = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"format": CONSOLE_FORMAT},
        "file": {"format": LOG_FORMAT},
    },
    "filters": {},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "console"},
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "maxBytes": 1024 * 1024,
            "backupCount": 5,
            "level": "DEBUG",
            "formatter": "file",
            "filters": ["run_id"],
        },
    },
    "root": {"level": "DEBUG", "handlers": ["console", "file"]},
}

for name, handler in config["handlers"].items():
    print(name, "->", handler["class"])


def setup_logging(log_file, run_id, console_level=None):
    if console_level is None:
        console_level = os.environ.get("LOG_LEVEL", "INFO")
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    config["filters"]["run_id"] = {"()": RunIdFilter, "run_id": run_id}
    config["handlers"]["console"]["level"] = console_level
    config["handlers"]["file"]["filename"] = str(log_file)
    logging.config.dictConfig(config)
