"""A grading worker: a long-lived process that autogrades one submission at a time with nbgrader.

Started by :class:`coursekit.classgrade.pool.WorkerProcess` as
``python -m coursekit.classgrade.worker '<options as JSON>'`` with the course root as working
directory.  It imports nbgrader once, then reads one task per line on stdin
(``{"id": .., "assignment": .., "student": ..}``) and answers on its protocol pipe with JSON lines:
``{"event": "start", "id": ..}`` when it begins and ``{"event": "done", "id": .., "status": ..}``
(the rest of a :class:`~coursekit.classgrade.model.WorkerResult`) when the submission is graded.

Each task runs ``nbgrader autograde ASSIGNMENT --student STUDENT --force`` in this process, exactly
as nbgrader's own test-suite runs its apps in-process (``NbGraderApp.instance()``, ``initialize``,
``start``, ``reset``): the course's ``nbgrader_config.py``, the same preprocessors, the same
timeouts, the same gradebook schema.  nbgrader starts a fresh kernel (its own process) for every
notebook; this worker only adds, through configuration:

* ``Execute.timeout`` when ``cell_timeout`` is given (otherwise the course's value stands);
* the kernel limits of :mod:`coursekit.classgrade.kernel_limits` (an IPython extension);
* ``Execute.shutdown_kernel = "immediate"``: the kernel is killed once the notebook has run
  instead of being asked to exit and waited for (it changes no grade; it saves ~0.3 s a notebook);
* ``CourseDirectory.db_url`` when ``db_url`` is given;
* the kernel sandbox of :mod:`coursekit.classgrade.kernel_sandbox` (nbgrader's ``Execute`` replaced
  by a sandboxed one in ``Autograde.autograde_preprocessors``) unless ``sandbox`` is false;
* the integrity check of :mod:`coursekit.classgrade.integrity` (that ``Execute`` fingerprints the
  kernel), whose findings it reads back from the autograded notebooks, as it reads their errors.

Only this module writes to the protocol pipe (the worker's original stdout); its log is its
original stderr; the kernels it starts inherit file descriptors that lead to ``/dev/null``.
"""

from __future__ import annotations

import contextlib
import glob
import io
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coursekit.cells import cell_label
from coursekit.classgrade.model import JSONObject, Status, WorkerResult

KERNEL_EXTENSION = "coursekit.classgrade.kernel_limits"
TIMEOUT_ENAME = "CellTimeoutError"
OUTPUT_ENAME = "OutputLimitExceeded"

logger = logging.getLogger(__name__)

_LOG_PREFIX = re.compile(r"^\[\w+ \| \w+\]")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)?):? ?(.*)$")


def kernel_environment(memory_mb: float | None, max_output_mb: float | None) -> dict[str, str]:
    """Environment variables that make :mod:`kernel_limits` apply the limits in every kernel."""
    from coursekit.classgrade.kernel_limits import MEMORY_ENV, OUTPUT_ENV

    return {
        MEMORY_ENV: "" if not memory_mb else f"{memory_mb:g}",
        OUTPUT_ENV: "" if not max_output_mb else f"{max_output_mb:g}",
    }


def _watch_parent() -> None:
    """Exit at once when the process that started this worker goes away (even by ``kill -9``)."""
    with contextlib.suppress(Exception):  # Linux: be killed with the parent
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    parent = os.getppid()

    def poll() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(70)
            time.sleep(0.5)

    threading.Thread(target=poll, name="parent-watch", daemon=True).start()


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the kernels, once nbgrader has stopped them)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reason_from_log(log: str) -> str:
    """The gist of why nbgrader failed: the exception line of its last traceback, or its last error."""
    if "kernel became unresponsive" in log:
        return "the kernel became unresponsive and could not be interrupted (runaway code?)"
    lines = log.splitlines()
    # nbgrader logs a traceback as one record: the first line after its "[App | ERROR]" prefix, the
    # rest indented under it; a chained one holds a second "Traceback" line, unprefixed.
    starts = [
        i
        for i, line in enumerate(lines)
        if _LOG_PREFIX.sub("", line).strip().startswith("Traceback (most recent call last)")
    ]
    if starts:
        block = []
        for line in lines[starts[-1] + 1 :]:
            if _LOG_PREFIX.match(line):
                break
            if line.strip():
                block.append(line)
        base = min((len(line) - len(line.lstrip()) for line in block), default=0)
        exception = None
        for line in block:
            text = line.strip()
            if len(line) - len(line.lstrip()) == base and _EXC_LINE.match(text):
                exception = text
        if exception:
            if "DeadKernelError" in exception:
                return f"the kernel died while running the notebook ({exception})"
            return exception[:500]
    errors = [line for line in lines if "| ERROR]" in line]
    return errors[0].split("]", 1)[1].strip()[:500] if errors else "nbgrader autograde failed (see its log)"


