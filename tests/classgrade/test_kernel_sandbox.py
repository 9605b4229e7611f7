"""The kernel sandbox without nbgrader: the bwrap command line for a course, what a process in it can
do, the clear error when bwrap is missing or broken, the preprocessors, ``--no-sandbox``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from classgrade_support import INSTALL_HINT

from coursekit import cli
from coursekit.classgrade import kernel_sandbox
from coursekit.classgrade.kernel_sandbox import (
    SandboxedExecute,
    SandboxUnavailable,
    autograde_preprocessors,
    bwrap_command,
    check_available,
    course_layout,
    probe,
)
from coursekit.classgrade.model import Outcome, Status
from coursekit.classgrade.report import RunReport, summary_text

REPO = Path(__file__).resolve().parents[2]


def fake_course(root: Path) -> tuple[SimpleNamespace, Path]:
    """A course laid out as this kit's: (its CourseDirectory settings, one submission's autograde folder)."""
    for folder in ("solutions/a", "grader/submitted/ann/a", "grader/submitted/bob/a", "notebooks/a"):
        (root / folder).mkdir(parents=True)
    (root / "solutions/a/nb.ipynb").write_text("the solution")
    (root / "grader/submitted/bob/a/nb.ipynb").write_text("bob's notebook")
    (root / "grader/gradebook.db").write_text("grades")
    (root / "nbgrader_config.py").write_text("c.secret = 1\n")
    (root / "notebooks/a/nb.ipynb").write_text("the released notebook")
    workdir = root / "grader/autograded/ann/a"
    workdir.mkdir(parents=True)
    coursedir = SimpleNamespace(
        root=str(root),
        source_directory="solutions",
        submitted_directory="grader/submitted",
        autograded_directory="grader/autograded",
        feedback_directory="grader/feedback",
        solution_directory="grader/solution",
        db_url=f"sqlite:///{root / 'grader' / 'gradebook.db'}",
    )
    return coursedir, workdir


def option_pairs(cmd: list[str], option: str) -> list[tuple[str, ...]]:
    """The arguments of every ``option`` in ``cmd`` (two for the bind options, one for the others)."""
    width = 2 if option in ("--bind", "--ro-bind", "--setenv") else 1
    return [tuple(cmd[i + 1 : i + 1 + width]) for i, arg in enumerate(cmd) if arg == option]


def test_the_course_layout_hides_grader_solutions_and_the_config(tmp_path: Path) -> None:
    coursedir, _ = fake_course(tmp_path)
    layout = course_layout(coursedir, exchange_root=str(tmp_path / "grader" / "exchange"))
    root = str(tmp_path.resolve())
    assert layout.root == root
    assert layout.hidden_dirs == (f"{root}/grader", f"{root}/solutions")
    # the gradebook is inside grader/, so only the configuration needs a file of its own
    assert layout.hidden_files == (f"{root}/nbgrader_config.py",)
    # the course lives under /tmp here, which the sandbox empties: it is bound back, read-only
    assert root in layout.readable


def test_the_course_layout_never_hides_the_course_or_the_python_running_the_kernel(tmp_path: Path) -> None:
    coursedir, _ = fake_course(tmp_path)
    coursedir.source_directory = "."
    coursedir.feedback_directory = str(Path(sys.prefix).parent)
    layout = course_layout(coursedir, exchange_root="/")
    assert layout.hidden_dirs == (f"{tmp_path.resolve()}/grader",)


def test_the_bwrap_command_line_for_one_submission(tmp_path: Path) -> None:
    coursedir, workdir = fake_course(tmp_path / "course")
    layout = course_layout(coursedir)
    runtime = tmp_path / "runtime"
    cmd = bwrap_command(
        layout,
        workdir=str(workdir),
        runtime_dir=str(runtime),
        empty_file=str(runtime / "empty"),
        bwrap="/usr/bin/bwrap",
        env="/usr/bin/env",
    )
    root = str((tmp_path / "course").resolve())
    work, rt = str(workdir.resolve()), str(runtime.resolve())
    # bwrap ignores the SIGINT of a cell timeout, which reaches the kernel in its process group
    assert cmd[:3] == ["/usr/bin/env", "--ignore-signal=INT", "/usr/bin/bwrap"]
    # under /tmp, what the kernel needs is bound back: the course, and the Python and kit that run it
    # (they too live under /tmp when the repository was cloned there)
    assert root in layout.readable
    assert option_pairs(cmd, "--ro-bind") == [
        ("/", "/"),
        *((folder, folder) for folder in layout.readable),
        (str(runtime / "empty"), f"{root}/nbgrader_config.py"),
    ]
    assert option_pairs(cmd, "--tmpfs") == [("/tmp",), (f"{root}/grader",), (f"{root}/solutions",)]
    assert option_pairs(cmd, "--remount-ro") == [(f"{root}/grader",), (f"{root}/solutions",)]
    # writable: only this submission's folder and the connection folder
    assert option_pairs(cmd, "--bind") == [(work, work), (rt, rt)]
    # the submission's mount point is made in the empty grader/ before that turns read-only
    assert cmd.index("--dir") < cmd.index("--remount-ro") < cmd.index("--bind")
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent"):
        assert flag in cmd
    assert option_pairs(cmd, "--cap-drop") == [("ALL",)]
    # the grader's PID means nothing in the kernel's namespace, where its parent is PID 1
    assert ("JPY_PARENT_PID", "1") in option_pairs(cmd, "--setenv")
    assert ("TMPDIR", "/tmp") in option_pairs(cmd, "--setenv")
    assert option_pairs(cmd, "--chdir") == [(work,)]
    assert cmd[-1] == "--"


def test_a_kernel_started_in_the_course_folder_gets_no_writable_folder_but_its_own(tmp_path: Path) -> None:
    coursedir, _ = fake_course(tmp_path / "course")
    runtime = tmp_path / "runtime"
    for workdir in (tmp_path / "course", tmp_path, tmp_path / "course" / "grader"):
        cmd = bwrap_command(
            course_layout(coursedir),
            workdir=str(workdir),
            runtime_dir=str(runtime),
            empty_file=str(runtime / "empty"),
        )
        assert option_pairs(cmd, "--bind") == [(str(runtime.resolve()), str(runtime.resolve()))]


def require_bwrap() -> None:
    reason = probe()
    if reason is not None:
        raise AssertionError(f"{reason}: {INSTALL_HINT}")


SANDBOXED_PROBE = textwrap.dedent(
    """\
    import json, os, socket, sys
    root = sys.argv[1]
    seen = {}
    def attempt(name, action):
        try:
            seen[name] = action()
        except OSError as exc:
            seen[name] = type(exc).__name__
    attempt("grader", lambda: sorted(os.listdir(root + "/grader")))
    attempt("solution", lambda: open(root + "/solutions/a/nb.ipynb").read())
    attempt("config", lambda: open(root + "/nbgrader_config.py").read())
    attempt("released", lambda: open(root + "/notebooks/a/nb.ipynb").read())
    attempt("write_root", lambda: open(root + "/x", "w").write("x"))
    attempt("write_grader", lambda: open(root + "/grader/x", "w").write("x"))
    attempt("write_own", lambda: open("answer.txt", "w").write("x"))
    attempt("write_tmp", lambda: open("/tmp/x", "w").write("x"))
    attempt("net", lambda: socket.create_connection(("127.0.0.1", 9), timeout=2) and "connected")
    seen["cwd"] = os.getcwd()
    seen["pid"] = os.getpid()
    seen["parent_pid_env"] = os.environ.get("JPY_PARENT_PID")
    print(json.dumps(seen))
    """
)


def test_a_process_in_the_sandbox_sees_and_changes_only_what_it_may(tmp_path: Path) -> None:
    require_bwrap()
    coursedir, workdir = fake_course(tmp_path / "course")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "empty").touch()
    cmd = bwrap_command(
        course_layout(coursedir),
        workdir=str(workdir),
        runtime_dir=str(runtime),
        empty_file=str(runtime / "empty"),
        bwrap=check_available(),
    )
    root = str((tmp_path / "course").resolve())
    env = {**os.environ, "JPY_PARENT_PID": str(os.getpid())}
    done = subprocess.run(
        [*cmd, sys.executable, "-c", SANDBOXED_PROBE, root],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["grader"] == ["autograded"]  # the mount point of its own folder, nothing else
    assert seen["solution"] == "FileNotFoundError"
    assert seen["config"] == ""
    assert seen["released"] == "the released notebook"
    assert seen["write_root"] == seen["write_grader"] == "OSError"  # EROFS
    assert seen["write_own"] == seen["write_tmp"] == 1
    assert seen["net"] in ("ConnectionRefusedError", "OSError")
    assert seen["cwd"] == str(workdir.resolve())
    assert seen["pid"] == 2  # its own PID namespace, under bwrap's init
    assert seen["parent_pid_env"] == "1"
    assert (workdir / "answer.txt").read_text() == "x"
    assert not (tmp_path / "course" / "x").exists()
    assert (tmp_path / "course" / "nbgrader_config.py").read_text() == "c.secret = 1\n"


def test_missing_bwrap_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable) as exc:
        check_available(hint="or grade without the sandbox: coursekit grade --no-sandbox")
    message = str(exc.value)
    assert "bwrap is not installed" in message
    assert "sudo apt-get install bubblewrap" in message and "--no-sandbox" in message


def test_a_bwrap_that_cannot_create_namespaces_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    reason = probe()
    assert reason is not None
    assert "cannot create its namespaces here: bwrap: No permissions to create new namespace" in reason
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        check_available()


def test_coursekit_grade_stops_before_grading_without_bwrap(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_bytes((REPO / "nbgrader_config.py").read_bytes())
    command = [sys.executable, "-m", "coursekit", "grade", "--course", str(tmp_path), "--no-progress"]
    no_bwrap = {**os.environ, "PATH": str(tmp_path / "empty-bin")}  # the venv's bin is added, no bwrap
    done = subprocess.run(command, capture_output=True, text=True, env=no_bwrap, timeout=120, check=False)
    assert done.returncode == 2
    assert "bwrap is not installed" in done.stderr
    assert "sudo apt-get install bubblewrap" in done.stderr and "--no-sandbox" in done.stderr
    assert not (tmp_path / "grader" / "classgrade" / "run.lock").exists()  # stopped before the run
    # --no-sandbox does not look for bwrap: this course merely has no submissions
    done = subprocess.run(
        [*command, "--no-sandbox"], capture_output=True, text=True, env=no_bwrap, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "no submissions" in done.stderr and "bwrap" not in done.stderr


def test_no_sandbox_reaches_the_run_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def fake_grade_class(options):
        seen.append(options.sandbox)
        return SimpleNamespace(exit_code=0)

    import signal

    monkeypatch.setattr("coursekit.classgrade.run.grade_class", fake_grade_class)
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # `grade` would take over SIGTERM
    assert cli.main(["grade", "--no-progress"]) == 0
    assert cli.main(["grade", "--no-progress", "--no-sandbox"]) == 0
    assert seen == [True, False]


def test_the_summary_of_a_run_without_sandbox_says_so_first() -> None:
    outcomes = [Outcome("a", "ann", Status.GRADED, "", 1.0)]
    plain = summary_text(RunReport(outcomes=outcomes, wall_s=1.0, workers=1, backend="local", db="x"), ["a"])
    unsafe = summary_text(
        RunReport(outcomes=outcomes, wall_s=1.0, workers=1, backend="local", db="x", sandbox=False), ["a"]
    )
    assert "sandbox" not in plain
    first, rest = unsafe.split("\n", 1)
    assert first.startswith("coursekit grade: graded WITHOUT the kernel sandbox (--no-sandbox)")
    assert rest == plain


def test_autograde_preprocessors_swap_execute_for_the_sandboxed_one() -> None:
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config import Config

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    sandboxed = autograde_preprocessors(integrity=False)
    assert sandboxed == [SandboxedExecute if p is Execute else p for p in default]
    assert autograde_preprocessors(sandbox=False, integrity=False) == default
    # a course that opted in (nbgrader_config.py) is graded unsandboxed with --no-sandbox
    opted_in = Config()
    opted_in.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", *default[1:]]
    assert autograde_preprocessors(opted_in, integrity=False) == sandboxed
    opted_in.Autograde.autograde_preprocessors = sandboxed
    assert autograde_preprocessors(opted_in, sandbox=False, integrity=False) == default

    class CourseExecute(Execute):
        pass

    custom = autograde_preprocessors(Config({"Autograde": {"autograde_preprocessors": [CourseExecute]}}))
    assert issubclass(custom[0], CourseExecute) and issubclass(custom[0], kernel_sandbox._Sandboxed)


def test_every_execute_is_fingerprinted_unless_told_otherwise() -> None:
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config import Config

    from coursekit.classgrade.integrity import IntegrityChecked, IntegrityExecute

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    checked = autograde_preprocessors(sandbox=False)
    assert checked == [IntegrityExecute if p is Execute else p for p in default]
    both = autograde_preprocessors()[0]
    assert issubclass(both, kernel_sandbox._Sandboxed) and issubclass(both, IntegrityChecked)
    assert autograde_preprocessors()[0] is both  # one class per combination
    # the course's list already fingerprinted and sandboxed: each can be taken off again
    course = Config({"Autograde": {"autograde_preprocessors": [both, *default[1:]]}})
    assert autograde_preprocessors(course, sandbox=False) == checked
    assert autograde_preprocessors(course, integrity=False)[0] is SandboxedExecute
    assert autograde_preprocessors(course, sandbox=False, integrity=False) == default


def test_the_sandboxed_execute_keeps_the_course_execute_settings() -> None:
    from traitlets.config import Config

    config = Config()
    config.Execute.timeout = 7
    config.Execute.kernel_manager_class = "jupyter_client.manager.AsyncKernelManager"  # nbgrader ignores it
    execute = SandboxedExecute(config=config)
    assert execute.timeout == 7
    assert execute.kernel_manager_class is kernel_sandbox.SandboxedKernelManager
