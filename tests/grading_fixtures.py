"""Small exercise notebooks with real nbgrader metadata, for the grading tests.

They follow the shape of the platform's exercises: a locked setup cell, and per
question a locked instruction cell, an answer cell (``answer = ...`` between
solution markers) and a locked test cell whose hidden part returns the partial
score. One exercise holds every exercise type: choice, classification (partial
credit), ordering (partial credit), a structured plan (completeness autograded,
quality graded by the facilitator) and a reflection (facilitator-graded).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = '''\
# Run this cell first. Please do not change it.
def _canonical(value):
    if isinstance(value, str):
        return value.strip().upper()
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def check_letters(answer, letters, count=None):
    if answer == "" or answer == []:
        raise AssertionError("Not yet: you have not answered yet.")
    given = [_canonical(answer)] if isinstance(answer, str) else _canonical(answer)
    if any(g not in letters for g in given):
        raise AssertionError("Not yet: use only the letters " + ", ".join(letters))
    if count is not None and len(given) != count:
        raise AssertionError(f"Not yet: write exactly {count} letters.")
    print("Your answer has the right form.")


def check_text(answer, min_words):
    if not isinstance(answer, str) or len(answer.split()) < min_words:
        raise AssertionError(f"Not yet: write at least {min_words} words.")
    print("Thank you: this part is complete.")
'''

# Per item: (kind, points, model answer, wrong answer, expected score of the wrong answer)
ITEMS = {
    "q1": ("choice", 2.0, "B", "C", 0.0),
    "q2": ("classify", 3.0, ["A", "B", "A", "C"], ["A", "B", "C", "C"], 2.25),
    "q3": ("order", 3.0, ["A", "B", "C", "D"], ["B", "A", "C", "D"], 2.5),
    "q4": ("plan", 2.0, "Families help to plan the visit to the school in June.", "", 0.0),
}
QUALITY_POINTS = 2.0        # plan quality: a task for the facilitator
REFLECTION_POINTS = 3.0     # free text read by the facilitator
AUTOGRADED = sum(v[1] for v in ITEMS.values())


def _meta(gid, locked=False, solution=False, grade=False, points=None, task=False):
    meta = {"grade_id": gid, "locked": locked, "solution": solution, "grade": grade,
            "task": task, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _test(gid, points, visible, hidden):
    source = f'"""Check my answer ({points:g} points)."""\n{visible}'
    if hidden:
        source += f"\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"
    return new_code_cell(source, metadata=_meta(gid, locked=True, grade=True, points=points))


def _answer(gid, stub, model):
    return new_code_cell(f"{stub}\n### BEGIN SOLUTION\nanswer = {model!r}\n### END SOLUTION",
                         metadata=_meta(gid, solution=True))


def source_notebook(exercise: str, *, slow_setup: float = 0.0) -> nbformat.NotebookNode:
    setup = SETUP + (f"\nimport time\ntime.sleep({slow_setup})\n" if slow_setup else "")
    cells = [
        new_markdown_cell(f"# Exercise {exercise}\n\nAnswer each question in the grey cell.",
                          metadata=_meta("intro", locked=True)),
        new_code_cell(setup, metadata=_meta("setup", locked=True)),
    ]
    for qid, (kind, points, model, _, _) in ITEMS.items():
        cells.append(new_markdown_cell(f"## Question {qid} ({kind})\n\nType your answer.",
                                       metadata=_meta(f"{qid}-question", locked=True)))
        if kind == "choice":
            cells.append(_answer(f"{qid}-answer", 'answer = ""  # one letter', model))
            cells.append(_test(f"{qid}-check", points, 'check_letters(answer, ["A", "B", "C"])',
                               f'assert _canonical(answer) == {model!r}, "hidden: wrong letter"'))
        elif kind == "classify":
            cells.append(_answer(f"{qid}-answer", "answer = []  # one letter per line", model))
            hidden = (f"_expected = {model!r}\n"
                      f"round({points!r} * sum(g == e for g, e in zip(_canonical(answer), "
                      "_expected)) / len(_expected), 2)")
            cells.append(_test(f"{qid}-check", points,
                               f'check_letters(answer, ["A", "B", "C"], count={len(model)})',
                               hidden))
        elif kind == "order":
            cells.append(_answer(f"{qid}-answer", "answer = []  # all letters in order", model))
            hidden = (f"_expected = {model!r}\n"
                      "_position = {v: k for k, v in enumerate(_canonical(answer))}\n"
                      "_pairs = [(a, b) for i, a in enumerate(_expected) for b in _expected[i+1:]]\n"
                      f"round({points!r} * sum(_position[a] < _position[b] for a, b in _pairs)"
                      " / len(_pairs), 2)")
            cells.append(_test(f"{qid}-check", points,
                               'check_letters(answer, ["A", "B", "C", "D"], count=4)', hidden))
        elif kind == "plan":
            cells.append(_answer(f"{qid}-answer", 'answer = ""  # the role of families', model))
            cells.append(_test(f"{qid}-check", points, "check_text(answer, 5)", ""))
            cells.append(new_markdown_cell(
                "### Quality of your plan\n\nThe facilitator reads your plan with the rubric.",
                metadata=_meta(f"{qid}-quality", locked=True, task=True, points=QUALITY_POINTS)))
    cells.append(new_markdown_cell("## Reflection\n\nWhat will you change in your practice?",
                                   metadata=_meta("q5-question", locked=True)))
    cells.append(new_markdown_cell(
        "Write your answer here.\n### BEGIN SOLUTION\nI will visit the school with the "
        "families.\n### END SOLUTION",
        metadata=_meta("q5-reflection", solution=True, grade=True, points=REFLECTION_POINTS)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["crossings"] = {"exercise": exercise, "module": "fixture"}
    return nb


def write_build(folder: Path, exercises=("fix-ex1", "fix-ex2"), **kwargs) -> Path:
    """A stand-in for the builder's _build/exercises/: source notebooks + exercises.json."""
    manifest = []
    for exercise in exercises:
        target = folder / "source" / exercise
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(exercise, **kwargs), target / f"{exercise}.ipynb")
        manifest.append({"id": exercise, "module": "fixture", "title": f"Fixture {exercise}",
                         "points": AUTOGRADED + QUALITY_POINTS + REFLECTION_POINTS,
                         "outcomes": []})
    (folder / "exercises.json").write_text(json.dumps(manifest, indent=2))
    return folder


# -- learners' submissions, made from the released notebook like a learner would ----------

def answer_cell_ids(nb) -> dict[str, int]:
    return {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(nb.cells)
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def fill(release: nbformat.NotebookNode, answers: dict[str, object],
         reflection: str | None = None) -> nbformat.NotebookNode:
    """The released notebook with answers typed in, as a learner saves it."""
    import copy

    nb = copy.deepcopy(release)
    ids = answer_cell_ids(nb)
    for qid, value in answers.items():
        nb.cells[ids[f"{qid}-answer"]].source = f"answer = {value!r}"
    if reflection is not None:
        nb.cells[ids["q5-reflection"]].source = reflection
    return nb


def model_answers() -> dict[str, object]:
    return {qid: item[2] for qid, item in ITEMS.items()}


def wrong_answers() -> dict[str, object]:
    return {qid: item[3] for qid, item in ITEMS.items()}


WRONG_SCORE = sum(item[4] for item in ITEMS.values())


def cell_index(nb, gid: str) -> int:
    for i, c in enumerate(nb.cells):
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
            return i
    raise KeyError(gid)


def save(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
