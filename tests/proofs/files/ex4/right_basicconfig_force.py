# RIGHT: basicConfig(force=True) replaces the worker's handlers with the QueueHandler; a RankFilter
# class on it, like the lesson's; the listener's handlers built in a loop over (path or stream, level,
# filter); module-level `log` and `handlers`.
# loses: nothing

%%writefile ex4_workers.py
import logging
import logging.handlers

FORMAT = "rank=%(rank)s %(levelname)-8s %(name)s | %(message)s"
log = logging.getLogger("workers")
handlers = []  # every handler a listener was given, closed by stop_listener


class RankFilter(logging.Filter):
    def __init__(self, rank):
        super().__init__()
        self.rank = rank

    def filter(self, record):
        record.rank = self.rank
        return True


class OnlyRankZero(logging.Filter):
    def filter(self, record):
        return record.rank == 0


def worker_configure(queue, rank):
    handler = logging.handlers.QueueHandler(queue)
    handler.addFilter(RankFilter(rank))
    logging.basicConfig(level=logging.DEBUG, handlers=[handler], force=True)


def start_listener(queue, log_path, console):
    mine = []
    for target, level, only_zero in [(log_path, logging.DEBUG, False), (console, logging.INFO, True)]:
        if isinstance(target, str):
            handler = logging.FileHandler(target, mode="w")
        else:
            handler = logging.StreamHandler(target)
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(FORMAT))
        if only_zero:
            handler.addFilter(OnlyRankZero())
        mine.append(handler)
    handlers.extend(mine)
    listener = logging.handlers.QueueListener(queue, *mine, respect_handler_level=True)
    listener.start()
    log.debug("listener started")
    return listener


def stop_listener(listener):
    listener.stop()
    for handler in listener.handlers:
        handler.flush()
        handler.close()
        if handler in handlers:
            handlers.remove(handler)
