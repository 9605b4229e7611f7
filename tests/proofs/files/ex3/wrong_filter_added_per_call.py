# WRONG: each call adds a Filter stamping its own request_id to the shared 'inference' logger and removes
# it at the end; while two calls overlap both filters are on the logger, so one call's records get the
# other's ID.
# loses: ex3_threads
import logging
import time
import uuid

MODEL_VERSION = "v5"
logger = logging.getLogger("inference")


class RequestIdFilter(logging.Filter):
    def __init__(self, request_id):
        super().__init__()
        self.request_id = request_id

    def filter(self, record):
        record.request_id = self.request_id
        record.model_version = MODEL_VERSION
        return True


def predict(features, request_id=None):
    if request_id is None:
        request_id = uuid.uuid4().hex
    stamp = RequestIdFilter(request_id)
    logger.addFilter(stamp)
    try:
        start = time.perf_counter()
        logger.info("predict start")
        prediction = sum(features.values())
        logger.info("predict end latency_ms=%.3f", (time.perf_counter() - start) * 1000)
    finally:
        logger.removeFilter(stamp)
    return {"request_id": request_id, "prediction": prediction}
