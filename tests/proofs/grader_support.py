"""Shared pieces of the grader proofs: one autograde run per assignment, answer variants kept on disk.

:class:`AutogradeProof` is the proof any assignment's tests reuse (the exercises here, the mini
challenge and the projects): the solution, the untouched release and known-wrong answers graded in
one ``nbgrader autograde`` run.  :class:`ExerciseProof` adds what the exercises check on top.

An exercise's answers come in two forms.  A file in ``files/<exercise>/`` is the full source of
an answer cell: an alternative right answer, or a wrong one that is a design of its own.  Its
first comment lines say what it gets right or wrong (``# RIGHT: ...`` / ``# WRONG: ...``),
followed by ``# loses: <grade_id>, ...`` lines naming the test cells it must lose points on
(``nothing`` for a right answer).  A wrong answer that is a small slip in a right one is a
:class:`Mutation` of the solution instead, in the exercise's table (``wrong_<exercise>.py``).
The tests grade every answer of an exercise as one student each, in a single ``nbgrader
autograde`` run, and compare the cells that lost points with its ``loses`` list.
"""

from __future__ import annotations

import ast
import html
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from coursekit.cells import cell_sources, grade_id, is_grade_cell, is_solution_cell
from coursekit.hide_hidden_tests import hidden_lines
from coursekit.layout import CONFIG_FILE, CourseLayout
from coursekit.nbgrader_run import run_nbgrader
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

REPO = Path(__file__).resolve().parents[2]
# The course's folders relative to its root, where nbgrader runs: paths as the commands there take them.
IN_COURSE = CourseLayout(Path())
FILES = Path(__file__).resolve().parent / "files"
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Variant:
    """One answer to an exercise, read from ``files/<exercise>/<name>.py``."""

    name: str
    source: str
    description: str
    loses: frozenset[str]

    @property
    def right(self) -> bool:
        return self.name.startswith("right_")


def script_of(cell: str) -> str:
    """The Python an answer cell holds: for a ``%%writefile`` cell, the file it writes."""
    first, _, rest = cell.partition("\n")
    return rest if first.startswith("%%writefile") else cell


def defined_functions(cell: str) -> set[str]:
    """The functions an answer cell (or the file a ``%%writefile`` cell writes) defines at top level."""
    return {n.name for n in ast.parse(script_of(cell)).body if isinstance(n, ast.FunctionDef)}


def load_variants(exercise: str) -> dict[str, Variant]:
    """Every ``right_*.py`` and ``wrong_*.py`` answer of ``exercise``, by file stem.

    The header comments hold the description and ``loses:``; the cell as handed in is the whole file,
    or, for a ``%%writefile`` answer, the file from its magic line on (a magic opens its cell).
    """
    variants = {}
    for path in sorted((FILES / exercise).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        magic = source.find("%%writefile")
        header = []
        for line in source.splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#").strip())
        loses_text = " ".join(h.removeprefix("loses:") for h in header if h.startswith("loses:"))
        loses = frozenset(n.strip() for n in loses_text.split(",") if n.strip() and n.strip() != "nothing")
        description = " ".join(h for h in header if not h.startswith("loses:"))
        cell = source[magic:] if magic >= 0 else source
        variants[path.stem] = Variant(path.stem, cell, description, loses)
    return variants


def source_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(CourseLayout(REPO).source / assignment / f"{notebook}.ipynb", as_version=4)


def without_solution_markers(source: str) -> str:
    """``source`` without its ``### BEGIN/END SOLUTION`` lines, every other line as it is."""
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in _MARKERS)


# Plain names learners give their own things; a given cell that rebinds one breaks a right answer.
USUAL_NAMES = frozenset(
    {"logger", "log", "handler", "handlers", "cfg", "config", "fields", "records", "record", "lines", "line"}
    | {"result", "name", "value", "path", "folder", "console", "first", "second", "errors", "output"}
)
# Names the checks use for their own tools: a learner who defines them must change nothing.
CHECKS_NAMES = frozenset({"check", "fail", "sandbox", "check_contains", "CheckFailed", "capture_console"})


def usual_names(answers: Mapping[str, str]) -> set[str]:
    """The plain names (and checks' names) that the answer cells bind at top level."""
    from coursekit.namespace import bound_names

    bound = set()
    for source in answers.values():
        # A %%writefile answer is a script: its names are the script's.
        bound |= {name for name, _ in bound_names(script_of(source))}
    return bound & (USUAL_NAMES | CHECKS_NAMES)


