#!/usr/bin/env python
"""Benchmark: plain sequential ``nbgrader autograde`` against ``coursekit grade`` on a synthetic class.

    .venv/bin/python scripts/benchmark_grading.py                 # 200 submissions, --jobs = cores
    .venv/bin/python scripts/benchmark_grading.py -n 30 --jobs 2  # a quick run

It builds a class in a temporary folder -- ``-n`` submissions spread over the three exercises, each
answer taken in turn from the reference solution, the right and wrong answers of the grader proof
(``tests/proofs``) and the untouched student version -- and grades two identical
copies of it: one with ``nbgrader autograde <assignment>`` for each assignment, one after the other
(what an instructor runs by hand), the other with one ``coursekit grade`` command (its kernels in
the bubblewrap sandbox, the default).  A third copy is graded with ``coursekit grade --no-sandbox``,
which gives the sandbox's own cost per submission (``--skip-no-sandbox`` leaves it out).  It checks
that every per-cell score is identical in all the gradebooks, then prints the wall-clock times, the
ratio, submissions per second, the peak memory of each (all processes: grader, workers, kernels)
and where the kit's time goes (per-submission CPU of the workers and of their kernels), which gives
the floor: the CPU one submission needs, divided by the cores.

Exit status: 0 when the scores are identical (and, with ``--min-ratio``, the ratio is reached).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# The imports below work only after the sys.path line above (noqa: E402).
from coursekit.classgrade.gradebook import gradebook_scores  # noqa: E402
from coursekit.layout import CourseLayout  # noqa: E402
from coursekit.nbgrader_run import nbgrader_command, nbgrader_env  # noqa: E402
from coursekit.proof_harness import make_course, make_submission, submit  # noqa: E402

EXERCISES = ("02_ex1_logging", "03_ex2_config", "04_ex3_request_ids")
COURSE_ID = "logging-config-ml"


def exercise_parts(assignment: str) -> tuple[str, str]:
    """``02_ex1_logging`` -> (answer grade_id ``ex1``, notebook ``ex1_logging``)."""
    notebook = assignment.split("_", 1)[1]
    return notebook.split("_", 1)[0], notebook


def answers_for(assignment: str) -> list[tuple[str, str | None]]:
    """(label, answer-cell source or None for the untouched release) in the order they are handed out.

    The answers are the grader proof's own (``tests/proofs``): the solution, the right ones and the
    known-wrong ones, interleaved so that the class is a mix.
    """
    grade_id, _notebook = exercise_parts(assignment)
    proof = _proof(assignment)
    rights = sorted((name, answers[grade_id]) for name, answers in proof.right().items())
    wrongs = sorted((name, wrong.answers[grade_id]) for name, wrong in proof.wrong().items())
    variants: list[tuple[str, str | None]] = [("solution", proof.solution()[grade_id])]
    for index in range(max(len(rights), len(wrongs))):  # interleave: a mix of right and wrong
        for group in (rights, wrongs):
            if index < len(group):
                variants.append(group[index])
    variants.append(("untouched", None))
    return variants


def _proof(assignment: str):
    """The grader proof's test class of ``assignment`` (it knows every answer the tests grade)."""
    import importlib

    sys.path.insert(0, str(REPO / "tests" / "proofs"))
    grade_id, _notebook = exercise_parts(assignment)
    module = importlib.import_module(f"test_{grade_id}")
    (proof,) = [
        c
        for c in vars(module).values()
        if isinstance(c, type) and getattr(c, "ASSIGNMENT", None) == assignment
    ]
    return proof


def build_class(workdir: Path, size: int, exercises: list[str]) -> Path:
    course = make_course(workdir / "course", exercises, source_root=REPO)
    variants = {a: answers_for(a) for a in exercises}
    for i in range(size):
        assignment = exercises[i % len(exercises)]
        grade_id, notebook = exercise_parts(assignment)
        number = i // len(exercises)
        label, answer = variants[assignment][number % len(variants[assignment])]
        release = CourseLayout(course).release_notebook(assignment, notebook)
        nb = make_submission(release, {} if answer is None else {grade_id: answer})
        submit(course, f"student{number:04d}", assignment, {notebook: nb})
    return course


