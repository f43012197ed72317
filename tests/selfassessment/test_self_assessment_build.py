"""Self-assessment end to end, on real tools: nbgrader builds and grades the exercise, a
Jupyter kernel runs the learner notebook, `crossings cohort-report` reads a group of
pseudonymous submissions and Typst writes the PDF (read back with pypdf), Sphinx renders
the tool's page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from print_check import check_pdf, page_count, render_pngs
from pypdf import PdfReader

from crossings.cohort.report import collect
from crossings.content.project import Project
from crossings.exercises.build import build_exercises, nbgrader_config

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the repository with only the self-assessment exercise, built by nbgrader
    (generate_assignment, then the model answers autograded: full marks or the build fails)."""
    root = tmp_path_factory.mktemp("sa") / "repo"
    root.mkdir()
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("book", "modules", "exercises/self-assessment"):
        shutil.copytree(REPO / folder, root / folder)
    result = build_exercises(Project(root), root / "_build" / "exercises", log=lambda *_: None)
    assert [p.format(root) for p in result.problems] == []
    return root, result.out


def strands() -> list[str]:
    vocabulary = yaml.safe_load((REPO / "book/vocabulary.yml").read_text())
    roadmap = next(f for f in vocabulary["frameworks"] if f["id"] == "roadmap")
    return [s["id"] for c in roadmap["concepts"] for s in c["strands"]]


