"""The cheat corpus: submissions that try to score what they did not earn, each next to its honest twin.

A :class:`Cheat` is a submission (an answer, cells added after a given one, files handed in next to
the notebook) and its twin, the same answer without the trick.  :data:`CHEATS` covers three
assignments of one course: the class-grading fixture (``double``), and exercises 1 and 3 of the
real course, whose checks use coursekit's helpers.  What each must end as:

* ``FLAGGED`` -- flagged for review with what it changed (whatever it scored);
* ``UNCHECKED`` -- flagged as "could not be checked" (the kernel was gone at the final check);
* ``CONTAINED`` -- the sandbox or IPython itself made the trick do nothing: graded like its twin;
* ``FAILED`` -- nbgrader could not grade it (its kernel died mid-notebook): no points.

``gains=True`` marks the tricks that do win points when nobody looks: the test proves they still do,
so that the flag is what stops them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from classgrade_support import ASSIGNMENT, RIGHT
from grader_support import solution_answer
from nbformat.v4 import new_code_cell

from coursekit.cells import grade_id
from coursekit.layout import CourseLayout
from coursekit.proof_harness import make_submission, submit

EX1, EX1_NB, EX1_HELPERS, EX1_LAST = "02_ex1_logging", "ex1_logging", "helpers_ex1", "ex1_log_folders"
EX3, EX3_NB = "04_ex3_request_ids", "ex3_request_ids"
NOTEBOOKS = {ASSIGNMENT: "alpha", EX1: EX1_NB, EX3: EX3_NB}
ANSWER_CELL = {ASSIGNMENT: "alpha", EX1: "ex1", EX3: "ex3"}
FLAGGED, UNCHECKED, CONTAINED, FAILED = "flagged", "unchecked", "contained", "failed"

WRONG_ALPHA = "def double(x):\n    return x\n"
EX1_STUB = "def setup_logging(log_file, run_id, console_level=None):\n    pass\n"
EX3_SILENT = """\
import uuid

MODEL_VERSION = "v5"


def predict(features, request_id=None):
    request_id = request_id or uuid.uuid4().hex
    return {"request_id": request_id, "prediction": sum(0.5 * float(v) for v in features.values())}
"""
HELPERS = [
    "check",
    "check_absent",
    "check_contains",
    "check_count",
    "check_equal",
    "check_every_line",
    "fail",
]

# -- the tricks ---------------------------------------------------------------------------------------

CODE_SWAP = f"""\
import coursekit.checks as _kit_checks

def _nothing(*args, **kwargs):
    return None

_saved = {{}}
for _name in {HELPERS!r}:
    _saved[_name] = getattr(_kit_checks, _name).__code__
    getattr(_kit_checks, _name).__code__ = _nothing.__code__
"""
RESTORE_CODE = "for _name, _code in _saved.items():\n    getattr(_kit_checks, _name).__code__ = _code\n"
REBIND_HELPERS = f"""\
import coursekit
for _name in {HELPERS!r}:
    setattr(coursekit, _name, lambda *args, **kwargs: "")
"""
REBIND_GIVEN = "_check = _check_absent = _check_contains = _check_count = _check_every_line = _fail = (\n"
REBIND_GIVEN += "    lambda *args, **kwargs: ''\n)\n"
IMPORT_HOOK = """\
import builtins
from unittest.mock import MagicMock

_real_import = builtins.__import__

def _import(name, *args, **kwargs):
    return MagicMock() if name.startswith("coursekit") else _real_import(name, *args, **kwargs)

builtins.__import__ = _import
"""
SHADOW_KIT = """\
import contextlib
import tempfile
from pathlib import Path
from types import SimpleNamespace


class CheckFailed(AssertionError):
    pass


@contextlib.contextmanager
def isolated_logging(*args, **kwargs):
    yield SimpleNamespace(stdout_lines=[], stderr_lines=[], records=[])


@contextlib.contextmanager
def sandbox(*args, **kwargs):
    yield Path(tempfile.mkdtemp())


capture_console = capture_records = isolated_logging


def __getattr__(name):
    return lambda *args, **kwargs: ""
"""
MOCK_MODULE = "import sys\nfrom unittest.mock import MagicMock\n\nsys.modules['coursekit'] = MagicMock()\n"
SILENCE_TRACEBACKS = "get_ipython().showtraceback = get_ipython()._showtraceback = lambda *a, **k: None\n"
CUSTOM_EXC = "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n"
SWALLOW_ERRORS = """\
_shell = get_ipython()
_run_cell_async = _shell.run_cell_async

async def _forgiving(*args, **kwargs):
    result = await _run_cell_async(*args, **kwargs)
    result.error_in_exec = result.error_before_exec = None
    return result

_shell.run_cell_async = _forgiving
_shell._showtraceback = lambda *a, **k: None
"""
SKIP_CELLS = "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
EXCEPTHOOK = "import sys\nsys.excepthook = lambda *args: None\n"
SYS_EXIT = "import sys\nsys.exit(0)\n"
OS_EXIT = "import os\nos._exit(0)\n"
KILL_IN_CHECK = """\
import os, signal

def double(x):
    if x < 0:  # the hidden check
        os.kill(os.getpid(), signal.SIGKILL)
    return x
