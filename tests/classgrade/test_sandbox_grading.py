"""Cheats graded by ``coursekit grade`` (the sandbox is on by default) next to honest submissions.

One course holds the class-grading fixture (``double``) and exercises 1 and 3 of the real course.  A
first run grades the honest submissions and the cheats' honest twins.  Then every cheat of
:mod:`cheat_corpus` (checks disarmed, IPython's error display patched, the kernel ended at various
points) and the sandbox's hostile submissions (the solutions, the gradebook and another submission
read; files written outside the submission's folder and over another submission; a network
connection; a process left behind) are handed in with more honest submissions and graded in one run,
``--jobs 2``.  Each cheat gains nothing over its twin or is flagged for review (ledger, summary,
feedback); honest submissions keep full marks; the course, every submission handed in and the
first run's gradebook rows and autograded notebooks are byte for byte what they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from cheat_corpus import (
    ANSWER_CELL,
    CHEATS,
    CONTAINED,
    EX1,
    EX3,
    FAILED,
    FLAGGED,
    NOTEBOOKS,
    TWINS,
    UNCHECKED,
    Cheat,
    hand_in,
    honest_answer,
)
from classgrade_support import (
    ASSIGNMENT,
    REPO,
    RIGHT,
    fixture_source_root,
    last_run,
    ledger_lines,
    run_grade,
    scores_by_student,
    snapshot,
    sqlite_url,
    wait_gone,
)
from grader_support import page_text

from coursekit.classgrade.gradebook import gradebook_scores
from coursekit.layout import CourseLayout
from coursekit.nbgrader_run import run_nbgrader
from coursekit.proof_harness import make_course

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


# -- the corpus, graded --------------------------------------------------------------------------------

FIRST_RUN = {"honest", *(student for _, student in TWINS)}
LATE_HONEST = {(ASSIGNMENT, "honest_late"), (EX1, "honest_late")}


def hostile_cheats(course: Path, port: int, marker: str) -> list[Cheat]:
    """The sandbox's hostile submissions: each does its worst, then answers right (twin: a right answer)."""
    root = str(course)
    other = f"{root}/grader/submitted/honest/{ASSIGNMENT}/alpha.ipynb"
    paths = {"solution": f"{root}/solutions/{ASSIGNMENT}/alpha.ipynb", "config": f"{root}/nbgrader_config.py"}
    bodies = {
        "peek": PEEK.format(
            **paths, other=other, gradebook=f"{root}/grader/gradebook.db", grader=f"{root}/grader"
        ),
        "vandal": VANDAL.format(
            **paths, other=other, root_file=f"{root}/pwned.txt", solutions_new=f"{root}/solutions/pwned.txt"
        ),
        "network": NETWORK.format(port=port),
        "leftover": LEFTOVER.format(marker=marker),
    }
    return [
        Cheat(
            name, ASSIGNMENT, "twin_right", name, CONTAINED, HOSTILE.format(record=f"{name}.json", body=body)
        )
        for name, body in bodies.items()
    ]


def course_files(course: Path, graded_now: set[tuple[str, str]]) -> dict[str, str]:
    """Every file of the course (path: digest of bytes and mode) but what a grading run writes."""
    layout = CourseLayout(course)
    skipped = [layout.grader / "classgrade", *(layout.autograded / s / a for a, s in graded_now)]
    found = {}
    for path in sorted(p for p in course.rglob("*") if p.is_file()):
        if path.name.startswith("gradebook.db") or any(path.is_relative_to(s) for s in skipped):
            continue
        found[str(path.relative_to(course))] = hashlib.sha256(
            path.read_bytes() + str(path.stat().st_mode).encode()
        ).hexdigest()
    return found


def gradebook_rows(course: Path, students: set[str]) -> dict[str, list[tuple]]:
    """Every gradebook row of ``students``: student, submissions, notebooks, grades, comments."""
    marks = ",".join("?" * len(students))
    per_notebook = (
        "JOIN submitted_notebook n ON x.notebook_id = n.id "
        f"JOIN submitted_assignment a ON n.assignment_id = a.id WHERE a.student_id IN ({marks})"
    )
    queries = {
        "student": f"SELECT * FROM student WHERE id IN ({marks})",
        "submitted_assignment": f"SELECT * FROM submitted_assignment WHERE student_id IN ({marks})",
        "submitted_notebook": "SELECT x.* FROM submitted_notebook x JOIN submitted_assignment a "
        f"ON x.assignment_id = a.id WHERE a.student_id IN ({marks})",
        "grade": f"SELECT x.* FROM grade x {per_notebook}",
        "comment": f"SELECT x.* FROM comment x {per_notebook}",
    }
    database = sqlite3.connect(f"file:{CourseLayout(course).gradebook}?mode=ro", uri=True)
    try:
        return {
            table: sorted(database.execute(sql, sorted(students)).fetchall())
            for table, sql in queries.items()
        }
    finally:
        database.close()


