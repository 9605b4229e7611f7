"""The report of a grading run: what it did (:class:`RunReport`), its summary table, ``last-run.json``.

:func:`class_averages` reads the per-exercise averages back from the gradebook;
:func:`summary_text` is the table ``coursekit grade`` prints at the end; :func:`write_last_run`
repeats the report as JSON in ``grader/classgrade/last-run.json`` (for scripts, such as
``scripts/benchmark_grading.py``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coursekit.classgrade.gradebook import gradebook_scores, max_class_scores
from coursekit.classgrade.model import Outcome, Status
from coursekit.classgrade.progress import format_duration

__all__ = ["Average", "RunReport", "class_averages", "summary_text", "write_last_run"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Average:
    """One exercise (an assignment's notebook) across the class, as the gradebook holds it."""

    submissions: int  # submissions in the gradebook
    average: float  # their average score
    max: float  # the score out of which


@dataclass(frozen=True)
class RunReport:
    """What a grading run did."""

    outcomes: list[Outcome]
    wall_s: float
    workers: int
    backend: str
    db: str
    interrupted: bool = False
    averages: dict[str, Average] = field(default_factory=dict)  # per "assignment/notebook"
    startup_s: float = 0.0  # from the command's start until the first submission was handed out
    worker_startup_s: list[float] = field(default_factory=list)  # each local worker's import time
    discovered: dict[str, int] = field(default_factory=dict)  # submissions found, per assignment
    sandbox: bool = True  # kernels ran in the bubblewrap sandbox (False: --no-sandbox)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def graded_now(self) -> int:
        return sum(1 for o in self.outcomes if o.status != Status.SKIPPED)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.count(Status.FAILED) else 0


def class_averages(db_url: str, course_id: str, assignments: Iterable[str]) -> dict[str, Average]:
    """Per assignment and notebook: submissions in the gradebook, average score, maximum."""
    table: dict[str, Average] = {}
    for assignment in assignments:
        maxima = max_class_scores(db_url, assignment, course_id)
        scores = gradebook_scores(db_url, assignment, course_id)
        for notebook, cells in sorted(maxima.items()):
            totals = [sum(per_cell.get(gid, 0.0) for gid in cells) for per_cell in scores.values()]
            table[f"{assignment}/{notebook}"] = Average(
                submissions=len(totals),
                average=(sum(totals) / len(totals)) if totals else 0.0,
                max=sum(cells.values()),
            )
    return table


def write_last_run(path: Path, report: RunReport) -> None:
    """Write ``report`` (and its exit code) as JSON to ``path``; a failure is only logged."""
    data = asdict(report)
    data["exit_code"] = report.exit_code
    try:
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    except OSError as exc:  # the ledger holds every result; this file only repeats the last summary
        logger.warning("cannot write %s: %s", path, exc)


def summary_text(report: RunReport, assignments: list[str]) -> str:
    """The table printed at the end of a run."""
    lines = []
    if not report.sandbox:
        lines.append(
            "coursekit grade: graded WITHOUT the kernel sandbox (--no-sandbox): submissions' code could "
            "read and change the course's files and reach the network"
        )
    graded_now = report.graded_now
    rate = graded_now / report.wall_s if report.wall_s > 0 else 0.0
    what = "interrupted after" if report.interrupted else "done in"
    lines.append(
        f"coursekit grade: {what} {format_duration(report.wall_s)} ({report.wall_s:.1f} s) with "
        f"{report.workers} {report.backend} worker(s), gradebook {report.db}"
    )
    lines.append(f"graded {graded_now} submission(s) this run, {rate:.2f} per second")
    lines.append("")
    header = ("assignment", "submissions", "graded", "timed out", "failed", "skipped", "left")
    rows = []
    by_assignment: dict[str, Counter[Status]] = {a: Counter() for a in assignments}
    for outcome in report.outcomes:
        by_assignment.setdefault(outcome.assignment, Counter())[outcome.status] += 1
    for assignment, counts in by_assignment.items():
        done = sum(counts.values())
        total = max(report.discovered.get(assignment, 0), done)
        statuses = (Status.GRADED, Status.TIMED_OUT, Status.FAILED, Status.SKIPPED)
        figures = (total, *(counts[s] for s in statuses), total - done)
        rows.append((assignment, *map(str, figures)))
    lines.extend(_table(header, rows))
    if report.averages:
        lines.append("")
        header2 = ("exercise (assignment/notebook)", "in gradebook", "average", "out of", "average %")
        rows2 = [(name, *_average_cells(v)) for name, v in report.averages.items()]
        lines.extend(_table(header2, rows2))
    problems = [o for o in report.outcomes if o.status in (Status.FAILED, Status.TIMED_OUT) or o.integrity]
    if problems:
        lines.append("")
        lines.append("needs a look:")
        for o in problems:
            if o.status in (Status.FAILED, Status.TIMED_OUT):
                label = "timed out" if o.status == Status.TIMED_OUT else "failed"
                lines.append(f"  {o.assignment}/{o.student}: {label}: {o.reason}")
            if o.integrity:
                earlier = " (graded in an earlier run)" if o.status == Status.SKIPPED else ""
                lines.append(
                    f"  {o.assignment}/{o.student}: flagged for review{earlier}: {'; '.join(o.integrity)}"
                )
    if report.interrupted:
        lines.append("")
        lines.append("interrupted: run the same command again to grade what is left")
    return "\n".join(lines) + "\n"


def _average_cells(v: Average) -> tuple[str, str, str, str]:
    percent = (100 * v.average / v.max) if v.max else 0
    return (str(v.submissions), f"{v.average:.2f}", f"{v.max:g}", f"{percent:.0f}%")


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [fmt.format(*r) for r in rows]
