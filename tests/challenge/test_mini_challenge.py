"""The mini challenge (train.py) is graded the way it should be.

Fast tests check the notebook's answer against the reference script and run
every test cell's code directly on the reference.  The slow proof runs the
real ``nbgrader autograde`` once, on one student per variant: the reference
solution gets full marks, the untouched release gets zero, and every
known-wrong script in ``files/`` loses points on the test cell its header names.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursekit import capture_console, check
from coursekit import train_checks as tc
from coursekit.grading import autograde, make_course, make_submission, max_scores, read_scores, submit

REPO = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
ASSIGNMENT = "05_mini_challenge"
NOTEBOOK = "mini_challenge"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RELEASE = REPO / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
REFERENCE = FILES / "train_reference.py"
WRONG = sorted(FILES.glob("wrong_*.py"))
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }


def _test_cells(path: Path) -> dict[str, str]:
    return {gid: c.source for gid, c in _cells(path).items() if c.metadata["nbgrader"].get("grade")}


def _header(script: Path) -> tuple[str, list[str]]:
    """The mistake a wrong script makes and the test cells it must lose points on (its first two lines)."""
    first, second = script.read_text(encoding="utf-8").splitlines()[:2]
    mistake = re.fullmatch(r"# mistake: (.+)", first)
    loses = re.fullmatch(r"# loses points on: (.+)", second)
    assert mistake and loses, f"{script.name} must start with '# mistake: ...' and '# loses points on: ...'"
    return mistake.group(1), [gid.strip() for gid in loses.group(1).split(",")]


def _submission_source(script: Path) -> str:
    return "%%writefile train.py\n" + script.read_text(encoding="utf-8")


# --- fast checks ---------------------------------------------------------------------------------


def test_notebook_solution_is_the_reference_script() -> None:
    source = _cells(SOURCE)["mc"].source
    first, _, rest = source.partition("\n")
    assert first == "%%writefile train.py"
    body = "".join(line for line in rest.splitlines(keepends=True) if line.strip() not in MARKERS)
    assert body.strip() == REFERENCE.read_text(encoding="utf-8").strip()


def test_release_has_the_stub_not_the_solution() -> None:
    release = _cells(RELEASE)["mc"].source
    assert release.startswith("%%writefile train.py\n")
    assert "raise NotImplementedError()" in release
    assert "def load_config" not in release
    assert not any(
        marker in RELEASE.read_text(encoding="utf-8") for marker in ("BEGIN SOLUTION", "HIDDEN TESTS")
    )


def test_every_test_cell_opens_with_its_docstring() -> None:
    cells = _test_cells(SOURCE)
    assert len(cells) >= 10
    for gid, source in cells.items():
        assert gid.startswith("mc_")
        assert re.match(rf'"""{gid}: .+"""\n', source), f"{gid} must open with a one-line docstring"


def test_wrong_scripts_name_their_mistake_and_the_cells_they_fail() -> None:
    known = set(_test_cells(SOURCE))
    assert len(WRONG) >= 8
    reference = REFERENCE.read_text(encoding="utf-8")
    for script in WRONG:
        _, loses = _header(script)
        assert loses and set(loses) <= known, f"{script.name}: unknown grade_ids {set(loses) - known}"
        body = script.read_text(encoding="utf-8").split("\n", 2)[2]
        assert body != reference, f"{script.name} is the reference script"
    covered = {gid for script in WRONG for gid in _header(script)[1]}
    assert covered == known, f"test cells no wrong script fails: {sorted(known - covered)}"


def test_reference_passes_every_test_cell_when_run_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test cell's code (hidden checks included) runs clean against the reference script."""
    monkeypatch.setattr(tc, "default_script", lambda: REFERENCE)
    for gid, source in _test_cells(SOURCE).items():
        namespace = {"tc": tc, "capture_console": capture_console, "check": check}
        try:
            exec(compile(source, gid, "exec"), namespace)  # noqa: S102 - the notebook's own test code
        except AssertionError as exc:
            pytest.fail(f"{gid} fails on the reference script:\n{exc}")


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


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Autograde the reference, the untouched release and every wrong script in one nbgrader run."""
    with pytest.MonkeyPatch.context() as mp:
        # the notebook's lesson sandbox (and each run's folder) lives under this module's own TMPDIR
        mp.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmp")))
        course = make_course(tmp_path_factory.mktemp("course"), [ASSIGNMENT], source_root=REPO)
        release = course / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        students = {"reference": REFERENCE, **{script.stem: script for script in WRONG}}
        for student, script in students.items():
            nb = make_submission(release, {"mc": _submission_source(script)})
            submit(course, student, ASSIGNMENT, {NOTEBOOK: nb})
        submit(course, "untouched", ASSIGNMENT, {NOTEBOOK: nbformat.read(release, as_version=4)})
        result = autograde(course, ASSIGNMENT)
    return {
        "result": result,
        "scores": read_scores(course, ASSIGNMENT),
        "max": {gid: pts for gid, pts in max_scores(course, ASSIGNMENT).items() if gid.startswith("mc_")},
    }


@pytest.mark.slow
def test_autograde_finishes_and_grades_everyone(graded: dict) -> None:
    result = graded["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(graded["scores"]) == {"reference", "untouched", *(s.stem for s in WRONG)}
    assert sum(graded["max"].values()) == 20


@pytest.mark.slow
def test_reference_gets_full_marks(graded: dict) -> None:
    scores = graded["scores"]["reference"]
    lost = {gid: (scores.get(gid), pts) for gid, pts in graded["max"].items() if scores.get(gid) != pts}
    assert not lost, f"the reference lost points (score, max): {lost}"


@pytest.mark.slow
def test_untouched_release_scores_zero(graded: dict) -> None:
    scores = graded["scores"]["untouched"]
    assert {gid: scores.get(gid) for gid in graded["max"]} == dict.fromkeys(graded["max"], 0.0)


@pytest.mark.slow
@pytest.mark.parametrize("script", WRONG, ids=lambda p: p.stem)
def test_wrong_script_loses_points_where_its_mistake_is_checked(graded: dict, script: Path) -> None:
    mistake, loses = _header(script)
    scores = graded["scores"][script.stem]
    full = graded["max"]
    kept = [gid for gid in loses if scores.get(gid) == full[gid]]
    assert not kept, f"{script.name} ({mistake}) kept full marks on {kept}"
    assert sum(scores.get(gid, 0.0) for gid in full) < sum(full.values())
