# RIGHT: the learner's own validation helpers are called check and fail, with is_number and is_sensitive
# (names with the notebook's is_ prefix); a dict-based formatter and an adapter per request.

# %% is_logging
import json
import logging
import sys
import time

RESERVED = vars(logging.makeLogRecord({})).keys() | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in record.__dict__:
            if key not in RESERVED:
                out[key] = record.__dict__[key]
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def setup_service_logging(level="INFO"):
    log = logging.getLogger("inference")
    for old in log.handlers[:]:
        log.removeHandler(old)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(JsonFormatter())
    log.addHandler(console)
    log.setLevel(level)
    log.propagate = False
    return log


# %% is_handler
import json
import time


class RequestError(Exception):
    pass


def fail(message):
    raise RequestError(message)


def check(condition, message):
    if not condition:
        fail(message)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_sensitive(name):
    return any(word in name.lower() for word in SENSITIVE)


def scrubbed(value):
    if isinstance(value, dict):
        return {k: "***" if is_sensitive(str(k)) else scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(map(scrubbed, value))
    return value


def ms_since(t):
    return (time.perf_counter() - t) * 1000


def handle_request(raw, request_id=None):
    log = request_logger(request_id)
    request_id = log.extra["request_id"]
    begin = time.perf_counter()
    log.info("request in", extra={"event": "request_start"})
    data = None
    end = {"event": "request_end"}
    try:
        t = time.perf_counter()
        try:
            data = json.loads(raw)
        except ValueError:
            fail("the body is not JSON")
        check(isinstance(data, dict) and isinstance(data.get("features"), dict), "features must be an object")
        features = data["features"]
        missing = [k for k in WEIGHTS if k not in features]
        check(not missing, "missing features: " + ", ".join(missing))
        not_numbers = [k for k in WEIGHTS if not is_number(features[k])]
        check(not not_numbers, "features must be numbers: " + ", ".join(not_numbers))
        end["decode_ms"] = ms_since(t)
        t = time.perf_counter()
        prediction = BIAS + sum(WEIGHTS[k] * features[k] for k in WEIGHTS)
        end["predict_ms"] = ms_since(t)
        t = time.perf_counter()
        body = json.dumps(
            {"request_id": request_id, "model_version": MODEL_VERSION, "prediction": prediction}
        )
        end["encode_ms"] = ms_since(t)
        end["status"] = 200
    except RequestError as error:
        end["status"] = 400
        body = json.dumps({"request_id": request_id, "error": str(error)})
        log.warning(
            "request rejected",
            extra={
                "event": "request_error",
                "error_type": type(error).__name__,
                "error": str(error),
                "payload": scrubbed(data),
            },
        )
    end["total_ms"] = ms_since(begin)
    log.info("request out", extra=end)
    return end["status"], body


check(is_number(1.5) and not is_number(True), "is_number")
