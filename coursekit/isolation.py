"""Isolated logging state: snapshot the ``logging`` module and restore it.

Running a notebook cell twice, or grading one exercise after another in the
same kernel, must not pile up handlers or leak levels and filters from one
block into the next.  :func:`isolated_logging` records everything that
``logging.config.dictConfig`` and friends can change and puts it back
afterwards, closing every handler that the block created.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["LoggingSnapshot", "isolated_logging", "restore", "snapshot"]


@dataclass(frozen=True)
class _LoggerState:
    level: int
    handlers: tuple[logging.Handler, ...]
    filters: tuple[object, ...]
    propagate: bool
    disabled: bool

    @classmethod
    def of(cls, logger: logging.Logger) -> _LoggerState:
        return cls(
            level=logger.level,
            handlers=tuple(logger.handlers),
            filters=tuple(logger.filters),
            propagate=logger.propagate,
            disabled=logger.disabled,
        )

    def apply_to(self, logger: logging.Logger) -> None:
        logger.setLevel(self.level)
        logger.handlers[:] = list(self.handlers)
        logger.filters[:] = list(self.filters)
        logger.propagate = self.propagate
        logger.disabled = self.disabled


_PRISTINE = _LoggerState(level=logging.NOTSET, handlers=(), filters=(), propagate=True, disabled=False)


@dataclass(frozen=True)
class LoggingSnapshot:
    """Everything about the ``logging`` module that a block of code may change."""

    root: _LoggerState
    loggers: dict[str, _LoggerState]
    disable_level: int
    named_handlers: dict[str, logging.Handler]
    handler_refs: tuple[weakref.ReferenceType, ...]
    logger_class: type[logging.Logger]
    record_factory: object

    def known_handlers(self) -> set[int]:
        """Ids of the handlers that existed when the snapshot was taken."""
        ids = {id(h) for h in self.root.handlers}
        for state in self.loggers.values():
            ids.update(id(h) for h in state.handlers)
        ids.update(id(h) for h in self.named_handlers.values())
        ids.update(id(ref()) for ref in self.handler_refs if ref() is not None)
        return ids


def _named_loggers() -> dict[str, logging.Logger]:
    return {
        name: obj
        for name, obj in logging.Logger.manager.loggerDict.items()
        if isinstance(obj, logging.Logger)
    }


def snapshot() -> LoggingSnapshot:
    """Record the current state of the root logger, every named logger and the handler registry."""
    with logging._lock:  # the module-level lock guards loggerDict and the handler registry
        return LoggingSnapshot(
            root=_LoggerState.of(logging.root),
            loggers={name: _LoggerState.of(lg) for name, lg in _named_loggers().items()},
            disable_level=logging.root.manager.disable,
            named_handlers=dict(logging._handlers),
            handler_refs=tuple(logging._handlerList),
            logger_class=logging.getLoggerClass(),
            record_factory=logging.getLogRecordFactory(),
        )


def _handlers_in_use() -> list[logging.Handler]:
    seen: dict[int, logging.Handler] = {id(h): h for h in logging.root.handlers}
    for logger in _named_loggers().values():
        seen.update((id(h), h) for h in logger.handlers)
    for ref in logging._handlerList:
        handler = ref()
        if handler is not None:
            seen[id(handler)] = handler
    return list(seen.values())


def _close_quietly(handler: logging.Handler) -> None:
    # A broken learner handler must not stop the restore.
    with contextlib.suppress(Exception):
        handler.flush()
    with contextlib.suppress(Exception):
        handler.close()


def restore(snap: LoggingSnapshot) -> None:
    """Put the ``logging`` module back as it was in ``snap``.

    Handlers created since the snapshot are flushed and closed (so their log
    files are complete and released); loggers created since the snapshot are
    reset to a pristine state: level NOTSET, no handlers or filters,
    propagating, enabled.
    """
    with logging._lock:
        known = snap.known_handlers()
        for handler in _handlers_in_use():
            if id(handler) not in known:
                _close_quietly(handler)
        snap.root.apply_to(logging.root)
        for name, logger in _named_loggers().items():
            snap.loggers.get(name, _PRISTINE).apply_to(logger)
        logging.root.manager.disable = snap.disable_level
        logging._handlers.clear()
        logging._handlers.update(snap.named_handlers)
        logging._handlerList[:] = list(snap.handler_refs)
        logging.setLoggerClass(snap.logger_class)
        logging.setLogRecordFactory(snap.record_factory)
        logging.root.manager._clear_cache()


@contextmanager
def isolated_logging() -> Iterator[LoggingSnapshot]:
    """Run a block with the freedom to reconfigure logging, then undo it all.

    >>> with isolated_logging():
    ...     logging.basicConfig(level=logging.DEBUG)
    >>> logging.root.handlers == snapshot().root.handlers
    True
    """
    snap = snapshot()
    try:
        yield snap
    finally:
        restore(snap)