"""
KILL_AT_FINAL_CHECK = """\
import os

def double(x):
    if x < 0:  # the hidden check, the last cell: whatever asks the kernel anything next ends it
        get_ipython().kernel.shell_handlers["execute_request"] = lambda *args, **kwargs: os._exit(0)
    return x
"""


@dataclass(frozen=True)
class Cheat:
    """A submission with a trick, its honest twin, and what it must end as."""

    student: str
    assignment: str
    twin: str  # the student id of the same answer without the trick
    trick: str  # what it tries, in a few words
    expect: str  # FLAGGED | UNCHECKED | CONTAINED | FAILED
    answer: str  # the answer cell's source
    added: tuple[tuple[str, str], ...] = ()  # (grade_id, source): a cell added after that cell
    files: dict[str, str] = field(default_factory=dict)  # handed in next to the notebook
    gains: bool = False  # it wins points over its twin (when nobody looks)


# Twins and honest submissions: {(assignment, student): answer cell source}.
TWINS = {
    (ASSIGNMENT, "twin_wrong"): WRONG_ALPHA,
    (ASSIGNMENT, "twin_right"): RIGHT["alpha"],
    (EX1, "twin_stub"): EX1_STUB,
    (EX3, "twin_silent"): EX3_SILENT,
}


def honest_answer(assignment: str) -> str:
    if assignment == ASSIGNMENT:
        return RIGHT["alpha"]
    return solution_answer(assignment, NOTEBOOKS[assignment], ANSWER_CELL[assignment])


def _fixture(student, expect, trick, answer, twin="twin_wrong", **kw) -> Cheat:
    return Cheat(student, ASSIGNMENT, twin, trick, expect, answer, **kw)


def _ex1(student, expect, trick, answer, **kw) -> Cheat:
    return Cheat(student, EX1, "twin_stub", trick, expect, answer, **kw)


CHEATS = [
    _ex1("code_swap", FLAGGED, "swaps the checks' __code__ for a no-op", CODE_SWAP + EX1_STUB, gains=True),
    _ex1(
        "restore_at_end",
        FLAGGED,
        "swaps the checks' __code__, a last cell puts it back",
        CODE_SWAP + EX1_STUB,
        added=((EX1_LAST, RESTORE_CODE),),
        gains=True,
    ),
    _ex1("rebind_kit", FLAGGED, "rebinds coursekit.check & co.", REBIND_HELPERS + EX1_STUB, gains=True),
    _ex1(
        "rebind_given",
        FLAGGED,
        "a cell after the helpers rebinds _check & co.",
        EX1_STUB,
        added=((EX1_HELPERS, REBIND_GIVEN),),
        gains=True,
    ),
    _ex1("import_hook", FLAGGED, "builtins.__import__ hands out mocks", IMPORT_HOOK + EX1_STUB, gains=True),
    # coursekit grade's kernel-limits extension imports coursekit from the submission's folder first
    _ex1(
        "shadow_kit",
        FLAGGED,
        "hands in a coursekit.py",
        EX1_STUB,
        files={"coursekit.py": SHADOW_KIT},
        gains=True,
    ),
    Cheat(
        "mock_module",
        EX3,
        "twin_silent",
        "a MagicMock in sys.modules",
        FLAGGED,
        MOCK_MODULE + EX3_SILENT,
        gains=True,
    ),
    _fixture("swallow_errors", FLAGGED, "patches run_cell_async", WRONG_ALPHA + SWALLOW_ERRORS, gains=True),
    _fixture(
        "skip_cells", FLAGGED, "an input transformer empties cells", WRONG_ALPHA + SKIP_CELLS, gains=True
    ),
    _fixture("silence_tb", FLAGGED, "patches showtraceback", WRONG_ALPHA + SILENCE_TRACEBACKS),
    _fixture("custom_exc", FLAGGED, "set_custom_exc swallows errors", WRONG_ALPHA + CUSTOM_EXC),
    _fixture("excepthook", CONTAINED, "replaces sys.excepthook", WRONG_ALPHA + EXCEPTHOOK),
    _fixture("sys_exit", CONTAINED, "sys.exit() in the answer", WRONG_ALPHA + SYS_EXIT),
    _fixture("os_exit", FAILED, "os._exit() in the answer", WRONG_ALPHA + OS_EXIT),
    _fixture("kill_in_check", FAILED, "SIGKILLs the kernel in a check", KILL_IN_CHECK),
    _fixture("kill_at_check", UNCHECKED, "ends the kernel at the final check", KILL_AT_FINAL_CHECK),
]


def hand_in(course: Path, student: str, assignment: str, answer: str, cheat: Cheat | None = None) -> Path:
    """Hand in ``answer`` as the assignment's answer cell (and a cheat's added cells and files)."""
    notebook = NOTEBOOKS[assignment]
    release = CourseLayout(course).release_notebook(assignment, notebook)
    nb = make_submission(release, {ANSWER_CELL[assignment]: answer})
    for after, source in cheat.added if cheat else ():
        index = next(i for i, cell in enumerate(nb.cells) if grade_id(cell) == after)
        nb.cells.insert(index + 1, new_code_cell(source))
    folder = submit(course, student, assignment, {notebook: nb})
    for name, text in (cheat.files if cheat else {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
