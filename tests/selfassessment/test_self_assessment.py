"""Self-assessment: the data file and its checks, the profile, the radar chart, the notebook
cells and the reading of submissions (fast tests; the real nbgrader, kernel, Typst and
Sphinx runs are in test_self_assessment_build.py)."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
import yaml

from crossings.cohort.report import answer_value, build_report, read_submission
from crossings.content.project import Project
from crossings.exercises.catalogue import load_exercises
from crossings.exercises.notebook import source_notebook
from crossings.exercises.source import load_exercise
from crossings.selfassessment import profile as P
from crossings.selfassessment.framework import (
    check_self_assessment,
    load_self_assessment,
    notebook_data,
)
from crossings.validate import validate

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data() -> dict:
    project = Project(REPO)
    return notebook_data(load_self_assessment(project), project)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The repository's data, pages and self-assessment exercise (no other exercises)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("book", "modules", "exercises/self-assessment"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def line_of(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if after in ln) if after else 0
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


# --- the data file ----------------------------------------------------------------------------

def test_repository_data_covers_every_roadmap_strand():
    project = Project(REPO)
    assert check_self_assessment(project) == []
    vocabulary = yaml.safe_load((REPO / "book/vocabulary.yml").read_text())
    roadmap = next(f for f in vocabulary["frameworks"] if f["id"] == "roadmap")
    strands = [s["id"] for c in roadmap["concepts"] for s in c["strands"]]
    assessment = load_self_assessment(project)
    assert len(strands) == 21 and list(assessment.strands) == strands
    for strand in assessment.strands.values():
        assert list(strand.descriptors) == ["not-yet", "emerging", "developing", "embedded"]
        assert strand.next_steps and strand.links


def test_data_problems_are_reported_by_file_and_line(project_copy):
    path = project_copy / "book/self-assessment.yml"
    edit(path, "    emerging: Joint work is paid for by short projects or one-off grants. When a "
               "project ends, the work usually stops.\n", "")
    edit(path, "links: [leadership-workforce-diversity, interprofessional-trust]",
         "links: [leadership-workforce-diversity, leadership-no-such-section]")
    text = path.read_text()
    start, end = text.index("  services-societal:"), len(text)
    path.write_text(text[:start] + "  services-social:\n    not-yet: x\n" + text[end:])
    messages = [p.format(project_copy) for p in check_self_assessment(Project(project_copy))]
    assert sorted(messages) == sorted([
        f"book/self-assessment.yml:{line_of(path, 'funding-sustained:')}: strand "
        "'funding-sustained' needs a descriptor for level 'emerging'",
        f"book/self-assessment.yml:{line_of(path, 'leadership-no-such-section')}: strand "
        "'workforce-diversity' links to 'leadership-no-such-section', which is not a label of "
        "any page (labels are '(name)=' lines)",
        f"book/self-assessment.yml:{line_of(path, 'services-social:')}: 'services-social' is "
        "not a strand of framework 'roadmap'",
        f"book/self-assessment.yml:{line_of(path, 'strands:')}: strand 'services-societal' "
        "(Connection to wider social issues) has no entry: add its 4 descriptors, next steps "
        "and links",
    ])
    # the validator runs the same check
    report = validate(Project(project_copy), check_originality=False)
    own = [p.format(project_copy) for p in report.problems if p.path == path]
    assert sorted(own) == sorted(messages)


def test_three_levels_are_refused(project_copy):
    path = project_copy / "book/self-assessment.yml"
    edit(path, "  - {id: embedded, label: Embedded}\n", "")
    (message, *_) = [p.format(project_copy) for p in check_self_assessment(Project(project_copy))]
    assert message == (f"book/self-assessment.yml:{line_of(path, 'levels:')}: 'levels' lists "
                       "exactly 4 levels, lowest first, each with 'id' and 'label'")


def test_links_point_to_real_sections(data):
    link = data["strands"]["governance-transitions"]["links"][0]
    assert link == {"label": "leadership-governance-transitions",
                    "page": "The policy roadmap (1): governance and funding",
                    "section": "Facilitating smooth transitions",
                    "path": "modules/leadership/roadmap-system.html#leadership-governance-transitions",
                    "url": ""}
    page = (REPO / "modules/leadership/roadmap-system.md").read_text()
    assert "(leadership-governance-transitions)=\n### Facilitating smooth transitions" in page


# --- answers, profile, radar ---------------------------------------------------------------------

def test_answers_are_read_in_plain_words(data):
    assert P.read_answer([3, "A plan signed by four services."], data).complete
    assert P.read_answer(["Developing", "A plan signed by four services."], data).level == 3
    assert P.read_answer(["not yet", "Nothing exists at all."], data).level == 1
    assert P.read_answer([0, ""], data).problem == "not rated yet."
    assert P.read_answer("", data).problem == "not rated yet."
    wrong = P.read_answer([5, "Three words here."], data)
    assert wrong.level is None and "a number from 1 to 4" in wrong.problem
    thin = P.read_answer([2, "ok"], data)
    assert thin.level == 2 and not thin.complete and "at least 3 words (you wrote 1)" in thin.problem
    assert "square brackets" in P.read_answer(3, data).problem
    assert P.read_sector(" School ", data) == ("school", "")
    assert P.read_sector("teachers", data)[0] is None


def ratings_for(data, levels: dict[str, int | None]) -> dict:
    return {s: P.read_answer([lv, "Evidence from our own meetings."] if lv else [0, ""], data)
            for s, lv in levels.items()}


KNOWN = {  # governance 1,2,3,4,4 | funding 1,1,2,unrated | workforce 3,3,3,3 | ...
    "governance-vision": 1, "governance-whole-system": 2, "governance-balance": 3,
    "governance-boundaries": 4, "governance-transitions": 4,
    "funding-sustained": 1, "funding-universal-targeted": 1, "funding-resource-sharing": 2,
    "funding-infrastructure": None,
    "workforce-cpd": 3, "workforce-teams": 3, "workforce-diversity": 3, "workforce-conditions": 3,
    "pedagogy-holistic": 4, "pedagogy-diversity": 2, "pedagogy-early-identification": 3,
    "families-partnership": 2, "families-community-trust": 2, "families-access": 2,
    "services-comprehensive": 4, "services-societal": 2,
}


def test_profile_for_known_ratings(data):
    profile = P.Profile(ratings_for(data, KNOWN), data)
    assert profile.element_scores() == {"governance": 2.8, "funding": 1.33, "workforce": 3.0,
                                        "pedagogy": 3.0, "families": 2.0, "services": 3.0}
    # lowest first; ties keep the roadmap order
    assert profile.weakest() == ["governance-vision", "funding-sustained",
                                 "funding-universal-targeted"]
    assert profile.strongest() == ["governance-boundaries", "governance-transitions",
                                   "pedagogy-holistic"]
    assert profile.unrated == ["funding-infrastructure"]
    assert not profile.complete


def test_unrated_strand_is_reported(data):
    ratings = ratings_for(data, KNOWN)
    ratings["workforce-teams"] = P.read_answer([3, "ok"], data)
    profile = P.Profile(ratings, data)
    text = P.profile_text(profile)
    assert "You rated 20 of 21 strands." in text
    assert "Not rated yet: 2.4 Planned, equitable infrastructure." in text
    assert "Rated but without enough evidence: 3.2 Multi-professional teams and inclusive " \
           "leadership." in text
    assert "2.4 Planned, equitable infrastructure: not rated - not rated yet." in text
    html = P.profile_html(profile)
    assert "Not rated yet: 2.4 Planned, equitable infrastructure." in html
    assert "Funding (not rated)" not in html      # the element still has rated strands


def test_weak_strands_come_with_next_steps_and_pages(data):
    profile = P.Profile(ratings_for(data, KNOWN), data)
    text = P.profile_text(profile)
    weak = text[text.index("Weakest strands"):]
    vision = data["strands"]["governance-vision"]
    for step in vision["next_steps"]:
        assert step in weak
    assert ("The policy roadmap (1): governance and funding, section \u201cA policy roadmap and "
            "a shared vision\u201d (on the Crossings site: modules/leadership/roadmap-system.html"
            "#leadership-governance-vision)") in weak


def test_radar_points_follow_the_axes():
    points = P.radar_points([4, 2, None, 4, 0, 1], cx=100, cy=100, radius=80, maximum=4)
    # axis k at -90 + 60k degrees; distance 80 * v / 4
    assert points == [(100.0, 20.0), (134.6, 80.0), (100.0, 100.0), (100.0, 180.0),
                      (100.0, 100.0), (82.7, 90.0)]


def polygon(el) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in el.get("points").split()]


def test_radar_chart_draws_the_element_scores(data):
    profile = P.Profile(ratings_for(data, KNOWN), data)
    svg = ET.fromstring(P.profile_radar(profile))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Your profile on the six elements"
    desc = svg.find(f"{SVG}desc").text
    assert "Governance 2.8; Funding 1.3; Workforce 3.0; Pedagogy 3.0; Families 2.0; " \
           "Services 3.0." in desc
    rings = [polygon(p) for p in svg.iter(f"{SVG}polygon") if p.get("class") != "series"]
    outer = rings[-1]                      # the ring of level 4
    cx = sum(x for x, _ in outer) / len(outer)
    cy = sum(y for _, y in outer) / len(outer)
    radius = math.dist((cx, cy), outer[0])
    (series,) = [polygon(p) for p in svg.iter(f"{SVG}polygon") if p.get("class") == "series"]
    expected = [2.8, 1.33, 3.0, 3.0, 2.0, 3.0]
    for k, (x, y) in enumerate(series):
        assert math.dist((cx, cy), (x, y)) / radius * 4 == pytest.approx(expected[k], abs=0.01)
        ox, oy = outer[k]                  # on the axis of element k
        assert math.atan2(y - cy, x - cx) == pytest.approx(math.atan2(oy - cy, ox - cx), abs=1e-2)
    sizes = [float(t.get("font-size")) for t in svg.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 14


def test_cohort_radar_tells_series_apart_without_colour():
    svg = ET.fromstring(P.radar_svg(["A", "B", "C"], [("One", [1, 2, 3]), ("Two", [2, 2, 2])],
                                    title="t", desc="d"))
    series = [p for p in svg.iter(f"{SVG}polygon") if p.get("class") == "series"]
    assert len({p.get("stroke") for p in series}) == 2
    assert len({p.get("stroke-dasharray") for p in series}) == 2
    assert [t.text for t in svg.iter(f"{SVG}text") if t.text in ("One", "Two")] == ["One", "Two"]


# --- the exercise: authoring checks and notebook cells -------------------------------------------

def test_self_assessment_exercise_is_valid():
    exercises, problems = load_exercises(Project(REPO))
    assert [p for p in problems if "self-assessment" in str(p.path)] == []
    exercise = next(e for e in exercises if e.id == "self-assessment")
    assert exercise.kind == "tool" and exercise.module == ""
    assert [(i.type, i.points) for i in exercise.items] == [("sector", 1.0), ("rating", 21.0)]


def test_authoring_mistakes_in_a_rating_exercise(project_copy):
    path = project_copy / "exercises/self-assessment/self-assessment.md"
    edit(path, "kind: tool\n", "kind: tool\nmodule: leadership\n")
    edit(path, "answer: policy", "answer: teachers")
    edit(path, "framework: roadmap", "framework: proximities")
    edit(path, "points: 21", "points: 20")
    exercise = load_exercise(path, {"leadership-lo4"}, {"leadership"})
    rel = "exercises/self-assessment/self-assessment.md"
    assert [p.format(project_copy) for p in exercise.problems] == [
        f"{rel}:{line_of(path, 'module: leadership')}: a tool exercise belongs to no module: "
        "remove 'module'",
        f"{rel}:{line_of(path, 'answer: teachers')}: item 'sector': 'answer' (the model answer) "
        "is one of ecec, school, social, health, policy",
        f"{rel}:{line_of(path, 'framework: proximities')}: 'framework' must be 'roadmap', the "
        "framework of book/self-assessment.yml",
    ]
    edit(path, "framework: proximities", "framework: roadmap")
    exercise = load_exercise(path, {"leadership-lo4"}, {"leadership"})
    assert exercise.problems[-1].format(project_copy) == (
        f"{rel}:{line_of(path, 'points: 20')}: rating 'roadmap': points (20) must split evenly "
        "over its 21 strands")


@pytest.fixture(scope="module")
def notebook():
    exercises, _ = load_exercises(Project(REPO))
    exercise = next(e for e in exercises if e.id == "self-assessment")
    nb = source_notebook(exercise, {})
    for cell in nb.cells:     # as a learner hands it in: one `answer = ...` line, the model's
        if "### BEGIN SOLUTION" in cell.source:
            cell.source = cell.source.split("### BEGIN SOLUTION\n", 1)[1].split("\n### END", 1)[0]
    return nb


def grade_ids(nb, suffix: str) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata["nbgrader"]["grade_id"].endswith(suffix)]


def test_notebook_has_one_answer_and_check_per_strand(notebook, data):
    strands = [s for e in data["elements"] for s in e["strands"]]
    assert grade_ids(notebook, "-answer") == ["sector-answer"] + [f"roadmap-{s}-answer"
                                                                  for s in strands]
    checks = [c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"].endswith("-check")]
    assert sum(c.metadata["nbgrader"]["points"] for c in checks) == 22
    assert all(c.metadata["nbgrader"]["locked"] for c in checks)
    setup = next(c for c in notebook.cells
                 if c.metadata["nbgrader"]["grade_id"] == "setup-self-assessment")
    assert setup.metadata["nbgrader"]["locked"] and setup.metadata["jupyter"]["source_hidden"]
    assert notebook.cells[-1].source == "show_profile()"
    nbformat.validate(notebook)


def test_embedded_profile_code_runs_on_its_own(notebook, data):
    """The setup cell needs nothing but the standard library: run it in a bare namespace."""
    setup = next(c for c in notebook.cells
                 if c.metadata["nbgrader"]["grade_id"] == "setup-self-assessment")
    assert not re.search(r"^\s*(from|import) crossings", setup.source, re.M)
    space: dict = {}
    exec(compile(setup.source, "setup-self-assessment", "exec"), space)  # noqa: S102
    for strand, level in KNOWN.items():
        space["rate"](strand, [level, "Evidence from our own meetings."] if level else [0, ""])
    assert space["rating_points"]("governance-vision", 1.0) == 1.0
    assert space["rating_points"]("funding-infrastructure", 1.0) == 0.0
    profile = space["Profile"](space["_RATINGS"], space["DATA"])
    assert profile.element_scores() == P.Profile(ratings_for(data, KNOWN), data).element_scores()


# --- reading submissions (plain values only) ---------------------------------------------------

def test_answer_cells_are_read_as_values_never_run():
    assert answer_value('answer = [3, "We meet monthly."]  # level, evidence') == (
        [3, "We meet monthly."], None)
    value, problem = answer_value('answer = open("/etc/passwd").read()')
    assert value is None and problem.startswith("the answer must be a plain value")


def test_submission_with_problems_is_kept_and_explained(notebook, data, tmp_path):
    nb = nbformat.from_dict(notebook)
    for cell in nb.cells:
        gid = cell.metadata["nbgrader"]["grade_id"]
        if gid == "sector-answer":
            cell.source = 'answer = "health"'
        elif gid == "roadmap-workforce-cpd-answer":
            cell.source = 'import os\nanswer = [3, "We meet every month."]'
        elif gid == "roadmap-governance-vision-answer":
            cell.source = 'answer = [0, ""]'
    nb.cells = [c for c in nb.cells
                if c.metadata["nbgrader"]["grade_id"] != "roadmap-families-access-answer"]
    path = tmp_path / "x1.ipynb"
    nbformat.write(nb, path)
    sub = read_submission("x1", path, "self-assessment", data, "roadmap", "sector")
    assert sub.status == "included" and sub.sector == "health"
    assert sub.ratings["workforce-cpd"].problem == ("the answer cell cannot be read: an answer "
                                                    "cell may only contain 'answer = ...'")
    assert sub.ratings["families-access"].problem == "the answer cell was deleted"
    assert sub.notes == ["3 strand(s) not rated: 1.1, 3.1, 5.3"]
    report = build_report(tmp_path, "self-assessment", data, [sub])
    assert report.strands["governance-balance"].n == 1
    assert report.strands["workforce-cpd"].n == 0