def solution_answer(assignment: str, notebook: str, grade_id: str) -> str:
    """The instructor's answer cell, without the solution markers: what a perfect learner would write."""
    answer = without_solution_markers(cell_sources(source_notebook(assignment, notebook))[grade_id])
    return answer if answer.endswith("\n") else answer + "\n"


def grade_cell_ids(assignment: str, notebook: str, prefix: str) -> list[str]:
    """grade_ids of the test cells (grade cells) of the source notebook, in order."""
    nb = source_notebook(assignment, notebook)
    return [gid for cell in nb.cells if is_grade_cell(cell) and (gid := grade_id(cell)).startswith(prefix)]


def replace_once(text: str, old: str, new: str, what: str) -> str:
    """``text`` with ``old`` replaced by ``new``; ``AssertionError`` unless ``old`` occurs exactly once.

    Known-wrong answers are written as edits of a right one: an edit that matches nothing (or more
    than intended) must fail loudly instead of handing in the right answer under a wrong name.
    """
    count = text.count(old)
    assert count == 1, f"{what}: {old!r} must occur exactly once, found {count} time(s)"
    return text.replace(old, new)


@dataclass(frozen=True)
class Mutation:
    """A known-wrong answer written as edits of a right one; it must lose points on exactly ``loses``.

    ``name`` is the student it is graded as, ``mistake`` says in one sentence what is wrong, and
    ``edits`` are ``(old, new)`` text replacements made in the right answer.
    """

    name: str
    mistake: str
    loses: tuple[str, ...]
    edits: tuple[tuple[str, str], ...]


def mutate(reference: str, mutation: Mutation, where: str) -> str:
    """``reference`` with every edit of ``mutation`` made.

    Each ``old`` must occur exactly once in ``reference`` (``where`` names it in the message) and no
    two edits may overlap, so an edit can never silently do nothing or land somewhere unintended.
    """
    assert mutation.edits, f"{mutation.name}: no edits"
    spans = []
    for old, new in mutation.edits:
        replace_once(reference, old, new, f"{mutation.name}, in {where}")
        spans.append((reference.index(old), old, new))
    parts, position = [], 0
    for start, old, new in sorted(spans):
        assert start >= position, f"{mutation.name}: the edit of {old!r} overlaps the one before it"
        parts += [reference[position:start], new]
        position = start + len(old)
    return "".join(parts) + reference[position:]


def mutation_table_problems(mutations: tuple[Mutation, ...], test_cells: set[str]) -> list[str]:
    """What is wrong with a table of mutations: names used twice, unnamed mistakes, unknown test cells."""
    problems = []
    names = [m.name for m in mutations]
    if len(set(names)) != len(names):
        problems.append(f"names used twice: {sorted({n for n in names if names.count(n) > 1})}")
    for m in mutations:
        if not re.fullmatch(r"[a-z0-9_]+", m.name):
            problems.append(f"{m.name!r}: a name is lower-case letters, digits and _")
        if not m.mistake.strip():
            problems.append(f"{m.name}: say what the mistake is")
        if not m.loses or not set(m.loses) <= test_cells:
            problems.append(f"{m.name}: loses {sorted(m.loses)}; the test cells are {sorted(test_cells)}")
    return problems


@dataclass
class Graded:
    """The outcome of one ``nbgrader autograde`` run over many students."""

    course: Path
    assignment: str
    notebook: str
    scores: dict[str, dict[str, float]]
    max: dict[str, float]
    returncode: int
    log: str

    def total(self, student: str) -> float:
        return sum(self.scores[student].values())

    @property
    def full(self) -> float:
        return sum(self.max.values())

    def lost(self, student: str) -> set[str]:
        """The grade cells on which ``student`` did not get full points (a cell without a score counts)."""
        scores = self.scores[student]
        return {gid for gid, points in self.max.items() if scores.get(gid, 0.0) < points}

    def autograded(self, student: str) -> Path:
        return CourseLayout(self.course).autograded_notebook(student, self.assignment, self.notebook)

    def errors(self, student: str) -> str:
        """What the failing cells of the student's autograded notebook printed (for assertion messages)."""
        path = self.autograded(student)
        if not path.is_file():
            return f"(no autograded notebook at {path})"
        parts = []
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    parts.append(f"[{grade_id(cell) or '?'}] {out.evalue}")
                elif out.output_type == "stream" and out.name == "stderr":
                    parts.append(f"[{grade_id(cell) or '?'}] stderr: {out.text}")
        return "\n".join(parts)[:6000] or "(no errors)"

    def describe(self, student: str) -> str:
        return (
            f"{student}: {self.total(student)}/{self.full}, lost {sorted(self.lost(student))}\n"
            f"{self.errors(student)}"
        )


