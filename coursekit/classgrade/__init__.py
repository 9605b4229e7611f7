"""Grade a whole class with nbgrader's own autograde: in parallel, resumable, isolated, with progress.

``coursekit grade [ASSIGNMENT ...]`` is the instructor's command.  A run loads the course, plans
what to grade (skipping what the ledger says is graded: same content, same instructor version,
still in the gradebook), hands the rest to an executor's workers, settles and records each result
as it arrives, and reports.  The modules, and what each owns:

* :mod:`.model` -- the typed core every other module uses: :class:`~.model.Status` (a ``str``
  enum: graded, timed_out, failed, skipped, lost), the frozen :class:`~.model.Task` (what to
  grade), :class:`~.model.WorkerResult` (what a worker answers; JSON on the worker's pipe and from
  a Dask task) and :class:`~.model.Outcome` (one submission's result in this run).
* :mod:`.errors` -- the errors: :class:`~.errors.GradeError` (the run cannot start; exit status 2),
  :class:`~.errors.GradebookError`, :class:`~.errors.WorkerLost`.
* :mod:`.command` -- the ``coursekit grade`` command line and its logging.
* :mod:`.run` -- the coordinator: wires the rest (course, plan, executor, results, report), holds
  the run lock, and :class:`~.run.Settler` decides what a result means (retry a lost worker or a
  busy machine, or record the outcome).
* :mod:`.course` -- the course's nbgrader configuration, the submissions handed in, their files
  (content hash, autograded notebooks, time budget).
* :mod:`.planning` -- :func:`~.planning.plan`, a pure function: which submissions to grade and
  which to skip, from the ledger, the gradebook's graded pairs and ``--force`` / ``--retry-failed``.
* :mod:`.ledger` -- the append-only record that makes a rerun grade only what is new or changed.
* :mod:`.gradebook` -- SQLite made safe for parallel writers (``BEGIN IMMEDIATE``, long busy
  timeout, WAL while grading); set-up and read-back for any SQLAlchemy URL (PostgreSQL included).
* :mod:`.executors` -- where the grading runs, behind the :class:`~.executors.base.Executor`
  protocol: :mod:`.executors.local` (``--jobs`` worker processes on this machine) and
  :mod:`.executors.dask_cluster` (the workers of a Dask cluster, ``--scheduler``; their grading
  processes kept by a Dask worker plugin).
* :mod:`.pool` -- the executors' handle on a worker process: JSON lines over pipes, a time budget
  per submission, death detection.
* :mod:`.worker` -- a long-lived process that imports nbgrader once and runs
  ``nbgrader autograde A --student S --force`` in-process for one submission at a time (nbgrader
  starts a fresh kernel, its own process, for every notebook).  Only configuration is added: the
  kernel limits, immediate kernel shutdown, and the cell timeout / gradebook URL when given.
* :mod:`.kernel_limits` -- an IPython extension loaded in each kernel: memory cap (``RLIMIT_AS``)
  and output cap.
* :mod:`.kernel_sandbox` -- each kernel started inside bubblewrap (``bwrap``): read-only file system
  but for the submission's folder, no solutions/, grader/ or nbgrader_config.py, no network, its own
  PID namespace; ``--no-sandbox`` turns it off.  It also composes the ``Execute`` that nbgrader runs.
* :mod:`.integrity` -- checks a submission cannot quietly disarm: each kernel fingerprinted (by
  :mod:`.integrity_probe`, run inside it) before the first cell and after each one; what changed
  flags the submission for review (autograded notebook, ledger, summary, feedback), its score stands.
* :mod:`.progress` -- the progress line on stderr.
* :mod:`.report` -- the run's report: :class:`~.report.RunReport`, the summary table, the class
  averages, ``last-run.json``.

Nothing here imports nbgrader at import time, nor Dask unless ``--scheduler`` is given; the command
line stays fast.
"""
