"""Checks for the quiz: the learner's self-check (visible tests) and the grade (hidden tests).

The source of a quiz test cell (``solutions/06_quiz/quiz.ipynb``) checks the form of the answer where
the learner can see it and grades it in its hidden part, under private names so that the learner's own
names stay theirs::

    _valid_choice("q1", q1, "abcd")
    ### BEGIN HIDDEN TESTS
    _grade("q1", q1, "c", "Handlers send records to a destination ...", nudge="Re-read ...")
    ### END HIDDEN TESTS

``grade`` prints the explanation when the answer is right and fails with it when the answer is wrong,
so the explanation appears in the cell's output, and therefore in nbgrader's feedback, either way.

When the quiz is released, :mod:`coursekit.quiz_release` turns the visible line into a self-check
generated from the hidden ``_grade`` call, placed after the hidden tests::

    _self_check("q1", q1, "abcd.Xk3q9wZbT1.5f1c0a2b7d9e4c11")

The token is the answer's form (the letters, ``lines`` or ``number``), a salt of the question's own
and a salted hash of the right answer in its :func:`canonical` form; a cell near the top
(``_load_notes(...)``) holds each question's hint and explanation, the explanation encrypted with a key
derived from the right answer (:func:`seal`).  :func:`self_check` fails a badly formed answer as the
form checks do, passes a right one and prints its explanation, and fails a wrong one with the hint
only (after a second different wrong answer, it adds what to do next).  In the graded copy the hidden
``grade`` runs first and decides the points; the self-check then stays silent.

The token keeps the answer from being *read* in the released notebook; a multiple-choice answer can
still be found by trying the letters, which is what a learner alone is meant to do.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import textwrap
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from coursekit.checks import check, fail

__all__ = [
    "Token",
    "canonical",
    "grade",
    "kind_of",
    "load_notes",
    "make_notes",
    "make_token",
    "normalise",
    "read_notes",
    "seal",
    "self_check",
    "unseal",
    "valid_choice",
    "valid_lines",
    "valid_number",
]

KINDS = ("lines", "number")  # a token's form is one of these, or the letters of a multiple choice


def kind_of(expected: Any) -> str:
    """``"choice"``, ``"number"`` or ``"lines"``: how an answer to ``expected`` is compared."""
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


def canonical(answer: Any, kind: str) -> str | None:
    """The text that a self-check hashes: :func:`normalise`'s form, written one way only.

    A letter as it is, lines as a JSON list, a number rounded to 12 significant digits (so ``0.01``,
    ``"0.010"``, ``"1e-2"`` and ``0.1 * 0.1`` are one answer; :func:`grade` allows a relative 1e-9,
    so whatever the self-check takes as right, the grade does too).  None when the answer is not of
    that form.
    """
    value = normalise(answer, kind)
    if kind == "choice":
        return value if isinstance(value, str) else None
    if kind == "number":
        if value is None:
            return None
        if math.isfinite(value):
            value = float(f"{value:.12g}") + 0.0  # + 0.0 turns -0.0 into 0.0
        return repr(value)
    return None if value is None else json.dumps(value, ensure_ascii=False)


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


# What the hidden grade judged right in this kernel, for the self-check that follows it in the graded copy.
_GRADED_RIGHT: dict[str, Any] = {}


def grade(name: str, answer: Any, expected: Any, explanation: str, nudge: str = "") -> None:
    """Print ``explanation`` when ``answer`` matches ``expected``; otherwise fail with it.

    ``expected`` is a letter (multiple choice), a number (compared with a
    small relative tolerance) or a list of lines (compared after stripping
    each line and dropping blank ones).  ``nudge`` is the hint that the
    released self-check gives after a wrong answer (see :mod:`coursekit.quiz_release`); the
    grade's own message gives the explanation instead.
    """
    _GRADED_RIGHT.pop(name, None)
    kind = kind_of(expected)
    got, want = normalise(answer, kind), normalise(expected, kind)
    if kind == "number":
        right = got is not None and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    else:
        right = got == want
    if right:
        _GRADED_RIGHT[name] = got
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


# --- the self-check: a token in the visible line, the notes in a cell near the top ---------------


def _hash(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).digest()


def seal(text: str, key: bytes) -> bytes:
    """``text`` compressed and enciphered with ``key`` (a SHAKE-256 key stream): see :func:`unseal`."""
    data = zlib.compress(text.encode("utf-8"), 9)
    stream = hashlib.shake_256(key).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def unseal(data: bytes, key: bytes) -> str | None:
    """The text that :func:`seal` sealed with ``key``; None with any other key."""
    stream = hashlib.shake_256(key).digest(len(data))
    try:
        return zlib.decompress(bytes(a ^ b for a, b in zip(data, stream, strict=True))).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return None


class Token:
    """A self-check token, ``"<form>.<salt>.<digest>"``: what the visible line carries.

    ``form`` is the letters of a multiple choice (``"abcd"``), ``"lines"`` or ``"number"``; ``digest``
    is a salted hash of the right answer's :func:`canonical` form.
    """

    def __init__(self, text: str) -> None:
        form, salt, digest = text.split(".")
        if not form or not salt or len(digest) != 16:
            raise ValueError(f"not a self-check token: {text!r}")
        self.text, self.form, self.salt, self.digest = text, form, salt, digest

    @property
    def kind(self) -> str:
        return self.form if self.form in KINDS else "choice"

    def _digest(self, answer_text: str) -> str:
        return _hash("check", self.salt, self.kind, answer_text).hex()[:16]

    def key(self, answer_text: str) -> bytes:
        """The key that opens the explanation, from the right answer's canonical form."""
        return _hash("open", self.salt, self.kind, answer_text)

    @property
    def nudge_key(self) -> bytes:
        """The hints are sealed too, so that they show only after a wrong answer (they give nothing away)."""
        return _hash("nudge", self.salt)

    def accepts(self, answer: Any) -> bool:
        """Whether ``answer`` (in any accepted form) is the answer the token was made for."""
        text = canonical(answer, self.kind)
        return text is not None and self._digest(text) == self.digest


