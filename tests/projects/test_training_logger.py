"""Project 1 (training-pipeline logger): the reference passes its autograded tests, wrong answers do not."""

from __future__ import annotations

import pytest
from project_proof import Edit, apply, grade, lost, solution_answers, source_notebook

ASSIGNMENT = "07_project_training_logger"

EDITS = {
    "formatter_drops_extras": Edit(
        "the JSON formatter writes only the standard fields: extra= values are lost",
        "tl_formatter",
        "        for key, value in vars(record).items():\n"
        '            if key not in _STANDARD_ATTRS and not key.startswith("_"):\n'
        "                payload[key] = value\n",
        "",
        ("tl_formatter_test", "tl_setup_test", "tl_train_test", "tl_summary_test", "tl_answer_test"),
    ),
    "handlers_pile_up": Edit(
        "setup_run_logging adds a handler on every call instead of replacing it",
        "tl_setup",
        "    for handler in list(logger.handlers):",
        "    for handler in []:",
        ("tl_setup_test", "tl_summary_test"),  # two handlers rotating one file lose records
    ),
    "reader_ignores_backups": Edit(
        "read_records reads train.jsonl only, not its rotated backups",
        "tl_summary",
        "    for path in [*backups, base]:",
        "    for path in [base]:",
        ("tl_summary_test", "tl_answer_test"),
    ),
}


def test_edits_apply_to_the_solution() -> None:
    answers = solution_answers(ASSIGNMENT)
    assert {"tl_formatter", "tl_setup", "tl_train", "tl_summary", "tl_answer"} <= set(answers)
    for edit in EDITS.values():
        assert apply(answers, edit) != answers


def test_every_test_cell_opens_with_a_docstring() -> None:
    import nbformat

    nb = nbformat.read(source_notebook(ASSIGNMENT), as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) >= 5
    for cell in tests:
        gid = cell.metadata["nbgrader"]["grade_id"]
        assert cell.source.startswith((f'"""{gid.removesuffix("_test")}: ', f'"""{gid}: '))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade(tmp_path_factory, ASSIGNMENT, EDITS)


@pytest.mark.slow
def test_autograde_runs(graded: dict) -> None:
    assert graded["result"].returncode == 0, graded["result"].stdout + graded["result"].stderr
    assert set(graded["scores"]) == {"reference", "untouched", *EDITS}


@pytest.mark.slow
def test_reference_solution_gets_full_marks(graded: dict) -> None:
    assert lost(graded, "reference") == {}


@pytest.mark.slow
def test_untouched_release_scores_zero(graded: dict) -> None:
    assert sum(graded["scores"]["untouched"].values()) == 0


@pytest.mark.slow
@pytest.mark.parametrize("student", list(EDITS))
def test_wrong_variant_loses_points_where_expected(graded: dict, student: str) -> None:
    edit = EDITS[student]
    assert set(lost(graded, student)) == set(edit.loses), edit.mistake
