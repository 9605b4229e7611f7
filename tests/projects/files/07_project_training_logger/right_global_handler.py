# RIGHT: keeps the current run's `handler` in a global next to a module-level `logger` (setup
# RIGHT: closes whatever handlers the logger has), and answers computed straight from `records` and `lines`.

# %% tl_setup
import logging
import logging.handlers
import random
import time
from dataclasses import asdict
from pathlib import Path

logger = logging.getLogger("training")
handler = None


class RunFilter(logging.Filter):
    def __init__(self, run_id, seed):
        super().__init__()
        self.run_id, self.seed = run_id, seed

    def filter(self, record):
        record.run_id = self.run_id
        record.seed = self.seed
        return True


def setup_run_logging(log_dir, run_id, seed, *, max_bytes=1_000_000, backup_count=5):
    global handler
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    path = Path(log_dir) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RunFilter(run_id, seed))
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


# %% tl_train


def train(cfg, logger):
    rng = random.Random(cfg.seed)
    logger.info("config", extra={"event": "run_start", "config": asdict(cfg)})
    loss = 1.0 + rng.random()
    history = []
    for epoch in range(1, cfg.epochs + 1):
        start = time.perf_counter()
        losses = []
        for step in range(1, cfg.steps_per_epoch + 1):
            began = time.perf_counter()
            loss = loss * (1 - cfg.lr) + rng.uniform(0, 0.01)
            losses.append(loss)
            took = time.perf_counter() - began
            logger.debug(
                "step %d/%d loss=%.4f",
                step,
                cfg.steps_per_epoch,
                loss,
                extra=dict(event="step", epoch=epoch, step=step, loss=loss, lr=cfg.lr, step_time=took),
            )
        history.append(sum(losses) / len(losses))
        took = time.perf_counter() - start
        logger.info(
            "epoch %d loss=%.4f",
            epoch,
            history[-1],
            extra=dict(event="epoch_end", epoch=epoch, loss=history[-1], lr=cfg.lr, epoch_time=took),
        )
    logger.info("finished", extra=dict(event="run_end", final_loss=history[-1]))
    return history


# %% tl_answer
records = read_records(PROD_LOGS)
run_id = records[-1]["run_id"]
lines = [r for r in records if r.get("run_id") == run_id]
answer_lr = next(r["config"]["lr"] for r in lines if r.get("event") == "run_start")
answer_seed = lines[0]["seed"]
answer_epoch3_seconds = next(
    r["epoch_time"] for r in lines if r.get("event") == "epoch_end" and r["epoch"] == 3
)
print(f"lr={answer_lr} seed={answer_seed} epoch 3 took {answer_epoch3_seconds:.6f} s")
