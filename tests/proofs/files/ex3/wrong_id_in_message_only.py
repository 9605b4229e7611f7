# WRONG: the adapter writes the IDs into the message text only; the records have no request_id attribute,
# so a handler cannot format or filter by it.
# loses: ex3_record_fields, ex3_two_calls, ex3_fresh_ids, ex3_threads
import logging
import time
import uuid

MODEL_VERSION = "v5"


class PrefixAdapter(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        return f"[{self.extra['request_id']} {self.extra['model_version']}] {msg}", kwargs


def predict(features, request_id=None):
    request_id = request_id or uuid.uuid4().hex
    log = PrefixAdapter(
        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}
    )
    t0 = time.perf_counter()
    log.info("start")
    result = sum(features.values())
    log.info("end latency_ms=%.2f", (time.perf_counter() - t0) * 1000)
    return {"request_id": request_id, "prediction": result}
