"""This folder's tests reuse the grader proof of the exercises (tests/grader/grader_support.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader"))
