"""The integrity check: fingerprints of fake modules, how they compare, what the findings and feedback say.

The slow test runs notebooks through the real ``Execute`` with and without the fingerprints: the learner
sees the same notebook either way, and a change is caught.
"""

from __future__ import annotations

import builtins
import sys
import types
from collections.abc import Callable
from pathlib import Path
from unittest.mock import MagicMock

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.classgrade import integrity_probe
from coursekit.classgrade.integrity import (
    FlagForReview,
    Watch,
    compare,
    findings_of,
    foreign_modules,
    given_bindings,
    parse_answer,
)

FAKE_CHECKS = """\
import contextlib


class CheckFailed(AssertionError):
    def __init__(self, what):
        super().__init__(what)


def check(condition, what, hint=None):
    if not condition:
        raise CheckFailed(what)


@contextlib.contextmanager
def trial():
    yield
"""
MODULES = ["fakekit", "fakekit.checks"]


def _noop(*args, **kwargs):
    return None


@pytest.fixture
def kit(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A package ``fakekit`` whose ``checks`` module is re-exported, as coursekit's is."""
    checks = types.ModuleType("fakekit.checks")
    checks.__file__ = "/kit/fakekit/checks.py"
    exec(compile(FAKE_CHECKS, checks.__file__, "exec"), checks.__dict__)
    package = types.ModuleType("fakekit")
    package.__file__ = "/kit/fakekit/__init__.py"
    package.checks, package.check, package.CheckFailed = checks, checks.check, checks.CheckFailed
    monkeypatch.setitem(sys.modules, "fakekit", package)
    monkeypatch.setitem(sys.modules, "fakekit.checks", checks)
    return types.SimpleNamespace(package=package, checks=checks)


def _fingerprint() -> dict:
    return integrity_probe.fingerprint(MODULES)


def _changes(kit, change: Callable) -> dict[str, str]:
    before = _fingerprint()
    change(kit)
    return compare(before, _fingerprint())


def test_nothing_changed_nothing_found(kit) -> None:
    before = _fingerprint()
    kit.checks.check(True, "holds")
    assert {"fakekit.checks:check", "fakekit:check", "builtins:__import__", "sys:excepthook"} <= set(before)
    assert compare(before, _fingerprint()) == {}


CHANGES = {
    "code replaced": (
        lambda k: setattr(k.checks.check, "__code__", _noop.__code__),
        {
            "fakekit.checks:check": "the code of {what} was replaced",
            "fakekit:check": "the code of {what} was replaced",
        },
    ),
    "name rebound": (
        lambda k: setattr(k.package, "check", _noop),
        {"fakekit:check": "{what} was replaced by another function"},
    ),
    "defaults": (
        lambda k: setattr(k.checks.check, "__defaults__", ("hint",)),
        {
            "fakekit.checks:check": "the default arguments of {what} were changed",
            "fakekit:check": "the default arguments of {what} were changed",
        },
    ),
    "closure": (
        lambda k: setattr(k.checks.trial.__closure__[0], "cell_contents", _noop),
        {"fakekit.checks:trial": "what {what} closes over was changed"},
    ),
    "method replaced": (
        lambda k: setattr(k.checks.CheckFailed, "__init__", _noop),
        {"fakekit.checks:CheckFailed.__init__": "{what} was replaced by another function"},
    ),
    "method added": (
        lambda k: setattr(k.checks.CheckFailed, "__str__", lambda self: ""),
        {"fakekit.checks:CheckFailed.__str__": "{what} was added"},
    ),
    "fake module": (
        lambda k: sys.modules.__setitem__("fakekit", MagicMock()),
        {"sys.modules:fakekit": "{what} was replaced by a MagicMock"},
    ),
    "module removed": (
        lambda k: sys.modules.pop("fakekit.checks"),
        {"sys.modules:fakekit.checks": "{what} was removed"},
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_change_is_found_and_named(kit, name: str) -> None:
    change, expected = CHANGES[name]
    assert _changes(kit, change) == expected


def test_a_replaced_builtin_is_found_and_an_added_one_is_not(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _fingerprint()
    real_import = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda *a, **k: real_import(*a, **k))
    monkeypatch.setattr(builtins, "coursekit_extra", _noop, raising=False)
    found = compare(before, _fingerprint())
    monkeypatch.undo()
    assert found == {"builtins:__import__": "{what} was replaced by a function"}


def test_names_given_cells_bound_must_still_hold_what_they_bound() -> None:
    baseline = {"fakekit:check": ("function", 1, "code"), "fakekit:fail": ("function", 2, "code")}
    now = {**baseline, "namespace:_check": ("function", 1, "code"), "namespace:_fail": ("function", 9, "")}
    # _unbound: the given cell that imports it failed before the import, which disarms nothing
    names = {"_check": "fakekit:check", "_fail": "fakekit:fail", "_unbound": "fakekit:check"}
    assert compare(baseline, now, names) == {
        "namespace:_fail": "names that given cells bind to the kit's helpers were rebound: {what}"
    }
    # the function itself changed: reported under its own name, not as a name rebound
    swapped = {
        "fakekit:check": ("function", 1, "other code"),
        "namespace:_check": ("function", 1, "other code"),
    }
    assert compare(baseline, {**baseline, **swapped}, {"_check": "fakekit:check"}) == {
        "fakekit:check": "the code of {what} was replaced"
    }


def test_a_kit_module_imported_from_elsewhere_is_found() -> None:
    kit = Path(integrity_probe.__file__).resolve().parents[1]
    baseline = {
        "sys.modules:coursekit": ("module", 1, str(kit / "__init__.py")),
        "sys.modules:coursekit.checks": ("module", 2, "/submission/coursekit/checks.py"),
    }
    assert foreign_modules(baseline, kit) == {
        "sys.modules:coursekit.checks": "{what} was imported from /submission/coursekit/checks.py, "
        "not from the installed kit"
    }


FP = {
    "m:check": (
        "function",
        1,
        (1, 2, "f", 1),
        ("defaults", 4, 5),
        ("closure", ()),
        "m.check",
    )
}


def test_a_watch_reports_a_change_once_where_it_was_first_seen_even_when_undone() -> None:
    watch = Watch(new_notebook())
    watch.note(("s1", FP), "before the first cell")
    changed = {"m:check": (*FP["m:check"][:2], (9, 9, "f", 1), *FP["m:check"][3:])}
    watch.note(("s1", changed), "after cell 'ex1'")
    watch.note(("s1", changed), "after cell 'ex1_console'")
    watch.note(("s1", FP), "after cell 'ex1_last'")  # a later cell puts the code back
    assert watch.findings() == ["the code of m.check was replaced (after cell 'ex1')"]
    assert watch.record() == {"findings": watch.findings(), "probes": 4}


def test_a_gone_or_restarted_kernel_could_not_be_checked() -> None:
    watch = Watch(new_notebook())
    watch.note(("s1", FP), "before the first cell")
    watch.note("the kernel did not answer the integrity check in 30 s", "after cell #2")
    watch.note(("s1", FP), "after cell #3")  # the final probe answered: nothing to report
    assert watch.findings() == []
    watch.note("the kernel was gone before the integrity check", "after cell #4")
    assert watch.findings() == [
        "could not be checked: the kernel was gone before the integrity check (after cell #4)"
    ]
    restarted = Watch(new_notebook())
    restarted.note(("s1", FP), "before the first cell")
    restarted.note(("s2", FP), "after cell #1")
    assert restarted.findings() == ["the kernel was restarted (after cell #1)"]


def test_many_names_changed_alike_make_one_short_finding() -> None:
    baseline = {f"m:f{i}": ("function", i) for i in range(7)}
    watch = Watch(new_notebook())
    watch.note(("s", baseline), "before the first cell")
    watch.note(("s", {k: ("MagicMock", 99) for k in baseline}), "after cell 'a'")
    assert watch.findings() == [
        "m.f0, m.f1, m.f2, m.f3 and 3 more was replaced by a MagicMock (after cell 'a')"
    ]


def _cell(source: str, **meta) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": meta.pop("gid", "c"), **meta}})


def test_given_bindings_are_the_kit_imports_of_cells_nbgrader_restores() -> None:
    nb = new_notebook(
        cells=[
            _cell("from coursekit import check as _check\nimport coursekit", solution=True, gid="answer"),
            _cell("from coursekit import check as _check, fail\nimport json", locked=True, gid="helpers"),
            _cell("import coursekit.quiz as _quiz\nfrom coursekit.quiz import grade as _grade", grade=True),
            new_code_cell("from coursekit import sandbox as _sandbox"),  # no nbgrader metadata: anyone's
            _cell("%%writefile x.py\nfrom coursekit import check", locked=True, gid="magic"),
        ]
    )
    assert given_bindings(nb) == {
        1: {"_check": "coursekit:check", "fail": "coursekit:fail"},
        2: {"_quiz": "sys.modules:coursekit.quiz", "_grade": "coursekit.quiz:grade"},
    }


def _reply(expression: dict) -> dict:
    return {"status": "ok", "user_expressions": {"fingerprint": expression}}


def test_a_probe_answer_is_read_from_user_expressions() -> None:
    as_json = {"m:check": ["function", 1, [2, 3], None]}  # as jupyter_client decodes the reply
    ok = _reply({"status": "ok", "data": {"text/plain": "<fp>", "application/json": as_json}})
    assert parse_answer(ok) == {"m:check": ("function", 1, (2, 3), None)}
    failed = _reply({"status": "error", "ename": "NameError", "evalue": "exec"})
    assert parse_answer(failed) == "the integrity check failed in the kernel (NameError: exec)"
    for garbled in ({"text/plain": "<object>"}, {"application/json": {"m:check": "x"}}):
        assert (
            parse_answer(_reply({"status": "ok", "data": garbled}))
            == "the integrity check's answer could not be read"
        )


def _autograded(path: Path, findings: list[str] | None) -> Path:
    nb = new_notebook(cells=[new_markdown_cell("# Exercise")])
    if findings is not None:
        nb.metadata["coursekit"] = {"integrity": {"findings": findings, "probes": 3}}
    nbformat.write(nb, path)
    return path


def test_findings_are_read_back_per_notebook_and_open_the_feedback(tmp_path: Path) -> None:
    finding = "sys.modules['kit'] was replaced by a MagicMock (after cell 'a')"
    flagged = _autograded(tmp_path / "alpha.ipynb", [finding])
    clean = _autograded(tmp_path / "beta.ipynb", [])
    unchecked = _autograded(tmp_path / "gamma.ipynb", None)
    assert findings_of([flagged, clean, unchecked]) == [f"alpha: {finding}"]

    nb, _ = FlagForReview().preprocess(nbformat.read(flagged, as_version=4), {})
    assert nb.cells[0].cell_type == "markdown" and len(nb.cells) == 2
    assert nb.cells[0].source == (  # markdown's own characters escaped, so that the page shows the finding
        "**This submission was flagged for review:** sys.modules\\['kit'\\] was replaced by a MagicMock "
        "(after cell 'a'). Its score is what the checks gave; your instructor will look at it."
    )
    for path in (clean, unchecked):
        nb, _ = FlagForReview().preprocess(nbformat.read(path, as_version=4), {})
        assert [c.source for c in nb.cells] == ["# Exercise"]


# -- in a real kernel -----------------------------------------------------------------------------------

LOOK = [
    "x = 1",
    "import sys\nprint(sorted(k for k in globals() if not k.startswith('_')), len(In), file=sys.stderr)",
    "from coursekit import check as _check\n_check(True, 'holds', '', '')\nx + 1",
]


def _run(execute_class: type, cells: list[str], folder: Path) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = execute_class(timeout=60).preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb


@pytest.mark.slow
def test_a_fingerprinted_kernel_shows_the_learner_the_same_notebook_and_catches_a_change(
    tmp_path: Path,
) -> None:
    from nbgrader.preprocessors import Execute

    from coursekit.classgrade.integrity import IntegrityExecute

    plain, checked = _run(Execute, LOOK, tmp_path), _run(IntegrityExecute, LOOK, tmp_path)
    for mine, theirs in zip(checked.cells, plain.cells, strict=True):
        assert (mine.execution_count, mine.outputs) == (theirs.execution_count, theirs.outputs)
    assert checked.metadata["coursekit"]["integrity"] == {"findings": [], "probes": 4}

    swap = "import coursekit.checks\ncoursekit.checks.check.__code__ = (lambda *a, **k: None).__code__"
    record = _run(IntegrityExecute, [swap, *LOOK], tmp_path).metadata["coursekit"]["integrity"]
    assert record["findings"] == ["the code of coursekit.checks.check was replaced (after cell #1)"]
