# RIGHT: request_logger as the statement asks, but handle_request serialises requests with a
# threading.Lock of its own (one request at a time), and formats the JSON with json.dumps(..., default=repr).

# %% is_context
import logging
import secrets


class RequestAdapter(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        kwargs["extra"] = {**kwargs.get("extra", {}), **self.extra}
        return msg, kwargs


def request_logger(request_id=None):
    request_id = request_id if request_id is not None else secrets.token_hex(8)
    return RequestAdapter(
        logging.getLogger("inference"), {"request_id": request_id, "model_version": MODEL_VERSION}
    )


# %% is_handler
import json
import threading
import time

lock = threading.Lock()


class BadRequest(Exception):
    pass


def clean(obj):
    if isinstance(obj, dict):
        return {
            k: ("***" if any(s in str(k).lower() for s in SENSITIVE) else clean(v)) for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [clean(v) for v in obj]
    return obj


def handle_request(raw, request_id=None):
    with lock:
        log = request_logger(request_id)
        rid = log.extra["request_id"]
        start = time.perf_counter()
        log.info("request_start", extra={"event": "request_start"})
        stages = {}
        payload = None
        try:
            t = time.perf_counter()
            try:
                payload = json.loads(raw)
            except ValueError as exc:
                raise BadRequest("invalid JSON") from exc
            features = payload.get("features") if isinstance(payload, dict) else None
            if not isinstance(features, dict):
                raise BadRequest("features must be an object")
            missing = sorted(k for k in WEIGHTS if k not in features)
            if missing:
                raise BadRequest(f"missing features: {', '.join(missing)}")
            wrong = sorted(
                k
                for k in WEIGHTS
                if isinstance(features[k], bool) or not isinstance(features[k], (int, float))
            )
            if wrong:
                raise BadRequest(f"features must be numbers: {', '.join(wrong)}")
            stages["decode_ms"] = (time.perf_counter() - t) * 1e3
            t = time.perf_counter()
            y = BIAS + sum(w * features[k] for k, w in WEIGHTS.items())
            stages["predict_ms"] = (time.perf_counter() - t) * 1e3
            t = time.perf_counter()
            body = json.dumps({"request_id": rid, "model_version": MODEL_VERSION, "prediction": y})
            stages["encode_ms"] = (time.perf_counter() - t) * 1e3
            status = 200
        except BadRequest as exc:
            status = 400
            body = json.dumps({"request_id": rid, "error": str(exc)})
            log.warning(
                "request_error",
                extra={
                    "event": "request_error",
                    "error_type": type(exc).__name__,
                    "error": str(exc),
                    "payload": clean(payload),
                },
            )
        stages["total_ms"] = (time.perf_counter() - start) * 1e3
        log.info("request_end", extra={"event": "request_end", "status": status, **stages})
        return status, body
