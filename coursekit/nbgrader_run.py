"""Running nbgrader as a subprocess: the command, its environment, one more try when a kernel did not start.

Production code (``coursekit generate``, the class grader :mod:`coursekit.classgrade`) and the proof
harness (:mod:`coursekit.proof_harness`) all start nbgrader through here:

* :func:`nbgrader_command` -- ``python -m nbgrader ...`` with this interpreter;
* :func:`nbgrader_env` -- this interpreter's ``bin`` folder first on PATH, a learner's settings removed;
* :data:`KERNEL_START_FAILURES` and :func:`start_kernel_retrying` -- what a kernel that never came up
  looks like, and one more try when it happens;
* :func:`run_nbgrader` -- the command run in a course folder, run once more when a kernel did not start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = [
    "KERNEL_START_FAILURES",
    "nbgrader_command",
    "nbgrader_env",
    "run_nbgrader",
    "start_kernel_retrying",
]

T = TypeVar("T")

# Settings a learner may have exported for the exercises: they must not leak into the notebooks graded.
LEARNER_VARIABLES = ("LOG_LEVEL", "APP_DATA_PATH", "APP_LR", "APP_EPOCHS", "APP_SEED", "APP_LOG_LEVEL")

# What nbgrader logs when a kernel never came up.  A kernel's TCP ports are chosen by binding port 0
# and releasing it, and the kernel binds them a moment later; on a busy machine another process can
# take one first ("Address already in use") and the kernel dies before it runs a line of the notebook.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


def nbgrader_command(*args: str) -> list[str]:
    """``python -m nbgrader <args>``, with the interpreter running the kit."""
    return [sys.executable, "-m", "nbgrader", *args]


def nbgrader_env() -> dict[str, str]:
    """The environment for an ``nbgrader`` subprocess: this interpreter's ``bin`` folder first on PATH.

    nbgrader calls ``alembic`` (and starts kernels) through PATH, so the
    virtualenv that runs the kit must come first.
    """
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    for name in LEARNER_VARIABLES:
        env.pop(name, None)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def start_kernel_retrying(start: Callable[[], T]) -> T:
    """``start()``, which starts a kernel, called once more when the kernel did not come up."""
    try:
        return start()
    except RuntimeError as exc:
        if not any(marker in str(exc) for marker in KERNEL_START_FAILURES):
            raise
        return start()


def run_nbgrader(course: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nbgrader <args>`` in ``course``; return the finished process (it never raises).

    The run gets a temporary folder of its own (``TMPDIR``), removed afterwards: the scratch folders
    that notebooks create there cannot collide with those of another run going on at the same time.
    When a kernel did not start (:data:`KERNEL_START_FAILURES`), the command runs once more and its
    output is appended: ``autograde`` then grades what failed (it skips what it graded, unless
    ``--force``), ``validate`` validates again.
    """
    result = _run_once(course, args, timeout)
    if any(marker in result.stdout + result.stderr for marker in KERNEL_START_FAILURES):
        again = _run_once(course, args, timeout)
        note = "\n[coursekit] a kernel did not start; the command ran once more:\n"
        result = subprocess.CompletedProcess(
            again.args,
            again.returncode,
            result.stdout + note + again.stdout,
            result.stderr + note + again.stderr,
        )
    return result


def _run_once(course: Path, args: tuple[str, ...], timeout: float | None) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="coursekit-nbgrader-") as tmp:
        return subprocess.run(
            nbgrader_command(*args),
            cwd=course,
            env={**nbgrader_env(), "TMPDIR": tmp},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
