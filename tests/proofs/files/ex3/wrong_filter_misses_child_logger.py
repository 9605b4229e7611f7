# WRONG: the filter is on 'inference' but the records are logged through 'inference.model'; a logger's
# filter never sees records of its children, so they arrive without request_id.
# loses: ex3_record_fields, ex3_two_calls, ex3_fresh_ids, ex3_threads
import contextvars
import logging
import time
import uuid

MODEL_VERSION = "v5"
request_id_var = contextvars.ContextVar("request_id", default=None)


class RequestFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        record.model_version = MODEL_VERSION
        return True


logging.getLogger("inference").addFilter(RequestFilter())
model_logger = logging.getLogger("inference.model")


def predict(features, request_id=None):
    request_id = request_id if request_id is not None else str(uuid.uuid4())
    request_id_var.set(request_id)
    t = time.perf_counter()
    model_logger.info("start")
    y = sum(2.0 * v for v in features.values())
    model_logger.info("done latency_ms=%.3f", 1000 * (time.perf_counter() - t))
    return {"request_id": request_id, "prediction": y}
