"""The mini challenge (train.py) is graded the way it should be.

Fast tests check the notebook's answer against the reference script, run every
test cell's code directly on the reference and on every other right script
(``files/right_*.py``), and check the table of known-wrong scripts
(``mutations.py``).  The slow proof runs the real ``nbgrader autograde`` once, on
one student per variant: the reference solution and every right script get full
marks, the untouched release gets zero, and every known-wrong script loses points
on exactly the test cells its entry names.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from grader_support import (
    AutogradeProof,
    Graded,
    Wrong,
    grade_cell_ids,
    mutation_table_problems,
    without_solution_markers,
)
from mutations import MUTATIONS, REFERENCE, RUN_ID, Mutation, reference_script, wrong_script

from coursekit import capture_console
from coursekit import train_checks as tc
from coursekit.cells import cell_sources

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "05_mini_challenge"
NOTEBOOK = "mini_challenge"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RELEASE = REPO / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RIGHT_SCRIPTS = sorted((Path(__file__).resolve().parent / "files").glob("right_*.py"))


def _sources(path: Path) -> dict[str, str]:
    return cell_sources(nbformat.read(path, as_version=4))


def _test_cells() -> dict[str, str]:
    """The source notebook's test cells: {grade_id: source}."""
    sources = _sources(SOURCE)
    return {gid: sources[gid] for gid in grade_cell_ids(ASSIGNMENT, NOTEBOOK, "")}


def _answer(script: str) -> dict[str, str]:
    """The answer cell that writes ``script`` to train.py."""
    return {"mc": "%%writefile train.py\n" + script}


# --- fast checks ---------------------------------------------------------------------------------


def test_notebook_solution_is_the_reference_script() -> None:
    source = _sources(SOURCE)["mc"]
    first, _, rest = source.partition("\n")
    assert first == "%%writefile train.py"
    body = without_solution_markers(rest)
    assert body.strip() == reference_script().strip()


def test_release_has_the_stub_not_the_solution() -> None:
    release = _sources(RELEASE)["mc"]
    assert release.startswith("%%writefile train.py\n")
    assert "raise NotImplementedError()" in release
    assert "def load_config" not in release
    assert not any(
        marker in RELEASE.read_text(encoding="utf-8") for marker in ("BEGIN SOLUTION", "HIDDEN TESTS")
    )


def test_every_test_cell_opens_with_its_docstring() -> None:
    cells = _test_cells()
    assert len(cells) >= 10
    for gid, source in cells.items():
        assert gid.startswith("mc_")
        assert re.match(rf'"""{gid}: .+"""\n', source), f"{gid} must open with a one-line docstring"


def test_mutations_name_their_mistake_and_the_cells_they_fail() -> None:
    known = set(_test_cells())
    assert len(MUTATIONS) >= 8
    assert mutation_table_problems(MUTATIONS, known) == []
    covered = {gid for mutation in MUTATIONS for gid in mutation.loses}
    assert covered == known, f"test cells no wrong script fails: {sorted(known - covered)}"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_makes_a_different_script_that_compiles(mutation: Mutation) -> None:
    """Every ``old`` snippet occurs once in the reference (else wrong_script fails) and changes it."""
    script = wrong_script(mutation)
    assert script != reference_script(), f"{mutation.name} leaves the reference as it is"
    compile(script, f"{mutation.name}/train.py", "exec")


@pytest.mark.parametrize(("old", "found"), [("not in train.py", 0), ("log.info(", 3)])
def test_a_mutation_whose_snippet_is_not_in_the_reference_exactly_once_fails(old: str, found: int) -> None:
    mutation = Mutation("typo", "an edit that does not match", ("mc_runs",), ((old, ""),))
    with pytest.raises(AssertionError, match=rf"typo, in {REFERENCE.name}: .* exactly once, found {found} "):
        wrong_script(mutation)


def test_mutations_whose_edits_overlap_fail() -> None:
    mutation = Mutation(
        "overlap", "two edits of one place", ("mc_run_id",), ((RUN_ID, ""), ("uuid.uuid4().hex[:12]", ""))
    )
    with pytest.raises(AssertionError, match="overlap: the edit of .* overlaps the one before it"):
        wrong_script(mutation)


