"""The ``coursekit`` command: open the course, regenerate and normalise notebooks, grade, show progress."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from coursekit.layout import CourseLayout, find_course_root
from coursekit.notebooks import generate, normalise_file

__all__ = ["main"]


def _has_display() -> bool:
    return sys.platform in {"darwin", "win32"} or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _cmd_lab(args: argparse.Namespace) -> int:
    root = find_course_root()
    folder = root / args.folder
    open_browser = _has_display() if args.browser == "auto" else args.browser == "yes"
    if not open_browser:
        print("No browser will be opened: open one of the URLs printed below in your browser.")
    jupyter_lab = Path(sys.executable).with_name("jupyter-lab")
    cmd = [
        str(jupyter_lab),
        f"--ServerApp.root_dir={folder}",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.ip={args.ip}",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI machines often run as root, which Jupyter refuses unless told.
        cmd.append("--ServerApp.allow_root=True")
    # The working directory is the course root, so nbgrader's Validate button
    # and the formgrader find nbgrader_config.py there; nbgrader runs `alembic`
    # from PATH when it creates the gradebook, so the environment's bin comes first.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(jupyter_lab.parent), env.get("PATH", "")])
    return subprocess.call(cmd, cwd=root, env=env)


def _cmd_generate(args: argparse.Namespace) -> int:
    root = find_course_root()
    report = generate(root, args.assignments or None, check=args.check)
    print(report.describe())
    if args.check and not report.clean:
        print("run `make generate` to regenerate notebooks/ from solutions/", file=sys.stderr)
        return 1
    return 0


def _cmd_normalise(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or _course_notebooks(CourseLayout(find_course_root()))
    changed = [p for p in paths if normalise_file(p, check=args.check)]
    for path in changed:
        print(f"{'would normalise' if args.check else 'normalised'} {path}")
    return 1 if (args.check and changed) else 0


def _course_notebooks(layout: CourseLayout) -> list[Path]:
    """Every notebook of ``solutions/`` and ``notebooks/``, not the checkpoints Jupyter keeps."""
    found = [path for folder in (layout.source, layout.release) for path in folder.rglob("*.ipynb")]
    return sorted(path for path in found if ".ipynb_checkpoints" not in path.parts)


def build_parser() -> argparse.ArgumentParser:
    """The `coursekit` command line, with every subcommand."""
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("lab", help="serve the course in JupyterLab")
    lab.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")))
    lab.add_argument("--ip", default=os.environ.get("IP", "127.0.0.1"))
    browser_default = os.environ.get("BROWSER_OPEN", "auto")
    browser_help = "open a browser (auto: only when there is a display)"
    lab.add_argument("--browser", choices=("auto", "yes", "no"), default=browser_default, help=browser_help)
    lab.add_argument("--folder", default="notebooks", help="folder to serve, relative to the course root")
    lab.set_defaults(func=_cmd_lab)

    gen = sub.add_parser("generate", help="regenerate notebooks/ from solutions/")
    gen.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
    gen.add_argument("--check", action="store_true", help="only report drift; exit 1 when there is any")
    gen.set_defaults(func=_cmd_generate)

    norm = sub.add_parser("normalise", help="clear execution counts and volatile metadata")
    norm.add_argument("paths", nargs="*", help="notebooks (default: all of solutions/ and notebooks/)")
    norm.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    norm.set_defaults(func=_cmd_normalise)

    from coursekit.classgrade.command import register as register_grade
    from coursekit.progress.command import register as register_progress

    register_grade(sub)
    register_progress(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"coursekit: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
