# RIGHT: written top to bottom with plain module-level names (logger, handler, fields, log, lines, records,
# result): the handler is swapped on each set-up, the adapter merges extra= itself, a demo at each cell's end.

# %% is_logging
import json
import logging
import sys
from datetime import UTC, datetime

logger = logging.getLogger("inference")
fields = set(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in fields})
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def setup_service_logging(level="INFO"):
    logger.handlers.clear()
    handler = logging.StreamHandler()  # sys.stderr as it is right now
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


handler = setup_service_logging().handlers[0]
print(type(handler).__name__, handler.stream is sys.stderr)

# %% is_context
import logging
import uuid


class ContextAdapter(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        extra = dict(self.extra)
        extra.update(kwargs.get("extra") or {})
        kwargs["extra"] = extra
        return msg, kwargs


def request_logger(request_id=None):
    if request_id is None:
        request_id = str(uuid.uuid4())
    return ContextAdapter(logger, {"request_id": request_id, "model_version": MODEL_VERSION})


log = request_logger("demo")
log.info("hello", extra={"event": "demo"})

# %% is_handler
import json
import time


def hide_secrets(data):
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if any(word in key.lower() for word in SENSITIVE):
                out[key] = "***"
            else:
                out[key] = hide_secrets(value)
        return out
    if isinstance(data, list):
        return [hide_secrets(x) for x in data]
    return data


def handle_request(raw, request_id=None):
    log = request_logger(request_id)
    rid = log.extra["request_id"]
    t0 = time.perf_counter()
    log.info("start", extra={"event": "request_start"})
    timings = {}
    payload = None
    try:
        t = time.perf_counter()
        try:
            payload = json.loads(raw)
        except ValueError:
            raise ValueError("the body is not valid JSON") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("features"), dict):
            raise ValueError("features must be an object")
        features = payload["features"]
        missing = [name for name in WEIGHTS if name not in features]
        if missing:
            raise ValueError("missing features: " + ", ".join(missing))
        bad = [n for n in WEIGHTS if type(features[n]) not in (int, float)]
        if bad:
            raise ValueError("features must be numbers: " + ", ".join(bad))
        timings["decode_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        prediction = BIAS
        for name, weight in WEIGHTS.items():
            prediction += weight * features[name]
        timings["predict_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        result = json.dumps({"request_id": rid, "model_version": MODEL_VERSION, "prediction": prediction})
        timings["encode_ms"] = (time.perf_counter() - t) * 1000
        status = 200
    except ValueError as err:
        status = 400
        result = json.dumps({"request_id": rid, "error": str(err)})
        log.warning(
            "bad request",
            extra={
                "event": "request_error",
                "error_type": type(err).__name__,
                "error": str(err),
                "payload": hide_secrets(payload),
            },
        )
    timings["total_ms"] = (time.perf_counter() - t0) * 1000
    log.info("end", extra={"event": "request_end", "status": status, **timings})
    return status, result


result = handle_request('{"features": {"age": 1, "income": 2, "tenure": 3}}', "demo-2")
print(result)

# %% is_filter
import json


def logs_for_request(lines, request_id):
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if type(record) is dict and record.get("request_id") == request_id:
            records.append(record)
    return records


lines = ['{"request_id": "a", "message": "x"}', "not json", '{"request_id": "b"}', "[]"]
records = logs_for_request(lines, "a")
print(records)
