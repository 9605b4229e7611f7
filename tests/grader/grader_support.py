"""Shared pieces of the grader proof: answer variants kept on disk, one autograde run per exercise.

Every file in ``files/<exercise>/`` is the full source of an answer cell.  Its
first comment lines say what it gets right or wrong (``# RIGHT: ...`` /
``# WRONG: ...``), followed by ``# loses: <grade_id>, ...`` lines naming the
test cells it must lose points on (``nothing`` for a right answer).  The
tests grade every variant of an exercise as one student each, in a single
``nbgrader autograde`` run, and compare the cells that lost points with the
``loses`` list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.grading import (
    autograde,
    cell_sources,
    make_course,
    make_submission,
    max_scores,
    read_scores,
    run_nbgrader,
    submit,
)

REPO = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Variant:
    """One answer to an exercise, read from ``files/<exercise>/<name>.py``."""

    name: str
    source: str
    description: str
    loses: frozenset[str]

    @property
    def right(self) -> bool:
        return self.name.startswith("right_")


def load_variants(exercise: str) -> dict[str, Variant]:
    """Every ``right_*.py`` and ``wrong_*.py`` answer of ``exercise``, by file stem."""
    variants = {}
    for path in sorted((FILES / exercise).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        header = []
        for line in source.splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#").strip())
        loses_text = " ".join(h.removeprefix("loses:") for h in header if h.startswith("loses:"))
        loses = frozenset(n.strip() for n in loses_text.split(",") if n.strip() and n.strip() != "nothing")
        description = " ".join(h for h in header if not h.startswith("loses:"))
        variants[path.stem] = Variant(path.stem, source, description, loses)
    return variants


def source_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)


def solution_answer(assignment: str, notebook: str, grade_id: str) -> str:
    """The instructor's answer cell, without the solution markers: what a perfect learner would write."""
    source = cell_sources(source_notebook(assignment, notebook))[grade_id]
    return "\n".join(line for line in source.splitlines() if line.strip() not in _MARKERS) + "\n"


def grade_cell_ids(assignment: str, notebook: str, prefix: str) -> list[str]:
    """grade_ids of the test cells (grade cells) of the source notebook, in order."""
    nb = source_notebook(assignment, notebook)
    return [
        cell.metadata.nbgrader.grade_id
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
        and cell.metadata.nbgrader.grade_id.startswith(prefix)
    ]


@dataclass
class Graded:
    """The outcome of one ``nbgrader autograde`` run over many students."""

    course: Path
    assignment: str
    notebook: str
    scores: dict[str, dict[str, float]]
    max: dict[str, float]
    returncode: int
    log: str

    def total(self, student: str) -> float:
        return sum(self.scores[student].values())

    @property
    def full(self) -> float:
        return sum(self.max.values())

    def lost(self, student: str) -> set[str]:
        """The grade cells on which ``student`` did not get full points."""
        return {gid for gid, score in self.scores[student].items() if score < self.max[gid]}

    def autograded(self, student: str) -> Path:
        return self.course / "grader" / "autograded" / student / self.assignment / f"{self.notebook}.ipynb"

    def errors(self, student: str) -> str:
        """What the failing cells of the student's autograded notebook printed (for assertion messages)."""
        path = self.autograded(student)
        if not path.is_file():
            return f"(no autograded notebook at {path})"
        parts = []
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    parts.append(f"[{cell.metadata.get('nbgrader', {}).get('grade_id', '?')}] {out.evalue}")
                elif out.output_type == "stream" and out.name == "stderr":
                    parts.append(
                        f"[{cell.metadata.get('nbgrader', {}).get('grade_id', '?')}] stderr: {out.text}"
                    )
        return "\n".join(parts)[:6000] or "(no errors)"

    def describe(self, student: str) -> str:
        return (
            f"{student}: {self.total(student)}/{self.full}, lost {sorted(self.lost(student))}\n"
            f"{self.errors(student)}"
        )


def grade_answers(
    base: Path,
    assignment: str,
    notebook: str,
    grade_id: str,
    answers: Mapping[str, str | None],
    *extra_args: str,
) -> Graded:
    """Release ``assignment`` in a course under ``base``, hand in one student per answer, autograde once.

    ``answers`` maps a student id to the source of the answer cell (None: the
    untouched release).
    """
    course = make_course(base / "course", [assignment], source_root=REPO)
    release = course / "notebooks" / assignment / f"{notebook}.ipynb"
    for student, source in answers.items():
        nb = make_submission(release, {} if source is None else {grade_id: source})
        submit(course, student, assignment, {notebook: nb})
    result = autograde(course, assignment, *extra_args)
    return Graded(
        course=course,
        assignment=assignment,
        notebook=notebook,
        scores=read_scores(course, assignment),
        max=max_scores(course, assignment),
        returncode=result.returncode,
        log=result.stdout + result.stderr,
    )


def validate(course: Path, notebook: Path, *extra_args: str) -> str:
    """Run ``nbgrader validate`` on ``notebook`` in ``course``; return what it printed."""
    result = run_nbgrader(course, "validate", str(notebook), *extra_args)
    return result.stdout + result.stderr


_DOC = re.compile(r'^\s*"""(.*?)"""', re.S)


def docstrings(assignment: str, notebook: str, prefix: str) -> dict[str, str]:
    """The first line of each test cell's docstring, by grade_id."""
    sources = cell_sources(source_notebook(assignment, notebook))
    found = {}
    for gid in grade_cell_ids(assignment, notebook, prefix):
        match = _DOC.match(sources[gid])
        found[gid] = match.group(1).strip().splitlines()[0] if match else ""
    return found
