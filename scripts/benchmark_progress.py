#!/usr/bin/env python
"""Benchmark: ``coursekit progress`` on the whole course, every answer cell the reference solution's.

    .venv/bin/python scripts/benchmark_progress.py              # one line: notebooks, seconds, cores
    .venv/bin/python scripts/benchmark_progress.py --untouched  # the student versions as released

It copies ``notebooks/`` to a temporary folder, answers every graded notebook there with the
solution's answer cells (so every visible check runs to the end and passes), then times one
:func:`coursekit.progress.check_course` over the copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "proofs")]

# The imports below work only after the sys.path line above (noqa: E402).
import nbformat  # noqa: E402
from grader_support import solution_answer  # noqa: E402

from coursekit.cells import grade_id, has_nbgrader_cells, is_solution_cell  # noqa: E402
from coursekit.layout import CourseLayout  # noqa: E402
from coursekit.progress import check_course, course_notebooks  # noqa: E402
from coursekit.proof_harness import make_submission  # noqa: E402


def answer_everything(layout: CourseLayout, folder: Path) -> None:
    """Replace every answer cell of the graded notebooks in ``folder`` by the solution's."""
    for relative in course_notebooks(layout):
        source = nbformat.read(layout.source / relative, as_version=4)
        if not has_nbgrader_cells(source):
            continue
        assignment, notebook = relative.parent.name, relative.stem
        answers = {
            gid: solution_answer(assignment, notebook, gid)
            for cell in source.cells
            if is_solution_cell(cell) and (gid := grade_id(cell))
        }
        nbformat.write(make_submission(folder / relative, answers), folder / relative)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--untouched", action="store_true", help="time the student versions as released")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run at once (default: cores)")
    args = parser.parse_args()
    layout = CourseLayout(REPO)
    with tempfile.TemporaryDirectory(prefix="coursekit-benchmark-progress-") as tmp:
        folder = Path(tmp) / "notebooks"
        shutil.copytree(layout.release, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        if not args.untouched:
            answer_everything(layout, folder)
        progress = check_course(REPO, folder, jobs=args.jobs)
    run = [nb for nb in progress.notebooks if nb.graded]
    passing = sum(nb.passed for nb in run)
    checks = sum(len(nb.checks) for nb in run)
    state = "as released" if args.untouched else "every answer the solution's"
    jobs = args.jobs or "one per core"
    print(
        f"coursekit progress, whole course ({len(progress.notebooks)} notebooks, {len(run)} run, {state}): "
        f"{progress.seconds:.1f} s on {len(os.sched_getaffinity(0))} cores (jobs: {jobs}), "
        f"{passing}/{checks} visible checks pass"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
