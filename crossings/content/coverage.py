"""The concept coverage map: where each concept of the vocabulary is taught, practised and used.

A concept is *taught* on a module page (module front matter: ``concepts`` and
``taught_on``), *practised* in an exercise item (its ``concepts:``; a rating item
practises every concept of its framework) and *used in a workshop* in a facilitator
pack activity (its ``concepts:``). The content layer cannot read exercises or packs, so
the callers (``crossings.validate`` and the Sphinx extension) pass those uses in as
``Use`` records; this module only joins them with the vocabulary and the modules.

``coverage_problems`` is the rule behind ``crossings validate``: a concept that no page
teaches is an error at its line of ``book/vocabulary.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossings.content.modules import Module
from crossings.content.problems import Problem
from crossings.content.vocabulary import Concept, Vocabulary

TAUGHT, PRACTISED, WORKSHOP = "taught", "practised", "workshop"
KINDS = (TAUGHT, PRACTISED, WORKSHOP)


@dataclass(frozen=True)
class Use:
    """One place that uses a concept: a page, an exercise item or a pack activity."""

    concept: str
    kind: str          # taught | practised | workshop
    label: str         # the title of the page, exercise or pack
    docname: str       # the page to link to
    anchor: str = ""   # an anchor on that page, if any
    detail: str = ""   # which part of it, e.g. "question 'kinds'"


@dataclass
class ConceptCoverage:
    concept: Concept
    uses: dict[str, list[Use]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def has(self, kind: str) -> bool:
        return bool(self.uses[kind])


@dataclass
class Coverage:
    vocabulary: Vocabulary
    rows: list[ConceptCoverage]

    def count(self, kind: str) -> int:
        return sum(row.has(kind) for row in self.rows)

    def percent(self, kind: str) -> int:
        return round(100 * self.count(kind) / len(self.rows)) if self.rows else 0

    def figures(self) -> str:
        total = len(self.rows)
        return (f"{total} concepts: taught {self.count(TAUGHT)} ({self.percent(TAUGHT)} %), "
                f"practised {self.count(PRACTISED)} ({self.percent(PRACTISED)} %), "
                f"used in a workshop {self.count(WORKSHOP)} ({self.percent(WORKSHOP)} %)")

    def framework_rows(self, framework: str) -> list[ConceptCoverage]:
        return [row for row in self.rows if row.concept.framework == framework]


def taught_uses(modules: list[Module], titles: dict[str, str] | None = None) -> list[Use]:
    """Every (concept, page) pair the modules declare; ``titles`` maps docnames to titles."""
    titles = titles or {}
    uses = []
    for module in modules:
        for concept in module.concepts:
            for page in module.pages_teaching(concept):
                docname = module.page_docname(page)
                uses.append(Use(concept, TAUGHT, titles.get(docname, docname), docname,
                                f"{module.slug}-{concept}"))
    return uses


def build_coverage(vocabulary: Vocabulary, uses: list[Use]) -> Coverage:
    rows = {cid: ConceptCoverage(concept) for cid, concept in vocabulary.concepts.items()}
    for use in uses:
        row = rows.get(use.concept)
        if row is not None and use not in row.uses[use.kind]:
            row.uses[use.kind].append(use)
    return Coverage(vocabulary, list(rows.values()))


def coverage_problems(coverage: Coverage) -> list[Problem]:
    """A concept of the vocabulary that no module page teaches is an error."""
    path = coverage.vocabulary.path
    return [Problem(path, row.concept.line,
                    f"concept '{row.concept.id}' is taught nowhere: list it in the 'concepts' "
                    "(and 'taught_on') of the module that teaches it, or remove it")
            for row in coverage.rows if not row.has(TAUGHT)]
