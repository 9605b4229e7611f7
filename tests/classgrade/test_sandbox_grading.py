"""Hostile submissions graded by ``coursekit grade`` (the sandbox is on by default) next to an honest one.

In one run: a submission that reads the solutions, the gradebook and the course configuration,
one that writes outside its folder, one that opens a network connection, one that leaves a
detached process behind.  Each answer cell records what it managed in a file of its own folder
(the one folder it may write) and still defines a right ``double``; the honest one keeps full marks.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from classgrade_support import (
    ASSIGNMENT,
    KINDS,
    RIGHT,
    outcomes,
    run_grade,
    scores_by_student,
    snapshot,
    sqlite_url,
    tree_digest,
    wait_gone,
)

from coursekit.nbgrader_run import run_nbgrader

pytestmark = pytest.mark.slow

FULL_MARKS = {"alpha_two": 2.0, "alpha_negative": 1.0, "beta_hello": 1.0, "beta_empty": 2.0}

# Every hostile answer: try each action, record its result (or the error's name) in RECORD in its
# working folder and in its output, then define the right answer.
HOSTILE = """\
import json, os
RECORD, seen = {record!r}, {{}}
def attempt(name, action):
    try:
        seen[name] = action()
    except Exception as exc:
        seen[name] = type(exc).__name__
{body}
seen["cwd"] = os.getcwd()
with open(RECORD, "w") as handle:
    json.dump(seen, handle)
print(json.dumps(seen))
""" + RIGHT["alpha"]

PEEK = """\
def peek(path):
    with open(path, "rb") as handle:
        return handle.read().decode("latin-1")
attempt("solution", lambda: peek({solution!r}))
attempt("gradebook", lambda: peek({gradebook!r}))
attempt("config", lambda: peek({config!r}))
attempt("other_submission", lambda: peek({other!r}))
attempt("grader", lambda: sorted(os.listdir({grader!r})))
"""

VANDAL = """\
def scribble(path):
    with open(path, "w") as handle:
        return handle.write("pwned")
attempt("course_root", lambda: scribble({root_file!r}))
attempt("config", lambda: scribble({config!r}))
attempt("solution", lambda: scribble({solution!r}))
attempt("solutions_new", lambda: scribble({solutions_new!r}))
attempt("other_submission", lambda: scribble({other!r}))
attempt("remove_other", lambda: os.remove({other!r}))
"""

NETWORK = """\
import socket
def call():
    with socket.create_connection(("127.0.0.1", {port}), timeout=5) as conn:
        conn.sendall(b"stolen grades")
        return "connected"
