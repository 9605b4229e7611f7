"""``coursekit grade`` against plain ``nbgrader autograde``: same gradebook; resumable, isolated, robust.

Every test grades a small class of the fixture assignment (two notebooks, each a fresh kernel) and
compares the gradebook with what nbgrader's own sequential autograde wrote for the same class.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time

import nbformat
import pytest
from classgrade_support import (
    ASSIGNMENT,
    RIGHT,
    RUNAWAY,
    descendants,
    explain_difference,
    last_run,
    ledger_lines,
    outcomes,
    run_grade,
    runaway_spec,
    scores_by_student,
    snapshot,
    sqlite_url,
    start_grade,
    tree_digest,
    wait_gone,
)

from coursekit.proof_harness import make_submission

pytestmark = pytest.mark.slow


def _check(result, *codes: int) -> None:
    """The run ended with one of ``codes`` (default 0) after printing its summary (not a crash)."""
    where = f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert result.returncode in (codes or (0,)), where
    assert "coursekit grade: done in" in result.stdout, where


def test_class_graded_as_plain_nbgrader_does_then_reruns_grade_only_what_changed(
    make_class, reference, roster
):
    course = make_class()
    submitted = tree_digest(course / "grader" / "submitted")
    result = run_grade(course, "--jobs", "2", progress=True)
    _check(result, 1)  # one submission is not JSON: reported as failed, the rest graded
    assert (snap := snapshot(sqlite_url(course))) == reference, explain_difference(course, snap, reference)
    assert tree_digest(course / "grader" / "submitted") == submitted
    assert not (course / "grader" / "gradebook.db-wal").exists()  # nbgrader's usual single file again
    done = outcomes(course)
    assert done["s005_garbage"][0] == "failed" and "NotJSONError" in done["s005_garbage"][1]
    assert {s for s, (status, _) in done.items() if status == "graded"} == set(roster) - {"s005_garbage"}
    for student in set(roster) - {"s005_garbage"}:
        assert list((course / "grader" / "autograded" / student / ASSIGNMENT).glob("*.ipynb"))
    assert (course / "grader" / "classgrade" / "logs" / ASSIGNMENT / "s001_half.log").is_file()
    # progress: plain lines (not a terminal), ending with the full count, a rate and the time left
    lines = [line for line in result.stderr.splitlines() if line.startswith("grading: ")]
    assert lines and "\r" not in result.stderr
    assert (
        f"{len(roster)}/{len(roster)} 100%" in lines[-1]
        and "sub/s" in lines[-1]
        and "left 00:00" in lines[-1]
    )
    # summary: counts and per-exercise averages, as in last-run.json
    assert "exercise (assignment/notebook)" in result.stdout and "needs a look:" in result.stdout
    report = last_run(course)
    expected = scores_by_student(reference)
    alpha = sum(v for s in expected.values() for k, v in s.items() if k.startswith("alpha_")) / len(roster)
    expected_average = {"submissions": len(roster), "average": pytest.approx(alpha), "max": 3.0}
    assert report["averages"][f"{ASSIGNMENT}/alpha"] == expected_average
    assert f"{ASSIGNMENT}/alpha" in result.stdout and f"{alpha:.2f}" in result.stdout

    # nothing changed: nothing graded
    _check(run_grade(course), 0)
    assert {status for status, _ in outcomes(course).values()} == {"skipped"}
    # one student hands in again, with different content: only that submission is graded
    folder = course / "grader" / "submitted" / "s002_untouched" / ASSIGNMENT
    nb = make_submission(course / "notebooks" / ASSIGNMENT / "alpha.ipynb", {"alpha": RIGHT["alpha"]})
    os.chmod(folder / "alpha.ipynb", 0o644)
    nbformat.write(nb, folder / "alpha.ipynb")
    _check(run_grade(course), 0)
    done = outcomes(course)
    assert {s for s, (status, _) in done.items() if status != "skipped"} == {"s002_untouched"}
    assert done["s002_untouched"][0] == "graded"
    scores = scores_by_student(snapshot(sqlite_url(course)))
    assert scores["s002_untouched"]["alpha_two"] == 2.0 and scores["s002_untouched"]["alpha_negative"] == 1.0
    # --retry-failed grades the broken submission again, and only that one
    _check(run_grade(course, "--retry-failed"), 1)
    assert {s for s, (status, _) in outcomes(course).items() if status != "skipped"} == {"s005_garbage"}


def test_kill_9_at_random_moments_then_rerun_loses_and_duplicates_nothing(
    make_class, reference, roster, tmp_path
):
    course = make_class()
    rng = random.Random(20240607)
    kept: dict[str, str] = {}  # student -> hash of a ledger line written before a kill
    for round_ in range(3):
        proc = start_grade(course, "--jobs", "2", log=tmp_path / f"run{round_}.log")
        time.sleep(rng.uniform(1.0, 9.0))
        family = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        leftovers = wait_gone(family)
        assert not leftovers, f"processes outlived the killed grader: {leftovers}"
        for entry in ledger_lines(course):
            kept[entry["student"]] = entry["hash"]
    result = run_grade(course, "--jobs", "2")
    _check(result, 0, 1)  # 1 when the broken submission failed in this run, 0 when in an earlier one
    assert (snap := snapshot(sqlite_url(course))) == reference, explain_difference(course, snap, reference)
    # ^ same cells, comments, and exactly one row each
    done = outcomes(course)
    assert set(done) == set(roster)
    # what was finished before a kill was not graded again
    assert all(done[student][0] == "skipped" for student in kept), (kept, done)
    final = {e["student"]: e for e in ledger_lines(course)}
    assert set(final) == set(roster)


def test_a_worker_that_dies_is_replaced_and_its_submission_regraded(make_class, reference, roster, tmp_path):
    import psutil

    course = make_class()
    log = tmp_path / "run.log"
    proc = start_grade(course, "--jobs", "2", log=log)
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        for pid in descendants(proc.pid):
            with contextlib.suppress(psutil.Error):
                cmd = " ".join(psutil.Process(pid).cmdline())
                if "coursekit.classgrade.worker" in cmd and any(
                    "ipykernel" in " ".join(c.cmdline()) for c in psutil.Process(pid).children()
                ):
                    os.kill(pid, signal.SIGKILL)  # mid-grading: it has a kernel running
                    killed = pid
                    break
        time.sleep(0.05)
    assert killed, "no busy worker found to kill"
    assert proc.wait(timeout=240) == 1, log.read_text()
    assert (snap := snapshot(sqlite_url(course))) == reference, explain_difference(course, snap, reference)
    assert {status for status, _ in outcomes(course).values()} == {"graded", "failed"}
    assert sum(1 for status, _ in outcomes(course).values() if status == "failed") == 1  # the garbage one


def test_runaway_submissions_fail_with_their_reason_and_the_rest_is_graded(make_class, reference):
    roster = {
        "s000_right": "right",
        "s001_half": "half",
        **{f"r_{k}": runaway_spec(v) for k, v in RUNAWAY.items()},
    }
    course = make_class(roster)
    result = run_grade(
        course, "--jobs", "2", "--cell-timeout", "4", "--memory-mb", "256", "--max-output-mb", "1"
    )
    _check(result, 1)
    done = outcomes(course)
    assert done["s000_right"] == ("graded", "") and done["s001_half"] == ("graded", "")
    assert done["r_loop"][0] == "timed_out" and "4 s time limit" in done["r_loop"][1]
    assert done["r_membomb"][0] == "failed" and "out of memory" in done["r_membomb"][1]
    assert done["r_flood"][0] == "failed" and "output limit" in done["r_flood"][1]
    assert done["r_fdflood"][0] == "failed" and "output limit" in done["r_fdflood"][1]
    scores = scores_by_student(snapshot(sqlite_url(course)))
    reference_scores = scores_by_student(reference)
    assert scores["s000_right"] == reference_scores["s000_right"]
    assert scores["s001_half"] == reference_scores["s001_half"]
    for runaway in RUNAWAY:
        # the broken notebook scores zero, the other notebook is still graded
        broken_alpha = {"alpha_two": 0.0, "alpha_negative": 0.0}
        assert scores[f"r_{runaway}"] == {**broken_alpha, "beta_hello": 1.0, "beta_empty": 2.0}
    autograded = course / "grader" / "autograded" / "r_flood" / ASSIGNMENT / "alpha.ipynb"
    assert autograded.stat().st_size < 2_000_000  # the flood was cut, not saved
    for log in (course / "grader" / "classgrade" / "logs").glob("worker-*.log"):
        assert log.stat().st_size < 1_000_000  # nor copied into the worker logs
    assert "needs a look:" in result.stdout and "r_membomb" in result.stdout


def test_a_submission_over_its_time_budget_is_killed_and_recorded(make_class):
    slow = runaway_spec("import time\ntime.sleep(3)\ndef double(x):\n    return 2 * x\n")
    course = make_class({"slowpoke": slow})
    result = run_grade(course, "--jobs", "1", "--submission-timeout", "2")
    _check(result, 1)
    done = outcomes(course)
    assert done["slowpoke"][0] == "failed" and "longer than 2 s" in done["slowpoke"][1]
    # the ledger says it is final: a rerun does not grade it again unless asked ...
    _check(run_grade(course, "--jobs", "1", "--submission-timeout", "2"), 0)
    assert outcomes(course)["slowpoke"][0] == "skipped"
    # ... or the instructor's version of the assignment changes (a corrected test, a new data file)
    (course / "solutions" / ASSIGNMENT / "data.csv").write_text("x,y\n1,2\n")
    _check(run_grade(course, "--jobs", "1", "--submission-timeout", "30"), 0)
    assert outcomes(course)["slowpoke"] == ("graded", "")


def test_unknown_assignment_is_a_clear_error(make_class):
    course = make_class({"s000_right": "right"})
    result = run_grade(course, "99_nothing")
    assert result.returncode == 2
    assert "no assignment 99_nothing" in result.stderr


def test_two_gradings_of_one_submission_at_once_wait_for_each_other(make_class, reference):
    """Dask runs a task at least once, not exactly once: a second grading must not break the first."""
    from concurrent.futures import ThreadPoolExecutor

    from coursekit.classgrade.pool import WorkerProcess

    course = make_class({"s001_half": "half"})
    state = course / "grader" / "classgrade"
    options = {"course_root": str(course), "log_dir": str(state / "logs"), "lock_dir": str(state / "locks")}
    workers = [WorkerProcess(course, options) for _ in range(2)]
    try:
        # the pool's threads outlive the workers they start (a worker dies with the thread that made it)
        with ThreadPoolExecutor(2) as pool:
            for _ in range(4):
                results = list(pool.map(lambda w: w.run(ASSIGNMENT, "s001_half", 300), workers))
                assert [(r.status, r.reason) for r in results] == [("graded", "")] * 2
            for worker in workers:
                worker.stop()
    finally:
        for worker in workers:
            worker.kill()
    cells = {k: v for k, v in snapshot(sqlite_url(course))["cells"].items() if k.startswith("s001_half/")}
    assert cells == {k: v for k, v in reference["cells"].items() if k.startswith("s001_half/")}
