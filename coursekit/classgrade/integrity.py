"""Checks a submission cannot quietly disarm: the kernel, fingerprinted before the first cell and after each.

A learner's code runs in the same Python process as the checks, so it could replace them: rebind
``coursekit.check``, swap a helper's ``__code__`` for a no-op, put a ``MagicMock`` in
``sys.modules["coursekit"]``, silence IPython's error display, or hand in a ``coursekit.py``.
:class:`IntegrityChecked`, mixed into nbgrader's ``Execute`` (:class:`IntegrityExecute`, see
:func:`.kernel_sandbox.autograde_preprocessors`), asks the kernel for a fingerprint of what the checks
rely on (:mod:`.integrity_probe`, sent as fresh source in a silent, history-free request whose
answer comes back in ``user_expressions``: no name bound, no output) before the first cell and
after every code cell, and compares each with the first here, in the grading process, where the
learner cannot reach.  Checking after every cell, not only at the end, catches a change that a
later cell undoes.

What differs is written to the autograded notebook, ``nb.metadata["coursekit"]["integrity"]``
(``{"findings": [...], "probes": N}``); the score stays what nbgrader computed.  ``coursekit
grade`` copies the findings into its ledger and summary (:func:`findings_of`), and
:class:`FlagForReview` puts them at the top of the feedback.

A kernel that is gone (or was restarted) at the final check is reported as "could not be checked",
not as tampering: an honest notebook can crash its kernel too.  A kernel that dies while a cell runs
fails the notebook in nbgrader already, and so is not reported here.

Limits: code that fakes the probe's answer (by patching the kernel's request handling), or that
undoes its change before the cell that made it ends, is not caught.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from queue import Empty
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import Execute
from traitlets import Bool

from coursekit.cells import cell_label, grade_id, is_grade_cell, is_solution_cell, nbgrader_metadata

__all__ = [
    "FEEDBACK",
    "FlagForReview",
    "IntegrityChecked",
    "IntegrityExecute",
    "compare",
    "findings_of",
    "given_bindings",
    "integrity_record",
]

PROBE = Path(__file__).with_name("integrity_probe.py")
MODULES = ("coursekit", "coursekit.quiz", "coursekit.train_checks")  # and every module they import
KIT = Path(__file__).resolve().parents[1]  # the installed coursekit package
UNCHECKED = "could not be checked"
FEEDBACK = (
    "**This submission was flagged for review:** {findings}. Its score is what the checks gave; "
    "your instructor will look at it."
)
_SHOWN = 4  # names listed in one finding before "and N more"
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|])")
_CHANGES = {
    "code": "the code of {what} was replaced",
    "defaults": "the default arguments of {what} were changed",
    "closure": "what {what} closes over was changed",
}


# -- comparing fingerprints (plain data: see integrity_probe) --------------------------------------------


def _name(key: str) -> str:
    where, _, attr = key.partition(":")
    if where == "sys.modules":
        return f"sys.modules[{attr!r}]"
    if where == "ipython":
        return f"IPython's shell.{attr}"
    if where == "namespace":
        return attr
    return f"{where}.{attr}"


def _change(before: tuple, after: tuple | None) -> str:
    """How ``before`` became ``after``, as a template with ``{what}``."""
    if after is None or after == ("missing",):
        return "{what} was removed"
    if before[0] != after[0]:
        return f"{{what}} was replaced by a {after[0]}"
    if before[0] == "method":  # (method, id of self, *function)
        if before[1] != after[1]:
            return "{what} was bound to another object"
        before, after = before[2:], after[2:]
    if before[0] in ("staticmethod", "classmethod"):
        before, after = before[2:], after[2:]
    if before[0] == "function":
        if before[1] != after[1]:
            return "{what} was replaced by another function"
        fields = {"code": 2, "defaults": 3, "closure": 4}
        for field, position in fields.items():
            if before[position] != after[position]:
                return _CHANGES[field]
    if before[0] == "list":
        return "{what} was changed"
    return "{what} was replaced"


def compare(
    baseline: Mapping[str, tuple], now: Mapping[str, tuple], names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What changed from ``baseline`` to ``now``: ``{key: template}``.

    ``names`` maps names of the learner's namespace that given cells bound to the key of what they
    were bound to (``{"_check": "coursekit:check"}``): each must still hold what that is now.
    """
    changed: dict[str, str] = {}
    for key, before in baseline.items():
        after = now.get(key)
        if after != before:
            changed[key] = _change(before, after)
    for key in now.keys() - baseline.keys():
        # a submodule imported later, or a builtin added (no check reads it), changes nothing
        if key.partition(":")[0] not in ("namespace", "builtins") and now[key][0] != "module":
            changed[key] = "{what} was added"
    for name, target in (names or {}).items():
        key = f"namespace:{name}"
        # compared with what the target is now: a change of the target itself is reported as such.
        # A name not bound (its cell failed before the import) disarms nothing: the checks then fail.
        if target in now and key in now and now[key] != now[target]:
            changed[key] = "names that given cells bind to the kit's helpers were rebound: {what}"
    replaced = {k.partition(":")[2] for k in changed if k.startswith("sys.modules:")}
    # a module replaced as a whole: its own entries say nothing more
    return {k: v for k, v in changed.items() if k.partition(":")[0] not in replaced}


