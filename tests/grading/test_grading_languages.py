"""An Italian learner notebook is graded by the same course, with the same model answers,
as the English one: same answers, same scores, and no 'changed cell' complaints."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from crossings.content.project import Project
from crossings.grading import autograde as G
from crossings.grading import collect
from crossings.grading import course as C
from crossings.grading.samples import model_submission

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
EXERCISES = ["transitions-ex1", "transitions-ex2", "transitions-ex3"]


def _answer_cells(nb):
    return [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("solution")]


def _partly_wrong(nb):
    """The model answers with the first answer cell emptied (the same change in any language)."""
    nb = copy.deepcopy(nb)
    first = _answer_cells(nb)[0]
    first.source = 'answer = ""' if first.cell_type == "code" else ""
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory, shared_build):
    build_module = pytest.importorskip("crossings.exercises.build")
    base = tmp_path_factory.mktemp("languages")
    result, build = shared_build("exercises-unchecked", lambda out: build_module.build_exercises(
        Project(REPO), out, check_models=False, log=lambda *_: None))
    assert not result.problems, [p.format(REPO) for p in result.problems]
    course = C.new_course(base / "course")
    C.release(course, build, ids=EXERCISES, log=lambda *_: None)
    inbox = base / "inbox"
    inbox.mkdir()
    learners = []
    for exercise in EXERCISES:
        source = nbformat.read(build / "source" / exercise / f"{exercise}.ipynb", 4)
        for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
            release = nbformat.read(folder / exercise / f"{exercise}.ipynb", 4)
            model = model_submission(source, release)
            for kind, nb in (("model", model), ("wrong", _partly_wrong(model)),
                             ("blank", release)):
                learner = f"{code}-{kind}"
                learners.append(learner)
                nbformat.write(nb, inbox / f"{learner}__{exercise}.ipynb")
    C.add_learners(course, sorted(set(learners)))
    collected, rejected = collect.collect(course, inbox)
    assert not rejected, rejected
    run = G.autograde(course, jobs=2, log=lambda *_: None)
    return build, course, run


def test_italian_notebooks_are_translated_with_the_same_cells(graded):
    build, course, _ = graded
    english = nbformat.read(build / "release" / "transitions-ex1" / "transitions-ex1.ipynb", 4)
    italian = nbformat.read(build / "it" / "release" / "transitions-ex1" / "transitions-ex1.ipynb",
                            4)
    assert len(english.cells) == len(italian.cells)
    changed = 0
    for en, it in zip(english.cells, italian.cells, strict=True):
        assert en.metadata.get("nbgrader") == it.metadata.get("nbgrader")
        if en.cell_type == "code" or (en.metadata.get("nbgrader") or {}).get("solution"):
            assert en.source == it.source   # answer stubs, checks and letters are untouched
        changed += en.source != it.source
    assert changed >= 5
    text = "\n".join(c.source for c in italian.cells)
    assert "## Domanda 1" in text and "Una transizione orizzontale" in text
    assert course.translated_release_notebooks("transitions-ex1")


def test_same_answers_get_the_same_scores_in_both_languages(graded):
    _, _, run = graded
    outcomes = {(o.learner, o.exercise): o for o in run.outcomes}
    for exercise in EXERCISES:
        for kind in ("model", "wrong", "blank"):
            en, it = outcomes[(f"en-{kind}", exercise)], outcomes[(f"it-{kind}", exercise)]
            assert en.status == it.status == "graded", (en, it)
            assert en.score == it.score, (exercise, kind, en.score, it.score)
            assert it.reasons == en.reasons, (it.reasons, en.reasons)
        assert outcomes[("it-model", exercise)].score > outcomes[("it-wrong", exercise)].score
