# RIGHT: run_id written straight into the file format, a TimedRotatingFileHandler, the dictionary built in
# pieces.
# loses: nothing
import logging
import logging.config
import os


def setup_logging(log_file, run_id, console_level=None):
    level = console_level if console_level is not None else os.getenv("LOG_LEVEL", "INFO")
    os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)

    formatters = {
        "short": {"format": "%(levelname)-8s %(name)s | %(message)s"},
        # %% keeps a literal percent sign in a run id from being read as a format field.
        "long": {
            "format": "%(asctime)s " + run_id.replace("%", "%%") + " %(levelname)s %(name)s | %(message)s"
        },
    }
    handlers = {}
    handlers["console"] = {"class": "logging.StreamHandler", "level": level, "formatter": "short"}
    handlers["file"] = {
        "class": "logging.handlers.TimedRotatingFileHandler",
        "filename": log_file,
        "when": "midnight",
        "backupCount": 7,
        "level": logging.DEBUG,
        "formatter": "long",
    }
    config = {"version": 1, "disable_existing_loggers": False}
    config["formatters"] = formatters
    config["handlers"] = handlers
    config["root"] = {"level": logging.DEBUG, "handlers": list(handlers)}
    logging.config.dictConfig(config)
