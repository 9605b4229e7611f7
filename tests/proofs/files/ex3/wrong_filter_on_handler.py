# WRONG: the filter that adds request_id sits on the notebook's own StreamHandler, so other handlers of
# 'inference' (a file, a log shipper) get records without it.
# loses: ex3_record_fields, ex3_two_calls, ex3_fresh_ids, ex3_threads
import contextvars
import logging
import time
import uuid

MODEL_VERSION = "v5"
_request_id = contextvars.ContextVar("request_id", default="-")


class AddRequestId(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        record.model_version = MODEL_VERSION
        return True


logger = logging.getLogger("inference")
console = logging.StreamHandler()
console.addFilter(AddRequestId())
console.setFormatter(logging.Formatter("%(request_id)s %(model_version)s %(message)s"))


def predict(features, request_id=None):
    request_id = request_id or uuid.uuid4().hex
    _request_id.set(request_id)
    start = time.perf_counter()
    logger.info("predict start")
    value = sum(features.values()) / max(len(features), 1)
    logger.info("predict end in %.3f ms", (time.perf_counter() - start) * 1000)
    return {"request_id": request_id, "prediction": value}
