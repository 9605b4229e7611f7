"""Checks for the quiz: is an answer well-formed (visible tests), is it right (hidden tests)?

A quiz test cell checks the form of the answer where the learner can see it
and grades it in its hidden part, under private names so that the learner's own names stay theirs::

    _valid_choice("q1", q1, "abcd")
    ### BEGIN HIDDEN TESTS
    _grade("q1", q1, "c", "Handlers send records to a destination ...")
    ### END HIDDEN TESTS

``grade`` prints the explanation when the answer is right and fails with it
when the answer is wrong, so the explanation appears in the cell's output,
and therefore in nbgrader's feedback, either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from coursekit.checks import check, fail

__all__ = ["grade", "normalise", "valid_choice", "valid_lines", "valid_number"]


def _kind(expected: Any) -> str:
    if isinstance(expected, str):
        return "choice"
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return "number"
    return "lines"


def normalise(answer: Any, kind: str) -> Any:
    """The comparable form of an answer: a lower-case letter, a float, or a list of stripped lines."""
    if kind == "choice":
        return answer.strip().lower() if isinstance(answer, str) else answer
    if kind == "number":
        if isinstance(answer, bool):
            return None
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None
    if isinstance(answer, str):
        answer = answer.splitlines()
    if isinstance(answer, Sequence):
        return [str(line).strip() for line in answer if str(line).strip()]
    return None


def valid_choice(name: str, answer: Any, choices: str) -> None:
    """Fail unless ``answer`` is one of the letters in ``choices`` (case and spaces do not matter)."""
    letters = ", ".join(repr(c) for c in choices)
    check(
        isinstance(answer, str) and normalise(answer, "choice") in choices,
        f"{name} must be one of the choices {letters}",
        f"{name} = {answer!r}",
        f'one letter, for example {name} = "{choices[0]}"',
    )


def valid_number(name: str, answer: Any) -> None:
    """Fail unless ``answer`` is a number (or a string holding one)."""
    check(
        normalise(answer, "number") is not None,
        f"{name} must be a number",
        f"{name} = {answer!r}",
        f"for example {name} = 0.5",
    )


def valid_lines(name: str, answer: Any) -> None:
    """Fail unless ``answer`` is a list of strings, one per printed line (or one multi-line string)."""
    ok = isinstance(answer, str) or (
        isinstance(answer, list | tuple) and all(isinstance(line, str) for line in answer)
    )
    check(
        ok,
        f"{name} must list the printed lines, one string per line",
        f"{name} = {answer!r}",
        f'for example {name} = ["first line", "second line"] (or [] if nothing is printed)',
    )


def grade(name: str, answer: Any, expected: Any, explanation: str) -> None:
    """Print ``explanation`` when ``answer`` matches ``expected``; otherwise fail with it.

    ``expected`` is a letter (multiple choice), a number (compared with a
    small relative tolerance) or a list of lines (compared after stripping
    each line and dropping blank ones).
    """
    kind = _kind(expected)
    got, want = normalise(answer, kind), normalise(expected, kind)
    if kind == "number":
        right = got is not None and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    else:
        right = got == want
    if right:
        print(f"{name}: correct ({_show(expected)}).\n{explanation}")
        return
    fail(
        f"{name}: not the expected answer",
        _show(answer),
        _show(expected),
        hint=explanation,
    )


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " / ".join(repr(line) for line in value) if value else "no output at all"
    return repr(value)
