"""What was graded, from what content, with what result: the record that makes grading resumable.

The ledger is an append-only file of JSON lines (``grader/classgrade/ledger.jsonl``), written only
by the coordinator, one line per finished submission, flushed to disk before the next.  A later
line for the same submission replaces an earlier one.  A run killed at any moment leaves at worst
one torn last line, which is ignored: that submission is simply graded again.

A submission is identified by ``(gradebook, assignment, student)`` -- the gradebook's URL without
its password, so grading into another database starts from scratch -- and its content by
:func:`content_hash` of every file handed in, combined with that of the instructor's version of the
assignment (so a corrected test, once regenerated, regrades the class).
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TextIO

from coursekit.classgrade.model import Status

__all__ = ["Entry", "Ledger", "content_hash"]

VERSION = 1


def content_hash(folder: Path, ignore: Iterable[str] = ()) -> str:
    """SHA-256 over the relative path and bytes of every file under ``folder`` (sorted).

    Paths with a component matching an ``ignore`` pattern (nbgrader's ``CourseDirectory.ignore``:
    ``.ipynb_checkpoints``, ``__pycache__`` ...) are left out, as nbgrader leaves them out.
    """
    patterns = list(ignore)
    digest = hashlib.sha256()
    files: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not any(fnmatch.fnmatch(d, p) for p in patterns))
        for name in filenames:
            if any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            path = Path(dirpath) / name
            files.append((path.relative_to(folder).as_posix(), path))
    for relative, path in sorted(files):
        digest.update(relative.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(functools.partial(handle.read, 1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One finished submission."""

    db: str
    assignment: str
    student: str
    hash: str
    status: Status  # graded | timed_out | failed
    reason: str = ""
    final: bool = True  # False: the failure was the machinery's (worker lost, database busy): retry
    seconds: float = 0.0
    integrity: list[str] = field(default_factory=list)  # why it is flagged for review (empty: it is not)
    at: float = 0.0  # when it was recorded (set by :meth:`Ledger.append`)
    v: int = VERSION

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.db, self.assignment, self.student)


class Ledger:
    """The ledger file of a course (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: TextIO | None = None

    def load(self) -> dict[tuple[str, str, str], Entry]:
        """The latest entry of every submission (torn or foreign lines are skipped)."""
        entries: dict[tuple[str, str, str], Entry] = {}
        if not self.path.exists():
            return entries
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    data = json.loads(line)
                    fields = {k: data[k] for k in Entry.__dataclass_fields__ if k in data}
                    flags = [str(f) for f in fields.get("integrity") or []]
                    entry = Entry(**{**fields, "status": Status(fields["status"]), "integrity": flags})
                except (ValueError, TypeError, KeyError):
                    continue
                entries[entry.key] = entry
        return entries

    def append(self, entry: Entry) -> None:
        """Add ``entry`` and make sure it is on disk before returning."""
        handle = self._handle
        if handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
            if handle.tell() > 0:  # after a torn line, start on a fresh one
                with open(self.path, "rb") as check:
                    check.seek(-1, os.SEEK_END)
                    if check.read(1) != b"\n":
                        handle.write("\n")
        entry = replace(entry, at=entry.at or round(time.time(), 3))
        handle.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
