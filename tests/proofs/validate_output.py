"""How long ``nbgrader validate``'s report of a failing cell is, and whether it cuts any of its lines.

nbgrader's :class:`~nbgrader.validator.Validator` prints each failing cell as a block: a line of
``=`` (its ``width``, 90), ``The following cell failed:``, the cell's source, ``The error was:`` and
the error (the traceback's lines, then any stderr).  Every line of the source and of the error is
indented by 4 spaces and, when that makes it longer than ``width - 3``, cut there and ended with
``...``.  So a line of the report is cut exactly when it is longer than ``width - 3``.

:func:`measure` validates the known-wrong answers of the exercises' grader proofs
(``ExerciseProof.wrong()``), several notebooks per ``nbgrader validate`` call, and returns each
failing cell's report (:func:`measure`).  Run as a script it prints the figures::

    .venv/bin/python tests/proofs/validate_output.py [ex1 ex2 ex3]
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.validator import Validator

from coursekit.layout import CourseLayout
from coursekit.nbgrader_run import run_nbgrader
from coursekit.proof_harness import make_course, make_submission

WIDTH = Validator.width.default_value
LONGEST = WIDTH - 3  # a line longer than this is cut to it and ended with "..."
FAILED, ERROR_WAS = "The following cell failed:", "The error was:"
SEPARATOR = "=" * WIDTH
# What validate prints first for each notebook: the notebook's report starts there.
HEADERS = ("VALIDATION FAILED ON", "Success! Your notebook passes all the tests.")


@dataclass(frozen=True)
class FailedCell:
    """One failing cell's block of a validate report: its lines from ``The following cell failed:`` on."""

    student: str
    lines: tuple[str, ...]

    @property
    def source(self) -> tuple[str, ...]:
        return self.lines[1 : self.lines.index(ERROR_WAS)]

    @property
    def error(self) -> tuple[str, ...]:
        return self.lines[self.lines.index(ERROR_WAS) + 1 :]

    @property
    def cut_error_lines(self) -> list[str]:
        return [line for line in self.error if len(line) > LONGEST]

    @property
    def cut_source_lines(self) -> list[str]:
        return [line for line in self.source if len(line) > LONGEST]

    def text(self) -> str:
        return "\n".join(self.lines)


def split_notebooks(output: str) -> list[str]:
    """A validate run's standard output, one part per notebook validated (in the order given)."""
    parts: list[list[str]] = []
    for line in output.splitlines():
        if line.startswith(HEADERS):
            parts.append([])
        if parts:
            parts[-1].append(line)
    return ["\n".join(part) for part in parts]


def failed_cells(report: str, student: str = "") -> list[FailedCell]:
    """The failing cells of one notebook's validate report, blank lines at either end left out."""
    cells = []
    for block in report.split(SEPARATOR + "\n")[1:]:
        lines = block.splitlines()
        if not lines or lines[0] != FAILED:
            continue
        while lines and not lines[-1].strip():
            lines.pop()
        cells.append(FailedCell(student, tuple(lines)))
    return cells


