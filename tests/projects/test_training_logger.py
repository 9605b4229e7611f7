"""Project 1 (training-pipeline logger): the reference passes its autograded tests, wrong answers do not."""

from __future__ import annotations

import nbformat
from project_proof import Edit, ProjectProof, source_notebook

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


class TestTrainingLogger(ProjectProof):
    ASSIGNMENT, NOTEBOOK = "07_project_training_logger", "training_logger"
    ANSWER_CELLS = frozenset({"tl_formatter", "tl_setup", "tl_train", "tl_summary", "tl_answer"})
    EDITS = EDITS
    RERUN = "right_plain_names"

    def test_every_test_cell_opens_with_a_docstring(self) -> None:
        nb = nbformat.read(source_notebook(self.ASSIGNMENT), as_version=4)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(tests) >= 5
        for cell in tests:
            gid = cell.metadata["nbgrader"]["grade_id"]
            assert cell.source.startswith((f'"""{gid.removesuffix("_test")}: ', f'"""{gid}: '))
