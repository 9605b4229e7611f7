"""Known-wrong answers to exercise 4, written as edits of the solution's answer cell (``ex4_workers.py``).

Each entry is one realistic mistake: the student it is graded as, the mistake in one sentence, the
test cells it must lose points on (exactly those) and the ``(old, new)`` edits that turn the
instructor's answer into the wrong one (see :func:`grader_support.mutate`).
"""

from __future__ import annotations

from grader_support import Mutation

WRONG = (
    Mutation(
        "file_handler_in_worker",
        "each worker writes run.log itself with a FileHandler instead of sending its records to the queue.",
        loses=("ex4_console", "ex4_every_line", "ex4_worker_queue"),
        edits=(
            (
                "    to_queue = logging.handlers.QueueHandler(queue)\n",
                '    to_queue = logging.FileHandler("run.log", encoding="utf-8")\n',
            ),
        ),
    ),
    Mutation(
        "handlers_not_removed",
        "the QueueHandler is added next to the handlers the worker already had, which keep writing too.",
        loses=("ex4_worker_queue",),
        edits=(
            (
                (
                    "    for old in root.handlers[:]:  # what a forked worker inherited from its parent\n"
                    "        root.removeHandler(old)\n"
                ),
                "",
            ),
        ),
    ),
    Mutation(
        "root_level_not_set",
        "the worker's root level is left at its default, WARNING, so INFO and DEBUG records never leave the worker.",
        loses=("ex4_console", "ex4_every_line", "ex4_worker_queue"),
        edits=(("    root.setLevel(logging.DEBUG)\n", ""),),
    ),
    Mutation(
        "rank_filter_on_root_logger",
        "the rank filter goes on the root logger, which never sees records logged on other loggers: they have no rank.",
        loses=("ex4_console", "ex4_every_line", "ex4_worker_queue"),
        edits=(
            (
                "    to_queue.addFilter(stamp_rank)  # on the handler: it sees the records of every logger\n",
                "    root.addFilter(stamp_rank)\n",
            ),
        ),
    ),
    Mutation(
        "no_rank_in_format",
        "the format has no rank=%(rank)s, so no line says which worker wrote it.",
        loses=("ex4_every_line",),
        edits=(
            (
                '"%(asctime)s rank=%(rank)s %(levelname)s %(name)s: %(message)s"',
                '"%(asctime)s %(levelname)s %(name)s: %(message)s"',
            ),
        ),
    ),
    Mutation(
        "every_rank_on_console",
        "the console handler has no rank filter, so every rank's lines reach the console.",
        loses=("ex4_console",),
        edits=(('    to_console.addFilter(lambda record: getattr(record, "rank", None) == 0)\n', ""),),
    ),
    Mutation(
        "no_respect_handler_level",
        "the QueueListener is made without respect_handler_level=True, so DEBUG records reach the console.",
        loses=("ex4_console",),
        edits=((", respect_handler_level=True)", ")"),),
    ),
    Mutation(
        "file_handler_at_info",
        "the file handler's level is INFO, so the DEBUG records are missing from the file.",
        loses=("ex4_console",),
        edits=(("    to_file.setLevel(logging.DEBUG)\n", "    to_file.setLevel(logging.INFO)\n"),),
    ),
    Mutation(
        "listener_not_started",
        "start_listener returns the listener without starting it, so nothing is ever written.",
        loses=("ex4_console", "ex4_every_line", "ex4_stop"),
        edits=(("    listener.start()\n", ""),),
    ),
    Mutation(
        "listener_not_stopped",
        "stop_listener closes the handlers but never stops the listener: its thread runs on, and what is still queued is lost.",
        loses=("ex4_stop",),
        edits=(("    listener.stop()  # handles every record already queued, then ends the thread\n", ""),),
    ),
    Mutation(
        "handlers_not_closed",
        "stop_listener stops the listener but leaves its file open.",
        loses=("ex4_stop",),
        edits=(
            (
                "    for handler in listener.handlers:\n        handler.close()\n",
                "",
            ),
        ),
    ),
)
