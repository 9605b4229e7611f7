"""Project 2 (inference service): the reference solution passes its autograded tests, wrong ones do not."""

from __future__ import annotations

import pytest
from project_proof import Edit, apply, grade, lost, solution_answers

ASSIGNMENT = "08_project_inference_service"

EDITS = {
    "shared_request_id": Edit(
        "one module-level adapter whose request_id each request overwrites: concurrent requests mix IDs",
        "is_context",
        "    request_id = request_id or uuid.uuid4().hex[:12]\n"
        "    return RequestAdapter(\n"
        '        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}\n'
        "    )\n",
        "    shared = globals().setdefault(\n"
        '        "_SHARED", RequestAdapter(logging.getLogger("inference"), {"model_version": "v"})\n'
        "    )\n"
        '    shared.extra["request_id"] = request_id or uuid.uuid4().hex[:12]\n'
        "    time.sleep(0)  # let another thread run, as a real service would\n"
        "    return shared\n",
        ("is_context_test",),
    ),
    "logs_raw_body": Edit(
        "the error record logs the raw request body, secrets included",
        "is_handler",
        '"payload": scrub(payload),\n            },',
        '"payload": raw if isinstance(raw, str) else raw.decode(errors="replace"),\n            },',
        ("is_errors_test",),
    ),
    "no_stage_timings": Edit(
        "the request_end record has the total time only, not the decode/predict/encode breakdown",
        "is_handler",
        'extra={"event": "request_end", "status": status, **timings, "total_ms": _ms(started)},',
        'extra={"event": "request_end", "status": status, "total_ms": _ms(started)},',
        ("is_latency_test",),
    ),
}


def test_edits_apply_to_the_solution() -> None:
    answers = solution_answers(ASSIGNMENT)
    assert {"is_logging", "is_context", "is_handler", "is_filter"} <= set(answers)
    for edit in EDITS.values():
        assert apply(answers, edit) != answers


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
