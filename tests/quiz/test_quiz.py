"""The quick test (quiz): self-checks that say at once whether an answer is right, and an unchanged grade.

The fast tests check the released quiz against its source (every self-check's token accepts the hidden
answer and opens its explanation, and a token that disagrees is reported; nothing of the answers or
explanations is readable in the release) and run the self-checks in this process: right answers in
every accepted form pass with their explanation, wrong ones fail with a hint only.

The slow proof releases the quiz twice, with self-checks and form-only (``c.QuizSelfChecks.mode =
"form"``), hands in the same five students to both (the answer key, the key in other accepted forms,
every answer wrong, half right, the untouched release), runs the real ``nbgrader autograde`` and
``generate_feedback``, and checks that both courses give every cell the same score, that the feedback
explains every answer, and what ``nbgrader validate`` says: every wrong answer fails its visible check
with self-checks, and passes it form-only.
"""

from __future__ import annotations

import ast
import copy
import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from grader_support import IN_COURSE, validate

from coursekit import quiz
from coursekit.checks import CheckFailed
from coursekit.layout import CONFIG_FILE
from coursekit.namespace import namespace_problems
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
from coursekit.quiz import grade, normalise, self_check, valid_choice, valid_lines, valid_number
from coursekit.quiz_release import NOTES_ID, QuizSelfChecks, configured_mode, self_check_problems

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


def _questions() -> dict[str, tuple[object, str, str]]:
    """{"q1": (key, explanation, nudge), ...}, read from the hidden tests of the source notebook."""
    cells = _cells(SOURCE)
    found = {}
    for gid in cells:
        if re.fullmatch(r"q\d+", gid):
            call = _grade_call(cells[f"{gid}_check"].source)
            key, explanation = (ast.literal_eval(arg) for arg in call.args[2:4])
            nudges = [ast.literal_eval(kw.value) for kw in call.keywords if kw.arg == "nudge"]
            found[gid] = (key, explanation, nudges[0] if nudges else "")
    return found


QUESTIONS = _questions()
KEYS = {q: key for q, (key, _, _) in QUESTIONS.items()}


def _wrong(key: object) -> object:
    if isinstance(key, str):
        return "abcd"[("abcd".index(key) + 1) % 4]
    if isinstance(key, float):
        return key * 10
    return [*reversed(key), "something else"]


def _other_forms(key: object) -> list[object]:
    """The key in other accepted forms: case and spaces, a number as text, lines as text or a tuple."""
    if isinstance(key, str):
        return [key.upper(), f"  {key} "]
    if isinstance(key, float):
        return [f"{key:.1e}", f" {key} ", key * (1 + 1e-14), sum([key / 2, key / 2])]
    return [tuple(key), "\n" + "\n\n".join(f"  {line} " for line in key) + "\n", [*key, "  "]]


# The answers a learner who slipped on one point would give to the questions on part two: each must fail
# (the generic wrong answer of _wrong() is checked for every question besides).
LIKELY_MISTAKES: dict[str, list[object]] = {
    "q19": ["a", "b", "d"],
    "q20": [
        ["cache miss, reading from S3", "GPU memory almost full", "S3 unreachable"],
        ["epoch 1 done", "GPU memory almost full"],
        ["WARNING:app:GPU memory almost full"],
        [],
    ],
    "q21": ["a", "c", "d"],
    "q22": [
        ["reordered: True", "epochs as 20.0: True", '{"lr":0.30000000000000004}'],
        ["reordered: False", "epochs as 20.0: False", '{"lr":0.30000000000000004}'],
        ["reordered: True", "epochs as 20.0: False", '{"lr":0.3}'],
    ],
    "q23": ["a", "b", "d"],
    "q24": [
        ["lr 0.001", "weight_decay 0.0001", "region 'no'", "snapshot 113"],
        ["lr 0.001", "weight_decay 0.0001", "region False", "snapshot 75"],
        ["lr '1e-3'", "weight_decay '1.0e-4'", "region False", "snapshot 75"],
        ["lr '1e-3'", "weight_decay 0.0001", "region False", "snapshot '0113'"],
    ],
    "q25": [
        ["DbConfig(host='db.internal')", "{'host': 'db.internal'}"],
        [
            "DbConfig(host='db.internal', password='hunter2')",
            "{'host': 'db.internal', 'password': 'hunter2'}",
        ],
        ["DbConfig(host='db.internal', password='***')", "{'host': 'db.internal', 'password': '***'}"],
    ],
    "q26": ["a", "b", "c"],
    "q27": ["b", "c", "d"],
    "q28": ["a", "c", "d"],
}
PART_TWO_LESSONS = sorted(p.stem for p in (REPO / "solutions" / "10_part2_lessons").glob("*.ipynb"))


