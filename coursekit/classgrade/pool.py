"""Grading worker processes, seen from the side that starts them.

:class:`WorkerProcess` starts ``python -m coursekit.classgrade.worker`` in the course folder and
hands it one submission at a time; :meth:`WorkerProcess.run` waits for the answer, with a
wall-clock budget after which the worker (and so its kernel, which exits with its parent) is
killed.  A worker that dies or is killed is reported as :class:`~coursekit.classgrade.errors.WorkerLost`
and replaced by the caller.  The local executor (:mod:`coursekit.classgrade.executors.local`) and the
Dask tasks (:mod:`coursekit.classgrade.executors.dask_cluster`) both use it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from coursekit.classgrade.errors import WorkerLost
from coursekit.classgrade.model import WorkerResult
from coursekit.nbgrader_run import nbgrader_env

__all__ = ["WorkerLost", "WorkerProcess"]  # WorkerLost is defined in .errors

logger = logging.getLogger(__name__)


class WorkerProcess:
    """One grading worker process and its line-based JSON protocol."""

    def __init__(self, course_root: Path, options: dict[str, Any], log_path: Path | None = None) -> None:
        self.course_root = Path(course_root)
        self.options = dict(options)
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_s: float | None = None
        self._buffer = b""
        self._next_id = 0

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        env = nbgrader_env()
        env["PYTHONUNBUFFERED"] = "1"
        # Under pytest, ipykernel stops capturing output written to file descriptors; grading must not
        # depend on who started it.
        env.pop("PYTEST_CURRENT_TEST", None)
        stderr: Any = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            stderr = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "coursekit.classgrade.worker", json.dumps(self.options)],
                cwd=self.course_root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,  # Ctrl-C in the terminal reaches the coordinator only
            )
        finally:
            if stderr is not subprocess.DEVNULL:
                stderr.close()
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """End the worker at once (its kernel notices and exits within a second)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            logger.warning("worker %d did not end within 10 s of SIGKILL", self.proc.pid)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # a pipe to a dead process may refuse to flush
                    stream.close()
        self.proc = None

    def stop(self) -> None:
        """Ask the worker to finish and wait a little; kill it if it does not."""
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(b'{"stop": true}\n')
            self.proc.stdin.flush()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("worker %d did not stop when asked (%s): killing it", self.proc.pid, exc)
        self.kill()

    # -- protocol -----------------------------------------------------------------------------

    def _read_message(self, deadline: float | None) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    raise TimeoutError
                if not selector.select(timeout=wait):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = self.proc.wait()
                    raise WorkerLost(f"the grading worker exited with {_describe_exit(code)}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        try:
            message = self._read_message(deadline)
        except TimeoutError:
            self.kill()
            raise WorkerLost(f"the grading worker did not start within {timeout:g} s") from None
        if message.get("event") != "ready":
            self.kill()
            raise WorkerLost(f"unexpected first message from the grading worker: {message}")
        self.startup_s = message.get("startup_s")

    def run(self, assignment: str, student: str, budget_s: float) -> WorkerResult:
        """Grade one submission; return the worker's result or raise :class:`WorkerLost`.

        ``budget_s`` counts from the moment the worker starts this submission.  Past it the worker
        is killed and ``WorkerLost(killed_for_time=True)`` raised.
        """
        if not self.alive():
            self.start()
            self.wait_ready()
        assert self.proc is not None and self.proc.stdin is not None
        self._next_id += 1
        task_id = self._next_id
        task = {"id": task_id, "assignment": assignment, "student": student}
        try:
            self.proc.stdin.write((json.dumps(task) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            code = self.proc.wait()
            self.kill()
            raise WorkerLost(f"the grading worker exited with {_describe_exit(code)}") from None
        deadline: float | None = None
        try:
            while True:
                message = self._read_message(deadline)
                if message.get("id") != task_id:
                    continue
                if message.get("event") == "start":
                    deadline = time.monotonic() + budget_s
                elif message.get("event") == "done":
                    return WorkerResult.from_json(message)
        except TimeoutError:
            self.kill()
            raise WorkerLost(
                f"grading took longer than {budget_s:g} s; the worker was killed", killed_for_time=True
            ) from None
        except WorkerLost:
            self.kill()
            raise


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"exit code {code}"
