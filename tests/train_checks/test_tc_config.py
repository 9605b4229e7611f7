"""coursekit.train_checks._config: the startup record, its config and its code version."""

from __future__ import annotations

import json

import pytest
from train_checks_support import make_run, text_line

from coursekit.checks import CheckFailed
from coursekit.train_checks import DEFAULTS, check_code_version, check_startup_config, startup_entry


def startup(config: dict[str, object], version: str = "unknown") -> str:
    return text_line("INFO", f"train: starting config={json.dumps(config)} code_version={version}")


def test_startup_entry_is_found_on_the_console_or_in_the_file() -> None:
    line = startup(DEFAULTS)
    assert startup_entry(make_run([line], [])).get("config") == DEFAULTS
    assert startup_entry(make_run([], [line])).get("config") == DEFAULTS
    with pytest.raises(CheckFailed, match="must log its configuration at startup"):
        startup_entry(make_run([text_line("INFO")], []))


def test_check_startup_config_compares_with_the_defaults_for_the_rest() -> None:
    config = {**DEFAULTS, "lr": 0.05, "log_level": "debug", "epochs": "3"}
    check_startup_config(make_run([startup(config)], []), lr=0.05, epochs=3, log_level="DEBUG")
    with pytest.raises(CheckFailed, match="seed must be 7") as caught:
        check_startup_config(make_run([startup(config)], []), lr=0.05, epochs=3, log_level="DEBUG", seed=7)
    assert "the startup config says seed=42" in str(caught.value)


def test_check_code_version_wants_the_commit_or_unknown() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    check_code_version(make_run([startup(DEFAULTS)], []))
    check_code_version(make_run([startup(DEFAULTS, sha[:7])], [], git_sha=sha))
    with pytest.raises(CheckFailed, match="code_version=unknown"):
        check_code_version(make_run([startup(DEFAULTS, sha)], []))
    with pytest.raises(CheckFailed, match="7\\+ characters"):
        check_code_version(make_run([startup(DEFAULTS, sha[:6])], [], git_sha=sha))
