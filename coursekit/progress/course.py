"""The whole course: every notebook read, the graded ones run at once, and the table for a lesson's cell.

The graded notebooks run in a pool of threads, each driving its own kernel (a process of its own),
so one per core run at once; a progress bar on ``stream`` counts them.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TextIO

import nbformat
from nbformat import NotebookNode

from coursekit.cells import has_nbgrader_cells
from coursekit.layout import CourseLayout, find_course_root
from coursekit.progress.kernel import CELL_TIMEOUT, run_plan
from coursekit.progress.model import Check, CourseProgress, NotebookProgress
from coursekit.progress.state import course_notebooks, lesson_started, plan_run, released

__all__ = ["check_course", "show"]


def _read(path: Path) -> tuple[NotebookNode | None, str]:
    if not path.is_file():
        return None, "not found in your folder"
    try:
        return nbformat.read(path, as_version=4), ""
    except Exception as exc:  # noqa: BLE001 - a damaged file is reported, the rest is still checked
        return None, f"not a readable notebook ({type(exc).__name__})"


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Bar:
    """Notebooks checked so far on ``stream``: one bar redrawn on a terminal, else a line per notebook."""

    def __init__(self, total: int, stream: TextIO | None, width: int = 24) -> None:
        self.total, self.stream, self.width, self.done = total, stream, width, 0
        self.tty = stream is not None and hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self._drawn = 0
        self._draw("")

    def add(self, nb: NotebookProgress) -> None:
        self.done += 1
        if self.stream is not None and not self.tty:
            self.stream.write(
                f"checked {self.done}/{self.total} {nb.path}: "
                f"{nb.passed}/{len(nb.checks)} visible checks pass ({nb.seconds:.1f} s)\n"
            )
            self.stream.flush()
        self._draw(nb.path)

    def _draw(self, last: str) -> None:
        if not self.tty or self.stream is None:
            return
        filled = self.width * self.done // max(self.total, 1)
        elapsed = time.monotonic() - self.started
        text = f"checking [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
        text += f"{elapsed:5.1f} s {last}"
        self.stream.write("\r" + text.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(text)

    def close(self) -> None:
        if self.tty and self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def check_course(
    root: Path | None = None,
    folder: Path | None = None,
    *,
    jobs: int | None = None,
    cell_timeout: float = CELL_TIMEOUT,
    stream: TextIO | None = None,
) -> CourseProgress:
    """Where the learner's notebooks in ``folder`` (default: ``notebooks/``) stand; nothing there is written.

    ``root`` is the course (default: the one holding the working directory), whose ``solutions/``
    lists the notebooks and gives the released versions; ``jobs`` notebooks run at once (default:
    one per core); progress goes to ``stream`` when one is given.
    """
    started = time.monotonic()
    layout = CourseLayout(find_course_root() if root is None else Path(root).resolve())
    folder = layout.release if folder is None else Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}: pass the folder that holds your notebooks")
    results: dict[str, NotebookProgress] = {}
    order, plans = [], []
    from coursekit.quiz_release import configured_mode  # nbconvert, only when the course is read

    quiz_mode = configured_mode(layout.root)
    for relative in course_notebooks(layout):
        path = relative.as_posix()
        order.append(path)
        source = nbformat.read(layout.source / relative, as_version=4)
        learner, problem = _read(folder / relative)
        graded = has_nbgrader_cells(source)
        if graded:
            release = released(source, quiz_mode)
        if learner is None:
            checks = () if not graded else tuple(plan_run(path, release, release).checks)
            failing = tuple(Check(gid, doc, False, "not run") for gid, doc, _ in checks)
            exists = (folder / relative).is_file()  # there but unreadable: changed, so started
            results[path] = NotebookProgress(path, graded, exists, failing, problem)
        elif graded:
            plans.append(plan_run(path, learner, release))
        else:
            results[path] = NotebookProgress(path, False, lesson_started(learner, source))

    bar = _Bar(len(plans), stream)
    cancel = threading.Event()
    workers = max(1, min(jobs or _cores(), len(plans) or 1))
    try:
        with (
            tempfile.TemporaryDirectory(prefix="coursekit-progress-") as tmp,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="coursekit-progress") as pool,
        ):
            futures = [pool.submit(run_plan, plan, Path(tmp), cell_timeout, cancel) for plan in plans]
            try:
                for future in as_completed(futures):
                    result = future.result()
                    results[result.path] = result
                    bar.add(result)
            except BaseException:
                cancel.set()
                for future in futures:
                    future.cancel()
                raise
    finally:
        bar.close()
    notebooks = tuple(results[path] for path in order)
    return CourseProgress(folder, notebooks, time.monotonic() - started)


def show(folder: str | Path | None = None, *, jobs: int | None = None) -> None:
    """Print the progress table of the course (a lesson's cell can call it, from its sandbox too)."""
    try:
        root = find_course_root()
    except FileNotFoundError:  # working in a sandbox: the course this kit is installed from
        root = find_course_root(Path(__file__).resolve().parent)
    print(check_course(root, None if folder is None else Path(folder), jobs=jobs).table())
