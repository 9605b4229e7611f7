"""Each submission's kernel in a bubblewrap sandbox: no course secrets, no writes, no network, no leftovers.

nbgrader's autograde runs a learner's notebook in a kernel it starts with jupyter_client; with
:class:`SandboxedExecute` in place of nbgrader's ``Execute`` (``Autograde.autograde_preprocessors``,
see :func:`autograde_preprocessors`) that kernel is started by :class:`SandboxedKernelManager`
inside ``bwrap`` (Debian's package ``bubblewrap``), where:

* the whole file system is read-only, except the folder nbgrader runs the notebook in
  (``grader/autograded/<student>/<assignment>/``, the kernel's working directory) and a private,
  empty ``/tmp``;
* the course's secrets are not there at all: an empty folder over each of nbgrader's step folders
  (``solutions/``, and ``grader/`` with the gradebook, the other submissions, the feedback, the
  exchange and the classgrade ledger, logs and locks), the SQLite gradebook and the exchange when
  they live elsewhere, and an empty file over ``nbgrader_config.py``; the Python environment and the
  course's other files stay readable;
* there is no network (``--unshare-net``): the kernel talks to nbgrader over jupyter's ``ipc``
  transport, Unix sockets in a private folder bound into the sandbox with the connection file;
* it has its own PID namespace (``--unshare-pid --die-with-parent``), so whatever it forks, even a
  process that detaches itself, dies with the kernel;
* it has no capabilities (``--cap-drop ALL``), even when the grader runs as root, so it cannot undo
  its mounts.

The limits of :mod:`.kernel_limits` (an IPython extension loaded by the kernel) and nbgrader's cell
timeout apply as before: a timed-out cell is interrupted with SIGINT, which ``bwrap`` itself is
started to ignore (``env --ignore-signal=INT``) so that it reaches the kernel and only the kernel.

``coursekit grade`` uses the sandbox unless given ``--no-sandbox``, and first checks once that
``bwrap`` works (:func:`check_available`).  Plain ``nbgrader autograde`` gets it from the course's
``nbgrader_config.py`` when ``COURSEKIT_SANDBOX=1`` is set (:data:`SANDBOX_ENV`).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Unicode
from traitlets.utils.importstring import import_item

from coursekit.classgrade.integrity import IntegrityChecked, IntegrityExecute

__all__ = [
    "DEBIAN_PACKAGE",
    "SANDBOX_ENV",
    "Layout",
    "SandboxUnavailable",
    "SandboxedExecute",
    "SandboxedKernelManager",
    "autograde_preprocessors",
    "bwrap_command",
    "check_available",
    "course_layout",
    "probe",
]

DEBIAN_PACKAGE = "bubblewrap"
SANDBOX_ENV = "COURSEKIT_SANDBOX"  # "1": the course's nbgrader_config.py sandboxes `nbgrader autograde`
DEFAULT_HINT = (
    "`coursekit grade --no-sandbox` grades without it; plain `nbgrader autograde` is sandboxed only "
    f"when {SANDBOX_ENV}=1"
)
_NAMESPACES = ["--unshare-net", "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL"]


class SandboxUnavailable(RuntimeError):
    """``bwrap`` is missing or cannot create its namespaces on this machine."""


# -- what is hidden, what is writable -------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What a kernel of a course sees: folders and files hidden, folders kept readable under /tmp."""

    root: str  # the course folder (read-only)
    hidden_dirs: tuple[str, ...]  # an empty, read-only folder over each
    hidden_files: tuple[str, ...]  # an empty file over each
    readable: tuple[str, ...]  # under /tmp, yet kept (read-only): the course, the Python environment


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """``paths`` without duplicates and without those inside another one, in order."""
    kept: list[str] = []
    for path in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        if not any(_within(path, other) for other in kept):
            kept.append(path)
    return tuple(sorted(kept))