def make_token(name: str, expected: Any, explanation: str, nudge: str, choices: str = "abcd") -> Token:
    """The token of a question whose right answer is ``expected``; its salt is derived from the question."""
    kind = kind_of(expected)
    form = choices if kind == "choice" else kind
    answer_text = canonical(expected, kind)
    if answer_text is None or (kind == "choice" and answer_text not in choices):
        raise ValueError(f"{name}: {expected!r} is not a well-formed answer of its own kind")
    salt = base64.urlsafe_b64encode(_hash("salt", name, explanation, nudge)).decode("ascii")[:10]
    digest = _hash("check", salt, kind, answer_text).hex()[:16]
    return Token(f"{form}.{salt}.{digest}")


def make_notes(notes: Mapping[str, tuple[Token, Any, str, str]], width: int = 96) -> str:
    """The notes cell's blob: ``{name: (token, expected, explanation, nudge)}``, sealed and wrapped."""
    sealed = {}
    for name, (token, expected, explanation, nudge) in notes.items():
        answer_text = canonical(expected, token.kind)
        if answer_text is None or not token.accepts(expected):
            raise ValueError(f"{name}: the token was not made for the answer {expected!r}")
        sealed[name] = {
            "nudge": base64.b64encode(seal(nudge, token.nudge_key)).decode("ascii"),
            "why": base64.b64encode(seal(explanation, token.key(answer_text))).decode("ascii"),
        }
    packed = zlib.compress(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode("ascii"), 9)
    return "\n".join(textwrap.wrap(base64.b64encode(packed).decode("ascii"), width))


_NOTES: dict[str, dict[str, bytes]] = {}
_WRONG_TRIES: dict[str, set[str]] = {}


def read_notes(blob: str) -> dict[str, dict[str, bytes]]:
    """The sealed hints and explanations of a :func:`make_notes` blob: ``{name: {"nudge": b, "why": b}}``."""
    if not blob.strip():
        return {}
    sealed = json.loads(zlib.decompress(base64.b64decode("".join(blob.split()))))
    return {
        name: {part: base64.b64decode(text) for part, text in parts.items()} for name, parts in sealed.items()
    }


def load_notes(blob: str) -> None:
    """Keep the sealed hints and explanations of :func:`make_notes` for the self-checks of this kernel."""
    _NOTES.clear()
    _NOTES.update(read_notes(blob))


_NEXT_STEP = {
    "choice": (
        "Before you try another letter, re-read that section: the explanation opens with the right one."
    ),
    "other": (
        "Stuck? Copy the question's code into a new cell, run it, and answer with what it prints: "
        "the explanation of why opens with the right answer."
    ),
}


def self_check(name: str, answer: Any, token: str) -> None:
    """Tell the learner at once whether ``answer`` is right: the explanation if so, a hint if not.

    A badly formed answer fails as :func:`valid_choice`, :func:`valid_lines` or :func:`valid_number`
    do.  A right one (in any accepted form) passes and prints its explanation, opened with the answer.
    A wrong one fails with the question's hint, which gives nothing away; from the second *different*
    wrong answer to a question on, the hint says what to do next (run the question's code, for the
    questions that show code).  In the graded copy, where the hidden :func:`grade` has just judged this
    very answer right, the self-check only checks the form, so the grade alone decides the points.
    """
    parsed = Token(token)
    if parsed.kind == "number":
        valid_number(name, answer)
    elif parsed.kind == "lines":
        valid_lines(name, answer)
    else:
        valid_choice(name, answer, parsed.form)
    if name in _GRADED_RIGHT and _GRADED_RIGHT.pop(name) == normalise(answer, parsed.kind):
        return
    answer_text = canonical(answer, parsed.kind)
    notes = _NOTES.get(name, {})
    if parsed.accepts(answer):
        why = unseal(notes["why"], parsed.key(answer_text)) if "why" in notes else None
        print(f"{name}: correct.\n{why or '(Run the cells at the top of the notebook to see why.)'}")
        return
    tries = _WRONG_TRIES.setdefault(name, set())
    tries.add(answer_text)
    hint = unseal(notes["nudge"], parsed.nudge_key) if "nudge" in notes else None
    hint = hint or "Re-read the question and the lesson it comes from."
    if len(tries) >= 2:
        hint += " " + _NEXT_STEP["choice" if parsed.kind == "choice" else "other"]
    expected = {"choice": "a different letter", "number": "a different number", "lines": "different lines"}
    fail(f"{name}: not the right answer yet", _show(answer), expected[parsed.kind], hint=hint)
