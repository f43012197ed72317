"""The platform's real exercises through the facilitator's pipeline: released into
a course, the model answers handed in by one learner score full autograded marks,
an untouched notebook scores nothing, and feedback shows nothing hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossings.content.project import Project
from crossings.grading import autograde as G
from crossings.grading import collect
from crossings.grading import course as C
from crossings.grading import submission as S
from crossings.grading.feedback import generate_feedback, page_text
from crossings.grading.samples import sample_cohort

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    build_module = pytest.importorskip("crossings.exercises.build")
    base = tmp_path_factory.mktemp("real")
    result = build_module.build_exercises(Project(REPO), base / "exercises", check_models=False,
                                          log=lambda *_: None)
    assert not result.problems, [p.format(REPO) for p in result.problems]
    build = base / "exercises"
    course = C.new_course(base / "course")
    C.release(course, build, log=lambda *_: None)
    C.add_learners(course, ["model-a", "blank-b"])
    sample_cohort(build, base / "inbox", ["model-a"], kinds=("model",))
    sample_cohort(build, base / "inbox", ["blank-b"], kinds=("blank",))
    collected, rejected = collect.collect(course, base / "inbox")
    assert not rejected
    run = G.autograde(course, jobs=2, log=lambda *_: None)
    manifest = {e["id"]: e for e in json.loads((build / "exercises.json").read_text())}
    return course, run, manifest


def test_model_answers_of_every_exercise_score_full_marks(real_course):
    course, run, manifest = real_course
    assert len(manifest) >= 9
    model = {o.exercise: o for o in run.outcomes if o.learner == "model-a"}
    assert set(model) == set(manifest)
    for exercise, outcome in model.items():
        assert outcome.status == "graded" and outcome.reasons == [], outcome
        assert outcome.score == manifest[exercise]["autograded_points"], outcome
    blank = {o.exercise: o for o in run.outcomes if o.learner == "blank-b"}
    for outcome in blank.values():
        assert outcome.status == "graded" and outcome.score == 0, outcome


def test_feedback_on_real_exercises_hides_the_hidden_checks(real_course):
    course, _, _ = real_course
    feedback = generate_feedback(course, log=lambda *_: None)
    assert feedback.problems == []
    with course.gradebook() as gb:
        templates = [S.Template.load(course, ex, gb) for ex in course.exercises()]
    hidden_lines = {line.strip() for t in templates for text in t.hidden.values()
                    for line in text.splitlines() if len(line.strip()) >= 12}
    assert hidden_lines
    for _, _, path in feedback.written:
        text = page_text(path.read_text())
        assert not [line for line in hidden_lines if line in text], path
