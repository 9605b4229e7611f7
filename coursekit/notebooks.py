"""Notebook tooling: normalise notebooks for clean diffs and regenerate ``notebooks/`` from ``solutions/``.

``solutions/`` is the single source.  Each of its folders is one assignment:

* a folder whose notebooks carry nbgrader cells (an exercise, the quiz, ...)
  is turned into its student version by ``nbgrader generate_assignment``,
  which strips solutions and hidden tests;
* a folder without nbgrader cells (the lessons) is copied as it is, outputs
  included, so a learner can read a lesson before running it.

Every generated notebook is normalised, so regenerating an unchanged source
gives byte-identical files.
"""

from __future__ import annotations

import filecmp
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.cells import grade_id, has_nbgrader_cells
from coursekit.layout import CourseLayout
from coursekit.nbgrader_run import nbgrader_command

__all__ = [
    "KERNELSPEC",
    "DriftReport",
    "generate",
    "leaked_solution_markers",
    "normalise",
    "normalise_file",
]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_KEPT_CELL_METADATA = ("nbgrader", "tags", "deletable", "editable")
SOLUTION_MARKERS = (
    "### BEGIN SOLUTION",
    "### END SOLUTION",
    "### BEGIN HIDDEN TESTS",
    "### END HIDDEN TESTS",
)


def _stable_id(cell: nbformat.NotebookNode, used: set[str]) -> str:
    content = (cell.cell_type + "\0" + cell.source).encode("utf-8")
    base = grade_id(cell) or hashlib.sha1(content).hexdigest()[:8]
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def normalise(nb: nbformat.NotebookNode, *, keep_outputs: bool | None = None) -> nbformat.NotebookNode:
    """Return ``nb`` with stable metadata, kernelspec, cell ids and execution counts.

    Outputs are kept for notebooks without nbgrader cells (lessons ship with
    their outputs) and cleared for exercise sources, unless ``keep_outputs``
    says otherwise.  Without outputs there are no execution counts; with
    outputs the code cells are numbered 1, 2, 3, ... in order, so the counts
    never churn and nbval treats every cell as run.
    """
    nb = nbformat.from_dict(nb)
    if keep_outputs is None:
        keep_outputs = not has_nbgrader_cells(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    used: set[str] = set()
    code_cells = 0
    # Only a notebook that was run (it has outputs) gets execution counts.
    numbered = keep_outputs and any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    for cell in nb.cells:
        cell.id = _stable_id(cell, used)
        cell.metadata = nbformat.from_dict(
            {k: cell.metadata[k] for k in _KEPT_CELL_METADATA if k in cell.get("metadata", {})}
        )
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
        if cell.cell_type != "code":
            continue
        code_cells += 1
        # A notebook that ships outputs was run top to bottom: number its cells so,
        # whatever the kernel counted, because nbval only checks cells that have a count.
        count = code_cells if numbered else None
        cell.execution_count = count
        if not keep_outputs:
            cell.outputs = []
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = count
    return nb


def _dumps(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def normalise_file(path: Path, *, check: bool = False) -> bool:
    """Normalise one notebook file in place; return True when it changed (or would, with ``check``)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - reported with the file name instead of a bare traceback
        raise ValueError(f"{path}: not a readable notebook ({exc})") from exc
    text = _dumps(normalise(nb))
    if path.read_text(encoding="utf-8") == text:
        return False
    if not check:
        path.write_text(text, encoding="utf-8")
    return True


def _generate_assignment(layout: CourseLayout, assignment: str, dest: Path) -> None:
    if layout.is_graded(assignment):
        options = ["--force", "--no-db", "--log-level=ERROR", f"--CourseDirectory.release_directory={dest}"]
        cmd = nbgrader_command("generate_assignment", assignment, *options)
        result = subprocess.run(cmd, cwd=layout.root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader could not generate {assignment!r}:\n{result.stdout}{result.stderr}")
    else:
        shutil.copytree(
            layout.source / assignment,
            dest / assignment,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    for path in sorted((dest / assignment).rglob("*.ipynb")):
        normalise_file(path)


@dataclass(frozen=True)
class DriftReport:
    """Differences between freshly generated notebooks and the committed ``notebooks/``."""

    missing: list[str]
    extra: list[str]
    changed: list[str]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.changed)

    def describe(self) -> str:
        sections = [
            ("missing from notebooks/", self.missing),
            ("in notebooks/ but not generated", self.extra),
            ("differs from its source", self.changed),
        ]
        parts = [f"{label}: {', '.join(items)}" for label, items in sections if items]
        return "\n".join(parts) or "notebooks/ matches solutions/"


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def _compare(generated: Path, committed: Path, assignments: list[str] | None) -> DriftReport:
    new, old = _files(generated), _files(committed) if committed.exists() else set()
    if assignments is not None:
        old = {f for f in old if f.split("/", 1)[0] in assignments}
    changed = sorted(f for f in new & old if not filecmp.cmp(generated / f, committed / f, shallow=False))
    return DriftReport(missing=sorted(new - old), extra=sorted(old - new), changed=changed)


def generate(root: Path, assignments: Iterable[str] | None = None, *, check: bool = False) -> DriftReport:
    """Regenerate ``notebooks/`` from ``solutions/`` (or, with ``check``, only report drift).

    A file in ``notebooks/`` that is about to be replaced or removed and
    differs from its new version is first copied to ``.backup/`` so that work
    saved there (a learner's answers, say) is never lost.
    """
    layout = CourseLayout(root)
    names = list(assignments) if assignments is not None else layout.assignments()
    unknown = sorted(set(names) - set(layout.assignments()))
    if unknown:
        raise ValueError(f"no such assignment in solutions/: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="coursekit-generate-") as tmp:
        staged = Path(tmp)
        for name in names:
            _generate_assignment(layout, name, staged)
        report = _compare(staged, layout.release, None if assignments is None else names)
        if check or report.clean:
            return report
        _backup(layout, report.extra + report.changed)
        for name in names:
            shutil.rmtree(layout.release / name, ignore_errors=True)
            shutil.copytree(staged / name, layout.release / name)
        if assignments is None:
            for stale in {f.split("/", 1)[0] for f in report.extra} - set(names):
                target = layout.release / stale
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
    return report


def _backup(layout: CourseLayout, relative_paths: list[str]) -> None:
    if not relative_paths:
        return
    backup = layout.root / ".backup" / f"notebooks-{time.strftime('%Y%m%d-%H%M%S')}"
    for rel in relative_paths:
        src = layout.release / rel
        if src.is_file():
            (backup / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, backup / rel)
    print(f"previous versions of {len(relative_paths)} file(s) saved in {backup}", file=sys.stderr)


def leaked_solution_markers(folder: Path) -> list[str]:
    """Files under ``folder`` that still contain solution or hidden-test markers."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.ipynb")
        if any(marker in p.read_text(encoding="utf-8") for marker in SOLUTION_MARKERS)
    )
