"""``nbgrader validate`` on known-wrong answers: each failing cell's report is short and cuts no line.

The report of a failing cell is its source, shown whole by nbgrader, and the error the check printed
(see :mod:`validate_output`).  That error opens with the check's description, observed and expected,
and no line of it is longer than nbgrader prints (:data:`coursekit.checks.REPORT_WIDTH`).  Measured
on a few wrong answers per exercise, chosen so that between them they fail every test cell and the
learner's own code raises; ``python tests/proofs/validate_output.py`` measures them all.
"""

from __future__ import annotations

import pytest
from validate_output import (
    ERROR_WAS,
    FAILED,
    FailedCell,
    failed_cells,
    figures,
    measure,
    split_notebooks,
    wrong_answers,
)
from validate_output import proofs as exercise_proofs

CELL_LINES = 40  # a failing cell's whole report, its source included ...
LONG_SOURCE = 22  # ... plus the lines of a test cell's source beyond these (nbgrader shows it whole)
MESSAGE_WITHIN = 10  # the description, observed and expected: within the error's first lines

CHOSEN = {  # the wrong answers validated, by exercise (no_mkdir: the learner's dictConfig raises)
    "ex1": ("no_mkdir", "configure_once", "console_stdout"),
    "ex2": (
        "no_cast",
        "shared_default_object",
        "ignores_unknown_key",
        "skips_missing_file",
        "parse_args",
        "log_config_per_field",
    ),
    "ex3": ("root_logger", "prediction_as_text", "latency_in_seconds", "wrong_filter_on_handler"),
}


def problems(cell: FailedCell) -> list[str]:
    """What is wrong with one failing cell's report: too long, a line cut, the message not first."""
    found = []
    limit = CELL_LINES + max(0, len(cell.source) - 2 - LONG_SOURCE)
    if len(cell.lines) > limit:
        found.append(f"{len(cell.lines)} lines, more than {limit}")
    found += [f"cut: {line!r}" for line in cell.cut_error_lines]
    opening = [line.strip() for line in cell.error[:MESSAGE_WITHIN]]
    if not any(line.startswith("CheckFailed: ") for line in opening[:2]):
        found.append("the error does not open with the check's description")
    for label in ("observed:", "expected:"):
        if not any(line.startswith(label) for line in opening):
            found.append(f"no {label!r} in the error's first {MESSAGE_WITHIN} lines")
    return found


# --- fast: the reading of validate's output and the answers chosen ------------------------------

REPORT = f"""\
VALIDATION FAILED ON 1 CELL(S)! If you submit
your assignment as it is, you WILL NOT receive full
credit.
{"=" * 90}
{FAILED}

    _check(x == 1)

{ERROR_WAS}

    CheckFailed: x must be 1
      observed: {"2 " * 60}...
      expected: 1

Success! Your notebook passes all the tests.
"""


def test_the_report_is_split_by_notebook_and_failing_cell():
    first, second = split_notebooks("[ValidateApp | INFO] Validating 'a.ipynb'\n" + REPORT)
    assert second == "Success! Your notebook passes all the tests."
    [cell] = failed_cells(first, "alice")
    assert cell.source == ("", "    _check(x == 1)", "")
    assert cell.error[1] == "    CheckFailed: x must be 1" and cell.error[-1] == "      expected: 1"
    assert len(cell.cut_error_lines) == 1 and not cell.cut_source_lines
    assert problems(cell) == [f"cut: {cell.error[2]!r}"]
    assert figures([cell]).max == len(cell.lines) == 9


def test_the_chosen_wrong_answers_fail_every_test_cell_between_them():
    for exercise, proof in exercise_proofs().items():
        wrong = proof.wrong()
        assert set(CHOSEN[exercise]) <= set(wrong), set(CHOSEN[exercise]) - set(wrong)
        failed = set().union(*(wrong[name].loses for name in CHOSEN[exercise]))
        assert failed == set(proof.grade_cells()), set(proof.grade_cells()) - failed


# --- slow: nbgrader validate ---------------------------------------------------------------------


@pytest.mark.slow
def test_validate_reports_each_failing_cell_shortly_with_no_line_cut(tmp_path):
    answers = [wrong_answers(exercise, students) for exercise, students in CHOSEN.items()]
    found = measure(tmp_path, answers, per_call=4)
    cells = [cell for by_student in found.values() for failing in by_student.values() for cell in failing]
    unreported = [s for a in answers for s in a.students if not found[a.assignment].get(s)]
    assert not unreported, f"no failing cell reported for {unreported}"
    bad = [(cell, found) for cell in cells if (found := problems(cell))]
    shown = "\n".join(f"{cell.student}, {cell.source[1].strip()[:50]}: {why[:3]}" for cell, why in bad[:8])
    worst = max(cells, key=lambda cell: len(cell.lines))
    assert not bad, f"{figures(cells)}\n{len(bad)} cell(s):\n{shown}\nthe longest:\n{worst.text()[-3000:]}"
