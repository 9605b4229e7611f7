"""What a grading worker reports: the reason from nbgrader's log, the status from the autograded notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
from classgrade_support import NOT_JSON_ERROR, NOT_JSON_LOG
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coursekit.classgrade.model import Status
from coursekit.classgrade.worker import classify, reason_from_log


def test_reason_is_the_exception_of_nbgraders_traceback() -> None:
    assert reason_from_log(NOT_JSON_LOG) == NOT_JSON_ERROR  # as nbgrader logs it: one record
    chained = NOT_JSON_LOG.replace(
        "      File",
        '      File "x", line 1\n    ValueError: inner\n\n'
        "    The above exception was the direct cause of the following exception:\n\n"
        "    Traceback (most recent call last):\n      File",
        1,
    )
    assert chained.count("Traceback") == 2
    assert reason_from_log(chained) == NOT_JSON_ERROR  # the last exception of a chain
    dead = "Traceback (most recent call last):\n  File x\nnbclient.exceptions.DeadKernelError: Kernel died\n"
    assert reason_from_log(dead).startswith("the kernel died while running the notebook")
    assert "unresponsive" in reason_from_log(
        "... the kernel became unresponsive and we could not interrupt it"
    )
    assert reason_from_log("[AutogradeApp | ERROR] No notebooks were matched") == "No notebooks were matched"


def _graded_notebook(tmp_path: Path, *errors: str) -> Path:
    nb = new_notebook()
    cell = new_code_cell("x", metadata={"nbgrader": {"grade_id": "q1", "grade": True, "points": 1}})
    cell.outputs = [new_output("error", ename=e, evalue="", traceback=[]) for e in errors]
    nb.cells = [new_code_cell("y"), cell]
    path = tmp_path / f"nb{len(list(tmp_path.glob('*.ipynb')))}.ipynb"
    nbformat.write(nb, path)
    return path


def test_classify_names_the_limit_and_the_cell(tmp_path: Path) -> None:
    assert classify([_graded_notebook(tmp_path)], 60, None) == (Status.GRADED, "")
    assert classify([_graded_notebook(tmp_path, "AssertionError")], 60, None) == (Status.GRADED, "")
    status, reason = classify([_graded_notebook(tmp_path, "KeyboardInterrupt", "CellTimeoutError")], 5, None)
    assert status == Status.TIMED_OUT and "cell 'q1'" in reason and "5 s time limit" in reason
    status, reason = classify([_graded_notebook(tmp_path, "MemoryError")], 5, 256)
    assert status == Status.FAILED and "out of memory" in reason and "256 MiB" in reason
    status, reason = classify([_graded_notebook(tmp_path, "OutputLimitExceeded")], 5, 256)
    assert status == Status.FAILED and "output limit" in reason
    (tmp_path / "broken.ipynb").write_text("{")
    assert classify([tmp_path / "broken.ipynb"], 5, None)[0] == Status.FAILED
