"""The coverage map page: directive ``concept-coverage``.

For every concept of ``book/vocabulary.yml`` (framework by framework) it lists where the
concept is taught (module pages), practised (exercise items) and used in a workshop
(facilitator pack activities), and shows a missing place as a gap. The data comes from
``crossings.validate.concept_coverage`` (the same data ``crossings validate`` checks),
so the page and the validator never disagree.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from crossings.content import mdscan
from crossings.content.coverage import PRACTISED, TAUGHT, WORKSHOP, ConceptCoverage, Coverage
from crossings.content.modules import load_modules
from crossings.content.project import Project
from crossings.content.vocabulary import load_vocabulary
from crossings.exercises.source import exercise_files
from crossings.packs.model import pack_dirs
from crossings.validate import concept_coverage

logger = logging.getLogger(__name__)
KIND_LABELS = {TAUGHT: "Taught", PRACTISED: "Practised", WORKSHOP: "In a workshop"}
GAPS = {TAUGHT: "gap: no page teaches it yet", PRACTISED: "gap: no exercise question yet",
        WORKSHOP: "gap: no workshop activity yet"}


def _link(use) -> str:
    if use.kind == TAUGHT and use.anchor:
        return f"{{ref}}`{use.label} <{use.anchor}>`"
    link = f"{{doc}}`{use.label} </{use.docname}>`"
    return f"{link}, {use.detail}" if use.detail else link


def _concept_lines(row: ConceptCoverage) -> list[str]:
    out = []
    for kind in (TAUGHT, PRACTISED, WORKSHOP):
        uses = row.uses[kind]
        where = "; ".join(_link(u) for u in uses) if uses else f"*{GAPS[kind]}*"
        out.append(f"- **{KIND_LABELS[kind]}:** {where}")
    return out + [""]


def summary_myst(coverage: Coverage, level: int) -> list[str]:
    total = len(coverage.rows)
    frameworks = len(coverage.vocabulary.frameworks)
    out = [f"{'#' * level} The map in figures", "",
           f"The map follows {total} concepts from {frameworks} frameworks.", ""]
    for kind, text in ((TAUGHT, "are taught on a module page"),
                       (PRACTISED, "are practised in an exercise question"),
                       (WORKSHOP, "are used in a workshop activity")):
        out.append(f"- {coverage.count(kind)} of {total} ({coverage.percent(kind)} %) {text}.")
    out.append("")
    for kind in (PRACTISED, WORKSHOP):
        gaps = [row.concept.label for row in coverage.rows if not row.has(kind)]
        if gaps:
            out += [f"**Not yet {'practised' if kind == PRACTISED else 'in a workshop'} "
                    f"({len(gaps)}):** {'; '.join(gaps)}.", ""]
    return out


def coverage_myst(coverage: Coverage, level: int) -> str:
    out = summary_myst(coverage, level)
    vocabulary = coverage.vocabulary
    for framework in vocabulary.frameworks:
        out += [f"{'#' * level} {framework.title}", ""]
        if framework.source:
            out += [f"Source: {{cite:p}}`{framework.source}`.", ""]
        if framework.note:
            out += [framework.note, ""]
        rows = {row.concept.id: row for row in coverage.framework_rows(framework.id)}
        for cid in framework.concepts:
            out += [f"**{rows[cid].concept.label}**", ""] + _concept_lines(rows[cid])
            for child in vocabulary.children(cid):
                out += [f"**{rows[cid].concept.label}: {child.label}**", ""]
                out += _concept_lines(rows[child.id])
    return "\n".join(out)


class ConceptCoverageDirective(SphinxDirective):
    has_content = False

    def run(self):
        project = Project(Path(self.env.srcdir))
        vocabulary = load_vocabulary(project.vocabulary)
        modules = load_modules(project, vocabulary)
        deps = [project.vocabulary, *(m.index for m in modules), *exercise_files(project.root),
                *(folder / "pack.yml" for folder in pack_dirs(project))]
        for path in deps:
            self.env.note_dependency(str(path))
        coverage, problems = concept_coverage(project, vocabulary, modules)
        for problem in problems:
            logger.warning(problem.message, location=(str(problem.path), problem.line))
        page = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
        text = coverage_myst(coverage, mdscan.level_below(page, self.lineno))
        container = nodes.container(classes=["concept-coverage"])
        self.state.nested_parse(StringList(text.splitlines(), source=str(project.vocabulary)),
                                self.content_offset, container, match_titles=True)
        return [container]


def setup(app: Sphinx) -> dict:
    app.add_directive("concept-coverage", ConceptCoverageDirective)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
