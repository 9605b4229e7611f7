"""Where submissions are graded: behind one :class:`~.base.Executor` protocol.

* :mod:`.base` -- the :class:`~.base.Executor` protocol and the queue executors answer on;
* :mod:`.local` -- :class:`~.local.LocalExecutor`: ``--jobs`` grading worker processes on this machine;
* :mod:`.dask_cluster` -- :class:`~.dask_cluster.DaskExecutor`: the workers of a Dask cluster
  (``--scheduler``), each Dask worker keeping its grading processes in a
  :class:`~.dask_cluster.GradingPlugin`.  It imports Dask ``distributed``, an optional dependency:
  import it only when a scheduler is given.
"""

from __future__ import annotations

from coursekit.classgrade.executors.base import Executor, Results, WorkerOptions

__all__ = ["Executor", "Results", "WorkerOptions"]
