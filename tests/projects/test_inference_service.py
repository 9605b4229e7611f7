"""Project 2 (inference service): the reference solution passes its autograded tests, wrong ones do not."""

from __future__ import annotations

from project_proof import Edit, ProjectProof

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


class TestInferenceService(ProjectProof):
    ASSIGNMENT, NOTEBOOK = "08_project_inference_service", "inference_service"
    ANSWER_CELLS = frozenset({"is_logging", "is_context", "is_handler", "is_filter"})
    EDITS = EDITS