def _run_test_cells(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test cell's code (hidden checks included) against ``script``, as the notebook would."""
    # find_script() calls the default_script() of the runner module, where the patch must go.
    monkeypatch.setattr("coursekit.train_checks._runner.default_script", lambda: script)
    for gid, source in _test_cells().items():
        namespace = {"_tc": tc, "_capture_console": capture_console}
        try:
            exec(compile(source, gid, "exec"), namespace)  # noqa: S102 - the notebook's own test code
        except AssertionError as exc:
            pytest.fail(f"{gid} fails on {script.name}:\n{exc}")


def test_reference_passes_every_test_cell_when_run_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    _run_test_cells(REFERENCE, monkeypatch)


@pytest.mark.parametrize("script", RIGHT_SCRIPTS, ids=lambda p: p.stem)
def test_right_script_passes_every_test_cell_when_run_directly(
    script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert script.read_text(encoding="utf-8").startswith("# RIGHT: "), f"{script.name} says what it is"
    _run_test_cells(script, monkeypatch)


def test_time_rotated_backups_are_read_oldest_first() -> None:
    run = tc.TrainRun(
        args=[],
        env={},
        inputs={},
        returncode=0,
        stdout="",
        stderr="",
        outputs={
            "logs/train.log": "third\n",
            "logs/train.log.2026-01-05_09-00-01": "second\n",
            "logs/train.log.2026-01-05_09-00-00": "first\n",
            "logs/train.log.other": "not a backup\n",
        },
    )
    assert run.log_lines() == ["first", "second", "third"]


def test_a_stopped_clock_is_what_every_time_function_reads(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import datetime, sys, time\n"
        "now = datetime.datetime.now().isoformat()\n"
        "print(time.time(), time.strftime('%H:%M:%S'), now, file=sys.stderr)\n",
        encoding="utf-8",
    )
    run = tc.run_train(script, clock="2026-01-05 09:00:00.250")
    clock, hms, now = run.stderr.split()
    assert float(clock) == pytest.approx(datetime.fromisoformat("2026-01-05 09:00:00.250").timestamp())
    assert (hms, now) == ("09:00:00", "2026-01-05T09:00:00.250000")
    assert "(the clock reads 2026-01-05 09:00:00.250)" in run.describe()


def test_parse_line_reads_tokens_config_and_json() -> None:
    entry = tc.parse_line(
        'INFO run_id=ab12 seed=7 train: starting: config={"lr": 0.1, "epochs": 2} code_version=x'
    )
    assert entry.level == "INFO"
    assert entry.data == {
        "config": {"lr": 0.1, "epochs": 2},
        "run_id": "ab12",
        "seed": "7",
        "code_version": "x",
    }
    entry = tc.parse_line('{"level": "debug", "run_id": "r", "seed": 1}', json_logs=True)
    assert (entry.level, entry.is_json, entry.get("seed")) == ("DEBUG", True, 1)
    assert not tc.parse_line("INFO not json", json_logs=True).is_json


def test_a_failed_check_names_the_command_and_the_observation() -> None:
    run = tc.run_train(REFERENCE, ["--epochs", "1"], env={"RUN_ID": "r1"})
    with pytest.raises(AssertionError) as caught:
        tc.check_config(run, epochs=1, seed=5)
    message = str(caught.value)
    assert "RUN_ID=r1 python train.py --epochs 1" in message
    assert "observed: the startup config says seed=42" in message
    assert "expected: seed=5" in message


# --- the proof through nbgrader autograde ---------------------------------------------------------


class TestMiniChallengeAutograde(AutogradeProof):
    """The reference, the untouched release and every mutation, graded in one nbgrader run."""

    ASSIGNMENT, NOTEBOOK = ASSIGNMENT, NOTEBOOK
    # A run_id made of the start time: the clock decides it, so both are graded several times.
    REPEATED = ("right_dataclass_dictconfig", "run_id_from_clock")
    RERUN = "right_top_to_bottom"

    @classmethod
    def solution(cls) -> dict[str, str]:
        return _answer(reference_script())

    @classmethod
    def right(cls) -> dict[str, dict[str, str]]:
        return {path.stem: _answer(path.read_text(encoding="utf-8")) for path in RIGHT_SCRIPTS}

    @classmethod
    def wrong(cls) -> dict[str, Wrong]:
        return {m.name: Wrong(_answer(wrong_script(m)), m.mistake, frozenset(m.loses)) for m in MUTATIONS}

    @pytest.mark.slow
    def test_the_challenge_is_worth_20_points(self, graded: Graded) -> None:
        assert graded.full == 20


def test_each_command_runs_with_its_own_fixed_string_hashes(tmp_path: Path) -> None:
    """Same command, same PYTHONHASHSEED on every grading; another run_id, another one."""
    script = tmp_path / "train.py"
    script.write_text('import os, sys\nprint(os.environ["PYTHONHASHSEED"], file=sys.stderr)\n')
    first = tc.run_train(script, ["--seed", "1"], env={"RUN_ID": "first"}).stderr
    again = tc.run_train(script, ["--seed", "1"], env={"RUN_ID": "first"}).stderr
    other = tc.run_train(script, ["--seed", "1"], env={"RUN_ID": "second"}).stderr
    assert first == again == tc.hash_seed(["--seed", "1"], {"RUN_ID": "first"}) + "\n"
    assert other != first
    given = tc.run_train(script, env={"PYTHONHASHSEED": "7"}).stderr
    assert given == "7\n"
