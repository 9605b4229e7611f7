"""Proof that the grader of exercise 4 (workers logging through one queue) grades right and wrong answers."""

from __future__ import annotations

import ast

from grader_support import ExerciseProof, Mutation, Variant, load_variants
from wrong_ex4 import WRONG

MAGIC = "%%writefile ex4_workers.py\n"


def script(cell: str) -> str:
    """The module an answer cell writes: the cell without its ``%%writefile`` line."""
    assert cell.startswith(MAGIC), cell[:80]
    return cell.removeprefix(MAGIC)


def functions(cell: str) -> set[str]:
    return {n.name for n in ast.parse(script(cell)).body if isinstance(n, ast.FunctionDef)}


class TestEx4Multiprocess(ExerciseProof):
    ASSIGNMENT, NOTEBOOK, EXERCISE, FUNCTION = (
        "11_ex4_multiprocess",
        "ex4_multiprocess",
        "ex4",
        "worker_configure",
    )
    WRONG = WRONG
    FEEDBACK_STUDENT = "every_rank_on_console"
    FEEDBACK_TEXT = "only rank 0's records may reach the console"
    VALIDATE_STUDENT = "no_respect_handler_level"
    VALIDATE_CELL = "ex4_console"
    VALIDATE_TEXT = "records below INFO must not reach the console"
    RERUN = "right_basicconfig_force"

    @classmethod
    def variants(cls) -> dict[str, Variant]:
        """The answer files: their header comments, then the cell as handed in (``%%writefile`` first)."""
        found = {}
        for name, v in load_variants(cls.EXERCISE).items():
            cell = v.source[v.source.index(MAGIC) :]
            found[name] = Variant(name, cell, v.description, v.loses)
        return found

    # The answer cell is a %%writefile cell: these two look at the module it writes.

    def test_mutation_makes_a_different_answer_that_compiles(self, mutation: Mutation) -> None:
        source = self.mutated(mutation)
        assert source != self.solution()[self.EXERCISE], f"{mutation.name} leaves the solution as it is"
        assert {"worker_configure", "start_listener", "stop_listener"} <= functions(source)

    def test_variant_file_is_well_formed(self, variant: str) -> None:
        v = self.variants()[variant]
        assert v.description.startswith("RIGHT:" if v.right else "WRONG:"), v.description
        assert v.loses <= set(self.grade_cells()), v.loses - set(self.grade_cells())
        assert bool(v.loses) is not v.right, "a right answer loses nothing, a wrong one something"
        assert {"worker_configure", "start_listener", "stop_listener"} <= functions(v.source)

    def test_every_answer_writes_the_module(self) -> None:
        answers = [self.solution()[self.EXERCISE], *(a[self.EXERCISE] for a in self.right().values())]
        assert all(answer.startswith(MAGIC) for answer in answers)