@dataclass
class Corpus:
    course: Path
    cheats: dict[tuple[str, str], Cheat]
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    feedback: subprocess.CompletedProcess[str]
    totals: dict[tuple[str, str], float]
    outcomes: dict[tuple[str, str], dict]
    files: tuple[dict[str, str], dict[str, str]]  # before and after the second run
    rows: tuple[dict, dict]  # the first run's students' gradebook rows, before and after
    received: list[bytes]  # what the network cheat managed to send
    marker: str  # in the command line of the process the leftover cheat started

    def flags(self, assignment: str, student: str) -> list[str]:
        return self.outcomes[assignment, student]["integrity"]

    def describe(self, assignment: str, student: str) -> str:
        total, outcome = self.totals.get((assignment, student)), self.outcomes[assignment, student]
        return f"{assignment}/{student}: {total}, {outcome}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("corpus")
    source = fixture_source_root(base / "source")
    for assignment in (EX1, EX3):
        shutil.copytree(REPO / "solutions" / assignment, source / "solutions" / assignment)
    course = make_course(base / "course", [ASSIGNMENT, EX1, EX3], source_root=source)
    for assignment in NOTEBOOKS:
        hand_in(course, "honest", assignment, honest_answer(assignment))
    for (assignment, student), answer in TWINS.items():
        hand_in(course, student, assignment, answer)
    first = run_grade(course, "--jobs", "2")

    marker = f"coursekit-leftover-{uuid.uuid4().hex}"
    with listening() as (port, received):
        cheats = {(c.assignment, c.student): c for c in [*CHEATS, *hostile_cheats(course, port, marker)]}
        for (assignment, student), cheat in cheats.items():
            hand_in(course, student, assignment, cheat.answer, cheat)
        for assignment, student in LATE_HONEST:
            hand_in(course, student, assignment, honest_answer(assignment))
        graded_now = {*cheats, *LATE_HONEST}
        before = course_files(course, graded_now), gradebook_rows(course, FIRST_RUN)
        second = run_grade(course, "--jobs", "2", timeout=1200)
        after = course_files(course, graded_now), gradebook_rows(course, FIRST_RUN)
        told = list(received)
    feedback = run_nbgrader(course, "generate_feedback", EX1)
    totals = {
        (assignment, student): sum(cells.values())
        for assignment in NOTEBOOKS
        for student, cells in gradebook_scores(sqlite_url(course), assignment).items()
    }
    return Corpus(
        course=course,
        cheats=cheats,
        first=first,
        second=second,
        feedback=feedback,
        totals=totals,
        outcomes={(o["assignment"], o["student"]): o for o in last_run(course)["outcomes"]},
        files=(before[0], after[0]),
        rows=(before[1], after[1]),
        received=told,
        marker=marker,
    )


def test_the_first_run_grades_the_honest_submissions_and_the_twins(corpus: Corpus) -> None:
    assert corpus.first.returncode == 0, corpus.first.stdout + corpus.first.stderr
    assert "WITHOUT" not in corpus.second.stdout  # the sandbox was on, by default
    assert len(corpus.cheats) >= 12 and len({c.trick for c in corpus.cheats.values()}) == len(corpus.cheats)


@pytest.mark.parametrize("cheat", [f"{c.assignment}/{c.student}" for c in CHEATS] + ["hostile"])
def test_a_cheat_gains_nothing_over_its_honest_twin_or_is_flagged(corpus: Corpus, cheat: str) -> None:
    chosen = [c for c in corpus.cheats.values() if f"{c.assignment}/{c.student}" == cheat]
    for c in chosen or [c for c in corpus.cheats.values() if c.twin == "twin_right"]:
        key, twin = (c.assignment, c.student), (c.assignment, c.twin)
        total, twin_total, flags = corpus.totals.get(key, 0.0), corpus.totals[twin], corpus.flags(*key)
        status, why = corpus.outcomes[key]["status"], f"{c.trick}: {corpus.describe(*key)}, twin {twin_total}"
        assert flags or total <= twin_total, why
        assert not corpus.flags(*twin) and corpus.outcomes[twin]["status"] == "skipped", corpus.describe(
            *twin
        )
        if c.expect == FLAGGED:
            assert flags and not any("could not be checked" in f for f in flags), why
            assert status in ("graded", "timed_out"), why
        elif c.expect == UNCHECKED:
            assert flags and all("could not be checked" in f for f in flags), why
        elif c.expect == CONTAINED:
            assert (status, flags, total) == ("graded", [], twin_total), why
        else:
            assert c.expect == FAILED and status == "failed" and not flags, why
            assert "kernel died" in corpus.outcomes[key]["reason"], why
        assert (total > twin_total) == c.gains, why  # a trick that wins points is stopped by the flag


