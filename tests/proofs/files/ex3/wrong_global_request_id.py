# WRONG: a Filter on 'inference' reads a module-level CURRENT_REQUEST_ID, which a concurrent request
# overwrites.
# loses: ex3_threads
import logging
import time
import uuid

MODEL_VERSION = "v5"
CURRENT_REQUEST_ID = "-"


class RequestContext(logging.Filter):
    def filter(self, record):
        record.request_id = CURRENT_REQUEST_ID
        record.model_version = MODEL_VERSION
        return True


logger = logging.getLogger("inference")
if not any(isinstance(f, RequestContext) for f in logger.filters):
    logger.addFilter(RequestContext())


def predict(features, request_id=None):
    global CURRENT_REQUEST_ID
    CURRENT_REQUEST_ID = request_id or uuid.uuid4().hex
    t0 = time.perf_counter()
    logger.info("start")
    score = sum(features.values())
    logger.info("end latency_ms=%.2f", (time.perf_counter() - t0) * 1000)
    return {"request_id": CURRENT_REQUEST_ID, "prediction": score}
