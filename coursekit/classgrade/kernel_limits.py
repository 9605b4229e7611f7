"""Limits for the kernel that runs one submission: an IPython extension loaded at kernel start.

The grading worker starts each kernel with ``--IPKernelApp.extensions=coursekit.classgrade.kernel_limits``
and passes the limits in the environment (the kernel inherits the worker's):

* ``COURSEKIT_GRADE_MEMORY_MB`` -- the kernel's address space may grow by at most this many MiB
  beyond what it holds once started (``RLIMIT_AS``).  An allocation past it raises
  ``MemoryError`` in the learner's cell instead of eating the machine.
* ``COURSEKIT_GRADE_MAX_OUTPUT_MB`` -- at most this many MiB of text may be written to
  ``sys.stdout``/``sys.stderr`` or published as display data over the kernel's life.  A write past it
  raises :class:`OutputLimitExceeded` in the cell that writes (so a runaway print loop stops there),
  and so does every later write.

Both errors show up in the autograded notebook as the cell's error, where the grading worker finds
them and records the reason.  Nothing is added to the learner's namespace.
"""

from __future__ import annotations

import os
import sys
import threading

MEMORY_ENV = "COURSEKIT_GRADE_MEMORY_MB"
OUTPUT_ENV = "COURSEKIT_GRADE_MAX_OUTPUT_MB"
MIB = 1024 * 1024


class OutputLimitExceeded(RuntimeError):
    """The kernel wrote more output than the grading run allows."""


def _address_space_in_use() -> int:
    """The process's current virtual memory size in bytes (Linux /proc; 0 when unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cap_memory(extra_mb: float) -> int | None:
    """Cap the address space at what is in use now plus ``extra_mb`` MiB; return the cap in bytes."""
    import resource

    limit = _address_space_in_use() + int(extra_mb * MIB)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


class OutputBudget:
    """Bytes of output left; past the end, the cell that writes gets :class:`OutputLimitExceeded`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.lock = threading.Lock()
        self._interrupted_main = False

    def message(self) -> str:
        return (
            f"output limit reached: this notebook wrote more than {self.max_bytes / MIB:g} MiB of output "
            "while being graded; further output is refused"
        )

    def spend(self, amount: int) -> bool:
        """Account for ``amount`` bytes; False (or an exception in the main thread) past the limit."""
        with self.lock:
            self.used += amount
            over = self.used > self.max_bytes
        if not over:
            return True
        if threading.current_thread() is threading.main_thread():
            raise OutputLimitExceeded(self.message())
        # Output that reaches the kernel through its file descriptors (os.write, a child process) is
        # forwarded by a helper thread: drop it there, and stop the learner's code in the main thread.
        if not self._interrupted_main:
            self._interrupted_main = True
            _raise_in_main_thread(OutputLimitExceeded)
        return False


def _raise_in_main_thread(exc_type: type[BaseException]) -> None:
    import ctypes

    ident = threading.main_thread().ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc_type))


def _wrap_write(stream, budget: OutputBudget) -> None:
    original = stream.write

    def write(text, _original=original):
        if not budget.spend(len(text)):
            return len(text)
        return _original(text)

    stream.write = write  # an instance attribute shadows the class's method
    # ipykernel echoes what reaches file descriptors 1 and 2 to the kernel's own terminal too, which is
    # the grading worker's log: send that copy nowhere, the notebook keeps the output.
    copy = getattr(stream, "_original_stdstream_copy", None)
    if isinstance(copy, int):
        devnull = os.open(os.devnull, os.O_WRONLY)
        stream._original_stdstream_copy = devnull


def _payload_size(data) -> int:
    if isinstance(data, str | bytes):
        return len(data)
    if isinstance(data, dict):
        return sum(_payload_size(v) for v in data.values())
    if isinstance(data, list | tuple):
        return sum(_payload_size(v) for v in data)
    return 0


def cap_output(max_mb: float, shell=None) -> OutputBudget:
    """Refuse more than ``max_mb`` MiB of stream and display output from now on."""
    budget = OutputBudget(int(max_mb * MIB))
    for stream in (sys.stdout, sys.stderr):
        _wrap_write(stream, budget)
    publisher = getattr(shell, "display_pub", None)
    if publisher is not None:
        original = publisher.publish

        def publish(data, *args, _original=original, **kwargs):
            if budget.spend(_payload_size(data)):
                return _original(data, *args, **kwargs)
            return None

        publisher.publish = publish
    return budget


def _limit(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    number = float(value)
    return number if number > 0 else None


RESCUE_MB = 64.0  # lent to a kernel past its cap to report a MemoryError (traceback, imports, reply)


def rescue_memory_errors(shell, cap: int) -> None:
    """Report a cell's ``MemoryError`` even when the cell used the address space up.

    Formatting the traceback imports modules and grows the stack; with no address space left that
    can crash the kernel (a stack that cannot grow is a SIGSEGV), and the notebook then fails as a
    dead kernel instead of recording the error.  So the cap is lifted by :data:`RESCUE_MB` while the
    error is shown, and put back once the cell has finished.
    """
    import resource

    def put_back(*_args) -> None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(
            resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard)
        )

    def report(self, etype, value, tb, tb_offset=None):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        lent = cap + int(RESCUE_MB * MIB)
        resource.setrlimit(
            resource.RLIMIT_AS, (lent if hard == resource.RLIM_INFINITY else min(lent, hard), hard)
        )
        self.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)

    shell.set_custom_exc((MemoryError,), report)
    shell.events.register("post_run_cell", put_back)


def load_ipython_extension(ipython) -> None:
    """Entry point for IPython: apply the limits named in the environment."""
    memory_mb = _limit(MEMORY_ENV)
    output_mb = _limit(OUTPUT_ENV)
    if memory_mb:
        cap = cap_memory(memory_mb)
        if cap is not None and ipython is not None:
            rescue_memory_errors(ipython, cap)
    if output_mb:
        cap_output(output_mb, ipython)