class PeakMemory:
    """Samples the summed RSS of a process and all its descendants; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed(cmd: list[str], cwd: Path, log: Path) -> tuple[float, int, int]:
    """Run ``cmd``; return (wall seconds, peak memory of its process tree in bytes, exit code)."""
    started = time.monotonic()
    with open(log, "ab") as handle:
        proc = subprocess.Popen(cmd, cwd=cwd, env=nbgrader_env(), stdout=handle, stderr=subprocess.STDOUT)
        with PeakMemory(proc.pid) as memory:
            code = proc.wait()
    return time.monotonic() - started, memory.peak, code


def all_scores(course: Path, exercises: list[str]) -> dict[tuple[str, str, str], float]:
    db = CourseLayout(course).gradebook_url
    scores = {}
    for assignment in exercises:
        for student, cells in gradebook_scores(db, assignment, COURSE_ID).items():
            for grade_id, score in cells.items():
                scores[(assignment, student, grade_id)] = score
    return scores


def _mean(values: list[float], digits: int = 3) -> float | None:
    return round(statistics.mean(values), digits) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--submissions", type=int, default=200, help="submissions in the class (200)")
    parser.add_argument("--jobs", type=int, default=None, help="coursekit grade --jobs (default: cores)")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build the class (a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--min-ratio", type=float, default=None, help="fail below this speed-up")
    repeat_help = "runs of each, in the order plain, kit, kit, plain ..."
    parser.add_argument("--repeat", type=int, default=1, help=repeat_help)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    skip_help = "do not also grade with coursekit grade --no-sandbox (the sandbox's cost is then not shown)"
    parser.add_argument("--skip-no-sandbox", action="store_true", help=skip_help)
    args = parser.parse_args(argv)

    exercises = [a for a in EXERCISES if (CourseLayout(REPO).source / a).is_dir()]
    if not exercises:
        print("no exercise under solutions/", file=sys.stderr)
        return 2
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {cores} core(s), load average {os.getloadavg()[0]:.2f}; work folder {workdir}")
    print(f"building a class of {args.submissions} submissions over {', '.join(exercises)} ...", flush=True)
    template = build_class(workdir / "template", args.submissions, exercises)

    python = sys.executable
    kit_cmd = [python, "-m", "coursekit", "grade", "--no-progress"] + (
        ["--jobs", str(args.jobs)] if args.jobs else []
    )
    # On a shared machine the load drifts: with --repeat 2 the order is plain, kit, bare, bare, kit, plain
    # (and so on), so a drift hits all alike.  "bare" is coursekit grade without the sandbox.
    tools = ("plain", "kit") if args.skip_no_sandbox else ("plain", "kit", "bare")
    order = [tools if r % 2 == 0 else tools[::-1] for r in range(args.repeat)]
    walls: dict[str, list[float]] = {tool: [] for tool in tools}
    peaks = dict.fromkeys(tools, 0)
    courses: dict[str, list[Path]] = {tool: [] for tool in tools}
    kit_code = 0
    for round_, pair in enumerate(order):
        for tool in pair:
            course = workdir / f"{tool}{round_}"
            shutil.copytree(template, course, symlinks=True)
            courses[tool].append(course)
            what = {
                "plain": "plain sequential `nbgrader autograde`",
                "kit": "`coursekit grade` (sandboxed)",
                "bare": "`coursekit grade --no-sandbox`",
            }[tool]
            print(f"round {round_ + 1}: grading with {what} ...", flush=True)
            if tool == "plain":
                wall = 0.0
                for assignment in exercises:
                    plain_cmd = nbgrader_command("autograde", assignment)
                    part, peak, _code = timed(plain_cmd, course, workdir / "plain.log")
                    wall += part
                    peaks["plain"] = max(peaks["plain"], peak)
            else:
                cmd = [*kit_cmd, "--course", str(course)] + (["--no-sandbox"] if tool == "bare" else [])
                wall, peak, code = timed(cmd, course, workdir / f"{tool}.log")
                kit_code = kit_code or code
                peaks[tool] = max(peaks[tool], peak)
            walls[tool].append(wall)
            print(f"  {wall:.1f} s (load average {os.getloadavg()[0]:.2f})", flush=True)
    plain_wall = statistics.mean(walls["plain"])
    kit_wall = statistics.mean(walls["kit"])
    plain_peak, kit_peak = peaks["plain"], peaks["kit"]
    kit = courses["kit"][-1]

    plain_scores = all_scores(courses["plain"][0], exercises)
    differ: list = []
    for course in [c for tool in tools for c in courses[tool]][1:]:
        scores = all_scores(course, exercises)
        differ += sorted(k for k in set(plain_scores) | set(scores) if plain_scores.get(k) != scores.get(k))
    kit_scores = all_scores(kit, exercises)
    report = json.loads((kit / "grader" / "classgrade" / "last-run.json").read_text())
    graded = [o for o in report["outcomes"] if o["status"] != "skipped"]
    n = args.submissions
    ratio = plain_wall / kit_wall if kit_wall else 0.0
    figures = {
        "cores": cores,
        "submissions": n,
        "workers": report["workers"],
        "plain_wall_s": round(plain_wall, 1),
        "kit_wall_s": round(kit_wall, 1),
        "plain_runs_s": [round(w, 1) for w in walls["plain"]],
        "kit_runs_s": [round(w, 1) for w in walls["kit"]],
        "ratio": round(ratio, 2),
        "plain_per_s": round(n / plain_wall, 2),
        "kit_per_s": round(n / kit_wall, 2),
        "plain_peak_mb": round(plain_peak / 2**20),
        "kit_peak_mb": round(kit_peak / 2**20),
        "cells_compared": len(plain_scores),
        "cells_differing": len(differ),
        "kit_exit_code": kit_code,
        "coordinator_startup_s": round(report["startup_s"], 2),
        "worker_startup_s": _mean(report["worker_startup_s"], 2),
        "per_submission_wall_s": _mean([o["seconds"] for o in graded]),
        "per_submission_worker_cpu_s": _mean([o["cpu_s"] for o in graded]),
        "per_submission_kernel_cpu_s": _mean([o["kernel_cpu_s"] for o in graded]),
        "statuses": {s: sum(o["status"] == s for o in graded) for s in ("graded", "timed_out", "failed")},
    }
    cpu = (figures["per_submission_worker_cpu_s"] or 0) + (figures["per_submission_kernel_cpu_s"] or 0)
    floor = n * cpu / cores + figures["coordinator_startup_s"] + (figures["worker_startup_s"] or 0)
    figures["cpu_floor_s"] = round(floor, 1)
    if "bare" in tools:
        bare_wall = statistics.mean(walls["bare"])
        bare_report = json.loads(
            (courses["bare"][-1] / "grader" / "classgrade" / "last-run.json").read_text()
        )
        bare_graded = [o for o in bare_report["outcomes"] if o["status"] != "skipped"]
        figures["no_sandbox_wall_s"] = round(bare_wall, 1)
        figures["no_sandbox_runs_s"] = [round(w, 1) for w in walls["bare"]]
        figures["no_sandbox_ratio"] = round(plain_wall / bare_wall, 2) if bare_wall else 0.0
        figures["no_sandbox_per_submission_wall_s"] = _mean([o["seconds"] for o in bare_graded])
        figures["sandbox_cost_per_submission_s"] = round(
            (figures["per_submission_wall_s"] or 0) - (figures["no_sandbox_per_submission_wall_s"] or 0), 3
        )

    print()
    print(f"class: {n} submissions ({', '.join(exercises)}), {cores} core(s), {report['workers']} worker(s)")
    print(f"per-cell scores compared: {len(plain_scores)}, differing: {len(differ)}")
    for key in differ[:20]:
        print(f"  DIFFERENT {key}: nbgrader {plain_scores.get(key)} / coursekit {kit_scores.get(key)}")
    print(f"{'':28}{'nbgrader autograde':>20}{'coursekit grade':>18}")
    label = "wall time" if args.repeat == 1 else f"wall time (mean of {args.repeat})"
    print(f"{label:28}{plain_wall:>19.1f}s{kit_wall:>17.1f}s")
    print(f"{'submissions per second':28}{n / plain_wall:>20.2f}{n / kit_wall:>18.2f}")
    print(f"{'peak memory (all processes)':28}{plain_peak / 2**20:>17.0f} MB{kit_peak / 2**20:>15.0f} MB")
    print(f"speed-up: {ratio:.2f}x")
    if "bare" in tools:
        print()
        print("the sandbox's own cost (coursekit grade with and without --no-sandbox):")
        print(f"  wall time without the sandbox                    {figures['no_sandbox_wall_s']:.1f} s")
        print(f"  speed-up without the sandbox                     {figures['no_sandbox_ratio']:.2f}x")
        without = figures["no_sandbox_per_submission_wall_s"] or 0
        with_it = figures["per_submission_wall_s"] or 0
        cost = figures["sandbox_cost_per_submission_s"]
        print(f"  one submission in its worker, without / with     {without:.3f} s / {with_it:.3f} s")
        print(f"  the sandbox's cost per submission                {cost:+.3f} s")
    print()
    print("where coursekit grade's time goes:")
    print(f"  coordinator start-up (config, hashes, gradebook) {figures['coordinator_startup_s']:.2f} s")
    print(f"  worker start-up (importing nbgrader), each        {figures['worker_startup_s'] or 0:.2f} s")
    print(f"  one submission, wall time in its worker          {figures['per_submission_wall_s'] or 0:.3f} s")
    worker_cpu = figures["per_submission_worker_cpu_s"] or 0
    kernel_cpu = figures["per_submission_kernel_cpu_s"] or 0
    print(f"    CPU of the worker (nbgrader, nbconvert, DB)    {worker_cpu:.3f} s")
    print(f"    CPU of its kernel (start-up + the notebook)    {kernel_cpu:.3f} s")
    print(f"  floor: {n} x {cpu:.3f} CPU-s / {cores} cores + start-up = {floor:.1f} s")
    print(f"statuses: {figures['statuses']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    if differ:
        return 1
    if args.min_ratio and ratio < args.min_ratio:
        print(f"speed-up {ratio:.2f}x is below {args.min_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
