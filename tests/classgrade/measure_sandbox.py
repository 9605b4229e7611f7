"""What the kernel sandbox costs: ``coursekit grade`` with and without it, and one kernel's start.

    .venv/bin/python tests/classgrade/measure_sandbox.py [-n SUBMISSIONS] [--rounds R]

Not a test (nothing is asserted): it prints seconds per submission (``--jobs 1``, so that the
figures are not shared between cores) and per kernel, the two runs interleaved.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classgrade_support import build_course, copy_course, run_grade  # noqa: E402


def grade_seconds(course: Path, sandbox: bool) -> tuple[float, list[float]]:
    args = ["--jobs", "1", "--force"] + ([] if sandbox else ["--no-sandbox"])
    result = run_grade(course, *args)
    if result.returncode != 0:
        raise SystemExit(f"coursekit grade failed:\n{result.stdout}{result.stderr}")
    run = json.loads((course / "grader" / "classgrade" / "last-run.json").read_text())
    return run["wall_s"], [o["seconds"] for o in run["outcomes"]]


def kernel_seconds(sandbox: bool, count: int) -> list[float]:
    """Start a kernel, run one cell, stop it (as the grader does): ``count`` times."""
    from nbformat.v4 import new_code_cell, new_notebook
    from nbgrader.preprocessors import Execute
    from traitlets.config import Config

    from coursekit.classgrade.kernel_sandbox import SandboxedExecute

    folder = Path(tempfile.mkdtemp(prefix="measure-sandbox-"))
    config = Config()
    config.CourseDirectory.root = str(folder)
    config.Execute.shutdown_kernel = "immediate"
    times = []
    for _ in range(count):
        nb = new_notebook(cells=[new_code_cell("x = 1 + 1")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        started = time.perf_counter()
        (SandboxedExecute if sandbox else Execute)(config=config).preprocess(
            nb, {"metadata": {"path": str(folder)}}
        )
        times.append(time.perf_counter() - started)
    shutil.rmtree(folder, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=8, help="submissions (default 8)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of four runs, ABBA (default 1)")
    parser.add_argument("--kernels", type=int, default=10, help="kernel starts of each (default 10)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="measure-sandbox-"))
    try:
        template = build_course(work / "template")
        kinds = ["right", "half", "noisy", "untouched"]
        course = copy_course(template, work / "course", {f"s{i:03d}": kinds[i % 4] for i in range(args.n)})
        grade_seconds(course, sandbox=True)  # warm the caches: the first run is not counted
        per: dict[bool, list[float]] = {True: [], False: []}
        wall: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):
            for sandbox in (False, True, True, False):
                seconds, each = grade_seconds(course, sandbox)
                wall[sandbox].append(seconds)
                per[sandbox].extend(each)
        for sandbox in (False, True):
            name = "sandbox" if sandbox else "no sandbox"
            print(
                f"coursekit grade --jobs 1, {name:>10}: {statistics.mean(per[sandbox]):.3f} s per submission "
                f"(median {statistics.median(per[sandbox]):.3f}, {len(per[sandbox])} gradings; "
                f"wall per run {', '.join(f'{w:.1f}' for w in wall[sandbox])} s)"
            )
        for sandbox in (False, True):
            times = kernel_seconds(sandbox, args.kernels)
            name = "sandbox" if sandbox else "no sandbox"
            print(
                f"one kernel (start, one cell, stop), {name:>10}: {statistics.mean(times):.3f} s "
                f"(median {statistics.median(times):.3f}, n={len(times)})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
