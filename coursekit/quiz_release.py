"""Releasing the quiz with self-checks: the visible line of each quiz check, generated from its hidden grade.

:class:`QuizSelfChecks` is the first preprocessor of the course's ``GenerateAssignment`` pipeline
(``nbgrader_config.py``), so ``coursekit generate`` and ``nbgrader generate_assignment`` run it before
nbgrader records the cells in the gradebook and removes the hidden tests.  Its setting,
``c.QuizSelfChecks.mode``, is read when the assignment is generated:

* ``"answer"`` (the default): in every test cell whose hidden tests call ``_grade(name, answer,
  expected, explanation, nudge=...)``, the visible form check (``_valid_choice``, ``_valid_lines`` or
  ``_valid_number``) becomes ``_self_check(name, answer, "<token>")``, moved after the hidden tests so
  that, when the quiz is graded, the hidden grade runs first and its message (the explanation) is the
  feedback of a wrong answer.  A locked cell after the setup cell holds every question's hint and
  explanation, sealed (:func:`coursekit.quiz.make_notes`).  The learner sees at once whether an answer
  is right (:func:`coursekit.quiz.self_check`);
* ``"form"``: the visible checks stay form checks, as in the source: whether an answer is right is
  known only when the quiz is graded.

Markdown cells may hold text for one mode only, between ``<!-- self-checks: answer -->`` (or
``form``) and ``<!-- self-checks: end -->`` lines; the text of the other mode and the marker lines are
dropped.  Either way the hidden ``_grade`` decides the points.  :func:`self_check_problems` compares a
released notebook with its source: every token must accept the hidden answer and open its explanation.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool, Enum

from coursekit.cells import grade_id, is_grade_cell
from coursekit.hide_hidden_tests import BEGIN, END
from coursekit.quiz import Token, canonical, kind_of, make_notes, make_token, read_notes, unseal

__all__ = [
    "NOTES_ID",
    "Question",
    "QuizSelfChecks",
    "configured_mode",
    "generate_assignment_preprocessors",
    "questions",
    "self_check_problems",
]

FORM_CHECKS = {"_valid_choice": "choice", "_valid_lines": "lines", "_valid_number": "number"}
NOTES_ID = "self_check_notes"
_MODE_BLOCK = re.compile(r"^<!-- self-checks: (answer|form|end) -->\s*$")
NOTES_HEADER = (
    "# The hints and explanations of the self-checks below, generated from the hidden tests when the\n"
    "# quiz was released. Each explanation is encrypted with its question's right answer: it opens\n"
    "# when yours matches.\n"
)


@dataclass(frozen=True)
class Question:
    """One quiz check cell: what its hidden ``_grade`` says and where its visible form check is."""

    grade_id: str
    name: str  # the question, "q1"
    answer: str  # the answer's expression, as written in the cell ("q1")
    expected: Any
    explanation: str
    nudge: str
    choices: str  # the letters of a multiple choice ("" for lines and numbers)
    form_lines: tuple[int, ...]  # indexes of the visible form check's lines in the cell
    end_line: int  # index of the "### END HIDDEN TESTS" line

    def token(self) -> Token:
        return make_token(self.name, self.expected, self.explanation, self.nudge, self.choices or "abcd")


def _literal(node: ast.expr, what: str) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise ValueError(f"{what} must be a literal, found {ast.unparse(node)!r}") from exc


def _calls(tree: ast.AST, names: set[str] | dict[str, str]) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
    ]


def parse_question(cell: NotebookNode) -> Question | None:
    """The :class:`Question` of a test cell whose hidden tests call ``_grade``; None for any other cell."""
    if cell.cell_type != "code" or not is_grade_cell(cell) or BEGIN not in cell.source:
        return None
    gid = grade_id(cell)
    lines = cell.source.split("\n")
    hidden, visible, end_line, inside = [], [], -1, False
    for index, line in enumerate(lines):
        if BEGIN in line:
            inside = True
        elif END in line:
            inside, end_line = False, index
        elif inside:
            hidden.append(line)
        else:
            visible.append((index, line))
    if not any("_grade(" in line for line in hidden):
        return None
    grades = _calls(ast.parse(textwrap.dedent("\n".join(hidden))), {"_grade"})
    if len(grades) > 1:
        raise ValueError(f"{gid}: one _grade(...) per cell, found {len(grades)}")
    call = grades[0]
    if len(call.args) != 4:
        raise ValueError(f"{gid}: call _grade(name, answer, expected, explanation, nudge=...)")
    name = _literal(call.args[0], f"{gid}: the question's name")
    expected = _literal(call.args[2], f"{gid}: the right answer")
    explanation = _literal(call.args[3], f"{gid}: the explanation")
    nudges = [kw.value for kw in call.keywords if kw.arg == "nudge"]
    nudge = _literal(nudges[0], f"{gid}: the nudge") if nudges else ""
    if not (isinstance(nudge, str) and nudge.strip()):
        raise ValueError(f"{gid}: _grade(...) needs nudge='...', the hint a wrong answer gets at once")
    tree = ast.parse("\n".join(line for _, line in visible))
    forms = [c for c in _calls(tree, FORM_CHECKS) if c in {getattr(s, "value", None) for s in tree.body}]
    if len(forms) != 1:
        raise ValueError(f"{gid}: one visible form check needed: {', '.join(FORM_CHECKS)}")
    form = forms[0]
    kind = FORM_CHECKS[form.func.id]
    if kind != kind_of(expected):
        raise ValueError(f"{gid}: {form.func.id} checks an answer of another kind than {expected!r}")
    answer = ast.unparse(form.args[1])
    if _literal(form.args[0], f"{gid}: the question's name") != name or answer != ast.unparse(call.args[1]):
        raise ValueError(f"{gid}: the form check and _grade(...) name different questions or answers")
    choices = _literal(form.args[2], f"{gid}: the choices") if kind == "choice" else ""
    span = tuple(visible[i][0] for i in range(form.lineno - 1, form.end_lineno or form.lineno))
    return Question(gid, name, answer, expected, explanation, nudge, choices, span, end_line)


def questions(nb: NotebookNode) -> list[Question]:
    """The questions of a source notebook, in order."""
    return [q for cell in nb.cells if (q := parse_question(cell)) is not None]


def _with_self_check(source: str, question: Question) -> str:
    token = question.token()
    call = f'_self_check("{question.name}", {question.answer}, "{token.text}")'
    lines = source.split("\n")
    out = []
    for index, line in enumerate(lines):
        if index not in question.form_lines:
            out.append(line)
        if index == question.end_line:
            out.append(call)
    return "\n".join(out)


def _keep_mode(source: str, mode: str) -> str:
    out, block = [], None
    for line in source.split("\n"):
        marker = _MODE_BLOCK.match(line)
        if marker:
            block = None if marker.group(1) == "end" else marker.group(1)
        elif block in (None, mode):
            out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _notes_cell(notes: dict[str, tuple[Token, Any, str, str]]) -> NotebookNode:
    source = NOTES_HEADER + '_load_notes(\n    """\n' + make_notes(notes) + '\n"""\n)'
    cell = nbformat.v4.new_code_cell(source)
    cell.id = NOTES_ID
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": NOTES_ID,
        "locked": True,
        "schema_version": 3,
        "solution": False,
    }
    return cell


def _imports_self_check(cell: NotebookNode) -> bool:
    from coursekit.namespace import bound_names

    return cell.cell_type == "code" and "_self_check" in {name for name, _ in bound_names(cell.source)}


class QuizSelfChecks(Preprocessor):
    """Make the quiz's visible form checks self-checks (``mode = "answer"``), or leave them (``"form"``)."""

    # nbgrader registers the course's preprocessors as they are: this one must be on by default.
    enabled = Bool(True, help="release the quiz's checks as the mode says").tag(config=True)
    mode = Enum(
        ["answer", "form"],
        default_value="answer",
        help=(
            "answer: each quiz check tells the learner at once whether the answer is right (and why, "
            "when it is); form: it checks only the answer's form until the quiz is graded"
        ),
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "<!-- self-checks: " in cell.source:
                cell.source = _keep_mode(cell.source, self.mode)
        if self.mode == "form":
            return nb, resources
        notes = {}
        for cell in nb.cells:
            question = parse_question(cell)
            if question is not None:
                cell.source = _with_self_check(cell.source, question)
                token = question.token()
                notes[question.name] = (token, question.expected, question.explanation, question.nudge)
        if notes:
            setup = [i for i, cell in enumerate(nb.cells) if _imports_self_check(cell)]
            if not setup:
                raise ValueError("the quiz's setup cell must import coursekit.quiz.self_check as _self_check")
            nb.cells.insert(setup[0] + 1, _notes_cell(notes))
        return nb, resources


def generate_assignment_preprocessors() -> list[type]:
    """nbgrader's ``GenerateAssignment`` pipeline, :class:`QuizSelfChecks` first (before ``SaveCells``)."""
    from nbgrader.converters import GenerateAssignment

    return [QuizSelfChecks, *GenerateAssignment.class_traits()["preprocessors"].default()]


def configured_mode(root: Path) -> str:
    """The ``c.QuizSelfChecks.mode`` that the course's ``nbgrader_config.py`` sets last, else the default.

    Read without running the file, for tools that rebuild a release in process (``coursekit progress``).
    """
    config = Path(root) / "nbgrader_config.py"
    mode = QuizSelfChecks.class_traits()["mode"].default_value
    if not config.is_file():
        return mode
    for node in ast.walk(ast.parse(config.read_text(encoding="utf-8"))):
        is_mode = isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        if is_mode and any(ast.unparse(target) == "c.QuizSelfChecks.mode" for target in node.targets):
            mode = node.value.value
    return mode


# --- checking a release against its source -------------------------------------------------------


def _release_tokens(nb: NotebookNode) -> tuple[dict[str, tuple[str, str]], str | None]:
    """``{grade_id: (question, token)}`` of the release's self-checks, and the notes cell's blob."""
    tokens, blob = {}, None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "_self_check(" not in cell.source and "_load_notes(" not in cell.source:
            continue
        for call in _calls(ast.parse(cell.source), {"_self_check", "_load_notes"}):
            if call.func.id == "_load_notes":
                blob = ast.literal_eval(call.args[0])
            else:
                tokens[grade_id(cell)] = (ast.literal_eval(call.args[0]), ast.literal_eval(call.args[2]))
    return tokens, blob


def self_check_problems(source: NotebookNode, release: NotebookNode) -> list[str]:
    """Where the release's self-checks disagree with the hidden answers of ``source`` (none: ``[]``).

    Each question's token must accept its hidden answer and the notes must open its explanation and hint.
    """
    tokens, blob = _release_tokens(release)
    expected = {q.grade_id: q for q in questions(source)}
    problems = [f"{gid}: no self-check in the release" for gid in expected if gid not in tokens]
    problems += [f"{gid}: a self-check without a hidden _grade" for gid in tokens if gid not in expected]
    notes = read_notes(blob or "")
    for gid, question in expected.items():
        if gid not in tokens:
            continue
        name, text = tokens[gid]
        token = Token(text)
        if name != question.name or not token.accepts(question.expected):
            problems.append(f"{gid}: the token does not accept the hidden answer {question.expected!r}")
            continue
        if token.form != (question.choices or kind_of(question.expected)):
            problems.append(f"{gid}: the token's form {token.form!r} is not the source's form check")
        sealed = notes.get(name, {})
        key = token.key(canonical(question.expected, token.kind) or "")
        if "why" not in sealed or unseal(sealed["why"], key) != question.explanation:
            problems.append(f"{gid}: the notes do not open the hidden explanation with the right answer")
        if "nudge" not in sealed or unseal(sealed["nudge"], token.nudge_key) != question.nudge:
            problems.append(f"{gid}: the notes do not hold the hidden nudge")
    return problems
