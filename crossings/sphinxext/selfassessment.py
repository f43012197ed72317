"""Sphinx side of the self-assessment: its descriptors on the site, from the data file.

Directive ``self-assessment-descriptors`` renders every element and strand of
``book/self-assessment.yml`` as sections (one heading level below the section it is
placed in): the four level descriptors, the next steps and links to the pages that
teach the strand. The notebook and the cohort report read the same file, so the site
never shows other descriptors than the ones people rate with.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from crossings.content import mdscan
from crossings.content.project import Project
from crossings.selfassessment.framework import data_file, load_self_assessment, page_labels

logger = logging.getLogger(__name__)


def descriptors_myst(assessment, labels, level: int) -> str:
    """MyST text: a section per element, a subsection per strand."""
    out = []
    names = {lv.id: lv.label for lv in assessment.levels}
    for element in assessment.elements:
        out += [f"{'#' * level} {element.number} {element.label}", ""]
        for strand_id in element.strands:
            strand = assessment.strands[strand_id]
            out += [f"{'#' * (level + 1)} {strand.number} {strand.label}", ""]
            out += [f"{n}. **{names[lid]}:** {text}"
                    for n, (lid, text) in enumerate(strand.descriptors.items(), start=1)]
            out += ["", "**Next steps if this strand is weak:**", ""]
            out += [f"- {step}" for step in strand.next_steps]
            links = "; ".join(f"{{ref}}`{label}`" for label in strand.links)
            out += ["", f"**Read more:** {links}", ""]
    return "\n".join(out)


class SelfAssessmentDescriptors(SphinxDirective):
    has_content = False

    def run(self):
        project = Project(Path(self.env.srcdir))
        self.env.note_dependency(str(data_file(project)))
        self.env.note_dependency(str(project.vocabulary))
        labels = page_labels(project)
        assessment = load_self_assessment(project, labels=labels)
        for problem in assessment.problems:
            logger.warning(problem.message, location=(str(problem.path), problem.line))
        if assessment.problems:
            return []
        page = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
        text = descriptors_myst(assessment, labels, mdscan.level_below(page, self.lineno))
        container = nodes.container(classes=["self-assessment-descriptors"])
        self.state.nested_parse(StringList(text.splitlines(), source=str(data_file(project))),
                                self.content_offset, container, match_titles=True)
        return [container]


def setup(app: Sphinx) -> dict:
    app.add_directive("self-assessment-descriptors", SelfAssessmentDescriptors)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
