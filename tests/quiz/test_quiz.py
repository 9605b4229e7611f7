"""The quick test (quiz) grades right, partly right and wrong answers, and its feedback explains every answer.

The slow proof runs the real ``nbgrader autograde`` once on four students (the
answer key, every answer wrong, half right, the untouched release), then
``nbgrader generate_feedback``, and reads the explanations back from the
autograded notebooks and the HTML feedback.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import nbformat
import pytest

from coursekit.checks import CheckFailed
from coursekit.proof_harness import (
    autograde,
    feedback_html,
    generate_feedback,
    make_course,
    make_submission,
    max_scores,
    read_scores,
    review_flags,
    submit,
)
from coursekit.quiz import grade, normalise, valid_choice, valid_lines, valid_number

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "06_quiz"
NOTEBOOK = "quiz"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RELEASE = REPO / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"


def _cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }


def _grade_call(source: str) -> ast.Call:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_grade":
            return node
    raise AssertionError(f"no _grade(...) call in:\n{source}")


def _questions() -> dict[str, tuple[object, str]]:
    """{"q1": (key, explanation), ...}, read from the hidden tests of the source notebook."""
    cells = _cells(SOURCE)
    found = {}
    for gid in cells:
        if re.fullmatch(r"q\d+", gid):
            call = _grade_call(cells[f"{gid}_check"].source)
            key, explanation = (ast.literal_eval(arg) for arg in call.args[2:4])
            found[gid] = (key, explanation)
    return found


QUESTIONS = _questions()


def _wrong(key: object) -> object:
    if isinstance(key, str):
        return "abcd"[("abcd".index(key) + 1) % 4]
    if isinstance(key, float):
        return key * 10
    return [*reversed(key), "something else"]


def _answers(right: set[str]) -> dict[str, str]:
    """Answer-cell sources: the key for the questions in ``right``, a wrong answer for the others."""
    return {q: f"{q} = {key if q in right else _wrong(key)!r}\n" for q, (key, _) in QUESTIONS.items()}


def _text(html_text: str) -> str:
    """Visible text of an HTML page: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


# --- fast checks ---------------------------------------------------------------------------------


def test_at_least_twelve_questions_each_with_an_answer_and_a_check_cell() -> None:
    cells = _cells(SOURCE)
    assert len(QUESTIONS) >= 12
    kinds = [type(key) for key, _ in QUESTIONS.values()]
    assert kinds.count(str) > len(kinds) / 2, "mostly multiple choice"
    assert kinds.count(list) >= 3, "a few 'what does this code print' questions"
    for q in QUESTIONS:
        meta = cells[f"{q}_check"].metadata["nbgrader"]
        assert meta["grade"] and meta["points"] == 1
        assert cells[f"{q}_check"].source.startswith(f'"""{q}_check: ')
        assert cells[q].metadata["nbgrader"]["solution"]