def _answers(right: set[str], *, other_forms: bool = False) -> dict[str, str]:
    """Answer-cell sources: the key for the questions in ``right``, a wrong answer for the others.

    With ``other_forms`` the key is written in another accepted form (a different one from question
    to question).
    """
    answers = {}
    for n, (q, key) in enumerate(KEYS.items()):
        value = key if q in right else _wrong(key)
        if q in right and other_forms:
            forms = _other_forms(key)
            value = forms[n % len(forms)]
        answers[q] = f"{q} = {value!r}\n"
    return answers


def _text(html_text: str) -> str:
    """Visible text of an HTML page: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


# --- fast checks ---------------------------------------------------------------------------------


def test_at_least_twelve_questions_each_with_an_answer_and_a_check_cell() -> None:
    cells = _cells(SOURCE)
    assert len(QUESTIONS) >= 12
    kinds = [type(key) for key in KEYS.values()]
    assert kinds.count(str) > len(kinds) / 2, "mostly multiple choice"
    assert kinds.count(list) >= 3, "a few 'what does this code print' questions"
    for q in QUESTIONS:
        meta = cells[f"{q}_check"].metadata["nbgrader"]
        assert meta["grade"] and meta["points"] == 1
        assert cells[f"{q}_check"].source.startswith(f'"""{q}_check: ')
        assert cells[q].metadata["nbgrader"]["solution"]


def test_every_lesson_of_part_two_has_a_question_whose_hint_sends_the_learner_back_to_it() -> None:
    assert len(PART_TWO_LESSONS) == 5, PART_TWO_LESSONS
    for lesson in PART_TWO_LESSONS:
        assert [q for q, (_, _, nudge) in QUESTIONS.items() if f"part two's {lesson}" in nudge], lesson