def classify(
    notebooks: list[Path], cell_timeout: float | None, memory_mb: float | None
) -> tuple[Status, str]:
    """(status, reason) of a submission nbgrader graded, from the errors in its autograded notebooks."""
    import nbformat

    timeouts: list[str] = []
    outputs: list[str] = []
    memory: list[str] = []
    for path in notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - an unreadable result is itself the reason
            return Status.FAILED, f"cannot read the autograded notebook {path.name}: {exc}"
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                ename = output.get("ename", "")
                label = f"{path.stem}: {cell_label(cell, index)}"
                if ename == TIMEOUT_ENAME:
                    timeouts.append(label)
                elif ename == OUTPUT_ENAME or ename.endswith("." + OUTPUT_ENAME):
                    outputs.append(label)
                elif ename == "MemoryError":
                    memory.append(label)
    if outputs:
        return (
            Status.FAILED,
            f"output limit exceeded in {outputs[0]} (further output refused; graded as it stood)",
        )
    if memory:
        cap = f" (memory cap {memory_mb:g} MiB)" if memory_mb else ""
        return Status.FAILED, f"out of memory in {memory[0]}{cap}; graded as it stood"
    if timeouts:
        limit = f"the {cell_timeout:g} s" if cell_timeout else "the"
        more = f" and {len(timeouts) - 1} more" if len(timeouts) > 1 else ""
        return Status.TIMED_OUT, f"{timeouts[0]}{more} exceeded {limit} time limit (scored as an error)"
    return Status.GRADED, ""


