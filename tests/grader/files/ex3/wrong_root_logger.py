# WRONG: logs through the root logger (logging.info), so nothing goes through 'inference'.
# loses: ex3_record_fields, ex3_start_end, ex3_two_calls, ex3_fresh_ids, ex3_threads
import logging
import time
import uuid

MODEL_VERSION = "v5"
logger = logging.getLogger("inference")


def predict(features, request_id=None):
    """Score one request; every record carries request_id and model_version. Returns a dict."""
    if request_id is None:
        request_id = uuid.uuid4().hex
    # One adapter per call: its extra dict belongs to this request only.
    log = logging.LoggerAdapter(
        logging.getLogger(), {"request_id": request_id, "model_version": MODEL_VERSION}
    )
    started = time.perf_counter()
    log.info("predict start: %d features", len(features))
    prediction = sum(0.5 * float(value) for value in features.values())
    latency_ms = (time.perf_counter() - started) * 1000
    log.info("predict end: prediction=%.4f latency_ms=%.3f", prediction, latency_ms)
    return {"request_id": request_id, "prediction": prediction}
