"""Building blocks of an nbgrader notebook: cell metadata, answer, test and instruction cells.

Used by the exercise notebook writer (``notebook.py``) and the self-assessment cells
(``rating_cells.py``); imports only nbformat and the exercise source format.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from crossings.exercises.source import points_text

SCHEMA = 3


def meta(grade_id: str, *, locked=False, solution=False, grade=False, points=None, task=False):
    meta = {"grade_id": grade_id, "locked": locked, "solution": solution, "grade": grade,
            "task": task, "schema_version": SCHEMA}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def answer_cell(grade_id: str, stub: str, model) -> nbformat.NotebookNode:
    source = f"{stub}\n### BEGIN SOLUTION\nanswer = {model!r}\n### END SOLUTION"
    return new_code_cell(source, metadata=meta(grade_id, solution=True))


def test_cell(grade_id: str, points: float, title: str, visible: str, hidden: str = ""):
    source = f'"""Check my answer: {title} ({points_text(points)})."""\n{visible}'
    if hidden:
        source += f"\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"
    return new_code_cell(source, metadata=meta(grade_id, locked=True, grade=True, points=points))


def instructions(grade_id: str, text: str):
    return new_markdown_cell(text, metadata=meta(grade_id, locked=True))