def fill(release: Path, sector: str | None, levels: dict[str, object]) -> nbformat.NotebookNode:
    """The release notebook with answers typed as a learner would (value -> answer cell)."""
    nb = nbformat.read(release, 4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid == "sector-answer" and sector:
            cell.source = f'answer = "{sector}"'
        m = re.match(r"^roadmap-(.+)-answer$", gid)
        if m and m.group(1) in levels:
            value = levels[m.group(1)]
            cell.source = value if isinstance(value, str) else f"answer = {value!r}"
    return nb


def evidence(level: int) -> list:
    return [level, "Seen in our local partner meetings this year."]


def output_of(nb, grade_id: str) -> dict:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    text, data = "", {}
    for out in cell.outputs:
        text += out.get("text", "") + out.get("evalue", "")
        data.update(out.get("data", {}))
    return {"text": text, **data}


# --- the learner notebook, run on its own -------------------------------------------------------

def test_learner_notebook_shows_the_profile_at_once(built):
    _, out = built
    levels = {s: evidence(3) for s in strands()}
    levels.update({"funding-sustained": evidence(1), "pedagogy-diversity": evidence(1),
                   "services-societal": evidence(2), "governance-vision": evidence(4),
                   "workforce-teams": evidence(4), "families-access": evidence(4),
                   "funding-infrastructure": 'answer = [0, ""]',          # left unrated
                   "workforce-cpd": 'answer = ["developing", "ok"]'})      # evidence too short
    nb = fill(out / "release/self-assessment/self-assessment.ipynb", "social", levels)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []       # "Run all" never stops, even with an unrated strand
    assert "Thank you: your sector is Social services and family support." in \
        output_of(nb, "sector-check")["text"]
    assert "Not yet (2.4 Planned, equitable infrastructure): not rated yet." in \
        output_of(nb, "roadmap-funding-infrastructure-check")["text"]
    profile = output_of(nb, "roadmap-profile")
    text, page = profile["text/plain"], profile["text/html"]
    assert "You rated 20 of 21 strands." in text
    assert "Not rated yet: 2.4 Planned, equitable infrastructure." in text
    assert "Rated but without enough evidence: 3.1 Comprehensive professional development." in text
    # funding: 1, 3, 3, unrated -> 2.33; pedagogy: 3, 1, 3 -> 2.33; governance: 4, 3, 3, 3, 3
    assert "2 Adequate and strategic funding: 2.3 (3 of 4 strands rated)" in text
    assert "1 Strategic policy-making and integrated governance: 3.2 (5 of 5 strands rated)" in text
    strong = text[text.index("Strongest strands:"):text.index("Weakest strands")]
    assert re.findall(r"^  (\d\.\d) ", strong, re.M) == ["1.1", "3.2", "5.3"]
    weak = text[text.index("Weakest strands"):]
    assert re.findall(r"^  (\d\.\d) ", weak, re.M) == ["2.1", "4.2", "6.2"]
    data = yaml.safe_load((REPO / "book/self-assessment.yml").read_text())
    for step in data["strands"]["funding-sustained"]["next_steps"]:
        assert step in weak
    assert "modules/leadership/roadmap-system.html#leadership-funding-sustained" in weak
    soup = BeautifulSoup(page, "html.parser")
    svg = soup.find("svg")
    assert svg["role"] == "img" and "Funding 2.3" in svg.find("desc").text
    captions = [c.text for c in soup.find_all("caption")]
    assert "The radar chart as a table: average level of each element (1 to 4)" in captions
    assert [h.text for h in soup.find_all("h3")] == [
        "Your three strongest strands", "Your three weakest strands: next steps"]


def test_autograder_gives_points_for_completeness_only(built):
    """Real nbgrader autograde: one point per strand rated with evidence, one for the sector."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    _, out = built
    course = out / "course"
    levels = {s: evidence(1 + k % 4) for k, s in enumerate(strands())}
    levels["governance-balance"] = 'answer = [0, ""]'
    levels["families-partnership"] = 'answer = [4, "Fine."]'
    nb = fill(course / "release/self-assessment/self-assessment.ipynb", None, levels)
    folder = course / "submitted" / "t1" / "self-assessment"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "self-assessment.ipynb")
    api = NbGraderAPI(config=nbgrader_config(course))
    with Gradebook(api.coursedir.db_url) as gb:
        gb.update_or_create_student("t1")
    assert api.autograde("self-assessment", "t1")["success"]
    with Gradebook(api.coursedir.db_url) as gb:
        notebook = gb.find_submission_notebook("self-assessment", "self-assessment", "t1")
        scores = {g.name: g.score for g in notebook.grades}
    assert scores["sector-check"] == 0                     # no sector given
    assert scores["roadmap-governance-balance-check"] == 0
    assert scores["roadmap-families-partnership-check"] == 0
    assert scores["roadmap-governance-vision-check"] == 1
    assert sum(v for k, v in scores.items() if k.endswith("-check")) == 22 - 3


# --- the cohort report --------------------------------------------------------------------------

# 13 pseudonymous participants from five sectors. A sector figure needs three people:
# policy (2) and health (1) are shown together as "Other sectors" (3 people), never alone.
# Every strand not listed is rated 2.
DESIGN = {
    # sector means ECEC 4, school 1, social 2, policy 2 -> gap 3.00
    "governance-transitions": {"ecec": [4] * 4, "school": [1] * 3, "social": [2] * 3,
                               "policy": [2, 2], "health": [3]},
    # other sectors (policy 3, 3, health 4) 3.33 vs everyone else 1 -> gap 2.33
    "funding-sustained": {"ecec": [1] * 4, "school": [1] * 3, "social": [1] * 3,
                          "policy": [3, 3], "health": [4]},
    # ECEC 3, school 2, social 4/3 -> gap 1.67
    "families-access": {"ecec": [3] * 4, "school": [2] * 3, "social": [1, 2, 1],
                        "policy": [2, 2], "health": [1]},
    # equal sector means (2.00) but a split group -> gap 0, spread large
    "workforce-cpd": {"ecec": [1, 3, 1, 3], "school": [1, 3, 2], "social": [3, 1, 2],
                      "policy": [1, 3], "health": [2]},
    # only health differs: other sectors 2.67 vs 2 -> gap 0.67, small spread
    "services-societal": {"ecec": [2] * 4, "school": [2] * 3, "social": [2] * 3,
                          "policy": [2, 2], "health": [4]},
}
PEOPLE = [("ecec", 4), ("school", 3), ("social", 3), ("policy", 2), ("health", 1)]
EXPECTED_TOP = ["1.5 Facilitating smooth transitions",
                "2.1 Sufficient and sustained public investment",
                "5.3 Accessible information and simpler processes",
                "6.2 Connection to wider social issues",
                "3.1 Comprehensive professional development",
                "1.1 A policy roadmap and a shared vision"]   # then the other ties, roadmap order


def make_group(release: Path, target: Path, layout: str = "course") -> list[str]:
    codes = []
    for sector, count in PEOPLE:
        for i in range(count):
            code = f"k{len(codes) + 1:02d}{sector[0]}"
            codes.append(code)
            levels = {s: evidence(DESIGN.get(s, {}).get(sector, [2] * count)[i]) for s in strands()}
            if code == "k02e":                       # one incomplete self-assessment
                levels["pedagogy-holistic"] = 'answer = [0, ""]'
            nb = fill(release, sector, levels)
            if layout == "course":
                folder = target / "submitted" / code / "self-assessment"
                folder.mkdir(parents=True)
                nbformat.write(nb, folder / "self-assessment.ipynb")
            else:
                target.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, target / f"{code}.ipynb")
    return codes


def test_group_from_a_plain_folder_is_ranked_by_sector_gap(built, tmp_path):
    root, out = built
    make_group(out / "release/self-assessment/self-assessment.ipynb", tmp_path / "nbs", "folder")
    report = collect(tmp_path / "nbs", Project(root))
    assert len(report.included) == 13
    assert report.ranking[:6] == ["governance-transitions", "funding-sustained", "families-access",
                                  "services-societal", "workforce-cpd", "governance-vision"]
    gaps = [round(report.strands[s].gap, 2) for s in report.ranking[:5]]
    assert gaps == [3.0, 2.33, 1.67, 0.67, 0.0]
    top = report.strands["governance-transitions"]
    assert (top.high, top.low) == ("ecec", "school")
    assert top.compared == ["ecec", "other", "school", "social"]
    assert report.small == {"health": 1, "policy": 2} and report.other_shown
    # shared priorities: low mean and low spread; the split strands are not among them
    assert report.shared[0] == "governance-vision"
    assert {"families-access", "workforce-cpd", "services-societal"} <= set(report.shared)
    assert "funding-sustained" not in report.shared            # SD above 1: a split group
    assert "governance-transitions" not in report.shared
    assert report.strands["pedagogy-holistic"].n == 12
    assert [s.notes for s in report.included if s.notes] == [["1 strand(s) not rated: 4.1"]]


@pytest.fixture(scope="module")
def cohort(built, tmp_path_factory):
    """A real nbgrader course (crossings course new, learners in the gradebook) with 13
    submissions, one damaged notebook, one learner who handed in nothing; then the real
    command `crossings cohort-report`."""
    from crossings.grading.course import add_learners, new_course

    root, out = built
    course_dir = tmp_path_factory.mktemp("cohort") / "course"
    course = new_course(course_dir)
    codes = make_group(out / "release/self-assessment/self-assessment.ipynb", course_dir)
    add_learners(course, codes + ["m99x", "d13y"])
    damaged = course_dir / "submitted/d13y/self-assessment"
    damaged.mkdir(parents=True)
    (damaged / "self-assessment.ipynb").write_text('{"cells": [ broken')
    report_dir = course_dir.parent / "report"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "crossings", "cohort-report",
                           str(course_dir), "--out", str(report_dir), "--root", str(root)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return report_dir, proc.stdout


def ranking_rows(html_file: Path) -> list[list[str]]:
    soup = BeautifulSoup(html_file.read_text(), "html.parser")
    table = next(t for t in soup.find_all("table") if "ranked" in t.caption.text)
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.tbody.find_all("tr")]


def test_cohort_report_html_ranks_strands_by_disagreement(cohort):
    report_dir, _ = cohort
    rows = ranking_rows(report_dir / "cohort-report.html")
    assert len(rows) == 21
    assert [r[1] for r in rows[:6]] == EXPECTED_TOP
    assert rows[0] == ["1", "1.5 Facilitating smooth transitions", "3.00", "ECEC 4.00",
                       "School 1.00"]
    assert rows[1][2:] == ["2.33", "Other sectors 3.33", "ECEC 1.00"]
    assert rows[2][2:] == ["1.67", "ECEC 3.00", "Social 1.33"]
    page = (report_dir / "cohort-report.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "en" and soup.title.text.startswith("Cohort report")
    text = soup.get_text(" ", strip=True)
    assert "highest sector mean minus the lowest sector mean" in text
    assert "m99x: missing: no notebook was handed in" in text
    assert "d13y: could not be read: the file is not valid JSON" in text
    assert "k02e: 1 strand(s) not rated: 4.1" in text
    assert "15 learner(s): 13 self-assessment(s) included (1 of them incomplete), 1 missing, " \
           "1 could not be read." in text
    assert soup.find("svg", attrs={"role": "img"}) is not None
    # health (1) and policy (2) never get a figure of their own: they are "Other sectors"
    sectors = next(t for t in soup.find_all("table") if "by sector" in t.caption.text)
    head = [h.text for h in sectors.thead.find_all("th")]
    assert head == ["Strand", "ECEC", "School", "Social", "Other sectors"]
    assert "These sectors are shown together as \"Other sectors\": Policy (2), Health (1)." in text \
        or "These sectors are shown together as \"Other sectors\": Health (1), Policy (2)." in text
    # shared priorities come first, with descriptors and next steps for the top strands
    headings = [h.get_text(strip=True) for h in soup.find_all(["h2", "h3"])]
    assert headings.index("Shared priorities: what everyone rates low") < \
        headings.index("Where sectors see the system differently")
    assert "1.5 Facilitating smooth transitions (disagreement)" in headings
    assert "1.1 A policy roadmap and a shared vision (shared priority)" in headings
    assert "1 Not yet: There is no shared plan for young children in our area." in text
    assert "Next steps to discuss together:" in text


def test_cohort_report_pdf_is_tagged_and_holds_the_ranking(cohort):
    report_dir, stdout = cohort
    reader = PdfReader(report_dir / "cohort-report.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert reader.metadata.title == "Cohort report: local integration self-assessment"
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert text.index("Shared priorities") < text.index("Where sectors see the system")
    text = text[text.index("Strands ranked by the gap"):]
    positions = [text.find(name) for name in EXPECTED_TOP]
    assert -1 not in positions and positions == sorted(positions)
    assert "1 1.5 Facilitating smooth transitions 3.00 ECEC 4.00 School 1.00" in text
    assert "m99x: missing" in text and "d13y: could not be read" in text
    # the terminal shows the same ranking
    assert re.search(r"^1\s+1\.5 Facilitating smooth transitions\s+3\.00\s+ECEC 4\.00", stdout,
                     re.M)
    assert (report_dir / "cohort-radar.svg").is_file()


def test_cohort_report_pages_pass_the_visual_check(cohort, tmp_path):
    """Every page rendered (pdftoppm) and measured: no page ends with a heading."""
    report_dir, _ = cohort
    pdf = report_dir / "cohort-report.pdf"
    assert len(render_pngs(pdf, tmp_path / "png")) == page_count(pdf) >= 3
    assert check_pdf(pdf, "cohort report", heading_size=11.4, margin_x=18, margin_y=20) == []


# --- the site ---------------------------------------------------------------------------------

def test_tool_page_shows_every_strand_from_the_data_file(site):
    data = yaml.safe_load((REPO / "book/self-assessment.yml").read_text())
    soup = BeautifulSoup((site / "book/self-assessment.html").read_text(), "html.parser")
    text = " ".join(soup.get_text(" ").split())
    for fancy, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(fancy, plain)            # Sphinx's smart quotes
    headings = [" ".join(h.get_text(" ").split()).rstrip("#¶").strip()
                for h in soup.find_all("h4")]
    assert len(headings) == 21 and headings[4] == "1.5 Facilitating smooth transitions"
    for strand in data["strands"].values():
        for level in ("not-yet", "emerging", "developing", "embedded"):
            assert " ".join(strand[level].split()) in text
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert "../modules/leadership/roadmap-system.html#leadership-governance-transitions" in hrefs
    exercise = (site / "exercises/self-assessment/self-assessment.html").read_text()
    assert "Model answer" not in exercise and "self-assessment.ipynb" in exercise
