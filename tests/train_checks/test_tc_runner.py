"""coursekit.train_checks._runner: the environment, the TrainRun record and run_train's options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from train_checks_support import make_run

from coursekit.checks import CheckFailed
from coursekit.train_checks import TrainRun, find_script, hash_seed, run_train
from coursekit.train_checks._runner import output_name, script_env, tail


def test_find_script_names_the_missing_file_and_the_cell_to_run(tmp_path: Path) -> None:
    with pytest.raises(CheckFailed, match="%%writefile train.py"):
        find_script(tmp_path / "train.py")
    (tmp_path / "train.py").write_text("", encoding="utf-8")
    assert find_script(tmp_path / "train.py") == tmp_path / "train.py"


def test_describe_is_a_shell_line_with_inputs_repository_and_clock() -> None:
    run = TrainRun(
        args=["--lr", "0.1 0"],
        env={"APP_SEED": "3"},
        inputs={"cfg.json": '{"lr": 1}'},
        returncode=0,
        stdout="",
        stderr="",
        git_sha="abc1234",
        clock="2026-01-05 09:00:00",
    )
    assert run.describe() == (
        "APP_SEED=3 python train.py --lr '0.1 0' with cfg.json = {\"lr\": 1}"
        " (inside a git repository) (the clock reads 2026-01-05 09:00:00)"
    )


def test_size_rotated_backups_are_read_highest_number_first() -> None:
    run = make_run(outputs={"logs/train.log": "c\n", "logs/train.log.1": "b\n", "logs/train.log.2": "a\n"})
    assert run.log_lines("./logs/train.log") == ["a", "b", "c"]
    assert run.has_file("./logs/train.log") and not run.has_file("other.log")
    assert output_name("./logs/train.log") == "logs/train.log"


def test_script_env_scrubs_the_learners_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_LR", "GIT_DIR", "COURSEKIT_CLOCK", "RUN_ID", "LOG_LEVEL"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("KEEP_ME", "1")
    env = script_env({"APP_EPOCHS": "2"}, tmp_path / "run")
    assert not {"APP_LR", "GIT_DIR", "COURSEKIT_CLOCK", "RUN_ID", "LOG_LEVEL"} & set(env)
    assert (env["KEEP_ME"], env["APP_EPOCHS"], env["GIT_CEILING_DIRECTORIES"]) == ("1", "2", str(tmp_path))


def test_hash_seed_is_a_valid_seed_fixed_by_the_command() -> None:
    seed = hash_seed(["--seed", "1"], None)
    assert seed == hash_seed(("--seed", "1"), {}) != hash_seed(["--seed", "2"], None)
    assert 1 <= int(seed) <= 4_294_967_295


def test_tail_keeps_the_last_lines() -> None:
    assert tail("") == "(nothing)"
    assert tail("a\n\nb\nc\n", 2) == "... | b | c"


def test_run_train_writes_inputs_and_returns_only_new_files(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import json, pathlib\n"
        "cfg = json.loads(pathlib.Path('conf/c.json').read_text())\n"
        "pathlib.Path('out.txt').write_text(str(cfg['lr']))\n",
        encoding="utf-8",
    )
    run = run_train(script, files={"conf/c.json": {"lr": 0.5}})
    assert run.inputs == {"conf/c.json": json.dumps({"lr": 0.5})}
    assert run.outputs == {"out.txt": "0.5"}


def test_a_failing_script_fails_unless_check_exit_is_off(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n", encoding="utf-8")
    with pytest.raises(CheckFailed, match="exit status 3; stderr ends with: boom"):
        run_train(script, ["--x"])
    assert run_train(script, check_exit=False).returncode == 3


def test_a_script_that_never_ends_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    with pytest.raises(CheckFailed, match="still running after 0.5 s"):
        run_train(script, timeout=0.5)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_commits_the_script_and_hides_the_outer_repository(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import subprocess, sys\n"
        "print(subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip(),"
        " file=sys.stderr)\n",
        encoding="utf-8",
    )
    run = run_train(script, git=True)
    assert run.git_sha and len(run.git_sha) == 40
    assert run.stderr.strip() == run.git_sha
    assert run_train(script).stderr.strip() == ""  # no repository: git finds none above the run's folder
