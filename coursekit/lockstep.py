"""Make concurrent calls overlap record by record, so a check on threads gives the same verdict every run.

A check that starts two threads and hopes they interleave passes a wrong answer whenever one thread
happens to finish first.  :class:`Lockstep` is a handler that removes the luck: put it on the logger the
code logs through and run each call through :meth:`Lockstep.serve`; the k-th record of every serving
thread then waits until each of them has logged k records (or has finished).  A value shared by all
calls (a module variable, one adapter, a filter added to the logger for the length of a call) is then
always overwritten by another thread before the next record is made.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["Lockstep"]

T = TypeVar("T")


class Lockstep(logging.Handler):
    """Keeps every record; holds the k-th record of each serving thread until all have logged k.

    ``threads`` is how many calls :meth:`serve` will run at once.  A wait longer than ``timeout``
    seconds (code that serialises its calls with a lock of its own, which is right) switches the
    waiting off for the rest of the run: ``waited_too_long`` says so.
    """

    def __init__(self, threads: int, timeout: float = 5.0) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.waited_too_long = False
        self._logged: dict[int, int] = {}  # serving thread -> records it has logged
        self._finished: set[int] = set()
        self._turn = threading.Condition()
        self._timeout = timeout
        self._threads = threads

    def serve(self, call: Callable[..., T], *args: object) -> T:
        """Run ``call(*args)`` as one serving thread: it counts as serving until it returns."""
        me = threading.get_ident()
        with self._turn:
            self._logged[me] = 0
        try:
            return call(*args)
        finally:
            with self._turn:
                self._finished.add(me)
                self._turn.notify_all()

    def _caught_up(self, count: int) -> bool:
        return self.waited_too_long or (
            len(self._logged) == self._threads
            and all(logged >= count or thread in self._finished for thread, logged in self._logged.items())
        )

    def handle(self, record: logging.LogRecord) -> bool:
        with self._turn:
            self.records.append(record)
            if record.thread not in self._logged:
                return True
            self._logged[record.thread] += 1
            count = self._logged[record.thread]
            self._turn.notify_all()
            if not self._turn.wait_for(lambda: self._caught_up(count), timeout=self._timeout):
                self.waited_too_long = True
                self._turn.notify_all()
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Nothing to write: the records are kept in ``records``."""
