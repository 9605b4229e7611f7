"""What a learner does in the browser: open the course, run a lesson, validate an exercise."""

from __future__ import annotations

import re
from pathlib import Path

import e2e_support as lab
import nbformat
import pytest

pytestmark = pytest.mark.e2e

EXERCISE = "02_ex1_logging/ex1_logging.ipynb"  # the first exercise must be there, whatever else is
LESSONS = [str(p) for p in lab.lesson_notebooks(lab.course_source())] or ["01_lessons (no lesson notebooks)"]
GRADED = sorted({EXERCISE, *(str(p) for p in lab.graded_notebooks(lab.course_source()))})


def _notebook_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb")


def test_course_opens_with_numbered_folders_in_order(learner_server, course, page, shot):
    """The file browser shows notebooks/: the numbered assignment folders in course order, and in each
    folder its notebooks (the lessons numbered, in order)."""
    expected = lab.numbered_entries(course / "notebooks")
    assert expected, "notebooks/ has no numbered folders"
    lab.open_lab(page, learner_server)
    items = page.locator(lab.LISTING_ITEMS)
    items.first.wait_for()
    shown = [name for name in items.all_inner_texts() if name[:1].isdigit()]
    shot("course-root")
    assert shown == expected, f"file browser shows {shown}, notebooks/ holds {expected}"

    breadcrumbs = page.locator(".jp-FileBrowser .jp-BreadCrumbs")
    for folder in expected:
        if not (course / "notebooks" / folder).is_dir():
            continue
        items.get_by_text(folder, exact=True).dblclick()
        breadcrumbs.get_by_text(folder).wait_for()
        notebooks = _notebook_entries(course / "notebooks" / folder)
        # the listing refreshes after the breadcrumb: wait for its names, not for a fixed time
        page.wait_for_function(
            """([selector, names]) => {
                const shown = [...document.querySelectorAll(selector)].map(e => e.textContent.trim());
                return JSON.stringify(shown.filter(n => n.endsWith('.ipynb'))) === JSON.stringify(names);
            }""",
            arg=[lab.LISTING_ITEMS, notebooks],
        )
        shot(f"folder-{folder}")
        # back to the root of the file browser (the first breadcrumb, the home icon)
        breadcrumbs.locator(".jp-BreadCrumbs-home").click()
        items.get_by_text(expected[0], exact=True).wait_for()


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_all_without_errors(learner_server, course, page, shot, lesson):
    """A lesson runs top to bottom with Run All: every code cell runs and no cell raises an error."""
    path = course / "notebooks" / lesson
    assert path.is_file(), f"no lesson notebook: {path}"
    notebook = lab.open_notebook(page, learner_server, lesson)
    shot("opened")

    # Start from a clean page (lessons ship with their outputs), then run everything.
    lab.click_menu(page, "Edit", "Clear Outputs of All Cells")
    lab.wait_outputs_cleared(page)
    lab.click_menu(page, "Run", "Run All Cells")
    lab.wait_run_all_done(page)
    shot("ran")

    prompts = lab.code_prompts(notebook)
    not_run = [i for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
    # What the page holds, saved by the page, tells exactly which outputs are errors.
    lab.save_notebook(page, notebook)
    saved = nbformat.read(path, as_version=4)
    errors = [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, c in enumerate(saved.cells)
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for out in c.outputs
        if out.output_type == "error"
    ]
    assert not errors, f"{lesson}: error output after Run All:\n" + "\n".join(errors)
    assert not not_run, f"{lesson}: code cells {not_run} did not run (prompts {prompts})"


@pytest.mark.parametrize("exercise", GRADED)
def test_validate_fails_untouched_then_passes_with_typed_answer(learner_server, course, page, shot, exercise):
    """nbgrader's Validate button reports failure on the student version as released, and success once
    the correct answer is typed into each answer cell of the page."""
    student = course / "notebooks" / exercise
    source = course / "solutions" / exercise
    assert student.is_file() and source.is_file(), f"exercise not in the course yet: {exercise}"
    answers = lab.answers_for(student, source)
    positions = lab.answer_cell_indexes(student)
    assert answers, f"{exercise} has no answer cells"

    notebook = lab.open_notebook(page, learner_server, exercise, wait_kernel=False)
    shot("opened")

    classes, text = lab.validate(page, notebook)
    shot("validate-untouched")
    assert "validation-failed" in classes.split(), (
        f"untouched notebook: expected a failure, got {classes}:\n{text}"
    )
    lab.close_dialog(page)

    for grade_id, answer in answers.items():
        lab.replace_cell_text(page, lab.cell(notebook, positions[grade_id]), answer)
    shot("answers-typed")
    # Saved from the page, the file holds exactly what was typed (CodeMirror shows only the lines
    # in view, so the page's text cannot be read back whole).
    lab.save_notebook(page, notebook)
    saved = nbformat.read(student, as_version=4)
    for grade_id, answer in answers.items():
        assert saved.cells[positions[grade_id]].source == answer, (
            f"answer cell {grade_id}: typed text differs"
        )

    classes, text = lab.validate(page, notebook)
    shot("validate-answered")
    assert "validation-success" in classes.split(), f"answers typed: expected success, got {classes}:\n{text}"
    lab.close_dialog(page)
