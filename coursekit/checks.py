"""Checks for test cells that fail with feedback a learner can act on.

Every failure names what was checked, what was observed and what was
expected, for example::

    CheckFailed: the console must show INFO and above only
      observed: the DEBUG line 'batch loaded' reached the console
      expected: DEBUG lines only in the log file

In a notebook (IPython) a failed check shows that report instead of a traceback through the checks'
own helpers (:meth:`CheckFailed._render_traceback_`): its lines wrapped to :data:`REPORT_WIDTH`, the
frames of the learner's code and their exception when that code raised, then the test cell's line.
"""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
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

# `nbgrader validate` (Validator.width = 90) indents each line of an error by 4 spaces and cuts a line
# longer than width - 3 to that length and "...": the report's lines are at most 90 - 3 - 4 long.
# The Validate dialog shows the same lines in a dialog at most 1000 px wide (about 115 characters).
REPORT_WIDTH = 83
_YOUR_FRAMES = 3  # the frames of the learner's code shown, innermost last
_RED, _GREEN, _RESET = "\x1b[0;31m", "\x1b[0;32m", "\x1b[0m"


class CheckFailed(AssertionError):
    """A check in a test cell did not hold; the message says what was observed and expected."""

    def __init__(self, what: str, observed: str, expected: str, hint: str | None = None) -> None:
        self.what, self.observed, self.expected, self.hint = what, observed, expected, hint
        lines = [what, f"  observed: {observed}", f"  expected: {expected}"]
        if hint:
            lines.append(f"  hint: {hint}")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this exception instead of its traceback (see :func:`report`).

        IPython asks an exception for its own traceback through this method; the error output keeps
        the name and message (``ename``, ``evalue``), so grading sees the same failure.
        """
        try:
            return report(self)
        except Exception:  # noqa: BLE001 - a failure to format must never hide the failed check
            return [f"{_RED}CheckFailed{_RESET}: {self}"]


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


# --- the report a failed check shows in a notebook -------------------------------------------------


def wrap_field(label: str, text: str, *, indent: str = "  ", width: int = REPORT_WIDTH) -> list[str]:
    """``label`` and ``text`` as lines of at most ``width`` characters; nothing is left out.

    Continuation lines are indented 4 more than ``indent``; a line break in ``text`` starts a new
    line, and a word longer than a line (a path, a repr) is split.
    """
    first = f"{indent}{label}: " if label else indent
    wrapper = textwrap.TextWrapper(
        width=width,
        initial_indent=first,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
        tabsize=4,
    )
    lines: list[str] = []
    for part in str(text).splitlines() or [""]:
        lines += wrapper.wrap(part) or [wrapper.initial_indent.rstrip()]
        wrapper.initial_indent = wrapper.subsequent_indent
    return lines


def message_lines(what: str, observed: str, expected: str, hint: str | None = None) -> list[str]:
    """The check's description, ``observed``, ``expected`` and ``hint``, wrapped to :data:`REPORT_WIDTH`."""
    lines = wrap_field("CheckFailed", what, indent="")
    lines += wrap_field("observed", observed) + wrap_field("expected", expected)
    return lines + (wrap_field("hint", hint) if hint else [])


def _system_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    folders.add(str(Path(__file__).resolve().parent))  # coursekit: the checks' own code
    return tuple(str(Path(f).resolve()) + "/" for f in folders)


def _cell_name(filename: str) -> str | None:
    """``Cell In[5]`` for the code of a notebook cell, as IPython names it; None for a file."""
    ipython = sys.modules.get("IPython")  # a cell runs in IPython, imported by then
    try:
        shell = ipython.get_ipython() if ipython is not None else None
        named = shell.compile.format_code_name(filename) if shell is not None else None
    except Exception:  # noqa: BLE001 - another IPython: the file name will do
        named = None
    return " ".join(named) if named else None


