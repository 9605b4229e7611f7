"""Run ``train.py`` with its wall clock stopped and/or its logging handlers reported at exit.

:func:`~coursekit.train_checks.run_train` runs this file by path, never imports it for its work::

    python .../coursekit/train_checks/_probe.py train.py ARGS

It reads (and removes, so the script never sees them) two environment variables:
``COURSEKIT_CLOCK`` (seconds since the epoch) stops ``time.time()``, ``datetime.now()`` ... at that
instant; ``COURSEKIT_PROBE_OUT`` names a file that receives, at exit, the logging handlers still
alive as a JSON list of ``{"class", "file", "rotating"}``.  Then it runs ``train.py`` as
``__main__``, with ``sys.argv`` and ``sys.path`` as ``python train.py ARGS`` would give it.

Only the standard library is imported here (nothing of coursekit): the script's process holds
no logging handler, and no module, that a plain ``python train.py`` would not.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import os
import runpy
import sys
import time
from typing import Any

CLOCK_VAR = "COURSEKIT_CLOCK"
REPORT_VAR = "COURSEKIT_PROBE_OUT"


def stop_clock(now: float) -> None:
    """Make every wall-clock reading of this process return ``now`` (seconds since the epoch)."""
    import datetime  # here, not at the top: without a stopped clock the script imports it itself

    localtime, gmtime, ctime, asctime, strftime = (
        time.localtime,
        time.gmtime,
        time.ctime,
        time.asctime,
        time.strftime,
    )
    time.time = lambda: now
    time.time_ns = lambda: int(now * 1e9)
    time.localtime = lambda secs=None: localtime(now if secs is None else secs)
    time.gmtime = lambda secs=None: gmtime(now if secs is None else secs)
    time.ctime = lambda secs=None: ctime(now if secs is None else secs)
    time.asctime = lambda t=None: asctime(localtime(now) if t is None else t)
    time.strftime = lambda fmt, t=None: strftime(fmt, localtime(now) if t is None else t)

    class _Datetime(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> _Datetime:
            return cls.fromtimestamp(now, tz)

        @classmethod
        def utcnow(cls) -> _Datetime:
            return cls.fromtimestamp(now, datetime.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> _Datetime:
            return cls.fromtimestamp(now)

    class _Date(datetime.date):
        @classmethod
        def today(cls) -> _Date:
            return cls.fromtimestamp(now)

    datetime.datetime, datetime.date = _Datetime, _Date


def alive_handlers() -> list[dict[str, Any]]:
    """The logging handlers not yet garbage-collected: class name, file (if any), rotating or not."""
    found = []
    for ref in list(logging._handlerList):
        handler = ref()
        if handler is not None:
            found.append(
                {
                    "class": type(handler).__name__,
                    "file": getattr(handler, "baseFilename", None),
                    "rotating": isinstance(handler, logging.handlers.BaseRotatingHandler),
                }
            )
    return found


def report_handlers(path: str) -> None:
    """Write :func:`alive_handlers` to ``path`` as JSON."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(alive_handlers(), fh)


def main() -> None:
    report_to = os.environ.pop(REPORT_VAR, None)
    clock = os.environ.pop(CLOCK_VAR, None)
    if clock is not None:
        stop_clock(float(clock))
    if report_to is not None:
        # Registered after logging's own shutdown hook, so it runs first: the handlers are still there.
        atexit.register(report_handlers, report_to)
    sys.argv = sys.argv[1:]
    if not sys.flags.safe_path:
        # This file's folder is not the script's business: "" (the current folder) stands in its place.
        sys.path[0] = ""
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