def test_honest_submissions_keep_full_marks_and_are_not_flagged(corpus: Corpus) -> None:
    full = {a: corpus.totals[a, "honest"] for a in NOTEBOOKS}
    assert full[ASSIGNMENT] == 3.0 and full[EX1] >= 10 and full[EX3] >= 5, full
    for assignment, student in {*((a, "honest") for a in NOTEBOOKS), *LATE_HONEST}:
        assert corpus.totals[assignment, student] == full[assignment], corpus.describe(assignment, student)
        assert not corpus.flags(assignment, student), corpus.describe(assignment, student)


def test_a_flag_shows_in_the_ledger_the_summary_and_the_feedback(corpus: Corpus) -> None:
    flagged = {k for k, c in corpus.cheats.items() if c.expect in (FLAGGED, UNCHECKED)}
    ledger = {(e["assignment"], e["student"]): e["integrity"] for e in ledger_lines(corpus.course)}
    assert {k for k, found in ledger.items() if found} == flagged
    summary = corpus.second.stdout
    assert {k for k in ledger if f"  {k[0]}/{k[1]}: flagged for review: " in summary} == flagged, summary
    code_swap = ledger[EX1, "code_swap"]
    assert code_swap == [
        f"{NOTEBOOKS[EX1]}: the code of coursekit.checks.check, coursekit.checks.check_absent, "
        "coursekit.checks.check_contains, coursekit.checks.check_count and 3 more was replaced "
        f"(after cell {ANSWER_CELL[EX1]!r})"
    ]
    assert corpus.feedback.returncode == 0, corpus.feedback.stdout + corpus.feedback.stderr
    layout = CourseLayout(corpus.course)
    for student in ("code_swap", "twin_stub", "honest", "honest_late"):
        page = page_text(layout.feedback_page(student, EX1, NOTEBOOKS[EX1]).read_text(encoding="utf-8"))
        finding = code_swap[0].removeprefix(f"{NOTEBOOKS[EX1]}: ")
        said = f"This submission was flagged for review: {finding}. Its score is what the checks gave"
        assert (said in " ".join(page.split())) == (student == "code_swap"), student


def test_the_course_other_submissions_and_their_grades_are_untouched(corpus: Corpus) -> None:
    assert corpus.second.returncode == 1  # the notebooks whose kernel died could not be graded
    (before, after), (rows_before, rows_after) = corpus.files, corpus.rows
    assert after == before
    assert rows_after == rows_before and len(rows_before["grade"]) >= 8


def test_hostile_submissions_got_nowhere(corpus: Corpus) -> None:
    course = corpus.course

    def record(student: str) -> dict:
        return json.loads(
            (course / "grader" / "autograded" / student / ASSIGNMENT / f"{student}.json").read_text()
        )

    seen = record("peek")
    assert seen["solution"] == seen["gradebook"] == seen["other_submission"] == "FileNotFoundError"
    assert seen["config"] == ""  # an empty file stands in for nbgrader_config.py
    assert seen["grader"] == ["autograded"]  # only the way to its own folder
    assert seen["cwd"] == str((course / "grader" / "autograded" / "peek" / ASSIGNMENT).resolve())
    wrote = record("vandal")
    # read-only (EROFS), or not there at all
    assert wrote["course_root"] == wrote["config"] == wrote["solutions_new"] == "OSError", wrote
    assert wrote["solution"] == wrote["other_submission"] == wrote["remove_other"] == "FileNotFoundError"
    tried = record("network")
    assert tried["tcp"] in ("ConnectionRefusedError", "OSError"), tried
    assert tried["dns"] == "gaierror", tried
    assert corpus.received == []
    spawned = record("leftover")
    assert isinstance(spawned["spawned"], int), spawned  # it did start (as a PID of its own namespace)
    assert wait_gone(marked_processes(corpus.marker), timeout=10) == []


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