attempt("tcp", call)
attempt("dns", lambda: socket.getaddrinfo("example.org", 80)[0][4][0])
"""

LEFTOVER = """\
import subprocess, sys
def spawn():
    code = "import time\\nwhile True: time.sleep(0.5)  # {marker}"
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return child.pid
attempt("spawned", spawn)
"""


@contextlib.contextmanager
def listening() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on the grading machine's loopback: (its port, what connections sent it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    received.append(conn.recv(100))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], received
    finally:
        stop.set()
        thread.join(5)
        server.close()


def hostile(body: str, record: str) -> dict:
    return {"alpha": {"alpha": HOSTILE.format(record=record, body=body)}, "beta": {"beta": RIGHT["beta"]}}


def marked_processes(marker: str) -> list[int]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if any(marker in part for part in proc.info["cmdline"] or []):
                found.append(proc.pid)
    return found


def test_hostile_submissions_are_contained_and_the_honest_one_keeps_full_marks(make_class, tmp_path):
    course = tmp_path / "course"  # where make_class puts it: the hostile cells name its files
    root = str(course)
    solution = f"{root}/solutions/{ASSIGNMENT}/alpha.ipynb"
    other = f"{root}/grader/submitted/honest/{ASSIGNMENT}/alpha.ipynb"
    marker = f"coursekit-leftover-{uuid.uuid4().hex}"
    with listening() as (port, received):
        paths = {"solution": solution, "config": f"{root}/nbgrader_config.py", "other": other}
        roster = {
            "honest": KINDS["right"],
            "peek": hostile(
                PEEK.format(**paths, gradebook=f"{root}/grader/gradebook.db", grader=f"{root}/grader"),
                "peek.json",
            ),
            "vandal": hostile(
                VANDAL.format(
                    **paths, root_file=f"{root}/pwned.txt", solutions_new=f"{root}/solutions/pwned.txt"
                ),
                "vandal.json",
            ),
            "network": hostile(NETWORK.format(port=port), "network.json"),
            "leftover": hostile(LEFTOVER.format(marker=marker), "leftover.json"),
        }
        assert make_class(roster, name="course") == course
        before = {
            "solutions": tree_digest(course / "solutions"),
            "config": (course / "nbgrader_config.py").read_bytes(),
            "other": Path(other).read_bytes(),
            "root": sorted(p.name for p in course.iterdir()),
        }
        result = run_grade(course, "--jobs", "2")
        assert result.returncode == 0, result.stdout + result.stderr
        told_received = list(received)

    assert "WITHOUT" not in result.stdout  # the sandbox was on, by default
    assert set(outcomes(course).values()) == {("graded", "")}
    scores = scores_by_student(snapshot(sqlite_url(course)))
    assert scores["honest"] == FULL_MARKS
    assert all(scores[s] == FULL_MARKS for s in roster), scores  # the hostile ones answered right too

    def record(student: str, name: str) -> dict:
        return json.loads((course / "grader" / "autograded" / student / ASSIGNMENT / name).read_text())

    seen = record("peek", "peek.json")
    assert seen["solution"] == seen["gradebook"] == seen["other_submission"] == "FileNotFoundError"
    assert seen["config"] == ""  # an empty file stands in for nbgrader_config.py
    assert seen["grader"] == ["autograded"]  # only the way to its own folder
    assert seen["cwd"] == str((course / "grader" / "autograded" / "peek" / ASSIGNMENT).resolve())

    wrote = record("vandal", "vandal.json")
    # read-only (EROFS), or not there at all
    assert wrote["course_root"] == wrote["config"] == wrote["solutions_new"] == "OSError", wrote
    assert wrote["solution"] == wrote["other_submission"] == wrote["remove_other"] == "FileNotFoundError"
    assert tree_digest(course / "solutions") == before["solutions"]
    assert (course / "nbgrader_config.py").read_bytes() == before["config"]
    assert Path(other).read_bytes() == before["other"]
    assert sorted(p.name for p in course.iterdir()) == before["root"]

    tried = record("network", "network.json")
    assert tried["tcp"] in ("ConnectionRefusedError", "OSError"), tried
    assert tried["dns"] == "gaierror", tried
    assert told_received == []

    spawned = record("leftover", "leftover.json")
    assert isinstance(spawned["spawned"], int), spawned  # it did start (as a PID of its own namespace)
    assert wait_gone(marked_processes(marker), timeout=10) == []


def test_plain_nbgrader_autograde_is_sandboxed_when_the_course_opts_in(make_class, tmp_path, monkeypatch):
    course = tmp_path / "course"
    body = PEEK.format(
        solution=f"{course}/solutions/{ASSIGNMENT}/alpha.ipynb",
        gradebook=f"{course}/grader/gradebook.db",
        config=f"{course}/nbgrader_config.py",
        other=f"{course}/grader/submitted/peek/{ASSIGNMENT}/alpha.ipynb",
        grader=f"{course}/grader",
    )
    make_class({"peek": hostile(body, "peek.json")}, name="course")
    monkeypatch.setenv("COURSEKIT_SANDBOX", "1")
    result = run_nbgrader(course, "autograde", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads((course / "grader" / "autograded" / "peek" / ASSIGNMENT / "peek.json").read_text())
    assert seen["solution"] == seen["gradebook"] == seen["other_submission"] == "FileNotFoundError"
    assert seen["config"] == ""
    assert scores_by_student(snapshot(sqlite_url(course)))["peek"] == FULL_MARKS
