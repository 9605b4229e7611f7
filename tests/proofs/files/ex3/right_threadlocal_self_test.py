# RIGHT: threading.local plus a Filter added (unguarded) at the top of the cell; the learner's own quick
# tests below it define check, fail, sandbox and an ex3_trial of their own.
# loses: nothing
import logging
import threading
import time
import uuid

MODEL_VERSION = "v1.0"
ctx = threading.local()
logger = logging.getLogger("inference")


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = getattr(ctx, "request_id", None)
        record.model_version = MODEL_VERSION
        return True


logger.addFilter(ContextFilter())


def predict(features, request_id=None):
    ctx.request_id = request_id or uuid.uuid4().hex
    start = time.perf_counter()
    logger.info("predict called")
    prediction = sum(float(x) for x in features.values()) / 2
    logger.info("predict finished in %.3fms", (time.perf_counter() - start) * 1000)
    return {"request_id": ctx.request_id, "prediction": prediction}


def fail(message):
    raise AssertionError(message)


def check(condition, message):
    if not condition:
        fail(message)


sandbox = {"age": 33, "income": 1.5}


def ex3_trial(n=4):
    """My own test: n requests at the same time, each must get its own ID back."""
    results = {}

    def worker(i):
        results[i] = predict(sandbox, f"trial-{i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, out in results.items():
        check(out["request_id"] == f"trial-{i}", f"request {i} got {out['request_id']}")
    return results


check(predict(sandbox, "abc")["request_id"] == "abc", "the given ID comes back")
ex3_trial()
