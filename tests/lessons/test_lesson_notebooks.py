"""The lesson notebooks: structure, stdlib-only code, clean shipped outputs, and rerun safety."""

from __future__ import annotations

import ast
import configparser
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

from coursekit.lessons import lesson_notebooks

ROOT = Path(__file__).resolve().parents[2]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
EXPECTED = {
    "01_lessons": [
        "01_welcome.ipynb",
        "02_concepts.ipynb",
        "03_example_console_and_file.ipynb",
        "04_example_json_logs.ipynb",
        "05_example_layered_config.ipynb",
        "06_example_correlation_ids.ipynb",
        "07_pitfalls_and_self_checks.ipynb",
    ],
    "10_part2_lessons": [
        "01_processes_and_ranks.ipynb",
        "02_other_peoples_loggers.ipynb",
        "03_a_run_you_can_rebuild.ipynb",
        "04_config_formats_and_secrets.ipynb",
        "05_service_observability.ipynb",
    ],
}
# Beyond the standard library, a lesson may import coursekit and the project's own dependencies it needs.
ALLOWED_IMPORTS = {"04_config_formats_and_secrets.ipynb": {"yaml"}}  # PyYAML: the YAML traps, shown
# The last lesson of part one closes it after its questions: a checklist for the quiz, then next steps.
CLOSING_SECTIONS = {"07_pitfalls_and_self_checks.ipynb": ["## Checklist before the quiz", "## Next steps"]}


def lesson_paths() -> list[Path]:
    """Every lesson of the course (the notebooks without nbgrader cells), in course order."""
    return lesson_notebooks(ROOT)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def sanitize(text: str) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SANITIZE, encoding="utf-8")
    for section in parser.sections():
        text = re.sub(parser[section]["regex"], parser[section]["replace"], text)
    return text


def cell_outputs(cell: nbformat.NotebookNode) -> dict[str, str]:
    """A cell's outputs as nbval compares them: streams merged by name, then sanitized."""
    merged: dict[str, str] = {}
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            key, text = output.name, output.text
        elif output.output_type == "error":
            key, text = "error", f"{output.ename}: {output.evalue}"
        else:
            key, text = output.output_type, output.get("data", {}).get("text/plain", "")
        merged[key] = merged.get(key, "") + text
    return {key: sanitize(text) for key, text in merged.items()}


def test_the_lessons_exist_in_course_order():
    """The lesson folders hold exactly the numbered lesson notebooks, and no other folder holds a lesson."""
    found: dict[str, list[str]] = {}
    for path in lesson_paths():
        found.setdefault(path.parent.name, []).append(path.name)
    assert found == EXPECTED


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_opens_with_goals_and_ends_with_check_yourself(path: Path):
    """Each lesson opens with its learning goals and ends with 'Check yourself' (the last adds a closing)."""
    nb = nbformat.read(path, as_version=4)
    closing = CLOSING_SECTIONS.get(path.name, [])
    first = nb.cells[0]
    check, *after = nb.cells[-1 - len(closing) :]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "**Learning goals.**" in first.source
    assert check.cell_type == "markdown" and check.source.startswith("## Check yourself")
    assert [cell.cell_type for cell in after] == ["markdown"] * len(closing)
    assert [cell.source.splitlines()[0] for cell in after] == closing


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_code_uses_the_stdlib_and_coursekit_only(path: Path):
    """Lesson code imports only the standard library, coursekit and what ALLOWED_IMPORTS lists."""
    allowed = set(sys.stdlib_module_names) | {"coursekit"} | ALLOWED_IMPORTS.get(path.name, set())
    for cell in code_cells(nbformat.read(path, as_version=4)):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_works_in_its_sandbox_and_ships_clean_outputs(path: Path):
    """The first code cell moves into a lesson sandbox; outputs show no errors and no absolute paths."""
    cells = code_cells(nbformat.read(path, as_version=4))
    assert "coursekit.lesson_sandbox(" in cells[0].source
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: a cell raised\n{cell.source}"
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/tmp/|/work/|/home/|/root/|/Users/|[A-Z]:\\\\", text), (
                f"{path.name}: an absolute path in the output of\n{cell.source}\n---\n{text}"
            )


@pytest.mark.slow
@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_prints_the_same_when_run_twice_in_one_kernel(path: Path, tmp_path: Path):
    """Run every cell, then every cell again in the same kernel: both runs match the shipped outputs."""
    from nbclient import NotebookClient

    from coursekit.nbgrader_run import start_kernel_retrying

    # A private TMPDIR, so the lesson's sandbox does not collide with nbval running the same lesson.
    kernel_env = {**os.environ, "TMPDIR": str(tmp_path)}

    shipped = nbformat.read(path, as_version=4)
    expected = [cell_outputs(cell) for cell in code_cells(shipped)]
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources)

    def kernel_started():
        setup = client.setup_kernel(env=kernel_env)
        setup.__enter__()
        return setup

    # a kernel that did not come up (a port taken by a parallel test) is started once more
    setup = start_kernel_retrying(kernel_started)
    try:
        for run in ("first", "second"):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            observed = [cell_outputs(cell) for cell in code_cells(nb)]
            for number, (got, want) in enumerate(zip(observed, expected, strict=True)):
                assert got == want, f"{run} run, code cell {number} of {path.name}"
    finally:
        setup.__exit__(None, None, None)
