"""The gradebook helpers that need no nbgrader run: the SQLite guard, URLs safe to print."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from coursekit.classgrade.gradebook import describe_db, sqlite_path


def test_sqlite_guard_takes_the_write_lock_with_every_transaction(tmp_path: Path) -> None:
    """Guarded, even a read transaction holds the write lock: a check-then-insert cannot interleave."""
    code = textwrap.dedent(
        f"""
        import sqlite3
        from sqlalchemy import create_engine, text
        from coursekit.classgrade.gradebook import install_sqlite_guard
        install_sqlite_guard()
        engine = create_engine("sqlite:///{tmp_path / "g.db"}")
        with engine.begin() as conn:
            conn.execute(text("create table t (x integer)"))
        other = sqlite3.connect("{tmp_path / "g.db"}", timeout=0, isolation_level=None)
        with engine.connect() as conn:
            conn.execute(text("select count(*) from t")).fetchall()  # a read, inside a transaction
            try:
                other.execute("begin immediate")
                print("lock was free")
            except sqlite3.OperationalError as exc:
                print("locked:", exc)
        other.execute("begin immediate")  # free again once the transaction ended
        print("then free")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["locked: database is locked", "then free"], result.stderr


def test_gradebook_urls() -> None:
    assert describe_db("postgresql+psycopg://grader:s3cret@db.example:5432/gb") == (
        "postgresql+psycopg://grader:***@db.example:5432/gb"
    )
    assert describe_db("sqlite:////x/gradebook.db") == "sqlite:////x/gradebook.db"
    assert sqlite_path("sqlite:////x/gradebook.db") == Path("/x/gradebook.db")
    assert sqlite_path("postgresql://h/db") is None and sqlite_path("sqlite://") is None
