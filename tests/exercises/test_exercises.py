"""Exercises: authoring checks, real nbgrader builds, learner notebooks, no leaks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from crossings.content.project import Project
from crossings.exercises.answers import answer_cell_problem
from crossings.exercises.build import build_exercises, check_model_answers, nbgrader_config
from crossings.exercises.source import exercise_files, load_exercises

REPO = Path(__file__).resolve().parents[2]


def problems(root: Path) -> list[str]:
    return [p.format(root) for p in load_exercises(Project(root))[1]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- authoring mistakes are reported as file:line --------------------------------------------

def test_fixture_exercise_is_valid(minibook):
    assert problems(minibook) == []


def test_duplicate_item_id_and_missing_points(minibook):
    ex = minibook / "exercises/demo/demo-ex1.md"
    edit(ex, "id: match", "id: pick")
    edit(ex, "points: 3\noutcomes: [demo-lo3]", "outcomes: [demo-lo3]")
    assert problems(minibook) == [
        "exercises/demo/demo-ex1.md:24: duplicate item id 'pick'",
        "exercises/demo/demo-ex1.md:41: item 'steps' needs 'points' greater than 0",
    ]


def test_unknown_outcome_and_uncovered_outcome(minibook):
    edit(minibook / "exercises/demo/demo-ex1.md", "outcomes: [demo-lo3]", "outcomes: [demo-lo9]")
    assert problems(minibook) == [
        "exercises/demo/demo-ex1.md:44: outcome id 'demo-lo9' is not declared by any module",
        "modules/demo/index.md:11: outcome 'demo-lo3' is not assessed by any exercise item",
    ]


def test_answer_that_is_not_an_option_and_bad_yaml(minibook):
    ex = minibook / "exercises/demo/demo-ex1.md"
    edit(ex, "answer: A\n", "answer: Z\n")
    edit(ex, "  B: Structural\n", "  B: Structural: rules\n")
    assert problems(minibook) == [
        "exercises/demo/demo-ex1.md:20: item 'pick': 'answer' must be one of the option letters",
        "exercises/demo/demo-ex1.md:32:16: a second colon on this line: put the value in "
        "quotes, e.g. key: \"text: more text\"",
        "modules/demo/index.md:9: outcome 'demo-lo2' is not assessed by any exercise item",
    ]


def test_model_answer_that_fails_its_own_check(minibook):
    edit(minibook / "exercises/demo/demo-ex1.md", 'model: "Children visit the school before they start."',
         'model: "Visits."')
    assert problems(minibook) == [
        "exercises/demo/demo-ex1.md:62: model answer of field 'goal' fails its own check: "
        "write at least 4 words (you wrote 1)",
    ]


def test_answer_cells_hold_values_only():
    assert answer_cell_problem('answer = "B"  # one letter') is None
    assert answer_cell_problem('# comment\nanswer = ["A", "C"]') is None
    assert answer_cell_problem("answer = 1 +") .startswith("the answer cell is not valid")
    assert answer_cell_problem("import os\nanswer = 'B'") == "an answer cell may only contain 'answer = ...'"
    assert answer_cell_problem("answer = open('x').read()") == (
        "the answer must be a plain value: text in quotes, or a list of them")


# --- real nbgrader builds --------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture book's exercise, built with real nbgrader (model answers autograded)."""
    root = tmp_path_factory.mktemp("ex") / "book"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "minibook", root)
    result = build_exercises(Project(root), root / "_build" / "exercises", log=lambda *_: None)
    assert result.problems == []
    return root, result.out


@pytest.mark.slow
def test_build_writes_source_release_and_manifest(built):
    root, out = built
    manifest = json.loads((out / "exercises.json").read_text())
    assert manifest == [{
        "id": "demo-ex1", "module": "demo", "title": "Demo exercise", "minutes": 10,
        "points": 15.0, "autograded_points": 10.0,
        "outcomes": ["demo-lo1", "demo-lo2", "demo-lo3", "demo-lo4"],
        "source": "exercises/demo/demo-ex1.md"}]
    release = nbformat.read(out / "release/demo-ex1/demo-ex1.ipynb", 4)
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in release.cells]
    assert len(grade_ids) == len(set(grade_ids))
    answers = [c for c in release.cells if c.metadata["nbgrader"].get("solution")]
    assert [c.source.strip() for c in answers if c.cell_type == "code"] == [
        'answer = ""  # type one letter between the quotes',
        "answer = []  # one letter per line, in order",
        "answer = []  # all letters, in order",
        'answer = ""  # your text between the quotes',
        "answer = []  # sectors between the brackets",
    ]
    locked_tests = [c for c in release.cells if c.metadata["nbgrader"].get("grade")
                    and c.cell_type == "code"]
    assert all(c.metadata["nbgrader"]["locked"] for c in locked_tests)


@pytest.mark.slow
def test_release_hides_model_answers_and_hidden_checks(built):
    _, out = built
    source = (out / "source/demo-ex1/demo-ex1.ipynb").read_text()
    release = (out / "release/demo-ex1/demo-ex1.ipynb").read_text()
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "_expected", "Children visit the school"):
        assert secret in source
        assert secret not in release