class Grader:
    """Runs nbgrader's autograde in this process, one submission at a time."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.course_root = Path(options.get("course_root") or os.getcwd()).resolve()
        self.log_dir = Path(options["log_dir"]) if options.get("log_dir") else None
        os.environ.update(kernel_environment(options.get("memory_mb"), options.get("max_output_mb")))
        if options.get("sqlite_guard", True):
            from coursekit.classgrade.gradebook import install_sqlite_guard

            install_sqlite_guard()
        from jupyter_core.application import NoStart
        from nbgrader.apps.nbgraderapp import NbGraderApp  # the expensive import, once

        self._app_class = NbGraderApp
        self._no_start = NoStart

    def _overrides(self, app: Any) -> Any:
        from traitlets.config import Config

        cfg = Config()
        opts = self.options
        if opts.get("db_url"):
            cfg.CourseDirectory.db_url = opts["db_url"]
        if opts.get("cell_timeout"):
            cfg.Execute.timeout = int(opts["cell_timeout"])
        if opts.get("immediate_shutdown", True):
            cfg.Execute.shutdown_kernel = "immediate"
        if opts.get("kernel_limits", True):
            extra = list(app.config.Execute.get("extra_arguments", []))
            extra.append(f"--IPKernelApp.extensions={KERNEL_EXTENSION}")
            cfg.Execute.extra_arguments = extra
        from coursekit.classgrade.kernel_sandbox import autograde_preprocessors

        # each kernel in the bubblewrap sandbox, unless told otherwise (even when the course opts in)
        sandbox = bool(opts.get("sandbox", True))
        cfg.Autograde.autograde_preprocessors = autograde_preprocessors(app.config, sandbox=sandbox)
        return cfg

    def grade(self, assignment: str, student: str) -> WorkerResult:
        """Autograde one submission (the result's ``worker`` is left for the caller to name)."""
        started = time.monotonic()
        cpu_started = time.process_time()
        kernels_started = _children_cpu()
        with self._submission_lock(assignment, student):
            code, log, autograded, cell_timeout = self._autograde(assignment, student)
            # the outcome is read from the autograded notebooks before another grading can touch them
            self._write_log(assignment, student, log)
            seconds = time.monotonic() - started
            notebooks = sorted(autograded.glob("*.ipynb")) if autograded and autograded.is_dir() else []
            if code not in (0, None):
                status, reason = Status.FAILED, reason_from_log(log)
            elif not notebooks:
                status = Status.FAILED
                reason = reason_from_log(log) if "ERROR" in log else "nbgrader produced no notebook"
            else:
                status, reason = classify(notebooks, cell_timeout, self.options.get("memory_mb"))
            from coursekit.classgrade.integrity import findings_of

            integrity = tuple(findings_of(notebooks))
        return WorkerResult(
            status=status,
            reason=reason,
            seconds=round(seconds, 3),
            notebooks=len(notebooks),
            # where the time went: this process (nbgrader, nbconvert, the database) and its kernels
            cpu_s=round(time.process_time() - cpu_started, 3),
            kernel_cpu_s=round(_children_cpu() - kernels_started, 3),
            integrity=integrity,
        )

    def _autograde(self, assignment: str, student: str) -> tuple[int | str | None, str, Path | None, Any]:
        """nbgrader's autograde of one submission: (exit code, log, autograded folder, cell timeout)."""
        buffer = io.StringIO()
        argv = ["autograde", assignment, f"--student={glob.escape(student)}", "--force"]
        app = self._app_class.instance()
        code: int | str | None = 0
        cell_timeout = self.options.get("cell_timeout")
        autograded: Path | None = None
        cwd = os.getcwd()
        try:
            os.chdir(self.course_root)
            app.initialize(argv)
            app.init_logging(logging.StreamHandler, [buffer], color=False, subapps=True)
            autograde_app = app.subapp
            autograde_app.update_config(self._overrides(autograde_app))
            cell_timeout = cell_timeout or autograde_app.config.Execute.get("timeout") or 30
            autograded = Path(
                autograde_app.coursedir.format_path(
                    autograde_app.coursedir.autograded_directory, student, assignment
                )
            )
            app.start()
        except SystemExit as exc:
            code = exc.code
        except self._no_start:  # what a finished nbgrader subcommand raises
            code = 0
        except Exception:  # noqa: BLE001 - whatever nbgrader raised is this submission's result
            code = 1
            buffer.write(traceback.format_exc())
        finally:
            try:
                app.reset()
            except Exception as exc:  # noqa: BLE001 - the next submission builds its app anew anyway
                logger.warning("nbgrader's app did not reset: %s: %s", type(exc).__name__, exc)
            os.chdir(cwd)
        return code, buffer.getvalue(), autograded, cell_timeout

    @contextlib.contextmanager
    def _submission_lock(self, assignment: str, student: str) -> Iterator[None]:
        """Hold the submission's lock file while it is graded.

        Dask runs a task at least once, not exactly once: when it decides that a worker is gone it
        runs the worker's tasks elsewhere, and the first run may still be going.  Two autogrades of
        one submission at the same time break each other (one deletes the folder the other writes),
        so the second waits for the first and then grades again.  POSIX record locks, so that they
        hold across machines on a shared file system that supports them (NFS with its lock manager).
        """
        lock_dir = self.options.get("lock_dir")
        if not lock_dir:
            yield
            return
        import fcntl
        import hashlib

        folder = Path(lock_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(f"{assignment}\0{student}".encode()).hexdigest()[:32]
        with open(folder / f"{name}.lock", "a+b") as handle:
            fcntl.lockf(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN)

    def _write_log(self, assignment: str, student: str, log: str) -> None:
        if self.log_dir is None:
            return
        folder = self.log_dir / assignment
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{student}.log").write_text(log, encoding="utf-8")
        except OSError as exc:  # the result itself still reaches the ledger
            logger.warning("cannot write the log of %s/%s: %s", assignment, student, exc)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = json.loads(argv[0]) if argv else {}
    # The protocol pipe is the original stdout and the log is the original stderr; kernels inherit
    # file descriptors 1 and 2, which from here on lead nowhere (a kernel's output belongs in the
    # notebook, where its limits apply, never in a log that could fill the disk).
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    log = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stdout = sys.stderr = log
    _watch_parent()

    def send(message: JSONObject) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    started = time.monotonic()
    grader = Grader(options)
    send({"event": "ready", "pid": os.getpid(), "startup_s": round(time.monotonic() - started, 3)})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        task = json.loads(line)
        if task.get("stop"):
            break
        send({"event": "start", "id": task["id"]})
        result = grader.grade(task["assignment"], task["student"])
        send({"event": "done", "id": task["id"], **result.to_json()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
