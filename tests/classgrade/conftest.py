"""Fixtures of the class-grading tests: the fixture course, nbgrader's own grades for a class, services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from classgrade_support import (
    build_course,
    class_roster,
    copy_course,
    dask_cluster,
    plain_autograde,
    postgres_server,
    snapshot,
    sqlite_url,
)

CLASS_SIZE = 6  # one submission of each kind


@pytest.fixture(scope="session")
def template_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture assignment released in a course folder; no submissions yet."""
    return build_course(tmp_path_factory.mktemp("classgrade") / "template")


@pytest.fixture(scope="session")
def roster() -> dict[str, str]:
    return class_roster(CLASS_SIZE)


@pytest.fixture(scope="session")
def reference(
    template_course: Path, roster: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """What plain, sequential ``nbgrader autograde`` writes to the gradebook for the class."""
    course = copy_course(template_course, tmp_path_factory.mktemp("reference") / "course", roster)
    result = plain_autograde(course)
    assert "for student 's005_garbage'" in result.stdout + result.stderr  # it graded the broken one too
    snap = snapshot(sqlite_url(course))
    assert snap["counts"]["submitted_assignment"] == len(roster)
    return snap


@pytest.fixture
def make_class(template_course: Path, roster: dict[str, str], tmp_path: Path):
    """A fresh course copy with the class handed in (or another roster)."""

    def make(other: dict | None = None, name: str = "course") -> Path:
        return copy_course(template_course, tmp_path / name, roster if other is None else other)

    return make


@pytest.fixture(scope="session")
def postgres() -> Iterator:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def dask_local_cluster() -> Iterator:
    with dask_cluster(workers=2) as cluster:
        yield cluster
