"""The learner's namespace belongs to the learner: what the cells a learner does not write may touch.

A graded notebook runs every cell in one namespace, the learner's.  The cells the learner does not
write (setup, "Try it", helper and test cells) must therefore leave the learner's names alone: at top
level they bind only private names (``_...``) or names with the notebook's prefix (``ex1_...``,
``EX1_...``), and what they read as globals is a builtin, one of their own names or a name the
statement asks the learner to define.  A learner who names something ``fields``, ``cfg``, ``logger``
or ``check`` can then never lose a point for it, and a check never calls a learner's ``check``.

:data:`NOTEBOOKS` lists, once, each graded notebook's prefix, the names its statement asks the learner
to define (which checks may read) and the few names a given cell binds because the statement promises
them to the learner, each with its reason.  :func:`namespace_problems` finds every other binding.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursekit.cells import given_code_cells

__all__ = ["NOTEBOOKS", "NamespaceProblem", "NotebookNames", "bound_names", "namespace_problems"]


@dataclass(frozen=True)
class NotebookNames:
    """What one graded notebook's given cells may bind and read besides private and prefixed names."""

    prefix: str  # e.g. "ex1_": given cells may bind ex1_*, EX1_* and _*
    answers: dict[str, str] = field(default_factory=dict)  # defined by the learner: checks may read them
    promised: dict[str, str] = field(default_factory=dict)  # bound by a given cell for the learner to use


NOTEBOOKS: dict[str, NotebookNames] = {
    "ex1_logging": NotebookNames("ex1_", answers={"setup_logging": "the function the exercise asks for"}),
    "ex2_config": NotebookNames(
        "ex2_",
        answers={
            "TrainingConfig": "the dataclass of the statement, which the learner may extend",
            "load_config": "the function the exercise asks for",
            "log_config": "the function the exercise asks for",
        },
    ),
    "ex3_request_ids": NotebookNames(
        "ex3_",
        answers={
            "predict": "the function the exercise asks for",
            "MODEL_VERSION": "the version the statement tells the learner to put on every record",
        },
    ),
    # The answer cell writes ex4_workers.py, which the checks import: it binds no name in the notebook.
    "ex4_multiprocess": NotebookNames("ex4_"),
    "ex5_run_record": NotebookNames(
        "ex5_",
        answers={
            "RecordError": "the error class the statement asks read_run_record to raise",
            "config_hash": "the function the exercise asks for",
            "git_state": "the function the exercise asks for",
            "write_run_record": "the function the exercise asks for",
            "read_run_record": "the function the exercise asks for",
            "rerun_config": "the function the exercise asks for",
        },
    ),
    "mini_challenge": NotebookNames("mc_"),
    "quiz": NotebookNames("quiz_", answers={f"q{n}": "the answer to a question" for n in range(1, 29)}),
    "training_logger": NotebookNames(
        "tl_",
        answers={
            "JsonFormatter": "the formatter the project asks for",
            "setup_run_logging": "the function the project asks for",
            "train": "the function the project asks for",
            "summarise_run": "the function the project asks for",
            "read_records": "the function the project asks for",
            "answer_lr": "an answer the last task asks for",
            "answer_seed": "an answer the last task asks for",
            "answer_epoch3_seconds": "an answer the last task asks for",
        },
        promised={
            "RunConfig": "the configuration dataclass the statement gives the learner",
            "LOG_NAME": "the log file name the statement tells the learner to use",
            "PROD_LOGS": "the folder of the production run the statement tells the learner to read",
        },
    ),
    "inference_service": NotebookNames(
        "is_",
        answers={
            "JsonFormatter": "the formatter the project asks for",
            "setup_service_logging": "the function the project asks for",
            "request_logger": "the function the project asks for",
            "handle_request": "the function the project asks for",
            "logs_for_request": "the function the project asks for",
        },
        promised={
            "MODEL_VERSION": "the model version the statement tells the learner to put on every record",
            "WEIGHTS": "the model's weights the statement tells the learner to predict with",
            "BIAS": "the model's bias the statement tells the learner to predict with",
            "SENSITIVE": "the field names the statement tells the learner to scrub",
        },
    ),
    "config_pack": NotebookNames("cp_"),
}

# Names that IPython puts in every kernel's namespace.
_IPYTHON_NAMES = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit"})


