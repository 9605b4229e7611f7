"""What an instructor does in the browser: open the formgrader from JupyterLab's Nbgrader menu."""

from __future__ import annotations

import e2e_support as lab
import pytest

pytestmark = pytest.mark.e2e


def test_formgrader_lists_the_assignments(instructor_server, course, page, shot):
    """Nbgrader > Formgrader opens the Manage Assignments page, which lists every folder of solutions/."""
    expected = lab.assignment_folders(course)
    assert expected, "solutions/ has no assignment folders"
    lab.open_lab(page, instructor_server)
    shot("lab")
    lab.click_menu(page, "Nbgrader", "Formgrader")
    formgrader = page.frame_locator("#formgrader-iframe iframe")
    formgrader.get_by_role("heading", name="Manage Assignments").wait_for()
    names = formgrader.locator("#main-table td.name")
    # the first visit creates the gradebook, which takes a while: wait for the rows, not for a time
    names.nth(len(expected) - 1).wait_for()
    shot("formgrader")
    shown = sorted(t.strip() for t in names.all_inner_texts())
    assert shown == expected, f"formgrader lists {shown}, solutions/ holds {expected}"
