"""The ledger: the latest entry of each submission, per gradebook, robust to a torn line; content hashes."""

from __future__ import annotations

from pathlib import Path

from coursekit.classgrade.ledger import Entry, Ledger, content_hash
from coursekit.classgrade.model import Status


def _entry(student: str, status: Status = Status.GRADED, hash_: str = "h1", **kw) -> Entry:
    return Entry(db="sqlite:///g.db", assignment="a", student=student, hash=hash_, status=status, **kw)


def test_ledger_keeps_the_latest_entry_and_survives_a_torn_line(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state" / "ledger.jsonl")
    ledger.append(_entry("ann"))
    ledger.append(_entry("bob", Status.FAILED, reason="boom"))
    ledger.append(_entry("ann", hash_="h2"))
    ledger.close()
    with open(ledger.path, "a") as handle:  # a run killed in the middle of a write
        handle.write('{"db": "sqlite:///g.db", "assignment": "a", "stud')
    entries = Ledger(ledger.path).load()
    assert {k[2]: e.hash for k, e in entries.items()} == {"ann": "h2", "bob": "h1"}
    assert entries[("sqlite:///g.db", "a", "bob")].reason == "boom"
    assert entries[("sqlite:///g.db", "a", "bob")].status is Status.FAILED
    again = Ledger(ledger.path)
    again.append(_entry("cid"))  # starts on a fresh line: the torn one stays unreadable, cid is kept
    again.close()
    assert {k[2] for k in Ledger(ledger.path).load()} == {"ann", "bob", "cid"}


def test_ledger_entries_are_per_gradebook(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.append(_entry("ann"))
    ledger.append(
        Entry(db="postgresql://h/db", assignment="a", student="ann", hash="h1", status=Status.GRADED)
    )
    ledger.close()
    assert len(Ledger(ledger.path).load()) == 2


def test_ledger_lines_hold_plain_strings_and_a_time(tmp_path: Path) -> None:
    import json

    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.append(_entry("ann", Status.TIMED_OUT))
    ledger.close()
    (line,) = ledger.path.read_text().splitlines()
    data = json.loads(line)
    assert data["status"] == "timed_out" and data["at"] > 0 and data["v"] == 1


def test_content_hash_follows_content_and_ignores_checkpoints(tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "a.ipynb").write_text("one")
    first = content_hash(folder, [".ipynb_checkpoints"])
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("old")
    assert content_hash(folder, [".ipynb_checkpoints"]) == first
    (folder / "a.ipynb").write_text("two")
    assert content_hash(folder, [".ipynb_checkpoints"]) != first
    (folder / "a.ipynb").write_text("one")
    (folder / "data.csv").write_text("x")
    assert content_hash(folder, [".ipynb_checkpoints"]) != first


def test_a_flagged_submission_keeps_its_integrity_findings(tmp_path: Path) -> None:
    import json

    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.append(_entry("ann"))
    ledger.append(
        _entry("bob", integrity=["ex1: the code of coursekit.checks.check was replaced (after cell 'ex1')"])
    )
    ledger.close()
    rows = [json.loads(line) for line in ledger.path.read_text().splitlines()]
    assert [row["integrity"] for row in rows] == [[], [rows[1]["integrity"][0]]]
    entries = Ledger(ledger.path).load()
    assert entries[("sqlite:///g.db", "a", "bob")].integrity == rows[1]["integrity"]
    assert entries[("sqlite:///g.db", "a", "ann")].integrity == []
