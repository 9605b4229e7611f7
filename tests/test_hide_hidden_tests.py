"""Feedback keeps hidden tests hidden: their code becomes a placeholder, their messages stay."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coursekit.hide_hidden_tests import HIDDEN_FRAME, HideHiddenTests, hidden_lines, hide_hidden_code

SOURCE = '''\
"""ex9_check: the visible part, then hidden cases."""
with ex9_trial() as _folder:
    ex9_visible_case(_folder)
    ### BEGIN HIDDEN TESTS
    ex9_secret_case(_folder, "the secret expected value")
    ### END HIDDEN TESTS
### BEGIN HIDDEN TESTS
ex9_another_secret("second region")
### END HIDDEN TESTS
'''


def failed_cell() -> nbformat.NotebookNode:
    cell = new_code_cell(SOURCE)
    cell.outputs = [
        new_output(
            "error",
            ename="CheckFailed",
            evalue="the log file must contain 'x'\nobserved: nothing\nexpected: 'x'",
            traceback=[
                "\x1b[0;31m-----------\x1b[0m",
                "Cell \x1b[0;32mIn[7], line 5\x1b[0m\n      4 ### BEGIN\n----> 5 "
                'ex9_secret_case(_folder, "the secret expected value")\n',
                "File /site-packages/coursekit/checks.py:40, in check(ok, what)\n"
                "---> 40 raise CheckFailed(what)\n",
                "\x1b[0;31mCheckFailed\x1b[0m: the log file must contain 'x'\n"
                "observed: nothing\nexpected: 'x'",
            ],
        )
    ]
    return cell


def test_each_region_becomes_one_placeholder_line_at_its_indentation() -> None:
    shown = hide_hidden_code(SOURCE)
    assert "secret" not in shown and "BEGIN HIDDEN" not in shown
    assert "    # hidden checks (1 lines): they run when the notebook is graded" in shown.splitlines()
    assert "ex9_visible_case(_folder)" in shown
    assert hidden_lines(SOURCE) == [
        '    ex9_secret_case(_folder, "the secret expected value")',
        'ex9_another_secret("second region")',
    ]


def test_a_frame_that_quotes_hidden_code_goes_and_the_message_stays() -> None:
    cell, _ = HideHiddenTests().preprocess_cell(failed_cell(), {}, 0)
    traceback = cell.outputs[0]["traceback"]
    assert traceback[1] == HIDDEN_FRAME
    assert "coursekit/checks.py" in traceback[2]  # not the cell's code: kept
    assert traceback[3].endswith("observed: nothing\nexpected: 'x'")


def test_rendered_feedback_shows_no_hidden_line() -> None:
    nb = new_notebook(cells=[failed_cell(), new_code_cell("print('no hidden tests here')")])
    exporter = HTMLExporter(template_name="classic")
    exporter.register_preprocessor(HideHiddenTests)  # as nbgrader does: on by default
    page, _ = exporter.from_notebook_node(nb)
    assert "secret expected value" not in page and "ex9_secret_case" not in page
    assert "second region" not in page
    assert "hidden checks (1 lines)" in page
    assert "observed: nothing" in page
    assert "no hidden tests here" in page


def test_a_failed_checks_report_from_a_hidden_line_keeps_the_message_only(tmp_path) -> None:
    """A check that fails in a hidden region of a cell run by IPython: its line goes, its message stays."""
    source = SOURCE.replace("ex9_trial() as _folder", "_nothing()").replace("(_folder", "(None")
    script = tmp_path / "shell.py"
    script.write_text(
        "import json, contextlib\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from coursekit import check\n"
        "shell = InteractiveShell.instance()\n"
        "shown = []\n"
        "shell._showtraceback = lambda etype, evalue, stb: shown.append(stb)\n"
        "shell.user_ns.update(_nothing=contextlib.nullcontext, ex9_visible_case=lambda _: None)\n"
        "shell.user_ns['ex9_secret_case'] = lambda _, v: check(False, 'the secret case', 'nothing', v)\n"
        f"shell.run_cell({source!r}, store_history=True)\n"
        "print(json.dumps(shown))\n",
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    [traceback] = json.loads(result.stdout)
    cell = new_code_cell(source)
    cell.outputs = [new_output("error", ename="CheckFailed", evalue="the secret case", traceback=traceback)]
    assert "ex9_secret_case" in "".join(traceback)
    cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    shown = "\n".join(cell.outputs[0]["traceback"])
    assert "ex9_secret_case" not in shown and HIDDEN_FRAME in shown
    assert "the secret case" in shown and "observed: nothing" in shown
