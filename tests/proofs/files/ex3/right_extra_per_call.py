# RIGHT: plain module-level names (name, logger, records, result): the IDs go in an extra= dict built on
# each call, and a demo call at the end of the cell.
# loses: nothing
import logging
import time
import uuid

MODEL_VERSION = "model-2024-05"
name = "inference"
logger = logging.getLogger(name)
records = []  # every request served so far


def predict(features, request_id=None):
    if not request_id:
        request_id = str(uuid.uuid4())
    fields = {"request_id": request_id, "model_version": MODEL_VERSION}
    t_start = time.perf_counter()
    logger.info("start, features=%s", sorted(features), extra=fields)
    prediction = 0.0
    for value in features.values():
        prediction += value
    elapsed = (time.perf_counter() - t_start) * 1000
    logger.info(f"end, took {elapsed:.2f} ms", extra=fields)
    result = {"request_id": request_id, "prediction": prediction}
    records.append(result)
    return result


result = predict({"age": 30, "income": 2.5}, request_id="demo-1")
print(result)
