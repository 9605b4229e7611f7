"""Proof that the grader of exercise 1 (setup_logging) grades right and wrong answers as it should.

Every answer in files/ex1/ is one student; all of them, the instructor's solution and the untouched
release are graded in a single `nbgrader autograde` run (the module-scoped fixture).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from grader_support import (
    Graded,
    docstrings,
    grade_answers,
    grade_cell_ids,
    load_variants,
    solution_answer,
    validate,
)

from coursekit.grading import feedback_html, generate_feedback

ASSIGNMENT, NOTEBOOK, ANSWER_ID = "02_ex1_logging", "ex1_logging", "ex1"
VARIANTS = load_variants("ex1")
RIGHT = sorted(name for name, v in VARIANTS.items() if v.right)
WRONG = sorted(name for name, v in VARIANTS.items() if not v.right)
TEST_CELLS = grade_cell_ids(ASSIGNMENT, NOTEBOOK, "ex1_")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    answers: dict[str, str | None] = {
        "solution": solution_answer(ASSIGNMENT, NOTEBOOK, ANSWER_ID),
        "untouched": None,
        **{name: v.source for name, v in VARIANTS.items()},
    }
    return grade_answers(tmp_path_factory.mktemp("ex1"), ASSIGNMENT, NOTEBOOK, ANSWER_ID, answers)


# --- fast checks of the variant files themselves ------------------------------------------------


def test_enough_variants() -> None:
    assert len(WRONG) >= 10 and len(RIGHT) >= 3, (WRONG, RIGHT)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_file_is_well_formed(name: str) -> None:
    variant = VARIANTS[name]
    assert variant.description.startswith("RIGHT:" if variant.right else "WRONG:"), variant.description
    assert variant.loses <= set(TEST_CELLS), variant.loses - set(TEST_CELLS)
    assert bool(variant.loses) is not variant.right
    tree = ast.parse(variant.source)
    assert "setup_logging" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_test_cells_open_with_a_docstring() -> None:
    assert TEST_CELLS and all(docstrings(ASSIGNMENT, NOTEBOOK, "ex1_").values())


# --- the real grader ------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_test_cell_is_graded(graded: Graded) -> None:
    assert set(graded.max) == set(TEST_CELLS)
    assert all(points > 0 for points in graded.max.values())


@pytest.mark.slow
def test_solution_gets_full_marks(graded: Graded) -> None:
    assert graded.lost("solution") == set(), graded.describe("solution")


@pytest.mark.slow
def test_untouched_release_scores_zero(graded: Graded) -> None:
    assert graded.total("untouched") == 0, graded.describe("untouched")
    assert graded.autograded("untouched").is_file()


@pytest.mark.slow
def test_the_run_finishes_cleanly(graded: Graded) -> None:
    assert graded.returncode == 0, graded.log[-3000:]
    assert set(graded.scores) == {"solution", "untouched", *VARIANTS}


@pytest.mark.slow
@pytest.mark.parametrize("name", RIGHT)
def test_right_answer_gets_full_marks(graded: Graded, name: str) -> None:
    assert graded.lost(name) == set(), graded.describe(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", WRONG)
def test_wrong_answer_loses_points_where_expected(graded: Graded, name: str) -> None:
    assert graded.total(name) < graded.full, graded.describe(name)
    assert graded.lost(name) == VARIANTS[name].loses, graded.describe(name)


@pytest.mark.slow
def test_feedback_says_observed_and_expected(graded: Graded) -> None:
    result = generate_feedback(graded.course, ASSIGNMENT, "--student=wrong_console_debug")
    assert result.returncode == 0, result.stdout + result.stderr
    html = feedback_html(graded.course, "wrong_console_debug", ASSIGNMENT, NOTEBOOK)
    assert "the console must not contain" in html
    assert "observed:" in html and "expected:" in html and "hint:" in html


@pytest.mark.slow
def test_validate_passes_on_the_solution(graded: Graded) -> None:
    out = validate(graded.course, Path("solutions") / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.slow
def test_validate_names_every_failed_check_on_the_release(graded: Graded) -> None:
    out = validate(graded.course, Path("notebooks") / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    assert f"VALIDATION FAILED ON {len(TEST_CELLS)} CELL(S)" in out, out[-3000:]
    for doc in docstrings(ASSIGNMENT, NOTEBOOK, "ex1_").values():
        assert doc[:60] in out, doc
    assert "observed: it raises NotImplementedError" in out
    assert "hint: replace `raise NotImplementedError()`" in out


@pytest.mark.slow
def test_validate_invert_on_the_release_finds_no_passing_check(graded: Graded) -> None:
    out = validate(graded.course, Path("notebooks") / ASSIGNMENT / f"{NOTEBOOK}.ipynb", "--invert")
    assert "Success! The notebook does not pass any tests." in out, out[-3000:]


@pytest.mark.slow
def test_validate_names_the_one_visible_check_a_wrong_answer_fails(graded: Graded) -> None:
    submitted = Path("grader") / "submitted" / "wrong_console_debug" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    out = validate(graded.course, submitted)
    assert "VALIDATION FAILED ON 1 CELL(S)" in out, out[-3000:]
    assert docstrings(ASSIGNMENT, NOTEBOOK, "ex1_")["ex1_console_levels"][:60] in out
    assert "observed: the line 'DEBUG train: debug message c1'" in out
