# BROKEN: loads model weights from a file that does not exist when the cell runs, so it raises
# FileNotFoundError before predict is defined.
import json
import logging
import time
import uuid

MODEL_VERSION = "v5"
with open("model/weights.json") as fh:
    WEIGHTS = json.load(fh)


def predict(features, request_id=None):
    request_id = request_id or uuid.uuid4().hex
    log = logging.LoggerAdapter(
        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}
    )
    t0 = time.perf_counter()
    log.info("start")
    y = sum(WEIGHTS.get(k, 0.0) * v for k, v in features.items())
    log.info("end latency_ms=%.3f", (time.perf_counter() - t0) * 1000)
    return {"request_id": request_id, "prediction": y}
