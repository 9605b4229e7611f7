# RIGHT: one module-level current ID read by a Filter, safe because a threading.Lock lets only one call run
# at a time (calls are serialised, so they cannot mix up their IDs).
# loses: nothing
import logging
import threading
import time
import uuid

MODEL_VERSION = "v3"
log = logging.getLogger("inference")
lock = threading.Lock()
current_id = None


def add_ids(record):
    record.request_id = current_id
    record.model_version = MODEL_VERSION
    return True


if add_ids not in log.filters:
    log.addFilter(add_ids)


def predict(features, request_id=None):
    global current_id
    with lock:
        current_id = request_id if request_id is not None else uuid.uuid4().hex
        t0 = time.perf_counter()
        log.info("start")
        value = sum(features.values())
        log.info("end latency_ms=%.3f", (time.perf_counter() - t0) * 1000)
        return {"request_id": current_id, "prediction": value}