def course_layout(coursedir: Any, exchange_root: str | None = None) -> Layout:
    """The :class:`Layout` of the course of nbgrader's ``CourseDirectory`` ``coursedir``."""
    root = os.path.realpath(coursedir.root)
    import coursekit

    keep = [
        root,
        os.path.realpath(sys.prefix),
        os.path.realpath(sys.base_prefix),
        os.path.dirname(os.path.realpath(sys.executable)),
        os.path.dirname(os.path.dirname(os.path.realpath(coursekit.__file__))),
    ]
    dirs = []
    for step in (
        coursedir.source_directory,
        coursedir.submitted_directory,
        coursedir.autograded_directory,
        coursedir.feedback_directory,
        coursedir.solution_directory,
    ):
        path = os.path.realpath(os.path.join(root, step))
        if _within(path, root):  # hide the step's top folder in the course: grader/, solutions/
            relative = os.path.relpath(path, root)
            path = os.path.join(root, relative.split(os.sep)[0]) if relative != "." else root
        dirs.append(path)
    if exchange_root:
        dirs.append(os.path.realpath(exchange_root))
    # nothing that holds the course itself, the Python that runs the kernel, or the kit
    dirs = [d for d in dirs if os.path.isdir(d) and not any(_within(k, d) for k in keep)]
    hidden_dirs = _outermost(dirs)
    files = [os.path.join(root, name) for name in ("nbgrader_config.py", "nbgrader_config.json")]
    database = _sqlite_file(coursedir.db_url, root)
    if database:
        files += [database + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    hidden_files = tuple(
        sorted(
            {
                f
                for f in map(os.path.realpath, files)
                if os.path.isfile(f) and not any(_within(f, d) for d in hidden_dirs)
            }
        )
    )
    tmp = os.path.realpath("/tmp")
    readable = _outermost(k for k in keep if _within(k, tmp) and k != tmp)
    return Layout(root, hidden_dirs, hidden_files, readable)


def _sqlite_file(db_url: str, root: str) -> str | None:
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or db_url[len(prefix) :] in ("", ":memory:"):
        return None
    return os.path.join(root, db_url[len(prefix) :].split("?", 1)[0])


def bwrap_command(
    layout: Layout,
    *,
    workdir: str | None,
    runtime_dir: str,
    empty_file: str,
    bwrap: str = "bwrap",
    env: str = "env",
) -> list[str]:
    """The command that runs what follows it in the sandbox, in ``workdir`` (the only writable folder
    besides ``runtime_dir``, the connection file's, and the sandbox's own ``/tmp``)."""
    workdir = os.path.realpath(workdir) if workdir else None
    writable = [os.path.realpath(runtime_dir)]
    # the notebook's own folder, never one that holds the course or a hidden folder
    if workdir and not any(_within(p, workdir) for p in (layout.root, *layout.hidden_dirs)):
        writable.insert(0, workdir)
    cmd = [env, "--ignore-signal=INT", bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    cmd += ["--tmpfs", "/tmp"]
    for folder in layout.readable:
        cmd += ["--ro-bind", folder, folder]
    for folder in layout.hidden_dirs:
        cmd += ["--tmpfs", folder]
    for path in layout.hidden_files:
        cmd += ["--ro-bind", empty_file, path]
    tmpfs = ["/tmp", *layout.hidden_dirs]
    for folder in writable:  # mount points in the empty folders, made before these turn read-only
        if any(_within(folder, t) for t in tmpfs):
            cmd += ["--dir", folder]
    for folder in layout.hidden_dirs:
        cmd += ["--remount-ro", folder]
    for folder in writable:
        cmd += ["--bind", folder, folder]
    cmd += _NAMESPACES
    # jupyter_client's JPY_PARENT_PID is a PID of the grader's namespace, which the kernel would take
    # for its parent and, seeing another, exit at once.  Its parent here is bwrap's init, PID 1, which
    # ipykernel knows never to watch (and, told of a parent, it prints no console banner).
    cmd += ["--setenv", "JPY_PARENT_PID", "1", "--setenv", "TMPDIR", "/tmp"]
    cmd += ["--setenv", "IPYTHONDIR", "/tmp/.ipython"]  # IPython's own folder, writable and private
    cmd += ["--chdir", workdir or os.getcwd(), "--"]
    return cmd


# -- is it there? -----------------------------------------------------------------------------------------


def probe(bwrap: str | None = None) -> str | None:
    """Why the sandbox cannot run here (``None``: it can).  Runs ``bwrap`` once per program and process."""
    found = shutil.which(bwrap or "bwrap")
    if found is None:
        return f"{bwrap or 'bwrap'} is not installed (no such program on PATH)"
    return _probe(os.path.realpath(found), shutil.which("env") or "/usr/bin/env")


@functools.cache
def _probe(bwrap: str, env: str) -> str | None:
    cmd = [env, "--ignore-signal=INT", bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    cmd += ["--tmpfs", "/tmp", *_NAMESPACES, "true"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{bwrap} does not run: {exc}"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"{bwrap} cannot create its namespaces here: {said}"
    return None


def check_available(bwrap: str | None = None, hint: str = DEFAULT_HINT) -> str:
    """The ``bwrap`` program to use; :class:`SandboxUnavailable` saying what to do when it cannot run."""
    reason = probe(bwrap)
    if reason is not None:
        raise SandboxUnavailable(
            f"the kernel sandbox is not available: {reason}. Install Debian's package "
            f"`{DEBIAN_PACKAGE}` (sudo apt-get install {DEBIAN_PACKAGE}); {hint}"
        )
    return os.path.realpath(shutil.which(bwrap or "bwrap") or "bwrap")


# -- the kernel manager and nbgrader's preprocessor ------------------------------------------------------


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, starting the kernel inside ``bwrap`` over the ``ipc`` transport."""

    bwrap = Unicode("", config=True, help="The bwrap program (default: bwrap on PATH).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = "ipc"  # no network in the sandbox: Unix sockets in the runtime folder
        self._runtime: str | None = None
        self._workdir: str | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        self._bwrap_path = check_available(self.bwrap or None)
        if self._runtime is None or not os.path.isdir(self._runtime):
            self._runtime = tempfile.mkdtemp(prefix="coursekit-kernel-")
            open(os.path.join(self._runtime, "empty"), "w").close()  # noqa: SIM115 - an empty file
            self.connection_file = os.path.join(self._runtime, "kernel.json")
            self.ip = os.path.join(self._runtime, "ipc")
        cwd = kw.get("cwd")
        self._workdir = os.path.realpath(cwd) if cwd else None
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel  # AsyncKernelManager's public names are its coroutines

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        argv = super().format_kernel_cmd(extra_arguments)
        assert self._runtime is not None
        from nbgrader.coursedir import CourseDirectory

        exchange = self.config.get("Exchange", {}).get("root") or "/srv/nbgrader/exchange"
        layout = course_layout(CourseDirectory(config=self.config), exchange)
        prefix = bwrap_command(
            layout,
            workdir=self._workdir,
            runtime_dir=self._runtime,
            empty_file=os.path.join(self._runtime, "empty"),
            bwrap=self._bwrap_path,
            env=shutil.which("env") or "/usr/bin/env",
        )
        return [*prefix, *argv]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._runtime is not None:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None

    cleanup_resources = _async_cleanup_resources


class _Sandboxed:
    """Makes an ``Execute`` preprocessor start its kernels with :class:`SandboxedKernelManager`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # nbgrader's Execute passes its kernel manager class as an argument, which beats the
        # configuration (Execute.kernel_manager_class): hence a preprocessor of our own
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)


class SandboxedExecute(_Sandboxed, Execute):
    """nbgrader's ``Execute`` (the course's ``Execute`` settings apply), each kernel in the sandbox."""


def _execute_class(item: Any, sandbox: bool, integrity: bool) -> Any:
    """``item`` when it is no ``Execute``; else its plain ``Execute`` with the mixins asked for."""
    cls = import_item(item) if isinstance(item, str) else item
    if not (isinstance(cls, type) and issubclass(cls, Execute)):
        return item
    mixins = (_Sandboxed, IntegrityChecked)
    plain = next(k for k in cls.__mro__ if issubclass(k, Execute) and not issubclass(k, mixins))
    wanted = tuple(m for m, on in zip(mixins, (sandbox, integrity), strict=True) if on)
    return _composed(wanted, plain)


@functools.cache
def _composed(mixins: tuple[type, ...], plain: type) -> type:
    """One class per combination, so that asking twice gives the same class."""
    known = {
        ((), plain): plain,
        ((_Sandboxed,), Execute): SandboxedExecute,
        ((IntegrityChecked,), Execute): IntegrityExecute,
    }
    if (mixins, plain) in known:
        return known[mixins, plain]
    prefix = "".join("Sandboxed" if m is _Sandboxed else "Integrity" for m in mixins)
    return type(f"{prefix}{plain.__name__}", (*mixins, plain), {"__module__": __name__})


def autograde_preprocessors(config: Any = None, *, sandbox: bool = True, integrity: bool = True) -> list[Any]:
    """``Autograde.autograde_preprocessors`` of ``config`` (nbgrader's default list when it sets
    none), its ``Execute`` sandboxed -- or, with ``sandbox=False``, not -- and fingerprinted
    (:mod:`.integrity`) unless ``integrity=False``."""
    from nbgrader.converters import Autograde

    current: Sequence[Any] | None = None
    if config is not None and "Autograde" in config:
        current = config.Autograde.get("autograde_preprocessors")
    if current is None:
        current = Autograde.class_traits()["autograde_preprocessors"].default()
    return [_execute_class(item, sandbox, integrity) for item in current]
