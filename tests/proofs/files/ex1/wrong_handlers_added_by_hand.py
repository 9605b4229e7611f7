# WRONG: dictConfig only declares the formatters; the handlers are added with addHandler, so a second call
# piles up a second pair.
# loses: ex1_dictconfig_handlers, ex1_second_call
import logging
import logging.config
import logging.handlers
import os
from pathlib import Path


def setup_logging(log_file, run_id, console_level=None):
    """Console at console_level / $LOG_LEVEL / INFO, rotating DEBUG file with run_id."""
    level = console_level or os.environ.get("LOG_LEVEL", "INFO")
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})

    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    file = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5)
    file.setLevel(logging.DEBUG)
    file.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s [{run_id}] %(name)s: %(message)s"))

    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(console)
    root.addHandler(file)
