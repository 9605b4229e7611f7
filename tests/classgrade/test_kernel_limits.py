"""The kernel's limits: an output budget, and a memory cap that turns a memory bomb into a MemoryError."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from coursekit.classgrade import kernel_limits


def test_output_budget_refuses_writes_past_the_limit() -> None:
    budget = kernel_limits.OutputBudget(10)
    assert budget.spend(10)
    with pytest.raises(kernel_limits.OutputLimitExceeded, match="output limit"):
        budget.spend(1)


def test_memory_cap_turns_a_memory_bomb_into_a_memory_error() -> None:
    code = textwrap.dedent(
        """
        from coursekit.classgrade.kernel_limits import cap_memory
        cap_memory(64)
        try:
            hog = bytearray(512 * 1024 * 1024)
        except MemoryError:
            print("MemoryError")
        small = bytearray(8 * 1024 * 1024)
        print("still alive")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["MemoryError", "still alive"], result.stderr
