"""Known-wrong answers to exercise 3, written as edits of the solution's answer cell (``predict``).

Each entry is one realistic mistake: the student it is graded as, the mistake in one sentence, the
test cells it must lose points on (exactly those) and the ``(old, new)`` edits that turn the
instructor's answer into the wrong one (see :func:`grader_support.mutate`).  Wrong answers that are
a different design rather than an edit are whole files in ``files/ex3/``.
"""

from __future__ import annotations

from grader_support import Mutation

# Records without request_id (or with the wrong one) fail every test cell that reads the fields.
EVERY_CELL_THAT_READS_THE_FIELDS = ("ex3_fresh_ids", "ex3_record_fields", "ex3_threads", "ex3_two_calls")

WRONG = (
    Mutation(
        "extra_on_start_only",
        "request_id and model_version are passed with extra= on the start record only; the end record has neither.",
        loses=EVERY_CELL_THAT_READS_THE_FIELDS,
        edits=(
            (
                (
                    "    # One adapter per call: its extra dict belongs to this request only.\n"
                    '    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})\n'
                ),
                "",
            ),
            (
                '    log.info("predict start: %d features", len(features))\n',
                (
                    "    logger.info(\n"
                    '        "predict start: %d features",\n'
                    "        len(features),\n"
                    '        extra={"request_id": request_id, "model_version": MODEL_VERSION},\n'
                    "    )\n"
                ),
            ),
            (
                '    log.info("predict end: prediction=%.4f latency_ms=%.3f", prediction, latency_ms)\n',
                '    logger.info("predict end: prediction=%.4f latency_ms=%.3f", prediction, latency_ms)\n',
            ),
        ),
    ),
    Mutation(
        "fixed_adapter_id",
        "a module-level adapter built once with a fixed request_id, so every call logs the same ID.",
        loses=EVERY_CELL_THAT_READS_THE_FIELDS,
        edits=(
            (
                'logger = logging.getLogger("inference")\n',
                (
                    'logger = logging.getLogger("inference")\n'
                    'log = logging.LoggerAdapter(logger, {"request_id": "abc123", "model_version": MODEL_VERSION})\n'
                ),
            ),
            (
                (
                    "    # One adapter per call: its extra dict belongs to this request only.\n"
                    '    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})\n'
                ),
                "",
            ),
        ),
    ),
    Mutation(
        "latency_in_seconds",
        "the end record gives the latency in seconds, not milliseconds.",
        loses=("ex3_start_end",),
        edits=(
            (
                (
                    "    latency_ms = (time.perf_counter() - started) * 1000\n"
                    '    log.info("predict end: prediction=%.4f latency_ms=%.3f", prediction, latency_ms)\n'
                ),
                (
                    "    latency = time.perf_counter() - started\n"
                    '    log.info("predict end: prediction=%.4f latency=%.6fs", prediction, latency)\n'
                ),
            ),
        ),
    ),
    Mutation(
        "no_latency",
        "the end record says its unit (ms) but gives no latency: no number of milliseconds anywhere in it.",
        loses=("ex3_start_end",),
        edits=(
            (
                (
                    "    latency_ms = (time.perf_counter() - started) * 1000\n"
                    '    log.info("predict end: prediction=%.4f latency_ms=%.3f", prediction, latency_ms)\n'
                ),
                '    log.info("predict end: prediction=%.4f, latency in ms", prediction)\n',
            ),
        ),
    ),
    Mutation(
        "no_model_version",
        "the adapter carries request_id but not model_version.",
        loses=("ex3_fresh_ids", "ex3_record_fields", "ex3_two_calls"),
        edits=(
            (
                '    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})\n',
                '    log = logging.LoggerAdapter(logger, {"request_id": request_id})\n',
            ),
        ),
    ),
    Mutation(
        "none_request_id",
        "no ID is made up when request_id is None, so such requests cannot be told apart.",
        loses=("ex3_fresh_ids",),
        edits=(
            (
                "import uuid\n",
                "",
            ),
            (
                ("    if request_id is None:\n        request_id = uuid.uuid4().hex\n"),
                "",
            ),
        ),
    ),
    Mutation(
        "root_logger",
        "logs through the root logger (logging.info), so nothing goes through 'inference'.",
        loses=("ex3_fresh_ids", "ex3_record_fields", "ex3_start_end", "ex3_threads", "ex3_two_calls"),
        edits=(
            (
                '    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})\n',
                (
                    "    log = logging.LoggerAdapter(\n"
                    '        logging.getLogger(), {"request_id": request_id, "model_version": MODEL_VERSION}\n'
                    "    )\n"
                ),
            ),
        ),
    ),
    Mutation(
        "shared_adapter",
        "one adapter shared by all requests, its request_id overwritten per call: concurrent requests steal each other's ID.",
        loses=("ex3_threads",),
        edits=(
            (
                'logger = logging.getLogger("inference")\n',
                (
                    'logger = logging.getLogger("inference")\n'
                    'log = logging.LoggerAdapter(logger, {"request_id": None, "model_version": MODEL_VERSION})\n'
                ),
            ),
            (
                (
                    "    # One adapter per call: its extra dict belongs to this request only.\n"
                    '    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})\n'
                ),
                '    log.extra["request_id"] = request_id\n',
            ),
        ),
    ),
    Mutation(
        "single_record",
        "only one record per call, so there is no start/end pair to time a request by.",
        loses=("ex3_start_end",),
        edits=(
            (
                '    log.info("predict start: %d features", len(features))\n',
                "",
            ),
        ),
    ),
    Mutation(
        "time_based_id",
        "the ID is the current second, so two calls within the same second get the same ID.",
        loses=("ex3_fresh_ids",),
        edits=(
            (
                "import uuid\n",
                "",
            ),
            (
                "        request_id = uuid.uuid4().hex\n",
                '        request_id = f"req-{int(time.time())}"\n',
            ),
        ),
    ),
    Mutation(
        "uuid_default_argument",
        "the fresh ID is the default argument, computed once when the function is defined: every call without an ID shares it.",
        loses=("ex3_fresh_ids",),
        edits=(
            (
                "def predict(features, request_id=None):\n",
                "def predict(features, request_id=uuid.uuid4().hex):\n",
            ),
            (
                ("    if request_id is None:\n        request_id = uuid.uuid4().hex\n"),
                "",
            ),
        ),
    ),
    Mutation(
        "prediction_as_text",
        "the prediction is formatted for the log line and returned as a string, so callers get '1.2500' instead of a number.",
        loses=("ex3_result",),
        edits=(
            (
                '    return {"request_id": request_id, "prediction": prediction}\n',
                '    return {"request_id": request_id, "prediction": f"{prediction:.4f}"}\n',
            ),
        ),
    ),
)
