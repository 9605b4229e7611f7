"""The coursekit command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from coursekit import cli

ROOT = Path(__file__).resolve().parents[1]


def test_normalise_check_reports_and_fails(tmp_path, capsys):
    path = tmp_path / "n.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", execution_count=3))
    nbformat.write(nb, path)
    assert cli.main(["normalise", "--check", str(path)]) == 1
    assert "would normalise" in capsys.readouterr().out
    assert cli.main(["normalise", str(path)]) == 0
    assert cli.main(["normalise", "--check", str(path)]) == 0


def test_errors_are_one_line_without_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["generate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coursekit: error: no nbgrader_config.py")
    assert "Traceback" not in err


def test_lab_passes_port_folder_and_browser_choice(monkeypatch, tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, cwd, env: calls.append((cmd, cwd, env)) or 0)
    assert cli.main(["lab", "--port", "9999"]) == 0
    cmd, cwd, env = calls[0]
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert cwd == tmp_path.resolve()
    assert f"--ServerApp.root_dir={tmp_path.resolve() / 'notebooks'}" in cmd
    assert "--ServerApp.port=9999" in cmd
    assert "--ServerApp.open_browser=False" in cmd  # no display here: print the URL instead
    cli.main(["lab", "--browser", "yes"])
    assert "--ServerApp.open_browser=True" in calls[1][0]


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "coursekit", "--help"], capture_output=True, text=True, env=os.environ
    )
    assert result.returncode == 0
    assert "generate" in result.stdout and "normalise" in result.stdout


@pytest.mark.parametrize("target", ["course", "test", "test-fast", "lint", "generate", "lock"])
def test_makefile_has_the_documented_targets(target):
    makefile = (ROOT / "Makefile").read_text()
    assert f"\n{target}:" in makefile
    assert f"make {target}" in (ROOT / "README.md").read_text()
