"""The whole-project validation behind ``crossings validate``: every structural rule, before Sphinx.

It runs the content checks (``crossings.content.checks``) and each capability's own
(exercises, packs, self-assessment), so it sits above them all, beside the CLI.

``validate(project)`` returns a report with every problem as ``file:line: message``
(it never stops at the first one) plus notes on checks that could not run.

Root causes come first: problems in the data everything else reads (YAML syntax, the
vocabulary, the glossary, module front matter) are listed before the problems of pages,
references, exercises and packs, which are often their consequences.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from crossings.content import mdscan
from crossings.content.bibliography import bib_keys
from crossings.content.checks import check_glossary, check_internal_words, check_page, check_toc
from crossings.content.coverage import (
    PRACTISED,
    WORKSHOP,
    Coverage,
    Use,
    build_coverage,
    coverage_problems,
    taught_uses,
)
from crossings.content.languages import catalog_files, translated_text
from crossings.content.modules import Module, load_modules
from crossings.content.originality import SourceIndex, load_allowlist, source_files
from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.references import check_references
from crossings.content.vocabulary import Vocabulary, load_vocabulary
from crossings.exercises.catalogue import load_exercises
from crossings.exercises.source import Exercise
from crossings.packs.checks import check_packs, load_catalogue
from crossings.selfassessment.framework import check_self_assessment


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    modules: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(project: Project, check_originality: bool = True) -> Report:
    report = Report()
    add = report.problems.extend
    try:
        vocabulary = load_vocabulary(project.vocabulary)
    except ContentError as exc:
        add(exc.problems)
        return report
    add(vocabulary.problems)
    keys = bib_keys(project.bibliography)
    for framework in vocabulary.frameworks:
        if framework.source not in keys:
            add([Problem(project.vocabulary, framework.line,
                         f"framework '{framework.id}' cites '{framework.source}', which is not a "
                         f"key of {project.bibliography.name}")])
    add(check_glossary(project.glossary))

    modules = load_modules(project, vocabulary)
    report.modules = len(modules)
    for module in modules:
        add(module.problems)
    roots = len(report.problems)  # everything before this is data the rest depends on

    pages = project.content_pages()
    report.pages = len(pages)
    module_of = {m.index.parent.resolve(): m for m in modules}
    maintainer = {project.root / p for p in MAINTAINER_PAGES}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        scanned = mdscan.scan(text)
        module = module_of.get(page.parent.resolve())
        add(check_page(page, text, scanned, module))
        if page not in maintainer and page.relative_to(project.root).parts[0] in LEARNER_DIRS:
            add(check_internal_words(page, text, vocabulary.internal_words))
    add(_vocabulary_words(vocabulary))

    add(check_references(project, pages, [o.id for m in modules for o in m.outcomes]))
    add(check_toc(project, pages))
    exercises, exercise_problems = load_exercises(project)
    add(exercise_problems)
    coverage, problems = concept_coverage(project, vocabulary, modules, exercises)
    add(problems)
    if all(m.front is not None for m in modules):
        # A module whose front matter cannot be read teaches nothing we can see:
        # that is reported above, not as every one of its concepts "taught nowhere".
        add(coverage_problems(coverage))
    report.notes.append(f"coverage: {coverage.figures()}")
    add(check_packs(project, modules, check_originality))  # facilitator packs
    add(check_self_assessment(project, vocabulary, check_originality))  # book/self-assessment.yml

    if check_originality:
        seeds = project.seeds
        files = source_files(seeds) if seeds.is_dir() else []
        if files:
            index = SourceIndex.build(files, load_allowlist(project.originality_allowlist))
            for page in pages + [project.glossary]:
                if page.is_file():
                    add(index.check(page))
            catalogs = catalog_files(project.root)   # the translations of every language
            for po in catalogs:
                add(index.check(po, translated_text(po)))
            report.notes.append(f"originality: {len(pages) + 1} files and {len(catalogs)} "
                                f"translation catalogs compared with {len(files)} source "
                                f"documents in {seeds}")
        elif os.environ.get("CI"):
            add([Problem(seeds, 1, "source documents not found: the originality check cannot "
                                   "run (set CROSSINGS_SEEDS to the seeds folder)")])
        else:
            report.notes.append(f"originality check skipped: no source documents in {seeds} "
                                "(set CROSSINGS_SEEDS)")
    # A broken front matter is seen by two checks: report it once, root causes first.
    first = _ordered(report.problems[:roots])
    report.problems = first + [p for p in _ordered(report.problems[roots:]) if p not in first]
    return report


# Pages a learner reads: everything in these folders except the maintainer's page.
LEARNER_DIRS = ("book", "modules", "exercises")
MAINTAINER_PAGES = ("book/how-this-platform-is-built.md",)


def _vocabulary_words(vocabulary: Vocabulary) -> list[Problem]:
    """Framework titles and concept labels are shown on learner pages: no internal words."""
    if not vocabulary.internal_words or vocabulary.path is None:
        return []
    text = vocabulary.path.read_text(encoding="utf-8")
    shown = re.compile(r"^\s*(?:-\s*)?(?:title|label):|label:", re.MULTILINE)
    lines = [line if shown.search(line) else "" for line in text.splitlines()]
    return check_internal_words(vocabulary.path, "\n".join(lines), vocabulary.internal_words)


def concept_coverage(project: Project, vocabulary: Vocabulary, modules: list[Module],
                     exercises: list[Exercise] | None = None) -> tuple[Coverage, list[Problem]]:
    """The coverage map's data: taught (module pages), practised (exercise items), workshop
    (pack activities), and the problems found while collecting (unknown concept ids)."""
    if exercises is None:
        exercises = load_exercises(project)[0]
    problems: list[Problem] = []
    titles = {}
    for module in modules:
        for page in {p for c in module.concepts for p in module.pages_teaching(c)}:
            path = module.index.parent / f"{page}.md"
            titles[module.page_docname(page)] = mdscan.page_title(path) if path.is_file() else page
    uses = [_with_anchor(project, use) for use in taught_uses(modules, titles)]
    for exercise in exercises:
        docname = project.docname(exercise.path)
        for item in exercise.items:
            for cid in item.concepts:
                uses.append(Use(cid, PRACTISED, exercise.title or exercise.id, docname,
                                f"question-{item.id}", f"question '{item.id}'"))
    for pack in load_catalogue(project).packs:
        docname = project.docname(pack.page)
        for activity in pack.activities.values():
            for cid in activity.concepts:
                if cid not in vocabulary.concepts:
                    problems.append(Problem(pack.data_file, activity.concepts_line,
                                            f"activity '{activity.id}': unknown concept id "
                                            f"'{cid}' (see book/vocabulary.yml)"))
                    continue
                uses.append(Use(cid, WORKSHOP, pack.title or pack.slug, docname, "",
                                f"activity \u201c{activity.title}\u201d"))
    return build_coverage(vocabulary, uses), problems


def _with_anchor(project: Project, use: Use) -> Use:
    """Keep a page use's anchor only if the page has that label, e.g. ``(leadership-funding)=``."""
    path = project.root / f"{use.docname}.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if use.anchor and f"({use.anchor})=" in text:
        return use
    return Use(use.concept, use.kind, use.label, use.docname, "", use.detail)


def _ordered(problems: list[Problem]) -> list[Problem]:
    """One of each, by file and line; within a line, syntax errors and unknown keys first."""
    def rank(p: Problem) -> int:
        return 0 if p.column or "unknown front-matter key" in p.message else 1
    return sorted(set(problems), key=lambda p: (rank(p), str(p.path), p.line, p.message))


def load_vocabulary_or_raise(project: Project) -> Vocabulary:
    vocabulary = load_vocabulary(project.vocabulary)
    if vocabulary.problems:
        raise ContentError(vocabulary.problems)
    return vocabulary
