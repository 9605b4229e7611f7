"""Project 2 (inference service): the reference solution passes its autograded tests, wrong ones do not."""

from __future__ import annotations

from grader_support import SchedulingProof
from project_proof import Edit, ProjectProof

EDITS = {
    "shared_request_id": Edit(
        "one module-level adapter whose request_id each request overwrites: concurrent requests mix IDs",
        "is_context",
        "    request_id = request_id or uuid.uuid4().hex[:12]\n"
        "    return RequestAdapter(\n"
        '        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}\n'
        "    )\n",
        '    shared = globals().setdefault("_SHARED", RequestAdapter(logging.getLogger("inference"), {}))\n'
        '    shared.extra["model_version"] = MODEL_VERSION\n'
        '    shared.extra["request_id"] = request_id or uuid.uuid4().hex[:12]\n'
        "    return shared\n",
        ("is_context_test",),
    ),
    "shared_context_dict": Edit(
        "a new adapter per request, but all of them share one module-level dict of IDs: concurrent requests "
        "mix IDs",
        "is_context",
        "    return RequestAdapter(\n"
        '        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}\n'
        "    )\n",
        '    context = globals().setdefault("_CONTEXT", {"model_version": MODEL_VERSION})\n'
        '    context["request_id"] = request_id\n'
        '    return RequestAdapter(logging.getLogger("inference"), context)\n',
        ("is_context_test",),
    ),
    "logs_raw_body": Edit(
        "the error record logs the raw request body, secrets included",
        "is_handler",
        '"payload": scrub(payload),\n            },',
        '"payload": raw if isinstance(raw, str) else raw.decode(errors="replace"),\n            },',
        ("is_errors_test",),
    ),
    "rejected_at_error": Edit(
        "a rejected request (the client's 400) is logged at ERROR, as if the service had failed",
        "is_handler",
        '        log.warning(\n            "request rejected",',
        '        log.error(\n            "request rejected",',
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


class TestInferenceService(SchedulingProof, ProjectProof):
    ASSIGNMENT, NOTEBOOK = "08_project_inference_service", "inference_service"
    ANSWER_CELLS = frozenset({"is_logging", "is_context", "is_handler", "is_filter"})
    EDITS = EDITS
    REPEATED = ("shared_request_id", "shared_context_dict", "solution", "right_lock_per_request")
    RERUN = "right_plain_names"