def foreign_modules(baseline: Mapping[str, tuple], kit: Path = KIT) -> dict[str, str]:
    """Modules of the kit that the baseline found imported from elsewhere (a ``coursekit.py`` handed in)."""
    found = {}
    for key, value in baseline.items():
        if key.startswith("sys.modules:") and len(value) == 3 and value[2]:
            path = Path(os.path.realpath(value[2]))
            if not path.is_relative_to(kit):
                found[key] = f"{{what}} was imported from {value[2]}, not from the installed kit"
    return found


def given_bindings(nb: NotebookNode) -> dict[int, dict[str, str]]:
    """Per cell index, the names a given cell (one nbgrader restores) imports from the kit, and what."""
    found: dict[int, dict[str, str]] = {}
    for index, cell in enumerate(nb.cells):
        given = grade_id(cell) and (is_grade_cell(cell) or nbgrader_metadata(cell).get("locked"))
        if cell.cell_type != "code" or not given or is_solution_cell(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        names: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "coursekit":
                names.update((a.asname or a.name, f"{node.module}:{a.name}") for a in node.names)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "coursekit":
                        bound = a.name if a.asname else "coursekit"
                        names[a.asname or "coursekit"] = f"sys.modules:{bound}"
        if names:
            found[index] = names
    return found


# -- the watch over one notebook's kernel --------------------------------------------------------------


class Watch:
    """One notebook's fingerprints: the baseline, the changes found and where they were first seen."""

    def __init__(self, nb: NotebookNode) -> None:
        self.nb = nb
        self.bindings = given_bindings(nb)
        self.names: dict[str, str] = {}
        self.baseline: dict[str, tuple] | None = None
        self.session = ""
        self.seen: dict[tuple[str, str], str] = {}  # (template, key) -> the cell after which it was seen
        self.probes = 0
        self.failure = ""  # why the last probe got no fingerprint ("" when it did)

    def request(self) -> dict[str, Any]:
        """The probe's arguments: import the kit the first time, then read what the baseline read."""
        if self.baseline is None:
            return {"modules": list(MODULES), "names": [], "load": True}
        modules = sorted(k.partition(":")[2] for k in self.baseline if k.startswith("sys.modules:"))
        return {"modules": modules, "names": sorted(self.names), "load": False}

    def note(self, answer: tuple[str, dict[str, tuple]] | str, label: str) -> None:
        """Take a probe's answer (session, fingerprint) or the reason it has none."""
        if isinstance(answer, str):
            self.failure = f"{answer} ({label})"
            return
        self.failure = ""
        self.probes += 1
        session, fingerprint = answer
        if self.baseline is None:
            self.baseline, self.session = fingerprint, session
            changes = foreign_modules(fingerprint)
        elif session != self.session:
            changes = {"kernel": "the kernel was restarted"}
        else:
            changes = compare(self.baseline, fingerprint, self.names)
        for key, template in changes.items():
            self.seen.setdefault((template, key), label)

    def ran(self, index: int) -> None:
        """The cell at ``index`` has run: the names it imports from the kit are watched from now on."""
        self.names.update(self.bindings.get(index, {}))

    def _what(self, template: str, key: str) -> str:
        before = (self.baseline or {}).get(key, ())
        if template in _CHANGES.values() and "function" in before[:3]:
            return before[-1]  # changed in place: the function itself, under whichever name it was read
        return _name(key)

    def findings(self) -> list[str]:
        """What changed, grouped: one line per kind of change and cell where it was first seen."""
        groups: dict[tuple[str, str], set[str]] = {}
        for (template, key), label in self.seen.items():
            groups.setdefault((template, label), set()).add(self._what(template, key))
        lines = []
        for (template, label), whats in groups.items():
            shown = ", ".join(sorted(whats)[:_SHOWN]) + (
                f" and {len(whats) - _SHOWN} more" if len(whats) > _SHOWN else ""
            )
            lines.append(f"{template.format(what=shown)} ({label})")
        if self.failure:
            lines.append(f"{UNCHECKED}: {self.failure}")
        return lines

    def record(self) -> dict[str, Any]:
        return {"findings": self.findings(), "probes": self.probes}


@functools.cache
def _probe_source() -> str:
    return PROBE.read_text(encoding="utf-8")


def _probe_expression(args: Mapping[str, Any]) -> str:
    """The expression the kernel evaluates: the probe run in a namespace of its own (nothing bound)."""
    namespace = "{'__builtins__': __import__('builtins'), '__name__': '__coursekit_integrity__', 'ARGS': %r}"
    run = "(lambda g: (__import__('builtins').exec(%r, g), g['RESULT'])[1])(%s)"
    return run % (_probe_source(), namespace % (dict(args),))


def parse_answer(content: Mapping[str, Any]) -> dict[str, tuple] | str:
    """The fingerprint in an execute reply's content, or what went wrong."""
    value = content.get("user_expressions", {}).get("fingerprint", {})
    if content.get("status") != "ok" or value.get("status") != "ok":
        error = value or content
        return f"the integrity check failed in the kernel ({error.get('ename')}: {error.get('evalue')})"
    fingerprint = value.get("data", {}).get("application/json")
    if not isinstance(fingerprint, dict) or not all(isinstance(v, list) for v in fingerprint.values()):
        return "the integrity check's answer could not be read"
    return {key: _tuples(identity) for key, identity in fingerprint.items()}


def _tuples(value: Any) -> Any:
    """JSON's lists back as the probe's tuples."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class IntegrityChecked:
    """Mixed into an nbgrader ``Execute``: fingerprint the kernel before the first cell and after each one."""

    PROBE_TIMEOUT = 30.0  # seconds for one probe's answer (the kernel is idle between cells)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._watch = Watch(nb)
        nb, resources = super().preprocess(nb, resources, km)  # type: ignore[misc]
        nb.metadata.setdefault("coursekit", {})["integrity"] = self._watch.record()
        return nb, resources

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        watch = self._watch
        if watch.baseline is None and not watch.failure:
            watch.note(self._probe(watch.request()), "before the first cell")
        cell, resources = super().preprocess_cell(cell, resources, index)  # type: ignore[misc]
        watch.ran(index)
        last = index == len(watch.nb.cells) - 1
        # after a probe got no answer, only the final one is tried: a busy kernel is not waited for twice
        if watch.baseline is not None and (last or (cell.cell_type == "code" and not watch.failure)):
            watch.note(self._probe(watch.request()), f"after {cell_label(cell, index)}")
        if last and watch.baseline is None:
            watch.failure = watch.failure or "no fingerprint was taken before the first cell"
        return cell, resources

    def _probe(self, args: Mapping[str, Any]) -> tuple[str, dict[str, tuple]] | str:
        from nbclient.util import run_sync

        return run_sync(self._async_probe)(args)

    async def _async_probe(self, args: Mapping[str, Any]) -> tuple[str, dict[str, tuple]] | str:
        from jupyter_core.utils import ensure_async

        kc, km = self.kc, self.km  # type: ignore[attr-defined]
        if kc is None or km is None or not await ensure_async(km.is_alive()):
            return "the kernel was gone before the integrity check"
        msg_id = kc.execute(
            "",
            silent=True,
            store_history=False,
            user_expressions={"fingerprint": _probe_expression(args)},
            allow_stdin=False,
            stop_on_error=False,
        )
        deadline = time.monotonic() + self.PROBE_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(kc.shell_channel.get_msg(timeout=min(left, 1.0)))
            except Empty:
                if not await ensure_async(km.is_alive()):
                    return "the kernel was gone before the integrity check"
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                answer = parse_answer(msg["content"])
                return answer if isinstance(answer, str) else (msg["header"].get("session", ""), answer)
        return f"the kernel did not answer the integrity check in {self.PROBE_TIMEOUT:g} s"


class IntegrityExecute(IntegrityChecked, Execute):
    """nbgrader's ``Execute`` (the course's ``Execute`` settings apply), its kernel fingerprinted."""


# -- reading the findings, and showing them in feedback ----------------------------------------------


def integrity_record(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The integrity record of an autograded notebook (None: it was not checked)."""
    record = nb.get("metadata", {}).get("coursekit", {}).get("integrity")
    return record if isinstance(record, dict) else None


def findings_of(notebooks: Iterable[Path]) -> list[str]:
    """The findings of autograded notebooks, each prefixed with its notebook's name."""
    import nbformat

    found = []
    for path in notebooks:
        try:
            record = integrity_record(nbformat.read(path, as_version=4))
        except Exception as exc:  # noqa: BLE001 - an unreadable notebook is reported by the worker
            found.append(f"{path.stem}: {UNCHECKED}: {type(exc).__name__}")
            continue
        found.extend(f"{path.stem}: {finding}" for finding in (record or {}).get("findings", []))
    return found


class FlagForReview(Preprocessor):
    """Feedback step: a flagged notebook's feedback opens with one cell saying so, and why."""

    # nbgrader registers the course's preprocessors as they are: this one must be on by default.
    enabled = Bool(True, help="say at the top of the feedback that a submission was flagged").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        findings = (integrity_record(nb) or {}).get("findings", [])
        if findings:
            said = _MARKDOWN.sub(r"\\\1", "; ".join(findings))  # names such as _check stay as they are
            nb.cells.insert(0, new_markdown_cell(FEEDBACK.format(findings=said)))
        return nb, resources
