"""The Dask executor's worker plugin, without a cluster: what it ships, what its teardown stops."""

from __future__ import annotations

import asyncio
import pickle
import threading
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import WorkerPlugin  # noqa: E402

from coursekit.classgrade.executors.dask_cluster import GradingPlugin  # noqa: E402


def test_the_plugin_ships_its_configuration_only(tmp_path: Path) -> None:
    plugin = GradingPlugin(str(tmp_path), {"log_dir": str(tmp_path / "logs")})
    assert isinstance(plugin, WorkerPlugin)
    plugin.process()
    shipped = pickle.loads(pickle.dumps(plugin))  # the lock and the processes stay behind
    assert (shipped.course_root, shipped.options) == (plugin.course_root, plugin.options)
    assert shipped.process() is not plugin.process()


def test_one_process_per_thread_until_teardown_stops_them(tmp_path: Path) -> None:
    plugin = GradingPlugin(str(tmp_path), {"log_dir": str(tmp_path / "logs")})
    mine = plugin.process()
    assert (
        plugin.process() is mine and mine.log_path is not None and mine.log_path.parent == tmp_path / "logs"
    )
    others = []
    thread = threading.Thread(target=lambda: others.append(plugin.process()))
    thread.start()
    thread.join()
    assert others[0] is not mine
    stopped = []
    for process in (mine, others[0]):
        process.stop = lambda p=process: stopped.append(p)  # type: ignore[method-assign]
    asyncio.run(plugin.teardown(worker=None))  # type: ignore[arg-type]
    assert stopped == [mine, others[0]]
    assert plugin.process() is not mine  # a later task starts a fresh one