def _is_learners(filename: str) -> bool:
    """Whether ``filename`` is a cell's or the learner's own file: not Python's, a package's, the checks'."""
    if _cell_name(filename):
        return True
    if filename.startswith("<"):
        return False
    return not str(Path(filename).resolve()).startswith(_system_folders())


def _frames(tb: TracebackType | None) -> list[tuple[str, int, str]]:
    """``(filename, line, function)`` of each entry of ``tb``, outermost first."""
    found = []
    while tb is not None:
        code = tb.tb_frame.f_code
        found.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return found


def _where(filename: str, lineno: int, function: str, indent: str = "") -> list[str]:
    """One frame: where it is (as IPython names a cell) and its line of code, wrapped."""
    cell = _cell_name(filename)
    place = f"{cell}, line {lineno}" if cell else f'File "{filename}", line {lineno}'
    if function != "<module>":
        place += f", in {function}"
    lines = [f"{_GREEN}{line}{_RESET}" for line in wrap_field("", place, indent=indent)]
    code = linecache.getline(filename, lineno).strip()
    if code:
        arrow = f"---> {lineno} "
        lines += textwrap.wrap(
            code,
            width=REPORT_WIDTH,
            initial_indent=indent + arrow,
            subsequent_indent=indent + " " * len(arrow) + "    ",
            break_on_hyphens=False,
        )
    return lines


def _behind(exc: BaseException) -> BaseException | None:
    """The exception ``exc`` was raised from, or while handling; None when it says ``from None``."""
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__


def _your_code(failure: BaseException) -> list[str]:
    """Where the learner's code raised the exception behind ``failure``, and that exception's chain.

    The frames shown are those of the learner's code in that chain's tracebacks.  A frame of a cell
    that is also in the failure's own traceback (the test cell, the cell of the checks' helpers, which
    caught the exception) is the checks' own, as are those of Python's library and of packages.
    Nothing when no frame of the learner's code is left.
    """
    chain, exc = [], _behind(failure)
    while exc is not None and exc not in chain and len(chain) < 3:
        chain.append(exc)
        exc = _behind(exc)
    checks_files = {filename for filename, _, _ in _frames(failure.__traceback__)}
    frames, seen = [], set()
    for exc in chain:
        for frame in _frames(exc.__traceback__):
            if frame[:2] not in seen and frame[0] not in checks_files and _is_learners(frame[0]):
                seen.add(frame[:2])
                frames.append(frame)
    if not frames:
        return []
    lines = ["  raised in your code:"]
    if len(frames) > _YOUR_FRAMES:
        lines.append(f"    ({len(frames) - _YOUR_FRAMES} outer frame(s) of your code not shown)")
    for frame in frames[-_YOUR_FRAMES:]:
        lines += _where(*frame, indent="    ")
    for n, exc in enumerate(chain):
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        lines += wrap_field("", ("from " if n else "") + text, indent="    ")
    return lines


def report(failure: CheckFailed) -> list[str]:
    """What a failed check shows in a notebook: its message first, every line of it whole.

    The entries (each a line or a few, as IPython's traceback entries are): the description, observed
    and expected; where the learner's code raised, when an exception of the learner's code is behind
    the failure (the hint of such a check points "above" at it); the hint; the test cell's line that
    failed (the outermost frame of the learner's or the cells' code).  The checks' own frames and
    those of Python's library are left out.  A frame of a cell starts with ``Cell In[``, as IPython's
    do, so that the feedback step can recognise it (:mod:`coursekit.hide_hidden_tests`).
    """
    header = message_lines(failure.what, str(failure.observed), str(failure.expected))
    header[0] = header[0].replace("CheckFailed", f"{_RED}CheckFailed{_RESET}", 1)
    entries = ["\n".join(header)]
    yours = _your_code(failure)
    if yours:
        entries.append("\n".join(yours))
    if failure.hint:
        entries.append("\n".join(wrap_field("hint", failure.hint)))
    checked = [frame for frame in _frames(failure.__traceback__) if _is_learners(frame[0])]
    if checked:
        entries.append("\n".join(_where(*checked[0])))
    return entries
