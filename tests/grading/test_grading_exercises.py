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
def real_course(tmp_path_factory, shared_build):
    build_module = pytest.importorskip("crossings.exercises.build")
    base = tmp_path_factory.mktemp("real")
    result, build = shared_build("exercises-unchecked", lambda out: build_module.build_exercises(
        Project(REPO), out, check_models=False, log=lambda *_: None))
    assert not result.problems, [p.format(REPO) for p in result.problems]
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


def candidates(item):
    """Every answer a learner could type for a choice, classify or order item."""
    import itertools

    letters = sorted(item.options)
    if item.type == "choice" and item.multiple:
        for size in range(1, len(letters) + 1):
            yield from (sorted(c) for c in itertools.combinations(letters, size))
    elif item.type == "choice":
        yield from letters
    elif item.type == "classify":
        yield from (list(c) for c in itertools.product(letters, repeat=len(item.statements)))
    elif item.type == "order":
        yield from (list(p) for p in itertools.permutations(letters))


def test_released_notebooks_hide_every_summative_answer(real_course):
    """Finding 8: nothing of a summative item can be recovered from the released notebook,
    not even by trying every possible answer against every digest in it."""
    import re

    from crossings.exercises.build import load_all
    from crossings.exercises.notebook import answer_digest

    course, _, _ = real_course
    exercises = {e.id: e for e in load_all(Project(REPO)).exercises}
    summative = 0
    for exercise_id in course.exercises():
        released = course.release_notebook(exercise_id).read_text()
        digests = set(re.findall(r"[0-9a-f]{64}", released))
        for item in exercises[exercise_id].items:
            if item.type not in ("choice", "classify", "order"):
                continue
            found = {answer_digest(exercise_id, item.id, c) for c in candidates(item)} & digests
            if item.formative:
                assert found, f"{exercise_id}/{item.id}: formative item without self-check"
                continue
            summative += 1
            assert not found, f"{exercise_id}/{item.id}: a summative answer is recoverable"
            assert f"reveal({item.id!r}" not in released
            for text in ([item.explain] if isinstance(item.explain, str) else
                         list(item.explain.values())):
                assert not text or text not in released
    assert summative >= 1


def test_multiple_choice_in_another_order_is_right(real_course, tmp_path):
    """Finding 9: the released notebook's own check says "Well done" for the right letters
    typed in any order (it said "Not quite right yet")."""
    import nbformat
    from nbclient import NotebookClient

    from crossings.exercises.build import load_all

    course, _, _ = real_course
    exercises = load_all(Project(REPO)).exercises
    exercise, item = next((e, i) for e in exercises for i in e.items
                          if i.type == "choice" and i.multiple and i.formative
                          and len(i.answer) >= 2)
    nb = nbformat.read(course.release_notebook(exercise.id), 4)
    keep = []
    for cell in nb.cells:
        gid = S.grade_id(cell) or ""
        if gid == "setup" or gid in (f"{item.id}-answer", f"{item.id}-check"):
            keep.append(cell)
    keep[1].source = f"answer = {list(reversed(item.answer))!r}"
    nb.cells = keep
    NotebookClient(nb, timeout=60, kernel_name="python3").execute(cwd=str(tmp_path))
    printed = "".join(o.get("text", "") for o in keep[2].outputs)
    assert "Well done: this answer is right." in printed, printed
