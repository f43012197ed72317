"""Sphinx extension of the Crossings platform.

Directives (all read their data from the one source of truth, never from page text):

- ``module-overview``: on ``modules/<slug>/index.md``, renders the module's summary,
  audiences, time, prerequisites, learning outcomes (each an anchor and a
  ``{ref}`` target named by its id) and framework concepts from its front matter.
- ``audience-routes``: on the landing page, one card per audience route listing
  the modules written for it in that audience's order (module front matter ``routes``),
  each linked at its best starting page, followed by the cards written in the body.
- ``crossings-glossary``: the glossary, generated from ``book/glossary.yml``.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from crossings.content import mdscan
from crossings.content.modules import Module, format_minutes, load_modules
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.content.vocabulary import Vocabulary, load_vocabulary
from crossings.content.yamlsource import load_yaml_file
from crossings.sphinxext.languages import _

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _project(env) -> Project:
    return Project(Path(env.srcdir))


def _catalogue(env) -> tuple[Vocabulary, list[Module]]:
    """Vocabulary and the modules in the table of contents (in its order), read once per build."""
    cached = getattr(env, "_crossings_catalogue", None)
    if cached is None:
        project = _project(env)
        vocabulary = load_vocabulary(project.vocabulary)
        order = {entry.docname: i for i, entry in enumerate(read_toc(project.toc))}
        published = sorted((m for m in load_modules(project, vocabulary)
                            if m.docname in env.found_docs and m.docname in order),
                           key=lambda m: order[m.docname])
        cached = (vocabulary, published)
        env._crossings_catalogue = cached
    return cached


class _MystDirective(SphinxDirective):
    """A directive that renders generated MyST text into a container."""

    def render(self, text: str, classes: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=classes)
        self.state.nested_parse(StringList(text.splitlines()), self.content_offset, container)
        return [container]

    def depend_on(self, *paths: Path) -> None:
        for path in paths:
            self.env.note_dependency(str(path))


class ModuleOverview(_MystDirective):
    has_content = False

    def run(self):
        project = _project(self.env)
        vocabulary, modules = _catalogue(self.env)
        module = next((m for m in modules if m.docname == self.env.docname), None)
        self.depend_on(project.vocabulary, *(m.index for m in modules))
        if module is None:
            raise self.error("module-overview is only allowed on modules/<slug>/index.md")
        if module.problems:
            for problem in module.problems:
                logger.warning(problem.message, location=(self.env.docname, problem.line))
        titles = {m.slug: m.title for m in modules}
        lines = [module.summary, ""]
        audiences = ", ".join(vocabulary.audience_label(a) for a in module.audiences)
        lines += ["Who it is for", f": {audiences}", ""]
        lines += ["Time", f": about {format_minutes(module.minutes)} of reading and reflection", ""]
        if module.prerequisites:
            links = ", ".join(f"{{doc}}`{titles[p]} </modules/{p}/index>`" for p in module.prerequisites)
            lines += ["Before you start", f": {links}", ""]
        if module.concepts:
            lines += ["Frameworks used", ""]
            for framework in vocabulary.frameworks:
                labels = [vocabulary.concepts[c].label for c in module.concepts
                          if vocabulary.concepts[c].framework == framework.id]
                if labels:
                    lines.append(f": **{framework.title}**: {'; '.join(labels)}")
                    lines.append("")
        out = self.render("\n".join(lines), ["module-overview"])
        out[0] += self.outcome_nodes(module)
        return out

    def outcome_nodes(self, module: Module) -> list[nodes.Node]:
        heading = nodes.paragraph(classes=["module-outcomes-title"], translatable=False)
        heading += nodes.strong(text=_("After this module you can:"))
        items = nodes.bullet_list(classes=["module-outcomes"])
        std = self.env.get_domain("std")
        for outcome in module.outcomes:
            item = nodes.list_item(ids=[outcome.id])
            para = nodes.paragraph()
            # a source makes the outcome a translatable string of the page (gettext)
            para.source, para.line = self.get_source_info()
            para += nodes.Text(outcome.text + " ")
            para += nodes.inline(text=f"({outcome.id})", classes=["outcome-id"])
            item += para
            items += item
            std.note_hyperlink_target(outcome.id, self.env.docname, outcome.id,
                                      f"{outcome.text} ({outcome.id})")
        return [heading, items]


class AudienceRoutes(_MystDirective):
    """One card per route of book/vocabulary.yml, then the cards written in the body.

    Each card lists the modules written for its audiences in the order their front matter
    gives for that audience (``routes: {<audience>: {order, start}}``), each linked at the
    page most useful to start with; modules without a route for it follow in toc order.
    """

    has_content = True

    def run(self):
        project = _project(self.env)
        vocabulary, modules = _catalogue(self.env)
        self.depend_on(project.vocabulary, *(m.index for m in modules))
        cards = ["::::{grid} 1 1 2 3", ":gutter: 3", ""]
        routes: dict[str, list[str]] = {}
        for audience, info in vocabulary.audiences.items():
            routes.setdefault(info.get("route") or f"I work in {info['label']}", []).append(audience)
        for route, audiences in routes.items():
            info = vocabulary.audiences[audiences[0]]
            cards += [f":::{{grid-item-card}} {route}", info.get("route_text", ""), ""]
            own = route_modules(modules, audiences)
            for n, (module, start) in enumerate(own, start=1):
                cards.append(self.route_line(n, module, start))
            if not own:
                cards.append("Modules for this role are being written.")
            cards += ["", ":::", ""]
        # Further routes (facilitators, maintainers) are written in the directive body.
        cards += [*self.content, "", "::::"]
        return self.render("\n".join(cards), ["audience-routes"])

    @staticmethod
    def route_line(n: int, module: Module, start: str) -> str:
        minutes = f"about {format_minutes(module.minutes)}"
        if start == "index":
            return f"{n}. {{doc}}`{module.title} </{module.docname}>` ({minutes})"
        page = mdscan.page_title(module.index.parent / f"{start}.md") or start
        return (f"{n}. {{doc}}`{page} </{module.page_docname(start)}>`, in "
                f"{{doc}}`{module.title} </{module.docname}>` ({minutes})")


def route_modules(modules: list[Module], audiences: list[str]) -> list[tuple[Module, str]]:
    """The modules of one landing card in their order for these audiences, with start pages."""
    own = [m for m in modules if set(audiences) & set(m.audiences)]

    def place(module: Module) -> tuple[int, int]:
        orders = [module.routes[a].order for a in audiences if a in module.routes]
        return (min(orders) if orders else len(modules) + 1, modules.index(module))

    out = []
    for module in sorted(own, key=place):
        start = next((module.routes[a].start for a in audiences if a in module.routes), "index")
        out.append((module, start))
    return out


class CrossingsGlossary(_MystDirective):
    has_content = False

    def run(self):
        path = _project(self.env).glossary
        self.depend_on(path)
        entries = load_yaml_file(path).data or []
        lines = ["```{glossary}", ":sorted:", ""]
        for entry in entries:
            lines.append(str(entry["term"]).strip())
            definition = " ".join(str(entry["definition"]).split())
            lines.append(f"  {definition}")
            lines.append("")
        lines.append("```")
        return self.render("\n".join(lines), ["crossings-glossary"])


def _reset_catalogue(app: Sphinx, env, docnames) -> None:
    env._crossings_catalogue = None


def setup(app: Sphinx) -> dict:
    app.add_directive("module-overview", ModuleOverview)
    app.add_directive("audience-routes", AudienceRoutes)
    app.add_directive("crossings-glossary", CrossingsGlossary)
    app.connect("env-before-read-docs", _reset_catalogue)
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("crossings.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
