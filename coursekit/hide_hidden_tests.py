"""The feedback step that keeps hidden tests hidden: their code becomes one line, their messages stay.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests included, so a learner
could read every hidden check in the first feedback.  :class:`HideHiddenTests`, listed in the course's
``GenerateFeedback.preprocessors`` (``nbgrader_config.py``), changes only the copy being rendered:

* the lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` become one placeholder
  line, indented as the markers were;
* an error's traceback keeps the learner's own frames and the check's message (observed, expected,
  hint) but not a frame that would quote a hidden line.

The autograded notebook, and so the formgrader, keep the full code for the instructor.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

__all__ = ["PLACEHOLDER", "HideHiddenTests", "hide_hidden_code", "hidden_lines"]

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
PLACEHOLDER = "# hidden checks ({count} lines): they run when the notebook is graded"
HIDDEN_FRAME = "(a frame of a hidden check, not shown)"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def hidden_lines(source: str) -> list[str]:
    """The lines of ``source`` inside its hidden-test regions (markers excluded)."""
    found, hidden = [], False
    for line in source.splitlines():
        if BEGIN in line:
            hidden = True
        elif END in line:
            hidden = False
        elif hidden:
            found.append(line)
    return found


def hide_hidden_code(source: str) -> str:
    """``source`` with each hidden-test region, markers included, replaced by one placeholder line."""
    kept, region = [], None
    for line in source.splitlines():
        if BEGIN in line:
            region = (line[: len(line) - len(line.lstrip())], [])
        elif END in line and region is not None:
            indent, lines = region
            kept.append(indent + PLACEHOLDER.format(count=len(lines)))
            region = None
        elif region is not None:
            region[1].append(line)
        else:
            kept.append(line)
    return "\n".join(kept)


def _quotes_hidden_code(frame: str, secrets: set[str]) -> bool:
    """Whether a traceback entry is a frame of the cell's own code that quotes a hidden line."""
    text = _ANSI.sub("", frame).lstrip()
    is_cell_frame = text.startswith(("Cell In[", "Input In ["))
    return is_cell_frame and any(secret in text for secret in secrets)


class HideHiddenTests(Preprocessor):
    """Replace hidden tests by a placeholder in the notebook that feedback is rendered from."""

    # nbgrader registers the course's preprocessors as they are: this one must be on by default.
    enabled = Bool(True, help="hide the hidden tests in feedback").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code" or BEGIN not in cell.source:
            return cell, resources
        # Lines short enough to occur in the visible code too (a bracket, `)`) give nothing away.
        secrets = {line.strip() for line in hidden_lines(cell.source) if len(line.strip()) >= 8}
        cell.source = hide_hidden_code(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [
                    HIDDEN_FRAME if _quotes_hidden_code(frame, secrets) else frame
                    for frame in output.get("traceback", [])
                ]
        return cell, resources
