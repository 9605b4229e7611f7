"""Checks for test cells that fail with feedback a learner can act on.

Every failure names what was checked, what was observed and what was
expected, for example::

    CheckFailed: the console must show INFO and above only
      observed: the DEBUG line 'batch loaded' reached the console
      expected: DEBUG lines only in the log file
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

__all__ = [
    "CheckFailed",
    "check",
    "check_absent",
    "check_contains",
    "check_count",
    "check_equal",
    "check_every_line",
    "check_raises",
    "fail",
]

_MAX_SHOWN = 300


class CheckFailed(AssertionError):
    """A check in a test cell did not hold; the message says what was observed and expected."""

    def __init__(self, what: str, observed: str, expected: str, hint: str | None = None) -> None:
        self.what, self.observed, self.expected, self.hint = what, observed, expected, hint
        lines = [what, f"  observed: {observed}", f"  expected: {expected}"]
        if hint:
            lines.append(f"  hint: {hint}")
        super().__init__("\n".join(lines))


def _shorten(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _as_lines(text_or_lines: str | Iterable[str]) -> list[str]:
    if isinstance(text_or_lines, str):
        return text_or_lines.splitlines()
    return list(text_or_lines)


def _show_lines(lines: list[str]) -> str:
    if not lines:
        return "nothing (no lines at all)"
    return _shorten(" | ".join(lines))


def fail(what: str, observed: str, expected: str, hint: str | None = None) -> NoReturn:
    """Fail the check unconditionally."""
    raise CheckFailed(what, observed, expected, hint)


def check(condition: object, what: str, observed: str, expected: str, hint: str | None = None) -> None:
    """Fail with the given observation when ``condition`` is false."""
    if not condition:
        fail(what, observed, expected, hint)


def check_equal(actual: Any, expected: Any, what: str, hint: str | None = None) -> None:
    """Fail when ``actual != expected``; both values are shown."""
    if actual != expected:
        fail(what, _shorten(actual), _shorten(expected), hint)


def check_contains(
    text_or_lines: str | Iterable[str], needle: str, where: str, hint: str | None = None
) -> str:
    """Fail unless some line of ``where`` contains ``needle``; return the first such line."""
    lines = _as_lines(text_or_lines)
    for line in lines:
        if needle in line:
            return line
    fail(f"{where} must contain {needle!r}", _show_lines(lines), f"a line with {needle!r}", hint)


def check_absent(
    text_or_lines: str | Iterable[str], needle: str, where: str, hint: str | None = None
) -> None:
    """Fail when any line of ``where`` contains ``needle``; the offending line is shown."""
    for line in _as_lines(text_or_lines):
        if needle in line:
            fail(
                f"{where} must not contain {needle!r}",
                f"the line {_shorten(line)!r}",
                f"no line with {needle!r}",
                hint,
            )


def check_every_line(lines: Iterable[str], needle: str, where: str, hint: str | None = None) -> None:
    """Fail unless there is at least one line and every line contains ``needle``."""
    lines = _as_lines(lines)
    if not lines:
        fail(f"every line of {where} must contain {needle!r}", "no lines at all", "at least one line", hint)
    for line in lines:
        if needle not in line:
            fail(
                f"every line of {where} must contain {needle!r}",
                f"the line {_shorten(line)!r}",
                f"{needle!r} in every line",
                hint,
            )


def check_count(
    text_or_lines: str | Iterable[str], needle: str, expected: int, where: str, hint: str | None = None
) -> None:
    """Fail unless exactly ``expected`` lines of ``where`` contain ``needle``."""
    lines = _as_lines(text_or_lines)
    found = [line for line in lines if needle in line]
    if len(found) != expected:
        fail(
            f"{where} must have {expected} line(s) with {needle!r}",
            f"{len(found)} such line(s): {_show_lines(found)}",
            f"{expected} line(s)",
            hint,
        )


def check_raises(
    expected: type[BaseException] | tuple[type[BaseException], ...],
    func: Callable[..., Any],
    *args: Any,
    what: str,
    match: str | None = None,
    hint: str | None = None,
    **kwargs: Any,
) -> BaseException:
    """Call ``func`` and fail unless it raises ``expected`` (with ``match`` in its message).

    Returns the exception so that a test can inspect it further.
    """
    names = expected.__name__ if isinstance(expected, type) else " or ".join(e.__name__ for e in expected)
    wanted = names + (f" mentioning {match!r}" if match else "")
    try:
        result = func(*args, **kwargs)
    except expected as exc:
        if match and not re.search(match, str(exc), flags=re.IGNORECASE):
            fail(what, f"{type(exc).__name__}: {_shorten(str(exc))}", wanted, hint)
        return exc
    except Exception as exc:  # noqa: BLE001 - any other exception is the observation to report
        fail(what, f"{type(exc).__name__}: {_shorten(str(exc))}", wanted, hint)
    fail(what, f"no exception; it returned {_shorten(result)}", wanted, hint)
