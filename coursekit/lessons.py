"""Re-execute the lesson sources so the outputs they ship with are current.

Run as ``python -m coursekit.lessons [NOTEBOOK ...]`` (``make execute-lessons``).
Only notebooks without nbgrader cells are executed: exercise sources keep no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from coursekit.cells import has_nbgrader_cells
from coursekit.layout import CourseLayout, find_course_root
from coursekit.notebooks import normalise_file

__all__ = ["execute_lesson", "lesson_notebooks"]


def lesson_notebooks(root: Path) -> list[Path]:
    """Every notebook of ``solutions/`` that has no nbgrader cells, in course order."""
    layout = CourseLayout(root)
    return [
        path
        for name in layout.assignments()
        for path in sorted((layout.source / name).glob("*.ipynb"))
        if not has_nbgrader_cells(nbformat.read(path, as_version=4))
    ]


def execute_lesson(path: Path, timeout: int = 120) -> None:
    """Execute one notebook top to bottom in a fresh kernel and save it with its outputs."""
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources).execute()
    nbformat.write(nb, path)
    normalise_file(path)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a).resolve() for a in args] or lesson_notebooks(find_course_root())
    for path in paths:
        print(f"executing {path}")
        execute_lesson(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
