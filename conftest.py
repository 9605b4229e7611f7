"""Project-wide pytest set-up."""

from __future__ import annotations

import pytest

from coursekit.isolation import isolated_logging
from coursekit.nbgrader_run import start_kernel_retrying

# Fixture notebooks (submissions, known-wrong answers) are data, not lessons to run with nbval.
collect_ignore_glob = ["tests/**/files/*", "tests/**/files/**/*", ".venv/*"]


@pytest.fixture(autouse=True)
def _restore_logging():
    """Every test starts and ends with the same logging state: nothing leaks between tests."""
    with isolated_logging():
        yield


def pytest_configure(config: pytest.Config) -> None:
    # nbval starts each lesson's kernel once; with tests running in parallel, a kernel can lose one of
    # its TCP ports to another process and die before it answers (see coursekit.nbgrader_run).
    import nbval.kernel

    start = nbval.kernel.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        return start_kernel_retrying(lambda: start(*args, **kwargs))

    nbval.kernel.start_new_kernel = start_new_kernel


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.slow)
