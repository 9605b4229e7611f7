# RIGHT: the rank comes from a LogRecord factory installed in the worker, so every record is born with
# it; the root emptied with handlers.clear(); the console's filter is a plain function; module-level
# `logger` and `records` (a count of listeners started).
# loses: nothing

%%writefile ex4_workers.py
import logging
from logging.handlers import QueueHandler, QueueListener

logger = logging.getLogger(__name__)
records = {"listeners": 0}


def worker_configure(queue, rank):
    base_factory = logging.getLogRecordFactory()

    def with_rank(*args, **kwargs):
        record = base_factory(*args, **kwargs)
        record.rank = rank
        return record

    logging.setLogRecordFactory(with_rank)
    root = logging.getLogger()
    root.handlers.clear()
    root.addHandler(QueueHandler(queue))
    root.setLevel("DEBUG")


def rank_zero(record):
    return getattr(record, "rank", -1) == 0


def start_listener(queue, log_path, console):
    fmt = logging.Formatter("[%(asctime)s] [rank=%(rank)s] [%(levelname)s] %(message)s")
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(fmt)
    file_handler.setLevel("DEBUG")
    console_handler = logging.StreamHandler(stream=console)
    console_handler.setFormatter(fmt)
    console_handler.setLevel("INFO")
    console_handler.addFilter(rank_zero)
    listener = QueueListener(queue, file_handler, console_handler, respect_handler_level=True)
    listener.start()
    records["listeners"] += 1
    return listener


def stop_listener(listener):
    try:
        listener.stop()
    finally:
        for h in listener.handlers:
            h.close()
    logger.info("listener stopped, %d started so far", records["listeners"])
