"""The learner's path to the exercises: "Practise" sections and the list of exercises.

- Each module's overview page (``modules/<slug>/index``) and its last topic page (in the
  order of ``_toc.yml``) end with a **Practise** section that links the module's exercises,
  with each exercise's time and the outcomes it practises (added in ``doctree-read``).
- The ``exercise-list`` directive lists every published exercise the same way, grouped by
  module (used on ``exercises/index.md``).

Everything comes from the exercise sources and the module front matter; links are
``{doc}``/``{ref}`` cross-references, so a moved page fails the strict build.

On a page of another language's site that is translated, the fixed text goes through the
interface catalog (``crossings.po``), each exercise is named by its page's (translated)
title, and each outcome is its translation in the catalog of the module's overview page,
where the outcomes are translatable strings (``catalogue.ModuleOverview``).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from crossings.content.languages import catalog_dir, translations
from crossings.content.modules import load_modules
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.content.vocabulary import load_vocabulary
from crossings.exercises.source import exercise_files, load_exercise
from crossings.sphinxext.languages import languages, page_language, reading_gettext


def _data(env) -> dict:
    """Modules (toc order), their published exercises and outcome texts; once per build."""
    cached = getattr(env, "_crossings_practise", None)
    if cached is not None:
        return cached
    project = Project(Path(env.srcdir))
    order = [e.docname for e in read_toc(project.toc)]
    modules = [m for m in load_modules(project, load_vocabulary(project.vocabulary))
               if m.docname in order]
    modules.sort(key=lambda m: order.index(m.docname))
    outcomes = {o.id: o.text for m in modules for o in m.outcomes}
    outcome_pages = {o.id: m.docname for m in modules for o in m.outcomes}
    slugs = {m.slug for m in modules}
    exercises: dict[str, list] = {}
    for path in exercise_files(project.root):
        docname = path.relative_to(project.root).with_suffix("").as_posix()
        if docname not in order:
            continue
        exercise = load_exercise(path, set(outcomes), slugs)
        exercises.setdefault(exercise.module, []).append((order.index(docname), docname, exercise))
    last_topic = {}
    for module in modules:
        pages = [d for d in order if d.startswith(f"modules/{module.slug}/")]
        if len(pages) > 1:
            last_topic[pages[-1]] = module.slug
    cached = {"modules": modules, "outcomes": outcomes, "outcome_pages": outcome_pages,
              "catalogs": {}, "last_topic": last_topic,
              "exercises": {k: [(d, e) for _, d, e in sorted(v, key=lambda t: t[0])]
                            for k, v in exercises.items()}}
    env._crossings_practise = cached
    return cached


def _doc_ref(docname: str, text: str, fromdoc: str) -> addnodes.pending_xref:
    """A link to ``docname`` named by the title of that page (translated in another
    language's site); ``text`` is only shown if the link cannot be resolved."""
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=f"/{docname}",
                                refexplicit=False, refwarn=True, refdoc=fromdoc)
    ref += nodes.inline("", text)
    return ref


def outcome_text(app: Sphinx, oid: str, fromdoc: str) -> str:
    """An outcome in the language of page ``fromdoc``: its translation in the catalog of
    the module overview page (msgid and msgstr end with ``(<id>)``), else the English."""
    data = _data(app.env)
    english = data["outcomes"].get(oid, oid)
    code, page = page_language(app, fromdoc), data["outcome_pages"].get(oid)
    if code != languages(app).source and page:
        path = catalog_dir(Path(app.srcdir), code) / f"{page}.po"
        if path.is_file():
            app.env.note_dependency(str(path))
        key = (code, page)
        if key not in data["catalogs"]:
            data["catalogs"][key] = translations(Path(app.srcdir), code, page)
        translated = data["catalogs"][key].get(f"{english} ({oid})", "")
        if translated.endswith(f"({oid})"):
            return translated[:-len(f"({oid})")].rstrip() or english
    return english


def exercise_items(app: Sphinx, module: str, fromdoc: str) -> nodes.bullet_list:
    """One list item per exercise of ``module``: link, time, points, outcomes practised."""
    env, _ = app.env, reading_gettext(app.env)
    data = _data(env)
    items = nodes.bullet_list(classes=["exercise-list"])
    for docname, exercise in data["exercises"].get(module, []):
        env.note_dependency(str(exercise.path))
        para = nodes.paragraph()
        para += nodes.strong("", "", _doc_ref(docname, exercise.title, fromdoc))
        para += nodes.Text(_(" (about {minutes} minutes, {points} points). It practises:")
                           .format(minutes=exercise.minutes, points=f"{exercise.points:g}"))
        outcomes = nodes.bullet_list()
        for oid in exercise.outcomes:
            entry = nodes.paragraph()
            entry += nodes.Text(outcome_text(app, oid, fromdoc) + " ")
            entry += nodes.inline(text=f"({oid})", classes=["outcome-id"])
            outcomes += nodes.list_item("", entry)
        items += nodes.list_item("", para, outcomes)
    return items


def practise_section(app: Sphinx, module: str, fromdoc: str,
                     last_page: bool) -> nodes.section | None:
    if not _data(app.env)["exercises"].get(module):
        return None
    _ = reading_gettext(app.env)
    section = nodes.section(ids=["practise"], names=["practise"], classes=["practise"])
    section += nodes.title("", _("Practise"))
    if last_page:
        intro = _("You have reached the end of this module. Try what you have learned in the "
                  "exercises below. You answer right on the page, on a phone or a computer, "
                  "with nothing to install; each question tells you how you are doing, and at "
                  "the end you can hand in your answers to a facilitator.")
    else:
        intro = _("Try what you have learned in the exercises below. You answer right on the "
                  "page, on a phone or a computer, with nothing to install; each question tells "
                  "you how you are doing, and at the end you can hand in your answers to a "
                  "facilitator.")
    section += nodes.paragraph("", intro)
    section += exercise_items(app, module, fromdoc)
    return section


def add_practise(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    data = _data(app.env)
    module = next((m.slug for m in data["modules"] if m.docname == docname), None)
    last = data["last_topic"].get(docname)
    if not (module or last):
        return
    section = practise_section(app, module or last, docname, last_page=bool(last))
    if section is None:
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    (sections[-1] if sections else doctree).append(section)


class ExerciseList(SphinxDirective):
    """Every published exercise, grouped by module, with its time and outcomes."""

    has_content = False

    def run(self):
        data, app, docname = _data(self.env), self.env.app, self.env.docname
        _ = reading_gettext(self.env)
        out: list[nodes.Node] = []
        for module in data["modules"]:
            if not data["exercises"].get(module.slug):
                continue
            head = nodes.paragraph()
            head += nodes.strong("", _("Module: "))
            head += _doc_ref(module.docname, module.title, docname)
            out += [head, exercise_items(app, module.slug, docname)]
        if data["exercises"].get(""):
            head = nodes.paragraph()
            head += nodes.strong("", _("Tools (not part of a module)"))
            out += [head, exercise_items(app, "", docname)]
        return out


def _reset(app: Sphinx, env, docnames) -> None:
    env._crossings_practise = None


def setup(app: Sphinx) -> dict:
    app.add_directive("exercise-list", ExerciseList)
    app.connect("env-before-read-docs", _reset)
    app.connect("doctree-read", add_practise)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