def validate_many(course: Path, notebooks: Mapping[str, Path]) -> dict[str, list[FailedCell]]:
    """``nbgrader validate`` on every notebook in one call; each student's failing cells."""
    result = run_nbgrader(course, "validate", *map(str, notebooks.values()))
    reports = split_notebooks(result.stdout)
    assert len(reports) == len(notebooks), (
        f"{len(reports)} report(s) for {len(notebooks)} notebooks\n"
        f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    pairs = zip(notebooks, reports, strict=True)
    return {student: failed_cells(report, student) for student, report in pairs}


@dataclass(frozen=True)
class Answers:
    """Answers to validate: ``{student: {grade_id: source}}`` for one notebook of an assignment."""

    assignment: str
    notebook: str
    students: Mapping[str, Mapping[str, str]]


def write_answers(base: Path, answers: Answers) -> tuple[Path, dict[str, Path]]:
    """A throwaway course with the assignment released, and one notebook per student's answer cells."""
    repo = Path(__file__).resolve().parents[2]
    course = make_course(base / answers.assignment / "course", [answers.assignment], source_root=repo)
    release = CourseLayout(course).release_notebook(answers.assignment, answers.notebook)
    folder = course / "validated" / answers.assignment
    folder.mkdir(parents=True)
    paths = {}
    for student, cells in answers.students.items():
        paths[student] = folder / f"{student}.ipynb"
        nbformat.write(make_submission(release, cells), paths[student])
    return course, paths


def chunks(items: Mapping[str, Path], size: int) -> list[dict[str, Path]]:
    names = list(items)
    return [{n: items[n] for n in names[i : i + size]} for i in range(0, len(names), size)]


def measure(
    base: Path, everything: Iterable[Answers], *, per_call: int = 8, workers: int = 2
) -> dict[str, dict[str, list[FailedCell]]]:
    """Validate every student's answers: ``{assignment: {student: failing cells}}``.

    ``per_call`` notebooks are validated by one ``nbgrader validate`` run, ``workers`` runs at a time.
    """
    everything = list(everything)
    found: dict[str, dict[str, list[FailedCell]]] = {a.assignment: {} for a in everything}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        courses = list(pool.map(lambda answers: write_answers(base, answers), everything))
        runs = [
            (answers.assignment, course, part)
            for answers, (course, paths) in zip(everything, courses, strict=True)
            for part in chunks(paths, per_call)
        ]
        for (assignment, _, _), result in zip(
            runs, pool.map(lambda run: validate_many(run[1], run[2]), runs), strict=True
        ):
            found[assignment].update(result)
    return found


@dataclass(frozen=True)
class Figures:
    """Lines per failing cell (its whole report, and its error alone) and lines cut, over many cells."""

    cells: int
    mean: float
    max: int
    longest: str
    error_mean: float
    error_max: int
    cut_error_lines: int
    cut_source_lines: int

    def __str__(self) -> str:
        return (
            f"{self.cells} failing cells: {self.mean:.1f} lines on average, at most {self.max} "
            f"({self.longest}); the error alone {self.error_mean:.1f} on average, at most {self.error_max}; "
            f"cut lines: {self.cut_error_lines} in errors, {self.cut_source_lines} in the cells' sources"
        )


def figures(cells: Iterable[FailedCell]) -> Figures:
    cells = list(cells)
    longest = max(cells, key=lambda c: len(c.lines))
    return Figures(
        cells=len(cells),
        mean=statistics.mean(len(c.lines) for c in cells),
        max=len(longest.lines),
        longest=f"{longest.student}: {longest.source[1].strip()[:40]}",
        error_mean=statistics.mean(len(c.error) for c in cells),
        error_max=max(len(c.error) for c in cells),
        cut_error_lines=sum(len(c.cut_error_lines) for c in cells),
        cut_source_lines=sum(len(c.cut_source_lines) for c in cells),
    )


def proofs() -> dict[str, type]:
    """The exercises' grader proofs, by exercise."""
    from test_ex1 import TestEx1Logging
    from test_ex2 import TestEx2Config
    from test_ex3 import TestEx3RequestIds

    return {"ex1": TestEx1Logging, "ex2": TestEx2Config, "ex3": TestEx3RequestIds}


def wrong_answers(exercise: str, students: Iterable[str] | None = None) -> Answers:
    """The known-wrong answers of an exercise's grader proof (``students``: only these)."""
    proof = proofs()[exercise]
    wrong = proof.wrong()
    chosen = wrong if students is None else {name: wrong[name] for name in students}
    return Answers(proof.ASSIGNMENT, proof.NOTEBOOK, {name: w.answers for name, w in chosen.items()})


def main(exercises: list[str], dump: Path | None = None) -> None:
    """Print the figures of each exercise's wrong answers ; ``dump``: a folder for the reports."""
    import tempfile

    answers = {exercise: wrong_answers(exercise) for exercise in exercises}
    with tempfile.TemporaryDirectory(prefix="validate-output-") as tmp:
        found = measure(Path(tmp), answers.values())
    everything = []
    for exercise, these in answers.items():
        by_student = found[these.assignment]
        cells = [cell for student in sorted(by_student) for cell in by_student[student]]
        everything += cells
        print(f"{exercise} ({len(by_student)} wrong answers): {figures(cells)}")
        if dump:
            dump.mkdir(parents=True, exist_ok=True)
            for n, cell in enumerate(cells):
                (dump / f"{exercise}-{cell.student}-{n}.txt").write_text(cell.text() + "\n", encoding="utf-8")
    print(f"all: {figures(everything)}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    args = sys.argv[1:]
    dump = Path(args.pop(args.index("--dump") + 1)) if "--dump" in args else None
    main([a for a in args if a != "--dump"] or ["ex1", "ex2", "ex3"], dump)
