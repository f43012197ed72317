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
from dataclasses import dataclass, field

from crossings.content import mdscan
from crossings.content.bibliography import bib_keys
from crossings.content.checks import check_glossary, check_page, check_toc
from crossings.content.languages import catalog_files, translated_text
from crossings.content.modules import load_modules
from crossings.content.originality import SourceIndex, load_allowlist, source_files
from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.references import check_references
from crossings.content.vocabulary import Vocabulary, load_vocabulary
from crossings.exercises.source import load_exercises
from crossings.packs.checks import check_packs
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
    for page in pages:
        text = page.read_text(encoding="utf-8")
        scanned = mdscan.scan(text)
        module = module_of.get(page.parent.resolve())
        add(check_page(page, text, scanned, module))

    add(check_references(project, pages, [o.id for m in modules for o in m.outcomes]))
    add(check_toc(project, pages))
    add(load_exercises(project)[1])
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
