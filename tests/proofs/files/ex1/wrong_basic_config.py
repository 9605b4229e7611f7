# WRONG: handlers built by hand and installed with logging.basicConfig(force=True); it behaves, but not
# through dictConfig.
# loses: ex1_dictconfig_handlers
import logging
import logging.handlers
import os
from pathlib import Path


class RunIdFilter(logging.Filter):
    def __init__(self, run_id):
        super().__init__()
        self.run_id = run_id

    def filter(self, record):
        record.run_id = self.run_id
        return True


def setup_logging(log_file, run_id, console_level=None):
    if console_level is None:
        console_level = os.environ.get("LOG_LEVEL", "INFO")
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)

    console = logging.StreamHandler()
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    file = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    file.setLevel(logging.DEBUG)
    file.addFilter(RunIdFilter(run_id))
    file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s run=%(run_id)s: %(message)s"))

    logging.basicConfig(level=logging.DEBUG, handlers=[console, file], force=True)
