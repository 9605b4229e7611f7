# RIGHT: defines the checks' own names for itself: check() and fail() to validate the log in
# RIGHT: summarise_run, a `sandbox` folder variable in the answer, and a prefixed TL_BUILTIN_ATTRS.

# %% tl_formatter
import json
import logging
import logging.handlers
import os
import re
from datetime import UTC, datetime
from pathlib import Path

TL_BUILTIN_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        when = datetime.fromtimestamp(record.created, tz=UTC)
        data = {
            "ts": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update((k, v) for k, v in vars(record).items() if k not in TL_BUILTIN_ATTRS)
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


# %% tl_setup


def setup_run_logging(log_dir, run_id, seed, *, max_bytes=1_000_000, backup_count=5):
    log = logging.getLogger("training")
    while log.handlers:
        previous = log.handlers[0]
        log.removeHandler(previous)
        previous.close()
    os.makedirs(log_dir, exist_ok=True)
    file_handler = logging.handlers.RotatingFileHandler(
        os.path.join(log_dir, LOG_NAME), maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
    )
    file_handler.setFormatter(JsonFormatter())

    def stamp(record):
        record.run_id = run_id
        record.seed = seed
        return True

    file_handler.addFilter(stamp)
    log.addHandler(file_handler)
    log.setLevel("DEBUG")
    log.propagate = False
    return log


# %% tl_summary


def fail(message):
    raise ValueError(message)


def check(condition, message):
    if not condition:
        fail(message)


def read_records(log_dir):
    def age(path):
        match = re.fullmatch(re.escape(LOG_NAME) + r"\.(\d+)", path.name)
        return int(match[1]) if match else 0

    paths = [p for p in Path(log_dir).glob(LOG_NAME + "*") if p.name == LOG_NAME or age(p)]
    result = []
    for path in sorted(paths, key=age, reverse=True):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    result.append(record)
    return result


def summarise_run(log_dir, run_id=None):
    records = read_records(log_dir)
    check(records, f"{log_dir} has no JSON log records")
    wanted = records[-1].get("run_id") if run_id is None else run_id
    run = [r for r in records if r.get("run_id") == wanted]
    check(run, f"no record of run {wanted!r} in {log_dir}")
    starts = [r for r in run if r.get("event") == "run_start"]
    check(starts, f"the run_start record of {wanted!r} is missing")
    summary = {
        "run_id": wanted,
        "lr": starts[0]["config"]["lr"],
        "seed": starts[0]["seed"],
        "epoch_times": {},
    }
    for r in run:
        if r.get("event") == "epoch_end":
            summary["epoch_times"][r["epoch"]] = r["epoch_time"]
        elif r.get("event") == "run_end":
            summary["final_loss"] = r["final_loss"]
    summary.setdefault("final_loss", None)
    return summary


# %% tl_answer
sandbox = PROD_LOGS  # the folder the production run wrote
summary = summarise_run(sandbox)
answer_lr = summary["lr"]
answer_seed = summary["seed"]
answer_epoch3_seconds = summary["epoch_times"][3]
print(f"lr={answer_lr} seed={answer_seed} epoch 3 took {answer_epoch3_seconds:.6f} s")
