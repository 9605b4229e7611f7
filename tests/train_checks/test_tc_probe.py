"""coursekit.train_checks._probe: the program that runs train.py with a stopped clock or a handler report."""

from __future__ import annotations

import logging
import logging.handlers
import os
import subprocess
import sys
from pathlib import Path

from coursekit.train_checks import run_train
from coursekit.train_checks._probe import CLOCK_VAR, REPORT_VAR, alive_handlers
from coursekit.train_checks._runner import PROBE


def test_alive_handlers_lists_class_file_and_rotation(tmp_path: Path) -> None:
    handler = logging.handlers.RotatingFileHandler(tmp_path / "x.log", delay=True)
    try:
        found = [h for h in alive_handlers() if h["file"] == str(tmp_path / "x.log")]
        assert found == [{"class": "RotatingFileHandler", "file": str(tmp_path / "x.log"), "rotating": True}]
    finally:
        handler.close()


def test_the_probe_runs_the_script_as_python_train_py_would(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import os, sys, time\n"
        "print(sys.argv, sys.path[:2] == [os.getcwd(), ''], time.time(),"
        " sorted(k for k in os.environ if k.startswith('COURSEKIT_')),"
        " [m for m, v in sys.modules.items() if 'train_checks' in (getattr(v, '__file__', '') or '')])\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env[CLOCK_VAR] = "1000.5"
    result = subprocess.run(
        [sys.executable, str(PROBE), "train.py", "--a", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "['train.py', '--a', '1'] True 1000.5 [] []"
    assert REPORT_VAR.startswith("COURSEKIT_")


def test_run_train_with_probe_reports_the_handlers_alive_at_exit(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import logging, logging.handlers\n"
        "log = logging.getLogger('train')\n"
        "log.addHandler(logging.StreamHandler())\n"
        "log.addHandler(logging.FileHandler('plain.log'))\n",
        encoding="utf-8",
    )
    run = run_train(script, probe=True)
    assert [
        (h["class"], Path(h["file"]).name if h["file"] else None, h["rotating"]) for h in run.handlers
    ] == [
        ("_StderrHandler", None, False),  # logging.lastResort
        ("StreamHandler", None, False),
        ("FileHandler", "plain.log", False),
    ]
    assert run_train(script).handlers is None
