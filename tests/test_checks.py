"""coursekit.checks: failures name the check, the observation and the expectation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coursekit import (
    CheckFailed,
    check,
    check_absent,
    check_contains,
    check_count,
    check_equal,
    check_every_line,
    check_raises,
)
from coursekit.checks import REPORT_WIDTH, message_lines, wrap_field


def test_check_failure_message_has_observed_expected_and_hint():
    with pytest.raises(CheckFailed) as info:
        check(
            False,
            "the console must show INFO and above only",
            "the DEBUG line 'batch loaded' reached the console",
            "DEBUG lines only in the log file",
            hint="set the console handler's level",
        )
    assert str(info.value).splitlines() == [
        "the console must show INFO and above only",
        "  observed: the DEBUG line 'batch loaded' reached the console",
        "  expected: DEBUG lines only in the log file",
        "  hint: set the console handler's level",
    ]
    assert isinstance(info.value, AssertionError)


def test_passing_checks_return_quietly():
    check(True, "w", "o", "e")
    check_equal(3, 3, "three")
    assert check_contains(["a", "run=7 x"], "run=7", "the file") == "run=7 x"
    check_absent("a\nb", "c", "the console")
    check_every_line(["run=1 a", "run=1 b"], "run=1", "the file")
    check_count(["x", "x", "y"], "x", 2, "the file")


def test_check_equal_shows_both_values():
    with pytest.raises(CheckFailed, match=r"observed: 0\.1\n  expected: 0\.0"):
        check_equal(0.1, 0.0, "lr from --lr 0")


def test_check_contains_shows_what_was_there():
    with pytest.raises(CheckFailed, match=r"observed: INFO a \| INFO b"):
        check_contains("INFO a\nINFO b", "DEBUG", "the log file")


def test_check_contains_on_empty_output():
    with pytest.raises(CheckFailed, match="nothing"):
        check_contains([], "x", "the console")


def test_check_absent_shows_the_offending_line():
    with pytest.raises(CheckFailed, match="observed: the line 'DEBUG batch loaded'"):
        check_absent(["INFO start", "DEBUG batch loaded"], "batch loaded", "the console")


def test_check_every_line_names_the_first_line_without_it():
    with pytest.raises(CheckFailed, match="the line 'no id here'"):
        check_every_line(["run=1 a", "no id here"], "run=1", "the log file")
    with pytest.raises(CheckFailed, match="no lines at all"):
        check_every_line([], "run=1", "the log file")


def test_check_count_reports_the_count():
    with pytest.raises(CheckFailed, match="2 such line"):
        check_count(["dup", "dup"], "dup", 1, "the console")


def test_check_raises_returns_the_exception():
    exc = check_raises(ValueError, int, "ten", what="casting 'ten'", match="invalid literal")
    assert isinstance(exc, ValueError)


def test_check_raises_fails_on_no_exception_wrong_type_or_message():
    with pytest.raises(CheckFailed, match="no exception; it returned 10"):
        check_raises(ValueError, int, "10", what="cast")
    with pytest.raises(CheckFailed, match="observed: KeyError"):
        check_raises(ValueError, {}.__getitem__, "k", what="lookup")
    with pytest.raises(CheckFailed, match="mentioning 'epochs'"):
        check_raises(ValueError, int, "ten", what="cast", match="epochs")


def test_long_observations_are_shortened():
    with pytest.raises(CheckFailed) as info:
        check_equal("x" * 1000, "y", "long")
    assert len(str(info.value)) < 500


# --- the report a failed check shows in a notebook ----------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def shown(failure: CheckFailed) -> list[str]:
    """The lines IPython shows for ``failure``, colours removed."""
    return ANSI.sub("", "\n".join(failure._render_traceback_())).splitlines()


def failure_of(func, *args) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        func(*args)
    return info.value


def test_report_width_is_what_nbgrader_validate_prints_uncut():
    from nbgrader.validator import Validator

    limit = Validator.width.default_value - 3 - len(Validator.indent.default_value)
    assert limit == REPORT_WIDTH
    config = (Path(__file__).resolve().parents[1] / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "Validator.width" not in config and "Validator.indent" not in config


def test_message_lines_start_with_the_description_and_keep_every_word():
    what = "load_config(file_path='config.json', env={'APP_EPOCHS': 'ten'}, argv=[]) must raise"
    observed = "the last record's message is " + repr("predict end: latency=0.000038s " * 6)
    hint = "time.perf_counter() before and after; (after - before) * 1000 is in milliseconds"
    lines = message_lines(what, observed, "a number of milliseconds", hint)
    assert all(len(line) <= REPORT_WIDTH for line in lines), lines
    assert lines[0].startswith("CheckFailed: load_config(")
    labels = [line.split(":")[0] for line in lines if not line.startswith("    ")]
    assert labels == ["CheckFailed", "  observed", "  expected", "  hint"]
    assert " ".join(" ".join(lines).split()) == " ".join(
        f"CheckFailed: {what} observed: {observed} expected: a number of milliseconds hint: {hint}".split()
    )


def test_a_word_longer_than_a_line_is_split_not_cut():
    path = "/tmp/coursekit-nbgrader-ckzjjwem/" + "x" * 150 + "/train.log"
    lines = wrap_field("observed", f"no file at {path}")
    assert all(len(line) <= REPORT_WIDTH for line in lines)
    assert "".join(line.strip() for line in lines).endswith(path)
    assert lines[1].startswith("      ")


def test_line_breaks_in_a_field_are_kept():
    assert wrap_field("observed", "first\nsecond") == ["  observed: first", "      second"]
    assert wrap_field("hint", "") == ["  hint:"]
    assert wrap_field("observed", "a\n\nb") == ["  observed: a", "", "      b"]


def test_report_of_a_failed_check_names_the_check_then_where_it_failed():
    failure = failure_of(check, False, "the console must not contain 'debug'", "the line 'DEBUG x'", "none")
    lines = shown(failure)
    assert lines[:3] == [
        "CheckFailed: the console must not contain 'debug'",
        "  observed: the line 'DEBUG x'",
        "  expected: none",
    ]
    # the checks' own frames (coursekit.checks) are left out; the caller's line is the last thing shown
    assert not [line for line in lines if "coursekit/checks.py" in line or line.endswith((" fail", " check"))]
    assert lines[-2].endswith('tests/test_checks.py", line 118, in failure_of'[-40:])
    assert lines[-1] == "---> 118 func(*args)"
    assert str(failure).startswith("the console must not contain 'debug'\n  observed:")  # evalue as before


ANSWER = """\
import logging.config