def test_multiple_choice_keys_are_spread_over_the_letters() -> None:
    letters = [key for key in KEYS.values() if isinstance(key, str)]
    assert all(2 <= letters.count(letter) <= len(letters) // 2 for letter in "abcd"), letters


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


# --- the released self-checks, checked against the source -------------------------------------


def _release() -> nbformat.NotebookNode:
    return nbformat.read(RELEASE, as_version=4)


def _tokens() -> dict[str, str]:
    """{"q1": token, ...} from the released check cells' ``_self_check("q1", q1, token)`` lines."""
    found = {}
    for gid, cell in _cells(RELEASE).items():
        match = re.fullmatch(rf'"""{gid}: [^\n]*"""\n_self_check\("(q\d+)", \1, "([^"]+)"\)', cell.source)
        if gid.endswith("_check"):
            assert match, f"{gid} is not a docstring and one _self_check line:\n{cell.source}"
            found[match.group(1)] = match.group(2)
    return found


def _notes_blob() -> str:
    call = ast.parse(_cells(RELEASE)[NOTES_ID].source).body[0].value
    return ast.literal_eval(call.args[0])


@pytest.fixture
def kernel_state(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh self-check state, with the released notes loaded as the notebook's notes cell does."""
    for name in ("_NOTES", "_WRONG_TRIES", "_GRADED_RIGHT"):
        monkeypatch.setattr(quiz, name, {})
    quiz.load_notes(_notes_blob())
    return _tokens()


def test_every_question_has_a_short_hint_that_gives_nothing_away() -> None:
    for q, (key, explanation, nudge) in QUESTIONS.items():
        assert 40 <= len(nudge) <= 260, (q, nudge)
        assert "Re-read" in nudge, f"{q}: the hint says what to re-read"
        if isinstance(key, str):
            assert f"{key})" not in nudge and f'"{key}"' not in nudge, (q, nudge)
        elif isinstance(key, float):
            assert str(key) not in nudge, (q, nudge)
        else:
            question = _cells(SOURCE)[f"{q}_question"].source
            assert not [line for line in key if line in nudge and line not in question], (q, nudge)
        assert not _shared_runs(nudge, explanation, 6), (q, _shared_runs(nudge, explanation, 6))


def _shared_runs(text: str, other: str, words: int) -> set[str]:
    """Runs of ``words`` words that both texts contain (punctuation and case ignored)."""

    def runs(t: str) -> set[str]:
        w = re.findall(r"[a-z0-9_]+", t.lower())
        return {" ".join(w[i : i + words]) for i in range(len(w) - words + 1)}

    return runs(text) & runs(other)


def test_every_check_cell_is_released_as_one_self_check_whose_token_accepts_the_hidden_answer() -> None:
    tokens = _tokens()
    assert set(tokens) == set(QUESTIONS)
    for q, key in KEYS.items():
        token = quiz.Token(tokens[q])
        assert token.accepts(key), f"{q}: the released token does not accept the hidden answer {key!r}"
        assert not token.accepts(_wrong(key)), q
    assert self_check_problems(nbformat.read(SOURCE, as_version=4), _release()) == []


def _edit_grade(nb: nbformat.NotebookNode, gid: str, old: str, new: str) -> None:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    assert cell.source.count(old) == 1, (gid, old)
    cell.source = cell.source.replace(old, new)


def test_a_token_that_disagrees_with_the_hidden_answer_is_reported() -> None:
    """A changed answer, explanation or hint in the source, or a changed token, shows as a problem."""
    source, release = nbformat.read(SOURCE, as_version=4), _release()
    changed = copy.deepcopy(source)
    _edit_grade(changed, "q1_check", '    "c",\n', '    "b",\n')
    _edit_grade(changed, "q8_check", "    0.01,\n", "    0.1,\n")
    _edit_grade(changed, "q14_check", '["first", "second", "second"]', '["first", "second"]')
    _edit_grade(changed, "q7_check", "CLI > environment", "CLI > env")
    problems = "\n".join(self_check_problems(changed, release))
    for gid in ("q1_check", "q8_check", "q14_check"):
        assert f"{gid}: the token does not accept the hidden answer" in problems, problems
    assert "q7_check: the notes do not open the hidden explanation" in problems, problems
    assert problems.count("\n") == 3, problems
    tampered = copy.deepcopy(release)
    _edit_grade(tampered, "q2_check", '"q2", q2, "abcd.', '"q2", q2, "abc.')
    token = _tokens()["q4"]
    _edit_grade(tampered, "q4_check", token, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert self_check_problems(source, tampered) == [
        "q2_check: the token's form 'abc' is not the source's form check",
        "q4_check: the token does not accept the hidden answer 'a'",
    ]


def test_release_gives_no_answer_hint_or_explanation_away() -> None:
    text = RELEASE.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    code = "\n".join(  # the code of the release, its comments left out (they show the answers' form)
        line
        for c in _release().cells
        if c.cell_type == "code"
        for line in c.source.splitlines()
        if not line.lstrip().startswith("#")
    )
    words = " ".join(c.source for c in _release().cells)
    questions = " ".join(c.source for gid, c in _cells(SOURCE).items() if gid.endswith("_question"))
    for q, (key, explanation, nudge) in QUESTIONS.items():
        for secret in (explanation, nudge):
            leaked = _shared_runs(secret, words, 6) - _shared_runs(secret, questions, 6)
            assert not leaked, f"{q}: the release contains {sorted(leaked)[:3]}"
        assert not re.search(rf"\b{q}\s*=\s*[^\s#]", code), f"{q}: the release assigns {q}"
        if isinstance(key, list):
            shown = [line for line in key if line in text and line not in questions]
            assert not shown, f"{q}: the release shows the answer lines {shown}"
            assert repr(key) not in text and json.dumps(key) not in text
        else:
            assert f"{q} = {key!r}" not in text and f'{q} = \\"{key}\\"' not in text


def test_release_given_cells_leave_the_learners_names_alone() -> None:
    problems = namespace_problems(RELEASE)
    # The header that nbgrader adds asks the learner for NAME and COLLABORATORS.
    assert [p for p in problems if p.name not in {"NAME", "COLLABORATORS"}] == []


def test_right_answers_in_every_accepted_form_pass_with_their_explanation(
    kernel_state: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    for q, (key, explanation, _) in QUESTIONS.items():
        for answer in [key, *_other_forms(key)]:
            self_check(q, answer, kernel_state[q])
            assert capsys.readouterr().out == f"{q}: correct.\n{explanation}\n", (q, answer)


def test_wrong_answers_fail_with_the_hint_only(kernel_state: dict[str, str]) -> None:
    for q, (key, explanation, nudge) in QUESTIONS.items():
        with pytest.raises(CheckFailed) as caught:
            self_check(q, _wrong(key), kernel_state[q])
        message = str(caught.value)
        assert message.startswith(f"{q}: not the right answer yet\n  observed: "), message
        assert f"hint: {nudge}" in message and "Stuck?" not in message and "Before you" not in message
        assert explanation[:30] not in message and repr(key) not in message.replace(repr(_wrong(key)), "")


def test_likely_mistakes_on_part_two_fail_the_self_check_and_the_grade(kernel_state: dict[str, str]) -> None:
    part_two = [q for q in QUESTIONS if int(q[1:]) >= 19]
    assert part_two and set(LIKELY_MISTAKES) == set(part_two)
    for q, mistakes in LIKELY_MISTAKES.items():
        key, explanation, nudge = QUESTIONS[q]
        for mistake in mistakes:
            with pytest.raises(CheckFailed, match=f"{q}: not the right answer yet"):
                self_check(q, mistake, kernel_state[q])
            with pytest.raises(CheckFailed, match=f"{q}: not the expected answer"):
                grade(q, mistake, key, explanation, nudge=nudge)


def test_a_second_different_wrong_answer_says_what_to_do_next(kernel_state: dict[str, str]) -> None:
    def hint(q: str, answer: object) -> str:
        with pytest.raises(CheckFailed) as caught:
            self_check(q, answer, kernel_state[q])
        return caught.value.hint or ""

    assert hint("q1", "a") == hint("q1", " A ") == QUESTIONS["q1"][2], "the same answer again is no new try"
    assert hint("q1", "b").endswith("the explanation opens with the right one.")
    assert "Copy the question's code into a new cell, run it" in (hint("q3", []), hint("q3", ["x"]))[1]
    assert "Copy the question's code" in (hint("q8", 1), hint("q8", "2"))[1]


def test_a_badly_formed_answer_fails_as_the_form_checks_do(kernel_state: dict[str, str]) -> None:
    with pytest.raises(CheckFailed, match="q1 must be one of the choices 'a', 'b', 'c', 'd'"):
        self_check("q1", "e", kernel_state["q1"])
    with pytest.raises(CheckFailed, match="q3 must list the printed lines"):
        self_check("q3", 3, kernel_state["q3"])
    with pytest.raises(CheckFailed, match="q8 must be a number"):
        self_check("q8", "lots", kernel_state["q8"])


def test_without_the_notes_a_self_check_still_says_right_or_wrong(
    kernel_state: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    quiz.load_notes("")
    self_check("q1", "c", kernel_state["q1"])
    assert capsys.readouterr().out.startswith("q1: correct.\n(Run the cells at the top")
    with pytest.raises(CheckFailed, match="hint: Re-read the question"):
        self_check("q1", "a", kernel_state["q1"])


def test_after_the_hidden_grade_the_self_check_checks_only_the_form(
    kernel_state: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """In the graded copy the hidden grade has the last word, and its explanation is printed once."""
    key, explanation, nudge = QUESTIONS["q8"]
    grade("q8", "0.01", key, explanation, nudge=nudge)
    self_check("q8", "0.01", kernel_state["q8"])
    assert capsys.readouterr().out.count(explanation) == 1
    bad = quiz.make_token("q8", 0.5, explanation, nudge).text  # a token that disagrees with the grade
    grade("q8", 0.01, key, explanation, nudge=nudge)
    self_check("q8", 0.01, bad)
    # As before, a cell passes only when the answer is also well formed: lines must be strings.
    lines = [_Printed(line) for line in KEYS["q14"]]
    grade("q14", lines, KEYS["q14"], "Handlers pile up.")
    with pytest.raises(CheckFailed, match="q14 must list the printed lines"):
        self_check("q14", lines, kernel_state["q14"])


class _Printed:
    """Not a string, but prints as one: the hidden grade takes it, the form check does not."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


# --- the release pipeline, in this process ----------------------------------------------------


def _preprocessed(mode: str) -> nbformat.NotebookNode:
    nb = nbformat.read(SOURCE, as_version=4)
    return QuizSelfChecks(mode=mode).preprocess(nb, {})[0]


def test_answer_mode_puts_the_self_check_after_the_hidden_grade_and_the_notes_after_the_setup() -> None:
    nb = _preprocessed("answer")
    gids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert gids.index(NOTES_ID) == gids.index("quiz_setup") + 1
    for q in QUESTIONS:
        lines = _cells_of(nb)[f"{q}_check"].source.split("\n")
        assert lines[-2] == "### END HIDDEN TESTS" and lines[-1].startswith(f'_self_check("{q}", {q}, "')
        assert not [line for line in lines if line.startswith("_valid_")]
    intro = _cells_of(nb)["quiz_intro"].source
    assert "**What the check under each answer tells you.**" in intro
    assert "only checks that the answer has the right form" not in intro and "<!--" not in intro


def test_form_mode_leaves_the_form_checks_as_they_are() -> None:
    nb, source = _preprocessed("form"), _cells(SOURCE)
    assert NOTES_ID not in _cells_of(nb)
    for q in QUESTIONS:
        assert _cells_of(nb)[f"{q}_check"].source == source[f"{q}_check"].source
    intro = _cells_of(nb)["quiz_intro"].source
    assert "only checks that the answer has the right form" in intro
    assert "What the check under each answer tells you" not in intro and "<!--" not in intro


def test_a_quiz_check_without_a_hint_or_with_the_wrong_form_check_is_refused() -> None:
    nb = nbformat.read(SOURCE, as_version=4)
    broken = copy.deepcopy(nb)
    _edit_grade(broken, "q1_check", "    nudge=(", "    other=(")
    with pytest.raises(ValueError, match="q1_check: _grade\\(...\\) needs nudge="):
        QuizSelfChecks().preprocess(broken, {})
    broken = copy.deepcopy(nb)
    _edit_grade(broken, "q3_check", '_valid_lines("q3", q3)', '_valid_number("q3", q3)')
    with pytest.raises(ValueError, match="q3_check: _valid_number checks an answer of another kind"):
        QuizSelfChecks().preprocess(broken, {})


def test_the_mode_is_read_from_the_course_config_the_last_setting_winning(tmp_path: Path) -> None:
    assert configured_mode(REPO) == "answer"
    assert configured_mode(tmp_path) == "answer", "no nbgrader_config.py: the default"
    config = (REPO / CONFIG_FILE).read_text(encoding="utf-8") + '\nc.QuizSelfChecks.mode = "form"\n'
    (tmp_path / CONFIG_FILE).write_text(config, encoding="utf-8")
    assert configured_mode(tmp_path) == "form"


def _cells_of(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


# --- the proof through nbgrader autograde and generate_feedback ----------------------------------

HALF = set(list(QUESTIONS)[: len(QUESTIONS) // 2])
# Who hands in what: the questions each student answers right (the others wrong).
STUDENTS = {"key": set(QUESTIONS), "key_other_forms": set(QUESTIONS), "all_wrong": set(), "half_right": HALF}


def _grade_course(course: Path) -> dict:
    """Hand in every student of STUDENTS and the untouched release, autograde them; the outcome."""
    release = course / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    for student, right in STUDENTS.items():
        answers = _answers(right, other_forms=student == "key_other_forms")
        submit(course, student, ASSIGNMENT, {NOTEBOOK: make_submission(release, answers)})
    submit(course, "untouched", ASSIGNMENT, {NOTEBOOK: nbformat.read(release, as_version=4)})
    result = autograde(course, ASSIGNMENT)
    return {
        "course": course,
        "release": release,
        "result": result,
        "scores": read_scores(course, ASSIGNMENT),
        "max": max_scores(course, ASSIGNMENT),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The quiz released with the course's own nbgrader_config.py (self-checks), graded, with feedback."""
    course = make_course(tmp_path_factory.mktemp("course"), [ASSIGNMENT], source_root=REPO)
    outcome = _grade_course(course)
    outcome["feedback"] = generate_feedback(course, ASSIGNMENT)
    return outcome


@pytest.fixture(scope="module")
def graded_form_only(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same quiz and students, released with ``c.QuizSelfChecks.mode = "form"`` added to the config."""
    base = tmp_path_factory.mktemp("form_only")
    source_root = base / "source"
    (source_root / "solutions").mkdir(parents=True)
    config = (REPO / CONFIG_FILE).read_text(encoding="utf-8")
    assert 'c.QuizSelfChecks.mode = "answer"' in config, "the course releases the quiz with self-checks"
    (source_root / CONFIG_FILE).write_text(config + '\nc.QuizSelfChecks.mode = "form"\n', encoding="utf-8")
    shutil.copy2(REPO / "solutions" / "_header.ipynb", source_root / "solutions" / "_header.ipynb")
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, source_root / "solutions" / ASSIGNMENT)
    return _grade_course(make_course(base / "course", [ASSIGNMENT], source_root=source_root))


def _total(graded: dict, student: str) -> float:
    return sum(score for gid, score in graded["scores"][student].items() if gid.endswith("_check"))


@pytest.mark.slow
def test_autograde_and_feedback_run_for_every_student(graded: dict) -> None:
    assert graded["result"].returncode == 0, graded["result"].stdout + graded["result"].stderr
    assert graded["feedback"].returncode == 0, graded["feedback"].stdout + graded["feedback"].stderr
    assert set(graded["scores"]) == {*STUDENTS, "untouched"}
    assert review_flags(graded["course"], ASSIGNMENT) == {}  # no answer is flagged for review


@pytest.mark.slow
@pytest.mark.parametrize("student", ["key", "key_other_forms"])
def test_the_key_scores_full_marks_in_any_accepted_form(graded: dict, student: str) -> None:
    assert _total(graded, student) == sum(graded["max"].values()) == len(QUESTIONS)


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
    for q, (_, explanation, _) in QUESTIONS.items():
        verdict = f"{q}: correct" if q in right else f"{q}: not the expected answer"
        shown = outputs[f"{q}_check"]
        assert verdict in shown and " ".join(explanation.split()) in " ".join(shown.split()), (q, shown)
        assert verdict in page, f"{q}: the feedback page does not say {verdict!r}"
        assert " ".join(explanation.split()[:12]) in page, f"{q}: the feedback page lacks the explanation"


# --- what a learner alone sees: nbgrader validate, with self-checks and form-only ----------------


def _validate(outcome: dict, student: str) -> str:
    return validate(outcome["course"], IN_COURSE.submitted_notebook(student, ASSIGNMENT, NOTEBOOK))


@pytest.mark.slow
def test_validate_fails_every_wrong_answer_with_a_hint_and_no_explanation(graded: dict) -> None:
    out = _validate(graded, "all_wrong")
    assert f"VALIDATION FAILED ON {len(QUESTIONS)} CELL(S)" in out, out[-3000:]
    flat = " ".join(out.split())
    for q, (_, explanation, nudge) in QUESTIONS.items():
        assert f"{q}: not the right answer yet" in out, q
        assert " ".join(nudge.split()[:8]) in flat, f"{q}: the hint is not shown"
        assert " ".join(explanation.split()[:8]) not in flat, f"{q}: the explanation is shown"


@pytest.mark.slow
def test_validate_fails_exactly_the_wrong_half(graded: dict) -> None:
    out = _validate(graded, "half_right")
    assert f"VALIDATION FAILED ON {len(QUESTIONS) - len(HALF)} CELL(S)" in out, out[-3000:]
    assert not [q for q in HALF if f"{q}: not the right answer yet" in out]


@pytest.mark.slow
@pytest.mark.parametrize("student", ["key", "key_other_forms"])
def test_validate_passes_right_answers_in_any_accepted_form(graded: dict, student: str) -> None:
    out = _validate(graded, student)
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.slow
def test_form_only_release_checks_only_the_form_as_before(graded_form_only: dict) -> None:
    cells = _cells(graded_form_only["release"])
    assert NOTES_ID not in cells
    for q in QUESTIONS:
        source = cells[f"{q}_check"].source
        assert "_self_check(" not in source and "_valid_" in source, source
    out = _validate(graded_form_only, "all_wrong")
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.slow
def test_form_only_and_self_checks_give_every_cell_the_same_score(
    graded: dict, graded_form_only: dict
) -> None:
    """The hidden grade decides the points: the self-checks change what a learner sees, not the scores."""
    assert graded_form_only["result"].returncode == 0, graded_form_only["result"].stderr[-3000:]
    assert graded_form_only["scores"] == graded["scores"]
    assert graded_form_only["max"] == graded["max"]