def error_records(log: str) -> str:
    """nbgrader's ERROR records in ``log``, each with the lines under it (its traceback)."""
    kept, keeping = [], False
    for line in log.splitlines():
        if line.startswith("["):
            keeping = "ERROR" in line.split("]", 1)[0]
        if keeping:
            kept.append(line)
    return "\n".join(kept)[-8000:]


def run_twice(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``submission`` as a learner hands it in after running the whole notebook twice in one kernel.

    Its cells come first as a plain copy (the answers as handed in, every check of ``source`` with its
    hidden tests, no nbgrader metadata), then as they are: the grader runs every cell once more from the
    top in the same kernel, with what the first pass left behind, and grades the second pass.
    """
    handed_in = cell_sources(submission)
    first_pass = []
    for cell in source.cells:
        copy = nbformat.from_dict(dict(cell))
        if is_solution_cell(cell):
            copy.source = handed_in[grade_id(cell)]
        copy.metadata = nbformat.from_dict({})
        copy.id = f"first-pass-{len(first_pass)}"
        first_pass.append(copy)
    doubled = nbformat.from_dict(dict(submission))
    doubled.cells = first_pass + list(submission.cells)
    return doubled


def grade_submissions(
    base: Path,
    assignment: str,
    notebook: str,
    submissions: Mapping[str, Mapping[str, str] | None],
    *extra_args: str,
    reruns: Mapping[str, Mapping[str, str]] | None = None,
    source_root: Path = REPO,
) -> Graded:
    """Release ``assignment`` in a course under ``base``, hand in one notebook per student, autograde once.

    ``submissions`` maps a student id to the answer cells handed in, ``{grade_id: source}`` (None:
    the untouched release).  Each student of ``reruns`` hands in the answer cells given there in a
    notebook that was run twice from the top (:func:`run_twice`).  The course's source is
    ``source_root``'s (the repository's, or :func:`release_as_source`).
    """
    course = make_course(base / "course", [assignment], source_root=source_root)
    release = CourseLayout(course).release_notebook(assignment, notebook)
    for student, answers in submissions.items():
        nb = make_submission(release, answers or {})
        submit(course, student, assignment, {notebook: nb})
    for student, answers in (reruns or {}).items():
        nb = run_twice(source_notebook(assignment, notebook), make_submission(release, answers))
        submit(course, student, assignment, {notebook: nb})
    result = autograde(course, assignment, *extra_args)
    return Graded(
        course=course,
        assignment=assignment,
        notebook=notebook,
        scores=read_scores(course, assignment),
        max=max_scores(course, assignment),
        returncode=result.returncode,
        log=result.stdout + result.stderr,
    )


def release_as_source(root: Path, assignment: str, notebook: str) -> Path:
    """A source root in ``root`` whose ``assignment`` is its released notebook, as the learner sees it.

    The release (``notebooks/``, kept equal to what ``solutions/`` generates by the drift check) has its
    hidden tests stripped, so a course generated from it grades with the visible checks only.  The
    header cells that generation prepended are dropped (generating again adds them back).
    """
    layout, ours = CourseLayout(REPO), CourseLayout(root)
    header = nbformat.read(layout.source / "_header.ipynb", as_version=4)
    release = nbformat.read(layout.release_notebook(assignment, notebook), as_version=4)
    given = [cell.source for cell in release.cells[: len(header.cells)]]
    assert given == [cell.source for cell in header.cells], "the release opens with the header's cells"
    release.cells = release.cells[len(header.cells) :]
    assert "### BEGIN HIDDEN TESTS" not in nbformat.writes(release), "the release has no hidden tests"
    (ours.source / assignment).mkdir(parents=True)
    shutil.copy2(REPO / CONFIG_FILE, root / CONFIG_FILE)
    shutil.copy2(layout.source / "_header.ipynb", ours.source / "_header.ipynb")
    nbformat.write(release, ours.source / assignment / f"{notebook}.ipynb")
    return root


def validate(course: Path, notebook: Path, *extra_args: str) -> str:
    """Run ``nbgrader validate`` on ``notebook`` in ``course``; return what it printed."""
    result = run_nbgrader(course, "validate", str(notebook), *extra_args)
    return result.stdout + result.stderr


_DOC = re.compile(r'^\s*"""(.*?)"""', re.S)


def docstrings(assignment: str, notebook: str, prefix: str) -> dict[str, str]:
    """The first line of each test cell's docstring, by grade_id."""
    sources = cell_sources(source_notebook(assignment, notebook))
    found = {}
    for gid in grade_cell_ids(assignment, notebook, prefix):
        match = _DOC.match(sources[gid])
        found[gid] = match.group(1).strip().splitlines()[0] if match else ""
    return found