def setup(path):
    handler = {"class": "logging.FileHandler", "filename": path}
    logging.config.dictConfig({"version": 1, "handlers": {"f": handler}})
"""
HELPERS = """\
from coursekit import CheckFailed


def run_setup(path):
    try:
        setup(path)
    except Exception as exc:
        raise CheckFailed(
            f"setup({path!r}) must run without an error",
            f"{type(exc).__name__}: {exc}",
            "no exception",
            hint="the traceback above points at the line of your code that failed",
        ) from exc
"""


def run_as_cells(tmp_path: Path, call: str) -> CheckFailed:
    """Run ``call`` with the answer and the helpers loaded from their own files, as two cells are."""
    namespace: dict = {}
    for name, source in (("answer", ANSWER), ("helpers", HELPERS)):
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        exec(compile(source, str(path), "exec"), namespace)
    with pytest.raises(CheckFailed) as info:
        exec(compile(call, str(tmp_path / "test_cell.py"), "exec"), namespace)
    return info.value


def test_report_shows_the_learners_frame_and_exception_but_not_the_helpers(tmp_path):
    missing = tmp_path / "no-such-folder" / "train.log"
    lines = shown(run_as_cells(tmp_path, f"run_setup({str(missing)!r})"))
    text = "\n".join(lines)
    assert all(len(line) <= REPORT_WIDTH for line in lines), text
    assert lines[0].startswith("CheckFailed: setup(")
    assert "  observed: ValueError: Unable to configure handler 'f'" in lines[:4]
    yours = lines.index("  raised in your code:")
    frame = " ".join(" ".join(lines[yours + 1 :]).split("---> ")[0].split())
    assert frame.startswith('File "') and 'answer.py", line 6, in setup' in frame
    assert '    ---> 6 logging.config.dictConfig({"version": 1, "handlers": {"f": handler}})' in lines
    assert "    ValueError: Unable to configure handler 'f'" in lines
    assert "from FileNotFoundError: [Errno 2] No such file or directory" in text
    cause = "".join(text.split("from FileNotFoundError")[1].split("hint:")[0].split())
    assert str(missing) in cause  # the path whole, wrapped
    # the hint's "above" is the learner's frame; the helpers (they caught it) and logging are not shown
    assert lines.index("  hint: the traceback above points at the line of your code that failed") > yours
    assert "helpers.py" not in text and "logging/config.py" not in text and "Traceback" not in text
    assert "test_cell.py" in text.split("hint:")[1]


def test_report_of_a_failure_raised_from_none_shows_no_frame_of_the_learner(tmp_path):
    source = "try:\n    int('ten')\nexcept ValueError:\n    raise CheckFailed('w', 'o', 'e') from None\n"
    namespace = {"CheckFailed": CheckFailed}
    with pytest.raises(CheckFailed) as info:
        exec(compile(source, str(tmp_path / "cell.py"), "exec"), namespace)
    assert "raised in your code:" not in shown(info.value)


def test_a_report_that_cannot_be_made_still_shows_the_message(monkeypatch):
    import coursekit.checks

    def broken(failure):
        raise RuntimeError("no")

    monkeypatch.setattr(coursekit.checks, "report", broken)
    failure = failure_of(check, False, "w", "o", "e")
    text = ANSI.sub("", "\n".join(failure._render_traceback_()))
    assert text == "CheckFailed: w\n  observed: o\n  expected: e"


def test_ipython_shows_the_report_with_cells_named_as_ipython_names_them(tmp_path):
    """In a real IPython shell: cells are `Cell In[n]`, and the report is what the error shows."""
    script, missing = tmp_path / "shell.py", str(tmp_path / "missing" / "x.log")
    script.write_text(
        textwrap.dedent(
            f"""
            import json
            from IPython.core.interactiveshell import InteractiveShell

            shell = InteractiveShell.instance(colors="nocolor")
            shown = []
            shell._showtraceback = lambda etype, evalue, stb: shown.append([etype.__name__, str(evalue), stb])
            shell.run_cell({ANSWER!r}, store_history=True)
            shell.run_cell({HELPERS!r}, store_history=True)
            shell.run_cell("run_setup({missing!r})", store_history=True)
            print(json.dumps(shown))
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    [[ename, evalue, stb]] = json.loads(result.stdout)
    assert ename == "CheckFailed" and evalue.startswith("setup(") and "\n  observed: ValueError" in evalue
    entries = [ANSI.sub("", entry) for entry in stb]
    assert entries[0].startswith("CheckFailed: setup(")
    assert "    Cell In[1], line 6, in setup\n    ---> 6 logging.config.dictConfig(" in entries[1]
    assert "Cell In[2]" not in "\n".join(entries)  # the helpers' cell
    assert entries[-1].startswith("Cell In[3], line 1\n---> 1 run_setup('")
