"""coursekit.sandbox: files go to a temporary folder, never into the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coursekit import lesson_sandbox, lesson_sandbox_path, sandbox


def test_sandbox_moves_in_and_cleans_up():
    start = Path.cwd()
    with sandbox() as box:
        assert Path.cwd() == box
        Path("logs").mkdir()
        Path("logs/train.log").write_text("x")
    assert Path.cwd() == start
    assert not box.exists()


def test_sandbox_restores_cwd_when_the_block_raises():
    start = Path.cwd()
    with pytest.raises(KeyError), sandbox():
        raise KeyError("x")
    assert Path.cwd() == start


def test_sandbox_without_chdir_and_keep(tmp_path):
    start = Path.cwd()
    with sandbox(chdir=False, keep=True) as box:
        assert Path.cwd() == start
    assert box.is_dir()
    box.rmdir()


def test_lesson_sandbox_is_emptied_on_every_call():
    start = Path.cwd()
    try:
        first = lesson_sandbox("coursekit-test-lesson")
        (first / "leftover.txt").write_text("x")
        second = lesson_sandbox("coursekit-test-lesson", chdir=False)
        assert first == second
        assert list(second.iterdir()) == []
        assert Path.cwd() == first
    finally:
        os.chdir(start)


@pytest.mark.parametrize("bad", ["", "..", "a/b", "a\\b"])
def test_lesson_sandbox_rejects_paths(bad):
    with pytest.raises(ValueError, match="plain folder name"):
        lesson_sandbox(bad)


def test_lesson_sandbox_path_is_per_user_and_creates_nothing():
    path = lesson_sandbox_path("coursekit-test-never-created")
    assert path.parent.name.startswith("coursekit-")
    assert path.parent.name != "coursekit"
    assert not path.exists()
