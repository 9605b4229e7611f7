# RIGHT: a LoggerAdapter subclass that merges its IDs with any extra= of the call, around the child logger
# 'inference.model'.
# loses: nothing
import logging
import time
import uuid

MODEL_VERSION = "resnet-v3"


class RequestAdapter(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        kwargs["extra"] = {**kwargs.get("extra", {}), **self.extra}
        return msg, kwargs


def predict(features, request_id=None):
    rid = str(uuid.uuid4()) if request_id is None else request_id
    log = RequestAdapter(
        logging.getLogger("inference.model"), {"request_id": rid, "model_version": MODEL_VERSION}
    )
    start_ns = time.perf_counter_ns()
    log.info("start", extra={"n_features": len(features)})
    total = 0.0
    for value in features.values():
        total += 0.25 * value
    log.info("end latency=%.3fms", (time.perf_counter_ns() - start_ns) / 1e6)
    return {"prediction": total, "request_id": rid}
