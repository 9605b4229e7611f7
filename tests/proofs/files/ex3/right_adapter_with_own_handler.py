# RIGHT: a learner who also sets up a console handler at the top of the cell (logger, handler, log):
# one LoggerAdapter per call, the handler's format shows the request ID.
# loses: nothing
import logging
import sys
import time
import uuid

MODEL_VERSION = "v2.1"

logger = logging.getLogger("inference")
logger.setLevel(logging.INFO)
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(message)s"))
if not logger.handlers:
    logger.addHandler(handler)


def predict(features, request_id=None):
    request_id = request_id if request_id is not None else uuid.uuid4().hex[:12]
    log = logging.LoggerAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})
    start = time.time()
    log.info("got request")
    weights = {"age": 0.02, "income": 0.4}
    prediction = sum(weights.get(key, 1.0) * val for key, val in features.items())
    log.info("done, latency %.1f ms", (time.time() - start) * 1000)
    return {"request_id": request_id, "prediction": prediction}
