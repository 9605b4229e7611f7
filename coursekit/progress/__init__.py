"""``coursekit progress``: where a learner stands in the course, and what to do next.

For every notebook of the course, in course order, the learner's copy (in ``notebooks/``) tells:

* whether it is **started**: a graded notebook when any answer cell differs from the released one
  (``# YOUR CODE HERE`` / ``raise NotImplementedError()`` and the lines around it); a lesson when a
  cell's source, outputs or execution count differs from the lesson as shipped (``solutions/``), or
  when it was saved from a running kernel (its ``language_info`` then holds the kernel's details);
* how many of its **visible checks** pass: the grade cells of the released notebook, run in a fresh
  kernel on a copy in a temporary folder (the learner's file is only read); lessons have no checks;
* whether it is **done**: every visible check passes; a lesson, once started;

and what to do **next**: the first notebook not done, with the docstring of its first failing check.

Its modules: ``model`` (the results: :class:`Check`, :class:`NotebookProgress`,
:class:`CourseProgress` and the table), ``state`` (what the learner's files say: the release rebuilt
from ``solutions/``, started or not), ``kernel`` (one graded notebook run in a fresh kernel, its
checks read from the replies), ``course`` (the whole course, graded notebooks run in parallel:
:func:`check_course`, and :func:`show` for a lesson's cell) and ``command`` (the subcommand).
"""

from coursekit.progress.course import check_course, show
from coursekit.progress.kernel import CELL_TIMEOUT
from coursekit.progress.model import Check, CourseProgress, NotebookProgress
from coursekit.progress.state import CODE_STUB, answers_changed, course_notebooks, lesson_started, released

__all__ = [
    "CELL_TIMEOUT",
    "CODE_STUB",
    "Check",
    "CourseProgress",
    "NotebookProgress",
    "answers_changed",
    "check_course",
    "course_notebooks",
    "lesson_started",
    "released",
    "show",
]
