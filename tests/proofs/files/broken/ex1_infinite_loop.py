# BROKEN: waits at import time for a folder nobody creates, so the answer cell never finishes.
import logging
import logging.config
import os

while not os.path.isdir("logs"):  # meant to wait for another process; nothing ever creates it
    pass


def setup_logging(log_file, run_id, console_level=None):
    logging.config.dictConfig({"version": 1})
