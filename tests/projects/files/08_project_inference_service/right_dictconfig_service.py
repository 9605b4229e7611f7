# RIGHT: setup_service_logging with logging.config.dictConfig (config and cfg, the stream resolved at call
# time with ext://sys.stderr); logs_for_request as a comprehension over a parse-or-None helper.

# %% is_logging
import copy
import json
import logging
import logging.config
from datetime import UTC, datetime

SKIP = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{k: v for k, v in vars(record).items() if k not in SKIP},
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


config = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonFormatter}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "loggers": {"inference": {"handlers": ["console"], "propagate": False}},
}


def setup_service_logging(level="INFO"):
    cfg = copy.deepcopy(config)
    cfg["loggers"]["inference"]["level"] = level
    logging.config.dictConfig(cfg)
    return logging.getLogger("inference")


# %% is_filter
import json


def parse_line(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def logs_for_request(lines, request_id):
    return [r for r in map(parse_line, lines) if r is not None and r.get("request_id") == request_id]
