"""One graded notebook run in a fresh kernel (nbclient), its visible checks read from the replies.

Errors are allowed, so every check runs; a cell past the time limit is interrupted and scored as an
error.  The kernel gets the environment nbgrader runs with (:func:`coursekit.nbgrader_run.nbgrader_env`:
a learner's exported ``LOG_LEVEL`` or ``APP_*`` variables removed), a temporary folder of its own
(``TMPDIR``, where the lessons' and checks' sandboxes go) and no terminal: its output is discarded.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit.cells import cell_label
from coursekit.progress.model import Check, NotebookProgress
from coursekit.progress.state import RunPlan

__all__ = ["CELL_TIMEOUT", "TIMEOUT_ENAME", "Cancelled", "run_plan"]

# The course's Execute.timeout in nbgrader_config.py (tests/test_learner_progress.py checks it).
CELL_TIMEOUT = 60
TIMEOUT_ENAME = "CellTimeoutError"

# nbclient reports timeouts and late output on its logger; the table says what matters instead.
_KERNEL_LOG = logging.getLogger("coursekit.progress.kernels")
_KERNEL_LOG.addHandler(logging.NullHandler())
_KERNEL_LOG.propagate = False


class Cancelled(Exception):
    """The run was interrupted: stop before the next cell."""


def _run_notebook(
    nb: NotebookNode, workdir: Path, cell_timeout: float, cancel: threading.Event
) -> tuple[dict[int, dict[str, Any]], str]:
    """Run ``nb`` in a fresh kernel working in ``workdir``: each code cell's reply by index, and a problem."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    from coursekit.nbgrader_run import nbgrader_env, start_kernel_retrying

    scratch = workdir.with_name(workdir.name + "-tmp")
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**nbgrader_env(), "TMPDIR": str(scratch)}
    replies: dict[int, dict[str, Any]] = {}
    running: list[int] = []

    def on_cell_start(cell: NotebookNode, cell_index: int) -> None:
        if cancel.is_set():
            raise Cancelled
        running.append(cell_index)

    def on_cell_executed(cell: NotebookNode, cell_index: int, execute_reply: dict[str, Any]) -> None:
        replies[cell_index] = execute_reply.get("content", {})

    def attempt() -> None:
        replies.clear()
        running.clear()
        client = NotebookClient(
            nb,
            timeout=cell_timeout,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": f"over {cell_timeout:g} s", "traceback": []},
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
            shutdown_kernel="immediate",
            log=_KERNEL_LOG,
            on_cell_start=on_cell_start,
            on_cell_executed=on_cell_executed,
        )
        client.execute(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        start_kernel_retrying(attempt)
    except Cancelled:
        return replies, "interrupted"
    except DeadKernelError:
        where = cell_label(nb.cells[running[-1]], running[-1]) if running else "the first cell"
        return replies, f"the kernel died while running {where}"
    except Exception as exc:  # noqa: BLE001 - shown in the table, the other notebooks still run
        return (
            replies,
            f"the notebook could not run: {str(exc).strip().splitlines()[0] if str(exc) else exc!r}",
        )
    return replies, ""


def run_plan(plan: RunPlan, tmp: Path, cell_timeout: float, cancel: threading.Event) -> NotebookProgress:
    """Run ``plan``'s copy in a folder of its own under ``tmp`` and score its visible checks."""
    started = time.monotonic()
    workdir = tmp / Path(plan.path).parent.name
    workdir.mkdir(parents=True, exist_ok=True)
    nbformat.write(plan.notebook, workdir / Path(plan.path).name)
    replies, problem = _run_notebook(plan.notebook, workdir, cell_timeout, cancel)
    checks = []
    for gid, docstring, index in plan.checks:
        reply = replies.get(index) if index is not None else None
        if reply is None:
            error = "missing from the notebook" if index is None else "not run"
            checks.append(Check(gid, docstring, False, error))
        else:
            passed = reply.get("status") == "ok"
            checks.append(Check(gid, docstring, passed, "" if passed else str(reply.get("ename", "error"))))
    missing = [gid for gid, _, index in plan.checks if index is None]
    stopped = [i for i, reply in sorted(replies.items()) if reply.get("ename") == TIMEOUT_ENAME]
    if stopped and not problem:
        where = cell_label(plan.notebook.cells[stopped[0]], stopped[0])
        problem = f"{where} ran longer than {cell_timeout:g} s and was stopped"
    if missing and not problem:
        problem = f"check cells missing from the notebook: {', '.join(missing)}"
    return NotebookProgress(plan.path, True, plan.started, tuple(checks), problem, time.monotonic() - started)
