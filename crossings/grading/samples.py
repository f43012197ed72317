"""Sample submissions made from built exercises, for the benchmark, the tests and a
facilitator's dry run: what learners would hand in, with no personal data.

``model``  every answer cell holds the exercise's model answer (full marks)
``blank``  the released notebook handed back untouched (zero autograded points)
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def solution_text(source: str) -> str:
    """The model answer of a source cell (lines between the solution markers)."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)


def model_submission(source, release):
    """The released notebook with every answer cell holding the model answer."""
    models = {_meta(c)["grade_id"]: solution_text(c.source) for c in source.cells
              if _meta(c).get("solution") and BEGIN in c.source}
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if gid in models:
            cell.source = models[gid]
    return nb


def sample_cohort(build: Path, out: Path, learners: list[str], kinds=("model", "blank"),
                  exercises: list[str] | None = None) -> list[Path]:
    """Write ``<learner>__<exercise>.ipynb`` for every learner and exercise, cycling
    through ``kinds``; returns the files written."""
    build, out = Path(build), Path(out)
    manifest = json.loads((build / "exercises.json").read_text())
    ids = exercises or [e["id"] for e in manifest]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, learner in enumerate(learners):
        for m, exercise in enumerate(ids):
            source = nbformat.read(build / "source" / exercise / f"{exercise}.ipynb", 4)
            release = nbformat.read(build / "release" / exercise / f"{exercise}.ipynb", 4)
            kind = kinds[(n + m) % len(kinds)]
            nb = model_submission(source, release) if kind == "model" else copy.deepcopy(release)
            path = out / f"{learner}__{exercise}.ipynb"
            nbformat.write(nb, path)
            written.append(path)
    return written
