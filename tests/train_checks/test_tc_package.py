"""The package's public names: what the mini challenge notebook uses, and the size of each module."""

from __future__ import annotations

import json
import re
from pathlib import Path

import coursekit.train_checks as tc

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(tc.__file__).parent
NOTEBOOK = REPO / "solutions" / "05_mini_challenge" / "mini_challenge.ipynb"


def test_every_public_name_is_there_and_the_log_entry_is_LogEntry() -> None:
    assert all(hasattr(tc, name) for name in tc.__all__)
    assert "LogEntry" in tc.__all__
    assert not hasattr(tc, "Entry")
    assert sorted(tc.__all__) == tc.__all__


def test_every_name_the_notebook_uses_is_public() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    used = {name for cell in cells for name in re.findall(r"_tc\.(\w+)", "".join(cell["source"]))}
    assert {"run_train", "find_script", "check_config"} <= used
    assert used <= set(tc.__all__)


def test_modules_are_small_and_formatted_without_skips() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        assert "fmt: skip" not in text and "fmt: off" not in text, path.name
