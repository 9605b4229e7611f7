"""coursekit.nbgrader_run: a kernel that does not come up is started once more, nothing else is retried."""

from __future__ import annotations

import pytest

from coursekit.nbgrader_run import start_kernel_retrying


def test_a_kernel_that_died_before_answering_is_started_once_more() -> None:
    attempts = []

    def start() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "kernel"

    assert start_kernel_retrying(start) == "kernel" and len(attempts) == 2


def test_only_once_and_only_for_a_kernel_that_did_not_start() -> None:
    def never() -> None:
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    with pytest.raises(RuntimeError, match="respond"):
        start_kernel_retrying(never)
    calls = []

    def other() -> None:
        calls.append(1)
        raise RuntimeError("No such kernel named python4")

    with pytest.raises(RuntimeError, match="python4"):
        start_kernel_retrying(other)
    assert len(calls) == 1


def test_nbval_starts_its_kernels_through_it() -> None:
    import nbval.kernel

    assert nbval.kernel.start_new_kernel.__qualname__.endswith("start_new_kernel")
    assert nbval.kernel.start_new_kernel.__module__ == "conftest"  # the project's conftest wrapped it
