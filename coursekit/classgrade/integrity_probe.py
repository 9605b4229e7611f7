"""The integrity probe: a fingerprint of what a notebook's checks rely on, taken inside its kernel.

:mod:`.integrity` sends this file's source to the kernel and runs it in a fresh namespace (nothing
is bound in the learner's), before the first cell and after each code cell.  It reads its
arguments from ``ARGS`` and leaves ``RESULT``, which IPython hands back as the JSON
``{key: identity}``: a key names something the checks depend on (``coursekit.checks:check``,
``ipython:_showtraceback``, ``builtins:__import__``, ``sys.modules:coursekit``) and its identity is a
tuple of plain values (object and code ids, code hash, ...).  Only the grader compares them.

``ARGS``: ``modules`` (names to read from ``sys.modules``), ``load`` (import them first, the
working folder left off ``sys.path`` so that no handed-in ``coursekit.py`` can stand in, and read
every module of their packages), ``names`` (names of the learner's namespace that given cells bound).

Only the standard library and what the kernel already holds are used: importing this file in a
test (``fingerprint(...)``) runs nothing.
"""

import builtins
import sys
import types

# What IPython shows and runs a cell's error with, and how it runs a cell at all.
SHELL_ATTRIBUTES = (
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "set_custom_exc",
    "CustomTB",
    "InteractiveTB",
    "SyntaxTB",
    "run_cell",
    "run_cell_async",
    "run_code",
    "run_ast_nodes",
    "transform_cell",
    "transform_ast",
    "should_run_async",
    "user_expressions",
    "ev",
    "input_transformer_manager",
    "displayhook",
)
SHELL_LISTS = (
    "custom_exceptions",
    "input_transformers_cleanup",
    "input_transformers_post",
    "ast_transformers",
)
# Builtins the kernel itself swaps or adds while it runs a request: not the learner's doing.
KERNEL_BUILTINS = frozenset({"input", "get_ipython", "exit", "quit", "display", "help"})
_DEPTH = 3


def _code(code):
    return (id(code), hash(code), code.co_filename, code.co_firstlineno)


def identity(obj, depth=0):
    """A tuple that changes when ``obj`` is replaced, or its code, defaults or closure are."""
    if isinstance(obj, types.MethodType):
        return ("method", id(obj.__self__), *identity(obj.__func__, depth))
    if isinstance(obj, staticmethod | classmethod):
        return (type(obj).__name__, id(obj), *identity(obj.__func__, depth))
    if isinstance(obj, property):
        return ("property", id(obj), *(identity(f, depth) for f in (obj.fget, obj.fset, obj.fdel)))
    if isinstance(obj, types.ModuleType):
        return ("module", id(obj))
    if not isinstance(obj, types.FunctionType):
        return (type(obj).__name__, id(obj))
    closure = ()
    if depth < _DEPTH:
        closure = tuple(_cell(cell, depth) for cell in obj.__closure__ or ())
    # a function's globals cannot be swapped: one with other globals is another function (another id)
    return (
        "function",
        id(obj),
        _code(obj.__code__),
        ("defaults", id(obj.__defaults__), id(obj.__kwdefaults__)),
        ("closure", closure),
        f"{obj.__module__}.{obj.__qualname__}",
    )


def _cell(cell, depth):
    try:
        return identity(cell.cell_contents, depth + 1)
    except ValueError:  # an empty cell
        return ("empty",)


def _ours(obj, prefix):
    return (getattr(obj, "__module__", None) or "").split(".")[0] == prefix


def module_entries(name, module):
    """The entries of one module: itself, and each of its functions, classes and their methods."""
    entries = {f"sys.modules:{name}": (type(module).__name__, id(module), getattr(module, "__file__", None))}
    if not isinstance(module, types.ModuleType):
        return entries
    prefix = name.split(".")[0]
    for attr, value in list(vars(module).items()):
        if attr.startswith("__") or not (callable(value) or isinstance(value, types.ModuleType)):
            continue
        entries[f"{name}:{attr}"] = identity(value)
        if isinstance(value, type) and _ours(value, prefix) and value.__module__ == name:
            entries[f"{name}:{attr}.__mro__"] = tuple(id(k) for k in value.__mro__)
            for member, item in list(vars(value).items()):
                if isinstance(item, types.FunctionType | staticmethod | classmethod | property):
                    entries[f"{name}:{attr}.{member}"] = identity(item)
    return entries


def shell_entries():
    """The IPython shell's error display and cell runner, and ``sys.excepthook``."""
    entries = {"sys:excepthook": identity(sys.excepthook)}
    interactiveshell = sys.modules.get("IPython.core.interactiveshell")
    shell = getattr(getattr(interactiveshell, "InteractiveShell", None), "_instance", None)
    entries["ipython:shell"] = (type(shell).__name__, id(shell))
    if shell is None:
        return entries
    for attr in SHELL_ATTRIBUTES:
        entries[f"ipython:{attr}"] = identity(getattr(shell, attr, None))
    for attr in SHELL_LISTS:
        items = getattr(shell, attr, None)
        entries[f"ipython:{attr}"] = ("list", id(items), tuple(identity(i) for i in items or ()))
    return entries


def builtin_entries():
    """Every builtin function and class (``__import__``, ``isinstance``, ``AssertionError`` ...)."""
    return {
        f"builtins:{name}": identity(value)
        for name, value in vars(builtins).items()
        if name not in KERNEL_BUILTINS and callable(value)
    }


def namespace_entries(names):
    """What the learner's namespace binds to ``names`` now (a name not bound is left out)."""
    interactiveshell = sys.modules.get("IPython.core.interactiveshell")
    shell = getattr(getattr(interactiveshell, "InteractiveShell", None), "_instance", None)
    user_ns = getattr(shell, "user_ns", None) or {}
    return {f"namespace:{name}": identity(user_ns[name]) for name in names if name in user_ns}


def load(modules):
    """Import ``modules`` with the working folder off ``sys.path`` (nothing handed in stands in)."""
    import contextlib
    import importlib
    import os

    here = os.getcwd()
    saved = list(sys.path)
    sys.path[:] = [p for p in saved if p not in ("", ".") and os.path.abspath(p) != here]
    try:
        for name in modules:
            # a module that cannot be imported shows as missing
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    finally:
        sys.path[:] = saved


def fingerprint(modules=(), names=(), load_modules=False):
    """The fingerprint: ``{key: identity}`` of the modules, the shell, the builtins and ``names``.

    With ``load_modules``, ``modules`` are imported first and every module of their packages then
    in ``sys.modules`` is read (the later fingerprints are given that list).
    """
    if load_modules:
        load(modules)
        roots = {name.split(".")[0] for name in modules}
        modules = sorted(k for k in list(sys.modules) if k.split(".")[0] in roots)
    found = {}
    for name in modules:
        module = sys.modules.get(name)
        if module is None:
            found[f"sys.modules:{name}"] = ("missing",)
        else:
            found.update(module_entries(name, module))
    found.update(shell_entries())
    found.update(builtin_entries())
    found.update(namespace_entries(names))
    return found


class Answer:
    """A fingerprint as IPython hands it back: JSON (``application/json``), read without parsing."""

    def __init__(self, found):
        self.found = found

    def _repr_json_(self):
        return self.found

    def __repr__(self):
        return "<coursekit integrity fingerprint>"


if __name__ == "__coursekit_integrity__":
    RESULT = Answer(fingerprint(ARGS["modules"], ARGS["names"], ARGS["load"]))  # noqa: F821 - given by the grader
