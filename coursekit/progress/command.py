"""The ``coursekit progress`` subcommand, added to the ``coursekit`` command line by :func:`register`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coursekit.layout import find_course_root
from coursekit.progress.course import check_course
from coursekit.progress.kernel import CELL_TIMEOUT

__all__ = ["register"]


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``progress`` subcommand to ``coursekit``'s subparsers."""
    parser = subparsers.add_parser(
        "progress",
        help="what you have done in the course, and what to do next",
        description="For every notebook of the course: started or not, how many of its visible checks "
        "pass (run on a copy: your files are not changed), and what to do next.",
    )
    parser.add_argument("--folder", default="notebooks", help="your notebooks, relative to the course root")
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive(int),
        default=None,
        help="notebooks run at once (default: one per core)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=_positive(float),
        default=CELL_TIMEOUT,
        metavar="S",
        help=f"seconds a cell may run (default: the course's {CELL_TIMEOUT})",
    )
    parser.set_defaults(func=_command)
    return parser


def _command(args: argparse.Namespace) -> int:
    root = find_course_root()
    try:
        progress = check_course(
            root, root / args.folder, jobs=args.jobs, cell_timeout=args.cell_timeout, stream=sys.stderr
        )
    except KeyboardInterrupt:
        print("coursekit progress: interrupted", file=sys.stderr)
        return 130
    print(progress.table())
    print(f"checked {len(progress.notebooks)} notebooks in {progress.seconds:.1f} s", file=sys.stderr)
    return 0