def hidden_only_lines(assignment: str, notebook: str) -> list[str]:
    """Lines of hidden tests found nowhere in the released notebook's code: feedback must not show them."""
    release = (REPO / "notebooks" / assignment / f"{notebook}.ipynb").read_text(encoding="utf-8")
    visible = "\n".join(cell.source for cell in nbformat.reads(release, as_version=4).cells)
    lines = {
        line.strip()
        for source in cell_sources(source_notebook(assignment, notebook)).values()
        for line in hidden_lines(source)
    }
    # A hidden line that is part of a visible one (`_check(`, a shared argument) gives nothing away.
    return sorted(line for line in lines if len(line) >= 12 and line not in visible)


def page_text(page: str) -> str:
    """An HTML page's text: tags removed (highlighted code is split into spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@dataclass(frozen=True)
class Wrong:
    """A known-wrong submission: its answer cells, its mistake and the test cells it must lose points on."""

    answers: Mapping[str, str]
    mistake: str
    loses: frozenset[str]


class AutogradeProof:
    """The grader proof of one assignment; a test class subclasses it and says what to hand in.

    The instructor's solution (student ``solution``), the untouched release (``untouched``), every
    known-wrong submission and any :meth:`others` are graded as one student each in a single
    ``nbgrader autograde`` run (the class-scoped fixture ``graded``).  The solution must get full
    marks, the release zero on every test cell, and each wrong submission must lose points on
    exactly the test cells it names.

    Hidden tests add variety, never a requirement of their own: every known-wrong submission is
    graded once more, in a second course whose source is the released notebook (the fixture
    ``graded_visible``: the visible checks only, as Validate runs them), and must lose points there
    on every test cell it names too.
    """

    ASSIGNMENT: str
    NOTEBOOK: str
    # Students (right or wrong) whose verdict could depend on how threads or requests interleave: each is
    # graded REPEATS times in the same run, and every copy must get the same score on every cell.
    REPEATED: tuple[str, ...] = ()
    REPEATS = 5
    # The right answer handed in once more as a notebook run twice from the top (student "rerun").
    RERUN = "solution"

    @classmethod
    def solution(cls) -> dict[str, str]:
        """The answer cells of a perfect submission: ``{grade_id: source}``."""
        raise NotImplementedError

    @classmethod
    def wrong(cls) -> dict[str, Wrong]:
        """The known-wrong submissions, by student id."""
        raise NotImplementedError

    @classmethod
    def right(cls) -> dict[str, dict[str, str]]:
        """Right answers other than the solution, by student id: each must get full marks."""
        return {}

    @classmethod
    def others(cls) -> dict[str, dict[str, str]]:
        """More students for the same run (the subclass checks them): ``{student: answers}``."""
        return {}

    @classmethod
    def answers_of(cls, student: str) -> Mapping[str, str]:
        """The answer cells that ``student`` (the solution, a right, wrong or other answer) hands in."""
        everyone = {"solution": cls.solution(), **cls.right(), **cls.others()}
        everyone.update((name, w.answers) for name, w in cls.wrong().items())
        return everyone[student]

    @classmethod
    def copies(cls, student: str) -> list[str]:
        """The student ids under which a REPEATED student is graded, the original first."""
        return [student, *(f"{student}_again{n}" for n in range(2, cls.REPEATS + 1))]

    @classmethod
    def grade_cells(cls) -> list[str]:
        return grade_cell_ids(cls.ASSIGNMENT, cls.NOTEBOOK, "")

    @classmethod
    def students(cls) -> dict[str, Mapping[str, str] | None]:
        """Every student of the run and the answer cells they hand in (None: the untouched release)."""
        groups = [{"solution", "untouched", "rerun"}, set(cls.right()), set(cls.others()), set(cls.wrong())]
        names = [name for group in groups for name in group]
        assert len(names) == len(set(names)), f"student ids used twice: {sorted(names)}"
        wrong = {name: w.answers for name, w in cls.wrong().items()}
        everyone = {"solution": cls.solution(), "untouched": None, **cls.right(), **cls.others(), **wrong}
        for student in cls.REPEATED:
            everyone.update((copy, cls.answers_of(student)) for copy in cls.copies(student)[1:])
        return everyone

    @classmethod
    def reruns(cls) -> dict[str, Mapping[str, str]]:
        return {"rerun": cls.answers_of(cls.RERUN)}

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "wrong" in metafunc.fixturenames:
            metafunc.parametrize("wrong", sorted(self.wrong()))
        if "right" in metafunc.fixturenames:
            metafunc.parametrize("right", sorted(self.right()))

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory: pytest.TempPathFactory) -> Graded:
        base = tmp_path_factory.mktemp(cls.__name__)
        return grade_submissions(base, cls.ASSIGNMENT, cls.NOTEBOOK, cls.students(), reruns=cls.reruns())

    @classmethod
    def cells_with_hidden_tests(cls) -> set[str]:
        """The test cells with hidden tests; every check of the others is visible."""
        sources = cell_sources(source_notebook(cls.ASSIGNMENT, cls.NOTEBOOK))
        return {gid for gid in cls.grade_cells() if "### BEGIN HIDDEN TESTS" in sources[gid]}

    @pytest.fixture(scope="class")
    @classmethod
    def graded_visible(cls, tmp_path_factory: pytest.TempPathFactory) -> Graded:
        """The known-wrong answers that lose a cell with hidden tests, graded by the visible checks only.

        One autograde run of a course whose source is the release.  The other wrong answers lose only
        cells whose checks are all visible, which the run of ``graded`` has graded already.
        """
        base = tmp_path_factory.mktemp(f"{cls.__name__}_visible")
        root = release_as_source(base / "release_as_source", cls.ASSIGNMENT, cls.NOTEBOOK)
        hidden = cls.cells_with_hidden_tests()
        wrong = {name: w.answers for name, w in cls.wrong().items() if w.loses & hidden}
        return grade_submissions(base, cls.ASSIGNMENT, cls.NOTEBOOK, wrong, source_root=root)

    def test_the_release_as_source_has_every_test_cell_without_hidden_tests(self, tmp_path: Path) -> None:
        root = release_as_source(tmp_path, self.ASSIGNMENT, self.NOTEBOOK)
        notebook = nbformat.read(CourseLayout(root).source / self.ASSIGNMENT / f"{self.NOTEBOOK}.ipynb", 4)
        sources = cell_sources(notebook)
        assert [gid for gid in sources if gid in set(self.grade_cells())] == self.grade_cells()
        full = cell_sources(source_notebook(self.ASSIGNMENT, self.NOTEBOOK))
        for gid in self.grade_cells():
            assert "HIDDEN TESTS" not in sources[gid]
            assert (sources[gid] == full[gid]) is (gid not in self.cells_with_hidden_tests()), gid

    def test_repeated_students_are_known(self) -> None:
        known = {"solution", *self.right(), *self.others(), *self.wrong()}
        assert set(self.REPEATED) <= known, set(self.REPEATED) - known
        assert self.RERUN in known - set(self.wrong()), f"{self.RERUN} must be a right answer"

    def test_enough_right_answers_use_the_learners_usual_names(self) -> None:
        """Right answers bind plain names the given cells must leave alone (and the checks' own names)."""
        plain = [name for name, answers in self.right().items() if usual_names(answers)]
        assert len(plain) >= 3, f"right answers that bind {sorted(USUAL_NAMES)} at top level: {plain}"
        checks_names = {n for answers in self.right().values() for n in usual_names(answers)} & CHECKS_NAMES
        assert checks_names, f"no right answer defines one of the checks' own names {sorted(CHECKS_NAMES)}"

    @pytest.mark.slow
    def test_every_test_cell_is_graded(self, graded: Graded) -> None:
        assert set(graded.max) == set(self.grade_cells())
        assert all(points > 0 for points in graded.max.values())

    @pytest.mark.slow
    def test_the_run_finishes_and_grades_everyone(self, graded: Graded) -> None:
        assert graded.returncode == 0, error_records(graded.log) or graded.log[-3000:]
        assert set(graded.scores) == set(self.students()) | set(self.reruns())

    @pytest.mark.slow
    def test_solution_gets_full_marks(self, graded: Graded) -> None:
        assert graded.lost("solution") == set(), graded.describe("solution")

    @pytest.mark.slow
    def test_untouched_release_scores_zero(self, graded: Graded) -> None:
        assert graded.scores["untouched"] == dict.fromkeys(graded.max, 0.0), graded.describe("untouched")
        assert graded.autograded("untouched").is_file()

    @pytest.mark.slow
    def test_feedback_shows_no_hidden_test(self, graded: Graded) -> None:
        """The feedback of the solution and of a wrong answer quotes no hidden line, but their messages."""
        secret = hidden_only_lines(self.ASSIGNMENT, self.NOTEBOOK)
        assert secret, "the assignment has hidden tests"
        students = ["solution", sorted(self.wrong())[0]]
        result = generate_feedback(graded.course, self.ASSIGNMENT, f"--student={students[1]}")
        again = generate_feedback(graded.course, self.ASSIGNMENT, "--student=solution")
        assert result.returncode == again.returncode == 0, result.stdout + result.stderr + again.stderr
        for student in students:
            page = page_text(feedback_html(graded.course, student, self.ASSIGNMENT, self.NOTEBOOK))
            shown = [line for line in secret if line in page]
            assert not shown, f"{student}'s feedback shows hidden code: {shown[:3]}"
            assert "hidden checks (" in page
        wrong_page = page_text(feedback_html(graded.course, students[1], self.ASSIGNMENT, self.NOTEBOOK))
        assert "observed:" in wrong_page or "expected" in wrong_page, "the failed check's message is shown"
        assert "### BEGIN HIDDEN TESTS" in graded.autograded(students[1]).read_text(encoding="utf-8")

    @pytest.mark.slow
    def test_no_answer_is_flagged_for_review(self, graded: Graded) -> None:
        """Right and wrong answers leave the checks alone: each kernel was fingerprinted, nothing changed."""
        flags = review_flags(graded.course, self.ASSIGNMENT)
        assert flags == {}, flags

    @pytest.mark.slow
    def test_wrong_answer_loses_points_where_expected(self, graded: Graded, wrong: str) -> None:
        expected = self.wrong()[wrong]
        assert graded.total(wrong) < graded.full, f"{expected.mistake}\n{graded.describe(wrong)}"
        assert graded.lost(wrong) == expected.loses, f"{expected.mistake}\n{graded.describe(wrong)}"

    @pytest.mark.slow
    def test_the_visible_checks_grade_every_wrong_answer(self, graded_visible: Graded) -> None:
        assert graded_visible.returncode == 0, error_records(graded_visible.log) or graded_visible.log[-3000:]
        hidden = self.cells_with_hidden_tests()
        assert set(graded_visible.scores) == {name for name, w in self.wrong().items() if w.loses & hidden}
        assert set(graded_visible.max) == set(self.grade_cells())

    @pytest.mark.slow
    def test_wrong_answer_fails_a_visible_check_of_every_cell_it_loses(
        self, graded_visible: Graded, wrong: str
    ) -> None:
        """A mistake that only hidden tests catch passes Validate and then loses points when graded."""
        expected = self.wrong()[wrong]
        if wrong in graded_visible.scores:
            lost = graded_visible.lost(wrong)
        else:  # every check of the cells it loses is visible, and graded already
            lost = expected.loses - self.cells_with_hidden_tests()
        hidden_only = sorted(expected.loses - lost)
        assert not hidden_only, (
            f"{wrong} ({expected.mistake}) fails only hidden checks of {hidden_only}: "
            f"add a visible case\n{graded_visible.describe(wrong)}"
        )
        assert lost == expected.loses, graded_visible.describe(wrong)

    @pytest.mark.slow
    def test_right_answer_gets_full_marks(self, graded: Graded, right: str) -> None:
        assert graded.lost(right) == set(), graded.describe(right)

    @pytest.mark.slow
    def test_a_notebook_run_twice_still_gets_full_marks(self, graded: Graded) -> None:
        assert graded.lost("rerun") == set(), graded.describe("rerun")


class SchedulingProof(AutogradeProof):
    """The proof of an assignment whose checks involve threads or concurrent requests.

    Mixed in first: ``class TestEx3(SchedulingProof, ExerciseProof)``.

    Each of its REPEATED students (the answers whose verdict could depend on how the threads
    interleave, wrong and right) is graded REPEATS times in the same autograde run: every copy must
    get the same score on every cell, and lose exactly the cells expected (a right answer: none).
    """

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        super().pytest_generate_tests(metafunc)
        if "repeated" in metafunc.fixturenames:
            metafunc.parametrize("repeated", self.REPEATED)

    def test_scheduling_sensitive_answers_are_listed(self) -> None:
        wrong = set(self.wrong())
        assert set(self.REPEATED) & wrong, "list the known-wrong answers that mix up threads"
        assert set(self.REPEATED) - wrong, "and at least one right answer"

    @pytest.mark.slow
    def test_repeated_student_gets_the_same_scores_every_time(self, graded: Graded, repeated: str) -> None:
        copies = self.copies(repeated)
        differing = [c for c in copies if graded.scores.get(c) != graded.scores.get(repeated)]
        assert not differing, "\n".join(graded.describe(c) for c in copies)
        wrong = self.wrong()
        expected = wrong[repeated].loses if repeated in wrong else frozenset()
        assert graded.lost(repeated) == expected, graded.describe(repeated)


class ExerciseProof(AutogradeProof):
    """The grader proof of one exercise: answer files in ``files/<EXERCISE>/`` and the WRONG table.

    On top of :class:`AutogradeProof`: every answer is well formed, right answers get full marks,
    every test cell is failed by some wrong answer, and feedback and ``nbgrader validate`` say what
    a failed check observed and expected.
    """

    EXERCISE: str  # the answer cell's grade_id and the folder of its answer files
    FUNCTION: str  # a function every answer defines
    ALSO_DEFINED: tuple[str, ...] = ()  # more functions every answer defines
    WRONG: tuple[Mutation, ...]  # known-wrong answers written as edits of the solution
    FEEDBACK_STUDENT: str  # a wrong answer whose feedback must show a check's message ...
    FEEDBACK_TEXT: str  # ... including this text
    VALIDATE_STUDENT: str  # a wrong answer that fails exactly one visible check ...
    VALIDATE_CELL: str  # ... this one ...
    VALIDATE_TEXT: str  # ... with this text in the message

    @classmethod
    def variants(cls) -> dict[str, Variant]:
        return load_variants(cls.EXERCISE)

    @classmethod
    def solution(cls) -> dict[str, str]:
        return {cls.EXERCISE: solution_answer(cls.ASSIGNMENT, cls.NOTEBOOK, cls.EXERCISE)}

    @classmethod
    def mutated(cls, mutation: Mutation) -> str:
        return mutate(cls.solution()[cls.EXERCISE], mutation, f"the solution of {cls.EXERCISE}")

    @classmethod
    def wrong(cls) -> dict[str, Wrong]:
        from_files = {
            name: Wrong({cls.EXERCISE: v.source}, v.description, v.loses)
            for name, v in cls.variants().items()
            if not v.right
        }
        from_table = {
            m.name: Wrong({cls.EXERCISE: cls.mutated(m)}, m.mistake, frozenset(m.loses)) for m in cls.WRONG
        }
        assert not set(from_files) & set(from_table), "a wrong answer is both a file and a mutation"
        return {**from_files, **from_table}

    @classmethod
    def right(cls) -> dict[str, dict[str, str]]:
        return {name: {cls.EXERCISE: v.source} for name, v in cls.variants().items() if v.right}

    @classmethod
    def grade_cells(cls) -> list[str]:
        return grade_cell_ids(cls.ASSIGNMENT, cls.NOTEBOOK, cls.EXERCISE + "_")

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        super().pytest_generate_tests(metafunc)
        variants = self.variants()
        if "variant" in metafunc.fixturenames:
            metafunc.parametrize("variant", sorted(variants))
        if "mutation" in metafunc.fixturenames:
            metafunc.parametrize("mutation", self.WRONG, ids=lambda m: m.name)

    def release(self) -> Path:
        return IN_COURSE.release_notebook(self.ASSIGNMENT, self.NOTEBOOK)

    # --- fast checks of the variant files and the source notebook --------------------------------

    def test_enough_answers(self) -> None:
        wrong, right = self.wrong(), self.right()
        assert len(wrong) >= 10 and len(right) >= 3, (sorted(wrong), sorted(right))

    def test_every_test_cell_is_failed_by_some_wrong_answer(self) -> None:
        failed = {gid for w in self.wrong().values() for gid in w.loses}
        assert set(self.grade_cells()) <= failed, sorted(set(self.grade_cells()) - failed)

    def test_wrong_table_names_its_mistakes_and_cells(self) -> None:
        assert mutation_table_problems(self.WRONG, set(self.grade_cells())) == []

    def test_mutation_makes_a_different_answer_that_compiles(self, mutation: Mutation) -> None:
        """Every ``old`` occurs once in the solution (else mutate fails) and the edit changes it."""
        source = self.mutated(mutation)
        assert source != self.solution()[self.EXERCISE], f"{mutation.name} leaves the solution as it is"
        assert {self.FUNCTION, *self.ALSO_DEFINED} <= defined_functions(source)

    def test_variant_file_is_well_formed(self, variant: str) -> None:
        v = self.variants()[variant]
        assert v.description.startswith("RIGHT:" if v.right else "WRONG:"), v.description
        assert v.loses <= set(self.grade_cells()), v.loses - set(self.grade_cells())
        assert bool(v.loses) is not v.right, "a right answer loses nothing, a wrong one something"
        assert {self.FUNCTION, *self.ALSO_DEFINED} <= defined_functions(v.source)

    def test_test_cells_open_with_a_docstring(self) -> None:
        docs = docstrings(self.ASSIGNMENT, self.NOTEBOOK, self.EXERCISE + "_")
        assert docs and all(docs.values()), docs

    # --- the real grader -------------------------------------------------------------------------

    @pytest.mark.slow
    def test_feedback_says_observed_and_expected(self, graded: Graded) -> None:
        result = generate_feedback(graded.course, self.ASSIGNMENT, f"--student={self.FEEDBACK_STUDENT}")
        assert result.returncode == 0, result.stdout + result.stderr
        page = html.unescape(
            feedback_html(graded.course, self.FEEDBACK_STUDENT, self.ASSIGNMENT, self.NOTEBOOK)
        )
        assert self.FEEDBACK_TEXT in page
        assert "observed:" in page and "expected:" in page

    @pytest.mark.slow
    def test_validate_passes_on_the_solution(self, graded: Graded) -> None:
        out = validate(graded.course, IN_COURSE.source / self.ASSIGNMENT / f"{self.NOTEBOOK}.ipynb")
        assert "Success! Your notebook passes all the tests." in out, out[-3000:]

    @pytest.mark.slow
    def test_validate_names_every_failed_check_on_the_release(self, graded: Graded) -> None:
        out = validate(graded.course, self.release())
        assert f"VALIDATION FAILED ON {len(self.grade_cells())} CELL(S)" in out, out[-3000:]
        for doc in docstrings(self.ASSIGNMENT, self.NOTEBOOK, self.EXERCISE + "_").values():
            assert doc[:60] in out, doc
        assert "observed: it raises NotImplementedError" in out
        assert "hint: replace `raise NotImplementedError()`" in out

    @pytest.mark.slow
    def test_validate_invert_on_the_release_finds_no_passing_check(self, graded: Graded) -> None:
        out = validate(graded.course, self.release(), "--invert")
        assert "Success! The notebook does not pass any tests." in out, out[-3000:]

    @pytest.mark.slow
    def test_validate_names_the_visible_check_a_wrong_answer_fails(self, graded: Graded) -> None:
        student = self.VALIDATE_STUDENT
        submitted = IN_COURSE.submitted_notebook(student, self.ASSIGNMENT, self.NOTEBOOK)
        out = validate(graded.course, submitted)
        assert "VALIDATION FAILED ON 1 CELL(S)" in out, out[-3000:]
        assert docstrings(self.ASSIGNMENT, self.NOTEBOOK, self.EXERCISE + "_")[self.VALIDATE_CELL][:60] in out
        assert self.VALIDATE_TEXT in out, out[-3000:]
