"""Sphinx side of the exercises: the learner view of ``exercise-item`` blocks.

The learner page shows each question, its options or fields, its points and
(for facilitator-graded answers) the rubric. Model answers, hidden checks and
facilitator notes are never rendered. The first question is preceded by a link
to the learner notebook, which the exercise builder made before Sphinx ran
(``_build/exercises/release``); the notebooks are copied into the site under
``notebooks/``. ``crossings_launch_url`` (a template with ``{exercise}``) adds a
launch link to a JupyterHub where one is configured.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.i18n import docname_to_domain

from crossings.content.languages import INTERFACE_DOMAIN, catalog_dir
from crossings.content.problems import Problem
from crossings.exercises.source import (
    Item,
    _load_item,
    options_markdown,
    points_text,
    rubric_markdown,
)
from crossings.sphinxext.exercise_form import form_html, handin_html, onpage_intro
from crossings.sphinxext.form_texts import Texts, page_catalog, plan_field_line, same
from crossings.sphinxext.languages import _, current, languages, page_language

logger = logging.getLogger(__name__)
NOTEBOOK_DIR = "notebooks"
HELP_PAGE = "book/how-to-open-a-notebook"
STATIC_TYPES = ("choice", "classify", "order", "sector", "rating")  # the form replaces them
ASSETS = ("crossings-exercise.js", "crossings-exercise.css")


def release_dir(app: Sphinx) -> Path:
    """Where the exercise builder put the learner notebooks.

    The config value ``crossings_exercises_dir`` wins, then $CROSSINGS_EXERCISES_DIR
    (used by builds into other folders, e.g. the tests), then ``_build/exercises``.
    """
    chosen = app.config.crossings_exercises_dir or os.environ.get("CROSSINGS_EXERCISES_DIR")
    return Path(chosen or Path(app.srcdir) / "_build" / "exercises") / "release"


def learner_view(item: Item, number: int) -> list[str]:
    """MyST lines for one question, without anything a learner must not see."""
    graded = {"reflection": "read by the facilitator", "sector": "checked for completeness",
              "rating": "checked for completeness"}.get(item.type, "checked automatically")
    lines = [f"**Question {number}** ({points_text(item.points)}, {graded})", "", item.prompt, ""]
    if item.type == "choice":
        lines += options_markdown(item.options)
        lines += ["", "Choose all options that apply." if item.multiple else "Choose one option."]
    elif item.type == "classify":
        lines += ["Categories:", ""] + options_markdown(item.options) + ["", "Lines:", ""]
        lines += [f"{k}. {v}" for k, v in item.statements.items()]
    elif item.type == "order":
        lines += options_markdown(item.options) + ["", "Put all the steps in order."]
    elif item.type == "plan":
        lines += ["Your plan has these parts:", ""]
        lines += [f"- {plan_field_line(fld)}" for fld in item.fields]
        lines += ["", f"Each complete part earns points automatically. The facilitator gives up to "
                      f"{points_text(item.quality_points)} more for the quality of the whole plan."]
        lines += rubric_markdown(item)
    elif item.type == "reflection":
        lines += rubric_markdown(item)
    elif item.type == "sector":
        lines += [f"- `{key}`: {label}" for key, label in item.options.items()]
        lines += ["", "Choose one."]
    elif item.type == "rating" and item.assessment:
        lines += rating_view(item.assessment)
    return lines


def rating_view(data: dict) -> list[str]:
    """The strands to rate, element by element (the descriptors are on the tool's page)."""
    levels = ", ".join(f"{n} {lv['label'].lower()}" for n, lv in enumerate(data["levels"], 1))
    lines = [f"For each strand you give a level ({levels}) and one line of evidence. Each "
             "level of each strand has a short description; you find them all in the notebook "
             "and on the page {doc}`/book/self-assessment`.", ""]
    for element in data["elements"]:
        strands = "; ".join(f"{data['strands'][s]['number']} {data['strands'][s]['label']}"
                            for s in element["strands"])
        lines.append(f"- **{element['number']} {element['label']}**: {strands}")
    return lines


def page_texts(app: Sphinx, docname: str) -> Texts:
    """The texts of the form of one page: the interface catalog where the page is shown in
    the site's language (``locales/languages.yml``), and the page's own catalog, found as
    Sphinx's Locale transform finds it, for the exercise's options and labels."""
    code = current(app)
    if code == languages(app).source:
        return Texts()
    # the form is written into the doctree: read the page again when the interface changes
    app.env.note_dependency(str(catalog_dir(Path(app.srcdir), code) / f"{INTERFACE_DOMAIN}.po"))
    domain = docname_to_domain(docname, app.config.gettext_compact)
    dirs = [Path(app.srcdir) / d for d in app.config.locale_dirs]
    translated = page_language(app, docname) == code
    return Texts(ui=_ if translated else same, page=page_catalog(dirs, code, domain),
                 translated=translated)


def document_texts(app: Sphinx, document: nodes.document, docname: str) -> Texts:
    """Found once per page; ``add_handin`` removes it before Sphinx pickles the doctree."""
    texts = getattr(document, "_crossings_texts", None)
    if texts is None:
        texts = document._crossings_texts = page_texts(app, docname)
    return texts


class ExerciseItem(SphinxDirective):
    has_content = True

    def run(self):
        problems: list[Problem] = []
        path = Path(self.env.doc2path(self.env.docname))
        item = _load_item(path, "\n".join(self.content) + "\n", self.content_offset,
                          _AnyOutcome(),
                          problems.append)
        for problem in problems:
            logger.warning(problem.message, location=(self.env.docname, problem.line))
        if item is None:
            return []
        if item.type == "rating":   # its strands come from book/self-assessment.yml
            self.env.note_dependency(str(Path(self.env.srcdir) / "book" / "self-assessment.yml"))
        document = self.state.document
        number = getattr(document, "_crossings_items", 0) + 1
        document._crossings_items = number
        texts = document_texts(self.env.app, document, self.env.docname)
        out: list[nodes.Node] = []
        if number == 1:
            out += self.notebook_links(texts)
            out.append(nodes.raw("", onpage_intro(texts), format="html"))
        container = nodes.container(classes=["exercise-item", f"exercise-{item.type}"],
                                    ids=[f"question-{item.id}"])
        lines = learner_view(item, number)
        self.parse_into(container, lines[:4])
        static = nodes.container(classes=["exercise-static"] if item.type in STATIC_TYPES else [])
        self.parse_into(static, lines[4:])
        container += static
        container += nodes.raw("", form_html(item, number, texts), format="html")
        container += self.feedback_texts(item)
        return out + [container]

    def parse_into(self, node: nodes.Element, lines: list[str]) -> None:
        self.state.nested_parse(StringList(lines), self.content_offset, node)

    def feedback_texts(self, item: Item) -> list[nodes.Node]:
        """Explanations (formative items) and the discussion (reflection, plan), rendered by
        Sphinx so their {doc}/{ref} links resolve; hidden until the script shows them."""
        texts: list[tuple[str, str, str]] = []
        if item.formative and isinstance(item.explain, dict):
            texts += [(f"explain-{item.id}-{k}", f"**Why {k}?**", v)
                      for k, v in item.explain.items()]
        elif item.formative and item.explain:
            texts.append((f"explain-{item.id}", "**Why?**", item.explain))
        if item.type in ("plan", "reflection") and item.discussion:
            texts.append((f"discussion-{item.id}", "**A discussion to compare with**",
                          item.discussion + "\n\n*This is not a model answer: your own "
                          "answer can be quite different and still be good.*"))
        out = []
        for node_id, title, text in texts:
            kind = "exercise-discussion" if node_id.startswith("discussion-") else "exercise-explain"
            box = nodes.container(classes=[kind], ids=[node_id])
            self.parse_into(box, [title, "", *text.splitlines()])
            out.append(box)
        return out

    def notebook_links(self, texts: Texts) -> list[nodes.Node]:
        _ = texts.ui   # in the page's language, like the form
        exercise = Path(self.env.docname).name
        notebook = release_dir(self.env.app) / exercise / f"{exercise}.ipynb"
        if not notebook.is_file():
            logger.warning(f"no learner notebook for '{exercise}' at {notebook}: run "
                           "`crossings exercises` before the site build (nox -s build does)",
                           location=(self.env.docname, self.lineno))
        depth = self.env.docname.count("/")
        href = "../" * depth + f"{NOTEBOOK_DIR}/{exercise}.ipynb"
        # interface strings (crossings.po), not page strings: the links must survive translation
        para = nodes.paragraph(classes=["exercise-download"], translatable=False)
        para += nodes.Text(_("You can also do this exercise in a notebook: "))
        para += nodes.reference("", _("download {name}").format(name=f"{exercise}.ipynb"),
                                refuri=href)
        para += nodes.Text(_(". Open it in JupyterLab or Jupyter Notebook, answer in the grey "
                             "cells and run the check under each answer."))
        if HELP_PAGE in self.env.found_docs:
            para += nodes.Text(" ")
            para += nodes.reference("", _("How to open a notebook"),
                                    refuri="../" * depth + f"{HELP_PAGE}.html")
            para += nodes.Text(".")
        template = self.env.app.config.crossings_launch_url
        if template:
            para += nodes.Text(_(" Or "))
            para += nodes.reference("", _("open it on the course JupyterHub"),
                                    refuri=template.format(exercise=exercise))
            para += nodes.Text(".")
        return [para]


class _AnyOutcome(set):
    """Outcome ids are checked by the validator before the build; accept all here."""

    def __contains__(self, item) -> bool:
        return True


def copy_notebooks(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = release_dir(app)
    if not source.is_dir():
        return
    target = Path(app.outdir) / NOTEBOOK_DIR
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(source.glob("*/*.ipynb")):
        shutil.copy2(notebook, target / notebook.name)


def add_handin(app: Sphinx, doctree: nodes.document) -> None:
    """An exercise page ends with the hand-in panel (download, learner code, clear)."""
    texts = doctree.__dict__.pop("_crossings_texts", None)   # functions: not picklable
    if not getattr(doctree, "_crossings_items", 0):
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    target = sections[-1] if sections else doctree
    texts = texts or page_texts(app, app.env.docname)
    target += nodes.raw("", handin_html(Path(app.env.docname).name, texts), format="html")


def add_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The exercise script and styles, on exercise pages only."""
    if app.builder.format == "html" and 'class="exercise-handin"' in str(context.get("body")):
        app.add_js_file(ASSETS[0], loading_method="defer")
        app.add_css_file(ASSETS[1])


def setup(app: Sphinx) -> dict:
    app.add_config_value("crossings_exercises_dir", "", "env")
    app.add_config_value("crossings_launch_url", "", "html")
    app.add_directive("exercise-item", ExerciseItem)
    app.connect("doctree-read", add_handin)
    app.connect("html-page-context", add_assets)
    app.connect("build-finished", copy_notebooks)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
