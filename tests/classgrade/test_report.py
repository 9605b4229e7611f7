"""The report of a run: its summary table, its exit code, last-run.json."""

from __future__ import annotations

import json
from pathlib import Path

from coursekit.classgrade.model import Outcome, Status
from coursekit.classgrade.report import Average, RunReport, summary_text, write_last_run


def _report(**kw) -> RunReport:
    outcomes = [
        Outcome("a", "ann", Status.GRADED),
        Outcome("a", "bob", Status.TIMED_OUT, "cell 'q1' exceeded ..."),
        Outcome("a", "cid", Status.FAILED, "NotJSONError"),
        Outcome("a", "dan", Status.SKIPPED),
    ]
    defaults = {"wall_s": 12.0, "workers": 2, "backend": "local", "db": "sqlite:///g.db"}
    return RunReport(outcomes=outcomes, **{**defaults, **kw})


def test_summary_table() -> None:
    report = _report(averages={"a/nb": Average(submissions=4, average=1.5, max=3.0)})
    text = summary_text(report, ["a"])
    assert "graded 3 submission(s) this run, 0.25 per second" in text
    row = next(line for line in text.splitlines() if line.startswith("a "))
    assert row.split() == ["a", "4", "1", "1", "1", "1", "0"]
    assert "a/nb" in text and "1.50" in text and "50%" in text
    assert "a/bob: timed out: cell 'q1'" in text and "a/cid: failed: NotJSONError" in text
    assert report.exit_code == 1
    json.dumps(report.__dict__, default=lambda o: o.__dict__)  # serialisable for last-run.json


def test_an_interrupted_run_says_so_and_counts_what_is_left() -> None:
    report = _report(interrupted=True, discovered={"a": 6})
    text = summary_text(report, ["a"])
    assert text.startswith("coursekit grade: interrupted after") and "run the same command again" in text
    row = next(line for line in text.splitlines() if line.startswith("a "))
    assert row.split() == ["a", "6", "1", "1", "1", "1", "2"]
    assert report.exit_code == 130


def test_last_run_json_holds_the_report_as_plain_json(tmp_path: Path) -> None:
    report = _report(averages={"a/nb": Average(submissions=4, average=1.5, max=3.0)})
    write_last_run(tmp_path / "last-run.json", report)
    data = json.loads((tmp_path / "last-run.json").read_text())
    assert data["exit_code"] == 1 and data["workers"] == 2 and data["backend"] == "local"
    assert data["averages"] == {"a/nb": {"submissions": 4, "average": 1.5, "max": 3.0}}
    assert [o["status"] for o in data["outcomes"]] == ["graded", "timed_out", "failed", "skipped"]
    assert set(data["outcomes"][0]) >= {"seconds", "cpu_s", "kernel_cpu_s", "worker", "final", "reason"}


def test_a_flagged_submission_needs_a_look_and_keeps_its_status() -> None:
    flagged = ("alpha: the code of coursekit.checks.check was replaced (after cell 'alpha')",)
    report = RunReport(
        outcomes=[
            Outcome("a", "ann", Status.GRADED),
            Outcome("a", "eve", Status.GRADED, integrity=flagged),
            Outcome("a", "fay", Status.SKIPPED, "graded", integrity=("beta: could not be checked: ...",)),
        ],
        wall_s=1.0,
        workers=1,
        backend="local",
        db="sqlite:///g.db",
    )
    text = summary_text(report, ["a"])
    assert f"  a/eve: flagged for review: {flagged[0]}\n" in text
    assert "  a/fay: flagged for review (graded in an earlier run): beta: could not be checked" in text
    assert "a/ann" not in text and report.exit_code == 0  # the instructor decides, the run did its job
