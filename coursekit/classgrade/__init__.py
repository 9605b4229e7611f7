"""Grade a whole class with nbgrader's own autograde: in parallel, resumable, isolated, with progress.

``coursekit grade [ASSIGNMENT ...]`` is the instructor's command (:mod:`.command`).  How it works:

* :mod:`.run` -- the coordinator.  It reads the course's nbgrader configuration, finds the submissions
  under ``grader/submitted/``, skips those the ledger says are graded (same content, same
  instructor version, still in the gradebook), creates the missing students in the gradebook, then
  hands the rest to ``--jobs`` workers and records each result in the ledger as it arrives.  It
  draws the progress line (:mod:`.progress`) and prints the summary table.
* :mod:`.worker` -- a long-lived process that imports nbgrader once and runs
  ``nbgrader autograde A --student S --force`` in-process for one submission at a time (nbgrader
  starts a fresh kernel, its own process, for every notebook).  Only configuration is added: the
  kernel limits, immediate kernel shutdown, and the cell timeout / gradebook URL when given.
* :mod:`.kernel_limits` -- an IPython extension loaded in each kernel: memory cap (``RLIMIT_AS``)
  and output cap.
* :mod:`.pool` -- the coordinator's handle on a worker process: JSON lines over pipes, a time budget
  per submission, death detection.
* :mod:`.ledger` -- the append-only record that makes a rerun grade only what is new or changed.
* :mod:`.gradebook` -- SQLite made safe for parallel writers (``BEGIN IMMEDIATE``, long busy
  timeout, WAL while grading); set-up and read-back for any SQLAlchemy URL (PostgreSQL included).
* :mod:`.dask_backend` -- the same workers on a Dask cluster (``--scheduler``).

Nothing here imports nbgrader at import time; the command line stays fast.
"""