def run_learner(notebook: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """Fill answer cells (by grade id) as a learner would, then run the whole notebook."""
    nb = nbformat.read(notebook, 4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def outputs_of(nb, grade_id: str) -> str:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", "") + out.get("evalue", ""))
    return "".join(parts)


@pytest.mark.slow
def test_check_my_answer_gives_plain_feedback_without_the_answer(built):
    _, out = built
    nb = run_learner(out / "release/demo-ex1/demo-ex1.ipynb", {
        "pick-answer": 'answer = "a"',                 # right, lower case
        "match-answer": 'answer = ["B", "B"]',          # wrong form: 2 of 3 lines
        "steps-answer": 'answer = ["A", "B", "C"]',     # right form, wrong order (no reveal)
        "project-goal-answer": 'answer = "Too short"',
        "project-partners-answer": 'answer = ["ecec", "school"]',
    })
    assert "Well done: this answer is right." in outputs_of(nb, "pick-check")
    assert "Not yet: write exactly 3 letters, one for each line (you wrote 2)." in outputs_of(
        nb, "match-check")
    steps = outputs_of(nb, "steps-check")
    assert "right form" in steps and "right." not in steps.replace("right form", "")
    assert "Not yet: write at least 4 words (you wrote 2)." in outputs_of(nb, "project-goal-check")
    assert "this part is complete" in outputs_of(nb, "project-partners-check")


@pytest.mark.slow
def test_model_check_catches_a_wrong_model_answer(built):
    root, out = built
    course = out / "course"
    path = course / "source/demo-ex1/demo-ex1.ipynb"
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade_id"] == "steps-answer":
            cell.source = cell.source.replace("['B', 'A', 'C']", "['A', 'B', 'C']")
    nbformat.write(nb, path)
    from nbgrader.apps import NbGraderAPI

    exercises, _ = load_exercises(Project(root))
    found = check_model_answers(NbGraderAPI(config=nbgrader_config(course)), course, exercises,
                                log=lambda *_: None)
    assert [p.format(root) for p in found] == [
        "exercises/demo/demo-ex1.md:41: the model answer of 'steps' scores 2.0 of 3 in check "
        "'steps-check'"]


# --- the real platform: nothing hidden leaks into the site or the learner notebooks -----------

def secrets_of(source_nb: Path) -> set[str]:
    """Lines only a facilitator may see: model answers and hidden checks."""
    found = set()
    for cell in nbformat.read(source_nb, 4).cells:
        inside = False
        for line in cell.source.splitlines():
            if re.search(r"### BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = True
                continue
            if re.search(r"### END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
                continue
            if inside and len(line.strip()) >= 12:
                found.add(line.strip())
    return found


@pytest.mark.slow
def test_no_model_answer_or_hidden_check_leaks(site):
    exercises_dir = site.parents[0] / "exercises"
    sources = sorted((exercises_dir / "source").glob("*/*.ipynb"))
    assert len(sources) == len(exercise_files(REPO)) >= 1
    published = [p for p in site.rglob("*") if p.is_file() and p.suffix in
                 {".html", ".js", ".txt", ".ipynb", ".json", ".md"}]
    assert any(p.suffix == ".ipynb" for p in published), "no learner notebook in the site"
    assert not (site / "_sources").exists(), "page sources (with model answers) are published"
    leaks = []
    for source in sources:
        for secret in secrets_of(source):
            for path in published:
                if secret in path.read_text(errors="replace"):
                    leaks.append(f"{path.relative_to(site)}: {secret}")
    assert leaks == []


def answer_forms(value) -> set[str]:
    """The ways a summative answer could be written into a page, its script or its data."""
    forms = {json.dumps(value), json.dumps(value, separators=(",", ":")), repr(value)}
    if isinstance(value, list) and len(value) > 1:
        forms.add(", ".join(value))
    return {f for f in forms if len(f) >= 3}


@pytest.mark.slow
def test_on_page_exercises_carry_nothing_of_a_summative_answer(site):
    """The exercise forms (their HTML, the data the script reads, the script and any JSON of
    the site) hold no answer of a summative item; only formative items carry theirs."""
    from bs4 import BeautifulSoup

    exercises, _ = load_exercises(Project(REPO))
    published = {p: p.read_text(errors="replace") for p in site.rglob("*")
                 if p.is_file() and p.suffix in {".js", ".json", ".html", ".css", ".txt"}}
    assert (site / "_static" / "crossings-exercise.js").is_file()
    summative = 0
    for exercise in exercises:
        page = site / exercise.path.relative_to(REPO).with_suffix(".html")
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        specs = {f["data-item"]: json.loads(f["data-spec"]) for f in soup.select(".exercise-form")}
        assert set(specs) == {i.id for i in exercise.items}, page
        for item in exercise.items:
            spec = specs[item.id]
            if item.check != "summative":
                assert ("answer" in spec) == item.formative, (page, item.id)
                continue
            summative += 1
            assert "answer" not in spec and "explain" not in spec, (page, item.id)
            assert not soup.select(f"[id^='explain-{item.id}']"), (page, item.id)
            forms = answer_forms(item.answer)
            for form_text in forms:
                leaks = [p.relative_to(site).as_posix() for p, text in published.items()
                         if form_text in text and (p == page or p.suffix in {".js", ".json"})]
                assert leaks == [], (item.id, form_text)
    assert summative >= 4
