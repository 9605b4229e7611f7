"""Support for the class-grading tests: a small fixture assignment, classes of submissions, gradebook
snapshots, and the real services (a PostgreSQL server on loopback, a local Dask cluster)
the tests run against.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.nbgrader_run import nbgrader_env, run_nbgrader
from coursekit.proof_harness import make_course, make_submission, submit

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00_fixture"
INSTALL_HINT = (
    "run `bash tests/classgrade/install_services.sh` "
    "(it installs Debian's postgresql and bubblewrap packages)"
)

# What nbgrader's autograde logs for a submission it cannot read: one record per traceback.
NOT_JSON_LOG = textwrap.dedent(
    """\
    [AutogradeApp | ERROR] There was an error processing assignment: /c/grader/submitted/x/a
    [AutogradeApp | ERROR] Traceback (most recent call last):
          File "/site-packages/nbformat/reader.py", line 25, in parse_json
            raise NotJSONError(message) from e
        nbformat.reader.NotJSONError: Notebook does not appear to be JSON: 'not json'

    [AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'x'
    [AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors.
    """
)
NOT_JSON_ERROR = "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: 'not json'"


# -- the fixture assignment: two notebooks, one answer cell and two test cells each --------------------


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = cells
    return nb


def fixture_notebooks() -> dict[str, nbformat.NotebookNode]:
    """``alpha``: ``double(x)`` (2 + 1 points); ``beta``: ``greet(name)`` (1 + 2 points)."""
    alpha = _notebook(
        [
            new_markdown_cell("Write `double(x)`.", metadata=_meta("alpha_statement")),
            new_code_cell(
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n",
                metadata=_meta("alpha", solution=True),
            ),
            new_code_cell(
                '"""double(2) is 4."""\nassert double(2) == 4\n',
                metadata=_meta("alpha_two", grade=True, points=2),
            ),
            new_code_cell(
                '"""double(-3) is -6."""\n### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n'
                "### END HIDDEN TESTS\n",
                metadata=_meta("alpha_negative", grade=True, points=1),
            ),
        ]
    )
    beta = _notebook(
        [
            new_markdown_cell("Write `greet(name)`.", metadata=_meta("beta_statement")),
            new_code_cell(
                "def greet(name):\n    ### BEGIN SOLUTION\n    return f'Hello, {name}!'\n"
                "    ### END SOLUTION\n",
                metadata=_meta("beta", solution=True),
            ),
            new_code_cell(
                '"""greet("Ada") says hello."""\nassert greet("Ada") == "Hello, Ada!"\n',
                metadata=_meta("beta_hello", grade=True, points=1),
            ),
            new_code_cell(
                '"""greet works for an empty name."""\n### BEGIN HIDDEN TESTS\n'
                'assert greet("") == "Hello, !"\n### END HIDDEN TESTS\n',
                metadata=_meta("beta_empty", grade=True, points=2),
            ),
        ]
    )
    return {"alpha": alpha, "beta": beta}


def fixture_source_root(root: Path) -> Path:
    """A course source tree: the repository's nbgrader config and header, and the fixture assignment."""
    (root / "solutions" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copy2(REPO / "solutions" / "_header.ipynb", root / "solutions" / "_header.ipynb")
    for name, nb in fixture_notebooks().items():
        nbformat.write(nb, root / "solutions" / ASSIGNMENT / f"{name}.ipynb")
    return root


RIGHT = {
    "alpha": "def double(x):\n    return x + x\n",
    "beta": "def greet(name):\n    return 'Hello, ' + name + '!'\n",
}
# Answers, by kind.  A submission is a mapping notebook -> {grade_id: source} (None: that notebook is
# not handed in) or a string (handed in as raw text for every notebook).
KINDS: dict[str, object] = {
    "right": {"alpha": {"alpha": RIGHT["alpha"]}, "beta": {"beta": RIGHT["beta"]}},
    "half": {
        "alpha": {"alpha": "def double(x):\n    return abs(2 * x)\n"},
        "beta": {"beta": "def greet(name):\n    return f'Hello, {name}!' if name else 'Hi'\n"},
    },
    "untouched": {"alpha": {}, "beta": {}},
    "noisy": {
        "alpha": {
            "alpha": "import sys\ndef double(x):\n    print('doubling', file=sys.stderr)\n    return 2 * x\n"
        },
        "beta": {"beta": RIGHT["beta"]},
    },
    "alpha_only": {"alpha": {"alpha": RIGHT["alpha"]}, "beta": None},
    "garbage": "this is not a notebook",
}
RUNAWAY = {
    "loop": "while True:\n    pass\n",
    "membomb": "hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))\n",
    "flood": "while True:\n    print('x' * 1000)\n",
    "fdflood": "import os\nwhile True:\n    os.write(1, b'y' * 10000)\n",
}


def class_roster(size: int) -> dict[str, str]:
    """``size`` students cycling through the kinds of :data:`KINDS`: ``{student: kind}``."""
    kinds = list(KINDS)
    return {f"s{i:03d}_{kinds[i % len(kinds)]}": kinds[i % len(kinds)] for i in range(size)}


def hand_in(course: Path, student: str, spec: object) -> None:
    release = course / "notebooks" / ASSIGNMENT
    if isinstance(spec, str):
        submit(course, student, ASSIGNMENT, {name: spec for name in fixture_notebooks()})
        return
    notebooks = {}
    for name, answers in spec.items():  # type: ignore[union-attr]
        if answers is not None:
            notebooks[name] = make_submission(release / f"{name}.ipynb", answers)
    submit(course, student, ASSIGNMENT, notebooks)


def build_course(dest: Path) -> Path:
    """A course with the fixture assignment released (its gradebook knows the assignment), no submissions."""
    source = fixture_source_root(Path(tempfile.mkdtemp(prefix="classgrade-src-")))
    try:
        return make_course(dest, [ASSIGNMENT], source_root=source)
    finally:
        shutil.rmtree(source, ignore_errors=True)


def copy_course(template: Path, dest: Path, roster: Mapping[str, object]) -> Path:
    """A copy of ``template`` with a submission for each ``{student: spec-or-kind}`` of ``roster``."""
    shutil.copytree(template, dest, symlinks=True)
    # the copied config derives its paths from its own location, so the copy is self-contained
    for student, spec in roster.items():
        hand_in(dest, student, KINDS[spec] if isinstance(spec, str) and spec in KINDS else spec)
    return dest


def runaway_spec(code: str) -> dict:
    return {"alpha": {"alpha": code}, "beta": {"beta": RIGHT["beta"]}}


# -- running the grader ---------------------------------------------------------------------------------


def grade_command(course: Path, *args: str, progress: bool = False) -> list[str]:
    quiet = [] if progress else ["--no-progress"]
    return [sys.executable, "-m", "coursekit", "grade", "--course", str(course), *quiet, *args]


def run_grade(course: Path, *args: str, timeout: float = 300, progress: bool = False):
    """``coursekit grade --course COURSE ARGS`` in a subprocess; the finished process."""
    return subprocess.run(
        grade_command(course, *args, progress=progress),
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_grade(course: Path, *args: str, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 - inherited by the child
    try:
        return subprocess.Popen(
            grade_command(course, *args),
            cwd=course,
            env=nbgrader_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        handle.close()


def plain_autograde(course: Path) -> subprocess.CompletedProcess[str]:
    """nbgrader's own sequential autograde of the whole class (the reference)."""
    return run_nbgrader(course, "autograde", ASSIGNMENT)


def last_run(course: Path) -> dict:
    return json.loads((course / "grader" / "classgrade" / "last-run.json").read_text())


def outcomes(course: Path) -> dict[str, tuple[str, str]]:
    return {o["student"]: (o["status"], o["reason"]) for o in last_run(course)["outcomes"]}


def ledger_lines(course: Path) -> list[dict]:
    path = course / "grader" / "classgrade" / "ledger.jsonl"
    if not path.exists():
        return []
    entries = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return entries


def sqlite_url(course: Path) -> str:
    return f"sqlite:///{course / 'grader' / 'gradebook.db'}"


def snapshot(db_url: str, assignment: str = ASSIGNMENT, course_id: str = "logging-config-ml") -> dict:
    """Everything autograde writes, database-independent: per-cell scores and flags, comments, row counts."""
    from nbgrader.api import (
        Comment,
        Grade,
        Gradebook,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    cells: dict[str, tuple] = {}
    comments: dict[str, object] = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.assignment_submissions(assignment):
            for nb in submission.notebooks:
                for grade in nb.grades:
                    key = f"{submission.student.id}/{nb.name}/{grade.name}"
                    cells[key] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
                for comment in nb.comments:
                    comments[f"{submission.student.id}/{nb.name}/{comment.name}"] = comment.auto_comment
        counts = {
            model.__tablename__: gb.db.query(model).count()
            for model in (Student, SubmittedAssignment, SubmittedNotebook, Grade, Comment)
        }
    return {"cells": cells, "comments": comments, "counts": counts}


def explain_difference(course: Path, snap: dict, reference: dict) -> str:
    """Why a run's gradebook differs from the reference: per differing student, the run's outcome and log."""
    cells, expected = snap["cells"], reference["cells"]
    changed = [key for key in set(cells) | set(expected) if cells.get(key) != expected.get(key)]
    differing = sorted({key.split("/")[0] for key in changed})
    try:
        told = outcomes(course)
    except (OSError, ValueError) as exc:
        told = {}
        differing.append(f"(no last-run.json: {exc})")
    parts = [f"students whose grades differ from plain nbgrader: {differing}"]
    logs = course / "grader" / "classgrade" / "logs"
    for student in differing:
        parts.append(f"--- {student}: outcome {told.get(student)}")
        log = logs / ASSIGNMENT / f"{student}.log"
        if log.exists():
            parts.append(log.read_text(errors="replace")[-3000:])
    for worker_log in sorted(logs.glob("*.log")):
        parts.append(f"--- {worker_log.name} (last lines)")
        parts.append("\n".join(worker_log.read_text(errors="replace").splitlines()[-30:]))
    return "\n".join(parts)


def scores_by_student(snap: dict) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = {}
    for key, (auto, manual, _flag) in snap["cells"].items():
        student, _nb, grade_id = key.split("/")
        result.setdefault(student, {})[grade_id] = float((manual if manual is not None else auto) or 0.0)
    return result


def tree_digest(folder: Path) -> str:
    """A digest of every file (path, bytes, mode) under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
        digest.update(str(path.stat().st_mode).encode())
    return digest.hexdigest()


def descendants(pid: int) -> list[int]:
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    return []


def wait_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    """Wait for ``pids`` to exit; return those still alive after ``timeout``."""
    import psutil

    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [
            p for p in alive if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
        ]
        time.sleep(0.2)
    return alive


def require(module: str):
    """Import an optional dependency of class grading, or fail saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise AssertionError(
            f"{module} is not installed: pip install -e '.[grading]' "
            "(or run bash tests/classgrade/install_services.sh)"
        ) from None


# -- PostgreSQL, started from Debian's packages on loopback ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The folder of ``initdb``/``pg_ctl`` (newest Debian version first); AssertionError saying what to do."""

    def version(path: str) -> float:
        with contextlib.suppress(ValueError):
            return float(Path(path).parent.name)
        return 0.0

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    raise AssertionError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}")


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        # under /tmp, which the postgres user can reach whatever TMPDIR says
        self.dir = Path(tempfile.mkdtemp(prefix="coursekit-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.dir / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres user
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise AssertionError(
                    f"running as root but there is no `postgres` user: {INSTALL_HINT}"
                ) from None
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            self.prefix = [runuser, "-u", "postgres", "--"]
        os.chmod(self.dir, 0o700)

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def create_database(self, name: str) -> str:
        psycopg = require("psycopg")

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


# -- a local Dask cluster: a scheduler and a worker process with two worker processes -------------------


class DaskCluster:
    """``dask scheduler`` and ``dask worker --nworkers N`` as an instructor starts them, on loopback."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self.dir = Path(tempfile.mkdtemp(prefix="coursekit-dask-"))
        self.scheduler_file = self.dir / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.address = ""

    def _spawn(self, *args: str, log: str) -> None:
        dask = Path(sys.executable).with_name("dask")
        handle = open(self.dir / log, "ab")  # noqa: SIM115 - inherited by the child
        try:
            self.procs.append(
                subprocess.Popen(
                    [str(dask), *args],
                    cwd=self.dir,
                    env=nbgrader_env(),
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        finally:
            handle.close()

    def start(self, timeout: float = 90) -> DaskCluster:
        self._spawn(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(self.scheduler_file),
            log="scheduler.log",
        )
        deadline = time.monotonic() + timeout
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                raise AssertionError(f"the Dask scheduler did not start:\n{self.log('scheduler.log')}")
            time.sleep(0.2)
        self._spawn(
            "worker",
            "--scheduler-file",
            str(self.scheduler_file),
            "--nworkers",
            str(self.workers),
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
            "--memory-limit",
            "0",
            log="worker.log",
        )
        client_class = require("distributed").Client

        with client_class(scheduler_file=str(self.scheduler_file), timeout="30s") as client:
            client.wait_for_workers(self.workers, timeout=timeout)
            self.address = client.scheduler.address
        return self

    def log(self, name: str) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / name).read_text(errors="replace")[-4000:]
        return ""

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def dask_cluster(workers: int = 2) -> Iterator[DaskCluster]:
    cluster = DaskCluster(workers)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def generate_into(course: Path, db_url: str) -> None:
    """Record the fixture assignment in another gradebook (as an instructor does before grading into it)."""
    result = run_nbgrader(
        course, "generate_assignment", ASSIGNMENT, "--force", f"--CourseDirectory.db_url={db_url}"
    )
    if result.returncode != 0:
        raise AssertionError(f"generate_assignment into {db_url} failed:\n{result.stdout}{result.stderr}")
