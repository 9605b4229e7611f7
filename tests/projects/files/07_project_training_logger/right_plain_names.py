# RIGHT: written with the plain names learners use at the top of their cells: `fields` for the
# RIGHT: standard record attributes, a module-level `logger`, and `result` and `records` in the answer.

# %% tl_formatter
import json
import logging
import random
import time
from dataclasses import asdict
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

fields = set(logging.LogRecord("x", logging.INFO, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in fields:
                out[name] = value
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


# %% tl_setup

logger = logging.getLogger("training")


class AddRunInfo(logging.Filter):
    def __init__(self, run_id, seed):
        super().__init__()
        self.run_id = run_id
        self.seed = seed

    def filter(self, record):
        record.run_id = self.run_id
        record.seed = self.seed
        return True


def setup_run_logging(log_dir, run_id, seed, *, max_bytes=1_000_000, backup_count=5):
    for old in logger.handlers[:]:
        logger.removeHandler(old)
        old.close()
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(Path(log_dir) / LOG_NAME, maxBytes=max_bytes, backupCount=backup_count)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(AddRunInfo(run_id, seed))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


# %% tl_train


def train(cfg, logger):
    rng = random.Random(cfg.seed)
    weight = rng.uniform(-1, 1)
    logger.info("starting", extra={"event": "run_start", "config": asdict(cfg)})
    mean_losses = []
    for epoch in range(1, cfg.epochs + 1):
        epoch_start = time.perf_counter()
        step_losses = []
        for step in range(1, cfg.steps_per_epoch + 1):
            t = time.perf_counter()
            x = [rng.gauss(0, 1) for _ in range(cfg.batch_size)]
            grad = sum(2 * (weight - 3) * xi * xi for xi in x) / len(x)
            loss = sum((weight - 3) ** 2 * xi * xi for xi in x) / len(x)
            weight -= cfg.lr * grad
            step_losses.append(loss)
            logger.debug(
                f"epoch {epoch} step {step} loss {loss:.4f}",
                extra={
                    "event": "step",
                    "epoch": epoch,
                    "step": step,
                    "loss": loss,
                    "lr": cfg.lr,
                    "step_time": time.perf_counter() - t,
                },
            )
        mean = sum(step_losses) / len(step_losses)
        mean_losses.append(mean)
        logger.info(
            f"epoch {epoch} done",
            extra={
                "event": "epoch_end",
                "epoch": epoch,
                "loss": mean,
                "lr": cfg.lr,
                "epoch_time": time.perf_counter() - epoch_start,
            },
        )
    logger.info("done", extra={"event": "run_end", "final_loss": mean_losses[-1]})
    return mean_losses


# %% tl_summary


def read_records(log_dir):
    folder = Path(log_dir)
    numbered = []
    for path in folder.glob(LOG_NAME + ".*"):
        number = path.name.rsplit(".", 1)[1]
        if number.isdigit():
            numbered.append((int(number), path))
    paths = [path for _, path in sorted(numbered, reverse=True)]
    if (folder / LOG_NAME).exists():
        paths.append(folder / LOG_NAME)
    records = []
    for path in paths:
        for line in path.read_text().splitlines():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                records.append(value)
    return records


def summarise_run(log_dir, run_id=None):
    records = read_records(log_dir)
    if run_id is None and records:
        run_id = records[-1].get("run_id")
    mine = [r for r in records if r.get("run_id") == run_id]
    if not mine:
        raise ValueError(f"no records for run {run_id!r} in {log_dir}")
    config = next(r["config"] for r in mine if r.get("event") == "run_start")
    epoch_times = {r["epoch"]: r["epoch_time"] for r in mine if r.get("event") == "epoch_end"}
    final = [r["final_loss"] for r in mine if r.get("event") == "run_end"]
    return {
        "run_id": run_id,
        "lr": config["lr"],
        "seed": mine[0]["seed"],
        "epoch_times": epoch_times,
        "final_loss": final[-1] if final else None,
    }


# %% tl_answer
result = summarise_run(PROD_LOGS)
records = read_records(PROD_LOGS)
print(len(records), "records in", PROD_LOGS)
answer_lr = result["lr"]
answer_seed = result["seed"]
answer_epoch3_seconds = result["epoch_times"][3]
print(f"lr={answer_lr} seed={answer_seed} epoch 3 took {answer_epoch3_seconds:.6f} s")