def test_multiple_choice_keys_are_spread_over_the_letters() -> None:
    letters = [key for key, _ in QUESTIONS.values() if isinstance(key, str)]
    assert all(2 <= letters.count(letter) <= len(letters) // 2 for letter in "abcd"), letters


def test_release_hides_the_key_and_the_explanations() -> None:
    text = RELEASE.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    for _, explanation in QUESTIONS.values():
        assert explanation[:40] not in text


def test_grade_prints_the_explanation_for_a_right_answer(capsys: pytest.CaptureFixture[str]) -> None:
    grade("q1", " B ", "b", "Because handlers route records.")
    grade("q2", ["INFO a ", "", "WARNING b"], ["INFO a", "WARNING b"], "Levels filter twice.")
    grade("q3", "0.010", 0.01, "Last update wins.")
    out = capsys.readouterr()
    assert out.err == ""
    assert "q1: correct ('b').\nBecause handlers route records." in out.out
    assert "Levels filter twice." in out.out and "Last update wins." in out.out


def test_grade_fails_with_the_explanation_for_a_wrong_answer() -> None:
    with pytest.raises(CheckFailed) as caught:
        grade("q7", "c", "d", "CLI beats the environment.")
    assert str(caught.value) == (
        "q7: not the expected answer\n  observed: 'c'\n  expected: 'd'\n  hint: CLI beats the environment."
    )
    with pytest.raises(CheckFailed, match="observed: 'first' / 'second'"):
        grade("q14", ["first", "second"], ["first", "second", "second"], "Handlers pile up.")


def test_validity_checks_accept_any_well_formed_answer_and_reject_the_rest() -> None:
    valid_choice("q1", "C", "abcd")
    valid_lines("q3", [])
    valid_lines("q3", "one\ntwo")
    valid_number("q8", "1e-2")
    for check, bad in ((valid_choice, "e"), (valid_choice, 3), (valid_lines, 3), (valid_number, "lots")):
        args = ("q", bad, "abcd") if check is valid_choice else ("q", bad)
        with pytest.raises(CheckFailed):
            check(*args)
    assert normalise(True, "number") is None


# --- the proof through nbgrader autograde and generate_feedback ----------------------------------

HALF = set(list(QUESTIONS)[: len(QUESTIONS) // 2])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    course = make_course(tmp_path_factory.mktemp("course"), [ASSIGNMENT], source_root=REPO)
    release = course / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    variants = {"key": set(QUESTIONS), "all_wrong": set(), "half_right": HALF}
    for student, right in variants.items():
        submit(course, student, ASSIGNMENT, {NOTEBOOK: make_submission(release, _answers(right))})
    submit(course, "untouched", ASSIGNMENT, {NOTEBOOK: nbformat.read(release, as_version=4)})
    result = autograde(course, ASSIGNMENT)
    feedback = generate_feedback(course, ASSIGNMENT)
    return {
        "course": course,
        "result": result,
        "feedback": feedback,
        "scores": read_scores(course, ASSIGNMENT),
        "max": max_scores(course, ASSIGNMENT),
    }


def _total(graded: dict, student: str) -> float:
    return sum(score for gid, score in graded["scores"][student].items() if gid.endswith("_check"))


@pytest.mark.slow
def test_autograde_and_feedback_run_for_every_student(graded: dict) -> None:
    assert graded["result"].returncode == 0, graded["result"].stdout + graded["result"].stderr
    assert graded["feedback"].returncode == 0, graded["feedback"].stdout + graded["feedback"].stderr
    assert set(graded["scores"]) == {"key", "all_wrong", "half_right", "untouched"}
    assert review_flags(graded["course"], ASSIGNMENT) == {}  # no answer is flagged for review


@pytest.mark.slow
def test_the_key_scores_full_marks(graded: dict) -> None:
    assert _total(graded, "key") == sum(graded["max"].values()) == len(QUESTIONS)


@pytest.mark.slow
def test_all_wrong_and_untouched_score_zero(graded: dict) -> None:
    assert _total(graded, "all_wrong") == 0
    assert _total(graded, "untouched") == 0


@pytest.mark.slow
def test_half_right_gets_one_point_per_right_answer(graded: dict) -> None:
    scores = graded["scores"]["half_right"]
    assert {q for q in QUESTIONS if scores[f"{q}_check"] == 1} == HALF
    assert 0 < _total(graded, "half_right") == len(HALF) < len(QUESTIONS)


def _outputs(graded: dict, student: str) -> dict[str, str]:
    path = graded["course"] / "grader" / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    text = {}
    for gid, cell in _cells(path).items():
        if gid.endswith("_check"):
            parts = [o.get("text", "") for o in cell.outputs] + [
                "\n".join(o.get("traceback", [])) for o in cell.outputs
            ]
            text[gid] = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))
    return text


@pytest.mark.slow
@pytest.mark.parametrize("student", ["key", "all_wrong", "half_right"])
def test_feedback_explains_every_answer_right_or_wrong(graded: dict, student: str) -> None:
    outputs = _outputs(graded, student)
    page = _text(feedback_html(graded["course"], student, ASSIGNMENT, NOTEBOOK))
    right = {"key": set(QUESTIONS), "all_wrong": set(), "half_right": HALF}[student]
    for q, (_, explanation) in QUESTIONS.items():
        verdict = f"{q}: correct" if q in right else f"{q}: not the expected answer"
        shown = outputs[f"{q}_check"]
        assert verdict in shown and " ".join(explanation.split()) in " ".join(shown.split()), (q, shown)
        assert verdict in page, f"{q}: the feedback page does not say {verdict!r}"
        assert " ".join(explanation.split()[:12]) in page, f"{q}: the feedback page lacks the explanation"
