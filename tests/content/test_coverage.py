"""The concept coverage map: where each concept is taught, practised and used in a workshop."""

from __future__ import annotations

from pathlib import Path

from crossings.content.coverage import PRACTISED, TAUGHT, WORKSHOP
from crossings.content.modules import load_modules
from crossings.content.project import Project
from crossings.content.vocabulary import load_vocabulary
from crossings.sphinxext.catalogue import route_modules
from crossings.sphinxext.coverage import coverage_myst
from crossings.validate import concept_coverage

REPO = Path(__file__).resolve().parents[2]


def coverage_of(root: Path):
    project = Project(root)
    vocabulary = load_vocabulary(project.vocabulary)
    modules = load_modules(project, vocabulary)
    coverage, problems = concept_coverage(project, vocabulary, modules)
    assert problems == []
    return coverage, modules


def test_real_content_meets_the_coverage_targets():
    """Issue 17: every concept taught on a page, at least 90 % practised in an exercise."""
    coverage, _ = coverage_of(REPO)
    untaught = [row.concept.id for row in coverage.rows if not row.has(TAUGHT)]
    assert untaught == []
    assert coverage.count(PRACTISED) / len(coverage.rows) >= 0.9, coverage.figures()


def test_fixture_coverage_links_pages_items_and_shows_gaps(minibook):
    replace = minibook / "exercises/demo/demo-ex1.md"
    replace.write_text(replace.read_text().replace(
        "outcomes: [demo-lo1]\ncheck: formative",
        "outcomes: [demo-lo1]\nconcepts: [continuity-pedagogical]\ncheck: formative"))
    coverage, _ = coverage_of(minibook)
    rows = {row.concept.id: row for row in coverage.rows}
    (taught,) = rows["continuity-pedagogical"].uses[TAUGHT]
    assert taught.docname == "modules/demo/index"          # no taught_on: the module overview
    (practised,) = rows["continuity-pedagogical"].uses[PRACTISED]
    assert (practised.docname, practised.detail) == ("exercises/demo/demo-ex1", "question 'pick'")
    assert not rows["governance"].uses[PRACTISED] and not rows["governance"].uses[WORKSHOP]
    assert coverage.figures() == ("3 concepts: taught 3 (100 %), practised 1 (33 %), "
                                  "used in a workshop 0 (0 %)")
    text = coverage_myst(coverage, 2)
    assert "## The map in figures" in text and "## Continuities" in text
    assert "*gap: no exercise question yet*" in text
    assert "{doc}`Demo exercise </exercises/demo/demo-ex1>`, question 'pick'" in text


def test_landing_cards_order_modules_per_audience():
    """Each audience card starts with its own module and page, in an order that differs."""
    project = Project(REPO)
    modules = load_modules(project, load_vocabulary(project.vocabulary))
    firsts = {}
    orders = set()
    for audience in ("ecec", "school", "social", "health", "policy"):
        routed = route_modules(modules, [audience])
        assert routed, audience
        module, start = routed[0]
        assert module.routes[audience].order == 1 and start != "index"
        firsts[audience] = (module.slug, start)
        orders.add(tuple(m.slug for m, _ in routed))
    assert len(set(firsts.values())) == len(firsts), firsts   # every card starts elsewhere
    assert len(orders) > 1                                     # module order differs by audience