@dataclass(frozen=True, order=True)
class NamespaceProblem:
    """One name a given cell binds or reads that it must not."""

    notebook: str
    cell_id: str
    name: str
    what: str  # "binds" or "reads"
    line: int

    def __str__(self) -> str:
        return f"{self.notebook} [{self.cell_id}] line {self.line}: {self.what} {self.name!r}"


def python_source(cell_source: str) -> str:
    """A cell's source as plain Python: IPython's magics become the calls they stand for."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def _target_names(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    return []  # an attribute or a subscript binds no name


class _TopLevelBindings(ast.NodeVisitor):
    """Every (name, line) that a module's top level binds, whatever the statement that binds it."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int]] = []

    def _names(self, *targets: ast.expr) -> None:
        self.found += [(n.id, n.lineno) for t in targets for n in _target_names(t)]

    def _inner_scope(self, node: ast.AST) -> None:
        # A nested scope binds globals only through `global` or, in a comprehension, `:=`.
        for inner in ast.walk(node):
            if isinstance(inner, ast.Global):
                self.found += [(name, inner.lineno) for name in inner.names]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.found.append((node.name, node.lineno))
        for default in [*node.args.defaults, *node.args.kw_defaults, *node.decorator_list]:
            if default is not None:
                self.visit(default)
        self._inner_scope(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.found.append((node.name, node.lineno))
        for expression in [*node.bases, *node.decorator_list]:
            self.visit(expression)
        self._inner_scope(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._inner_scope(node)

    def _comprehension(self, node: ast.AST) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.NamedExpr):
                self._names(inner.target)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Assign(self, node: ast.Assign) -> None:
        self._names(*node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign | ast.AnnAssign) -> None:
        self._names(node.target)
        self.generic_visit(node)

    visit_AnnAssign = visit_AugAssign

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._names(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        self._names(*(item.optional_vars for item in node.items if item.optional_vars is not None))
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._names(node.target)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            self.found.append((alias.asname or alias.name.split(".")[0], node.lineno))

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.found.append((node.name, node.lineno))
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        self._names(*node.targets)  # unbinding a learner's name is as bad as rebinding it
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.found.append((node.name, node.lineno))
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.found.append((node.name, node.lineno))

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.found.append((node.rest, node.lineno))
        self.generic_visit(node)


def bound_names(source: str) -> list[tuple[str, int]]:
    """Every ``(name, line)`` that running ``source`` as a notebook cell binds in the notebook's namespace."""
    visitor = _TopLevelBindings()
    visitor.visit(ast.parse(python_source(source)))
    return visitor.found


def _global_reads(source: str) -> set[str]:
    """The global names that ``source`` reads, at top level or from inside its functions and classes."""
    reads: set[str] = set()
    pending = [symtable.symtable(python_source(source), "<cell>", "exec")]
    while pending:
        table = pending.pop()
        is_module = table.get_type() == "module"
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (is_module or symbol.is_global()):
                reads.add(symbol.get_name())
        pending.extend(table.get_children())
    return reads


def _is_private(name: str, prefix: str) -> bool:
    return name.startswith("_") or name.lower().startswith(prefix.lower())


def namespace_problems(path: Path, names: NotebookNames | None = None) -> list[NamespaceProblem]:
    """Every name that a given code cell of the notebook at ``path`` binds or reads against the rules.

    ``names`` defaults to the notebook's entry in :data:`NOTEBOOKS` (by file stem); a notebook with no
    entry is reported as one problem, so a new graded notebook cannot slip past the rules.
    """
    stem = Path(path).stem
    names = names or NOTEBOOKS.get(stem)
    if names is None:
        return [NamespaceProblem(stem, "-", stem, "has no entry in coursekit.namespace.NOTEBOOKS for", 0)]
    nb = nbformat.read(path, as_version=4)
    problems, own = [], set()
    cells = given_code_cells(nb)
    for cell in cells:
        for name, line in bound_names(cell.source):
            own.add(name)
            if not _is_private(name, names.prefix) and name not in names.promised:
                problems.append(NamespaceProblem(stem, cell.get("id", "?"), name, "binds", line))
    readable = own | set(names.answers) | set(names.promised) | set(dir(builtins)) | _IPYTHON_NAMES
    for cell in cells:
        for name in sorted(_global_reads(cell.source) - readable):
            problems.append(NamespaceProblem(stem, cell.get("id", "?"), name, "reads", 0))
    return sorted(problems)
