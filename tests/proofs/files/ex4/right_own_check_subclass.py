# RIGHT: a QueueHandler subclass whose prepare() stamps the rank; arguments checked with the learner's
# own `check` and `fail`; the console handler's level and filter set inside one helper; a dict of
# level names.
# loses: nothing

%%writefile ex4_workers.py
import logging
import logging.handlers
import os


def fail(message):
    raise ValueError(message)


def check(condition, message):
    if not condition:
        fail(message)


class RankQueueHandler(logging.handlers.QueueHandler):
    def __init__(self, queue, rank):
        super().__init__(queue)
        self.rank = rank

    def prepare(self, record):
        record = super().prepare(record)
        record.rank = self.rank
        return record


def worker_configure(queue, rank):
    check(isinstance(rank, int) and rank >= 0, f"bad rank {rank!r}")
    root = logging.getLogger()
    while root.handlers:
        root.removeHandler(root.handlers[0])
    root.addHandler(RankQueueHandler(queue, rank))
    root.setLevel(logging.DEBUG)


def console_for_rank_zero(stream, fmt):
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.INFO)
    handler.addFilter(lambda r: r.rank == 0)
    handler.setFormatter(fmt)
    return handler


def start_listener(queue, log_path, console):
    check(os.path.basename(log_path), "log_path must name a file")
    fmt = logging.Formatter("%(levelname)s rank=%(rank)s pid=%(process)d %(message)s")
    file_handler = logging.FileHandler(log_path)
    file_handler.setFormatter(fmt)
    listener = logging.handlers.QueueListener(
        queue, file_handler, console_for_rank_zero(console, fmt), respect_handler_level=True
    )
    listener.start()
    return listener


def stop_listener(listener):
    listener.stop()
    for handler in listener.handlers:
        handler.close()
