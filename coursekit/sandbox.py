"""Throwaway working folders for the log and config files that lessons and tests write."""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["lesson_sandbox", "lesson_sandbox_path", "sandbox"]


@contextmanager
def sandbox(*, chdir: bool = True, keep: bool = False) -> Iterator[Path]:
    """Create a fresh temporary folder, optionally work inside it, and remove it afterwards.

    With ``chdir=True`` (the default) relative paths such as ``logs/train.log``
    land in the sandbox, never in the repository.  The previous working
    directory is restored on exit, also when the block raises.
    """
    path = Path(tempfile.mkdtemp(prefix="coursekit-")).resolve()
    previous = Path.cwd()
    if chdir:
        os.chdir(path)
    try:
        yield path
    finally:
        if chdir:
            os.chdir(previous)
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def lesson_sandbox_path(name: str) -> Path:
    """Where :func:`lesson_sandbox` keeps the folder of the lesson ``name`` (nothing is created)."""
    if not name or any(sep in name for sep in ("/", "\\")) or name in {".", ".."}:
        raise ValueError(f"a sandbox name must be a plain folder name, got {name!r}")
    # One folder per user: two people on a shared machine never empty each other's sandbox.
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): the numeric id will do
        user = str(os.getuid())
    return Path(tempfile.gettempdir()).resolve() / f"coursekit-{user}" / name


def lesson_sandbox(name: str, *, chdir: bool = True) -> Path:
    """Return an empty folder reserved for the lesson ``name`` and (by default) move into it.

    The folder lives under the system's temporary directory and is emptied on
    every call, so running a lesson again starts from the same clean state.
    """
    path = lesson_sandbox_path(name)
    path.mkdir(parents=True, exist_ok=True)
    # Empty the folder rather than recreate it: a kernel may be sitting in it.
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if chdir:
        os.chdir(path)
    return path
