"""``coursekit grade``: autograde a whole class in parallel, resumably, with progress.

Registered on the ``coursekit`` command line by :func:`register`; nothing heavy is imported until
the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import logging.config
import sys
from pathlib import Path

__all__ = ["register", "run"]

EPILOG = """\
Every submission is graded by nbgrader's own autograde (the course's nbgrader_config.py, the same
preprocessors and gradebook), each in its own kernel process.  A rerun grades only submissions
that are new, changed, or whose grading did not finish; interrupt it at any time.  State and logs:
grader/classgrade/.  Exit status: 0 all graded, 1 some submission failed, 2 usage error,
130 interrupted.
"""


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
        return value

    return parse


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``grade`` subcommand to ``coursekit``'s subparsers."""
    from coursekit.classgrade.run import DEFAULT_MAX_OUTPUT_MB, DEFAULT_MEMORY_MB

    grade = subparsers.add_parser(
        "grade",
        help="autograde every submission of a class, in parallel",
        description=__doc__.splitlines()[0].split(": ", 1)[1],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help="assignments to grade (default: every assignment with submissions)",
    )
    grade.add_argument(
        "--jobs",
        "-j",
        type=_positive(int),
        default=None,
        help="submissions graded at once (default: the number of cores)",
    )
    grade.add_argument(
        "--db-url",
        default=None,
        help="gradebook SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
        "(default: the course's, grader/gradebook.db)",
    )
    grade.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="grade on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local workers",
    )
    grade.add_argument(
        "--cell-timeout",
        type=_positive(float),
        default=None,
        metavar="S",
        help="seconds a cell may run (default: the course's Execute.timeout)",
    )
    grade.add_argument(
        "--memory-mb",
        type=_positive(float),
        default=DEFAULT_MEMORY_MB,
        metavar="M",
        help=f"memory a kernel may take beyond its start-up size, MiB (default {DEFAULT_MEMORY_MB:g}; "
        "0: no cap)",
    )
    grade.add_argument(
        "--max-output-mb",
        type=_positive(float),
        default=DEFAULT_MAX_OUTPUT_MB,
        metavar="K",
        help=f"output a kernel may write, MiB (default {DEFAULT_MAX_OUTPUT_MB:g}; 0: no cap)",
    )
    grade.add_argument(
        "--submission-timeout",
        type=_positive(float),
        default=None,
        metavar="S",
        help="seconds one submission may take in all before its worker is killed "
        "(default: the cell timeout times the number of code cells, plus 2 minutes)",
    )
    grade.add_argument("--force", action="store_true", help="regrade every submission, graded or not")
    grade.add_argument(
        "--retry-failed", action="store_true", help="regrade submissions whose grading failed last time"
    )
    grade.add_argument(
        "--course",
        type=Path,
        default=None,
        help="the course folder (default: the nearest folder with nbgrader_config.py)",
    )
    grade.add_argument("--no-progress", action="store_true", help="do not show the progress line")
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the kernels without the bubblewrap sandbox (by default each submission's kernel "
        "sees no course secrets, writes only its own folder, has no network)",
    )
    grade.add_argument(
        "--log-level",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        default="WARNING",
        help="what the grader logs on stderr (default WARNING: problems it worked around)",
    )
    grade.add_argument(
        "-v", "--verbose", action="store_const", const="DEBUG", dest="log_level", help="--log-level DEBUG"
    )
    grade.set_defaults(func=run)
    return grade


def configure_logging(level: str) -> None:
    """Send the grader's own records (the ``coursekit`` loggers) to stderr at ``level``."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "plain",
                }
            },
            "loggers": {"coursekit": {"level": level, "handlers": ["stderr"], "propagate": False}},
        }
    )


def run(args: argparse.Namespace) -> int:
    from coursekit.classgrade.errors import GradeError
    from coursekit.classgrade.run import GradeOptions, grade_class

    configure_logging(args.log_level)

    options = GradeOptions(
        course_root=args.course,
        assignments=list(args.assignments),
        jobs=args.jobs,
        db_url=args.db_url,
        scheduler=args.scheduler,
        cell_timeout=args.cell_timeout,
        submission_timeout=args.submission_timeout,
        memory_mb=args.memory_mb or None,
        max_output_mb=args.max_output_mb or None,
        force=args.force,
        retry_failed=args.retry_failed,
        progress=not args.no_progress,
        sandbox=not args.no_sandbox,
    )
    import signal

    def stop(_signum, _frame):  # `kill`, a job scheduler's time limit: stop as cleanly as on Ctrl-C
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # only possible in the main thread
        signal.signal(signal.SIGTERM, stop)
    try:
        report = grade_class(options)
    except GradeError as exc:
        print(f"coursekit grade: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return report.exit_code
