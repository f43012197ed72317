"""Sphinx extension for the facilitator packs.

Directives
- ``facilitator-note``: a note for facilitators. Rendered only on pages under
  ``facilitator/``; on every other page (modules, exercises, the book) it renders NOTHING,
  and its text is also removed from the page sources copied into the site (``_sources``).
  Notes in a module page are collected into that module's pack (``pack-notes``, or next to
  an activity named with ``:activity: <id>``).
- ``pack-overview``, ``pack-agenda <variant>``, ``pack-activities``, ``pack-notes``,
  ``pack-timeline``, ``pack-outcomes``: generated from ``facilitator/<pack>/pack.yml`` by
  ``packs_render`` (the same text goes into the printed pack).
- ``pack-downloads``: links to the pack's PDF, zip and editable handouts.
- ``pack-list``: on the facilitator landing page, every pack with its variants and totals.

On a translated page of another language's site, the agenda tables, the download links and
the fold buttons are in the page's language: their fixed words, the activity and handout
titles go through the interface catalog (``crossings.po``; see ``packs.interface``). A pack
whose pages are all translated is also built in that language (``packs.language``, into
``_build/packs/<code>/``): that language's site copies those files in place of the English
ones, under the same names. The links to files that are still English say so.

A pack's page shows the downloads first, then the agendas, then the details in sections
that fold on phones (``order_pack_page``, ``fold_sections``).

The packs are built before the pages are read (``env-get-outdated``, on every build, so a
long-running preview sees them too) into ``_build/packs`` beside the HTML output; packs
whose inputs did not change are reused from the cache. At the end they are copied into
the site under ``packs/<pack>/`` (on another language's site, the pack's files in that
language where there are some).

Incremental builds: a pack page depends on its pack's data, but also on module data
(outcome texts, facilitator notes). Instead of noting every module page as a dependency
(which re-read every pack page whenever any topic page was saved), the extension keeps
each pack's input hash (``packs.build.pack_key``) in the environment and re-reads a
pack's pages only when that hash changed.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from crossings.content.languages import load_languages
from crossings.content.modules import format_minutes
from crossings.content.problems import ContentError
from crossings.content.project import Project
from crossings.packs.build import MANIFEST, build_packs, pack_key
from crossings.packs.documents import pack_files
from crossings.packs.language import translated_packs
from crossings.packs.model import NOTE_DIRECTIVE, PACK_DIRECTIVES, Pack
from crossings.packs.render import SITE, Context, directive_level, render_part
from crossings.sphinxext.languages import page_gettext, reading_gettext

logger = logging.getLogger(__name__)
FACILITATOR_PREFIX = "facilitator/"
SITE_FOLDER = "packs"
NOTE_BLOCK = re.compile(r"^(\s*)(:{3,})\{facilitator-note\}.*?^\1\2\s*$\n?", re.M | re.S)


def _context(env) -> Context:
    ctx = getattr(env, "_crossings_packs", None)
    if ctx is None:
        ctx = Context.load(Project(Path(env.srcdir)))
        env._crossings_packs = ctx
    return ctx


def pack_of(ctx: Context, docname: str) -> Pack | None:
    parts = docname.split("/")
    if len(parts) >= 3 and parts[0] == "facilitator":
        return ctx.catalogue.pack(parts[1])
    return None


def in_page_language(env, ctx: Context, slug: str) -> bool:
    """Whether pack ``slug``'s files are built in the language of the site being built
    (false on the source language's site, whose files are the originals)."""
    code = env.config.language
    if not code or code == load_languages(ctx.project.root).source:
        return False
    return slug in {pack.slug for pack in translated_packs(ctx, code)}


def is_facilitator_page(docname: str) -> bool:
    return docname.startswith(FACILITATOR_PREFIX)


def site_uri(docname: str, slug: str, name: str) -> str:
    return posixpath.relpath(f"{SITE_FOLDER}/{slug}/{name}", posixpath.dirname(docname) or ".")


class FacilitatorNote(SphinxDirective):
    """Shown on facilitator pages only; elsewhere nothing at all is rendered."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {"activity": lambda value: value.strip()}

    def run(self):
        if not is_facilitator_page(self.env.docname):
            return []
        # the page's own catalog translates this title (Sphinx extracts it from the page)
        title = self.arguments[0] if self.arguments else "Facilitator note"
        node = nodes.admonition(classes=["facilitator-note"])
        node += nodes.title(text=title)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class PackPart(SphinxDirective):
    """A generated part of a pack page (the same MyST text as in the printed pack)."""

    has_content = False
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self):
        ctx = _context(self.env)
        pack = pack_of(ctx, self.env.docname)
        if pack is None:
            raise self.error(f"{self.name} is only allowed on the pages of a facilitator pack")
        # module data (outcomes, notes) is tracked by pack_key in outdated_pack_pages
        self.env.note_dependency(str(pack.data_file))
        page = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
        level = directive_level(page, self.lineno)
        _ = reading_gettext(self.env)
        try:
            text = render_part(self.name, self.arguments[0] if self.arguments else "", pack,
                               ctx, level, SITE, gettext=_)
        except KeyError as exc:
            raise self.error(str(exc.args[0])) from exc
        container = nodes.container(classes=[self.name])
        # Headings in the text become real sections of the page (match_titles).
        self.state.nested_parse(StringList(text.splitlines(), source=str(pack.data_file)),
                                self.content_offset, container, match_titles=True)
        return [container] if len(container) else []


def download_labels(pack: Pack, ctx: Context, _) -> dict[str, str]:
    """``pack_files`` (file -> label) with each label in the page's language."""
    labels = {f"{pack.slug}-pack.pdf": _("The printable pack"),
              f"{pack.slug}-pack.zip": _("Everything in one zip file")}
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout:
            title = _(handout.title)
            labels[f"handouts/{handout.id}.docx"] = _("{handout}, Word").format(handout=title)
            labels[f"handouts/{handout.id}.odt"] = _("{handout}, OpenDocument").format(
                handout=title)
    return {name: labels.get(name, label) for name, label in pack_files(pack, ctx).items()}


class PackDownloads(SphinxDirective):
    has_content = False

    def run(self):
        ctx = _context(self.env)
        pack = pack_of(ctx, self.env.docname)
        if pack is None:
            raise self.error("pack-downloads is only allowed on a pack page")
        _ = reading_gettext(self.env)
        translated = in_page_language(self.env, ctx, pack.slug)
        items = nodes.bullet_list(classes=["pack-downloads"])
        for name, label in download_labels(pack, ctx, _).items():
            para = nodes.paragraph()
            para += nodes.reference("", label[:1].upper() + label[1:],
                                    refuri=site_uri(self.env.docname, pack.slug, name),
                                    classes=["download"])
            suffix = Path(name).suffix[1:].upper()
            if translated:
                # Translators: after a download link to a file in this page's language.
                para += nodes.Text(_(" ({format} file)").format(format=suffix))
            else:
                # Translators: after a download link; the files are English so far: say so.
                para += nodes.Text(_(" ({format})").format(format=suffix))
            items += nodes.list_item("", para)
        return [items]


class PackList(SphinxDirective):
    has_content = False

    def run(self):
        ctx = _context(self.env)
        lines = []
        for pack in ctx.catalogue.packs:
            lines.append(f"- {{doc}}`{pack.title} </{pack.docname}>`: " + "; ".join(
                f"{v.title.lower()} ({format_minutes(v.total)})" for v in pack.variants))
        container = nodes.container(classes=["pack-list"])
        self.state.nested_parse(StringList(lines), self.content_offset, container)
        return [container]


def append_handout_downloads(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    parts = docname.split("/")
    if len(parts) != 4 or parts[0] != "facilitator" or parts[2] != "handouts":
        return
    ctx = _context(app.env)
    pack = ctx.catalogue.pack(parts[1])
    if pack is None or parts[3] not in pack.handouts or pack.handouts[parts[3]].kind == "figure":
        return   # a figure page is printed in the pack PDF; it has no editable copy
    _ = reading_gettext(app.env)
    para = nodes.paragraph(classes=["handout-downloads"])
    if in_page_language(app.env, ctx, pack.slug):
        # Translators: before the links to the DOCX and ODT files in this page's language.
        para += nodes.strong(text=_("Adapt this handout (editable files): "))
    else:
        # Translators: before the links to the DOCX and ODT files, which are English so far.
        para += nodes.strong(text=_("Adapt this handout: "))
    for i, fmt in enumerate(("docx", "odt")):
        label = _("Word (DOCX)") if fmt == "docx" else _("OpenDocument (ODT)")
        para += nodes.reference("", label, refuri=site_uri(
            docname, pack.slug, f"handouts/{parts[3]}.{fmt}"), classes=["download"])
        para += nodes.Text(" · " if i == 0 else ".")
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(para)


FOLD = "pack-fold"


def _section_rank(section: nodes.section) -> int:
    """0: the downloads, 1: an agenda, 2: the details."""
    classes = {c for node in section.findall(nodes.Element) for c in node.get("classes", [])}
    if "pack-downloads" in classes:
        return 0
    return 1 if "pack-agenda" in classes else 2


def order_pack_page(app: Sphinx, doctree: nodes.document) -> None:
    """On a pack's page: the downloads first, then the agendas, then the details, whose
    sections fold (``FOLD``: open without JavaScript and on wide screens, closed on phones
    by ``static/crossings-nav.js``)."""
    parts = app.env.docname.split("/")
    if len(parts) != 3 or parts[0] != "facilitator" or parts[2] != "index":
        return
    if pack_of(_context(app.env), app.env.docname) is None:
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    sections = [child for child in top.children if isinstance(child, nodes.section)]
    for section in sections:
        top.remove(section)
    for section in sorted(sections, key=_section_rank):  # stable: keeps the author's order
        if _section_rank(section) == 2:
            section["classes"].append(FOLD)
        top.append(section)


def fold_sections(app: Sphinx, pagename: str, templatename: str, context: dict,
                  doctree) -> None:
    """Each folding section keeps its heading; what follows goes into a <details>."""
    body = context.get("body") or ""
    if f'class="{FOLD}"' not in body:
        return
    from bs4 import BeautifulSoup  # a dependency of pydata-sphinx-theme

    soup = BeautifulSoup(body, "html.parser")
    _ = page_gettext(app, pagename)
    for section in soup.select(f"section.{FOLD}"):
        heading = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if heading is None:
            continue
        details = soup.new_tag("details", attrs={"class": f"{FOLD}-body", "open": ""})
        summary = soup.new_tag("summary")
        summary.string = _("Show or hide this section")
        details.append(summary)
        for sibling in list(heading.next_siblings):
            details.append(sibling.extract())
        section.append(details)
    context["body"] = str(soup)


def packs_dir(app: Sphinx) -> Path:
    """``crossings_packs_dir`` if set (the sites of other languages), else beside the HTML."""
    chosen = app.config.crossings_packs_dir
    return Path(chosen) if chosen else Path(app.outdir).parent / SITE_FOLDER


def build_before_reading(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Build the packs whose inputs changed; return the pack pages to re-read."""
    if app.builder.format != "html":
        return []
    project = Project(Path(app.srcdir))
    try:
        ctx = env._crossings_packs = Context.load(project)  # once per build, for every page
        build_packs(project, packs_dir(app), ctx=ctx,
                    log=lambda message: logger.info(f"[packs] {message}"))
    except ContentError as exc:
        for problem in exc.problems:
            logger.warning(problem.message, location=(str(problem.path), problem.line))
        return []
    except RuntimeError as exc:
        logger.warning(f"[packs] {exc}")
    return outdated_pack_pages(env, ctx)


def outdated_pack_pages(env, ctx: Context) -> list[str]:
    """Pages of every pack whose input hash differs from the one they were read with."""
    keys = {pack.slug: pack_key(pack, ctx) for pack in ctx.catalogue.packs}
    old = getattr(env, "crossings_pack_keys", None) or {}
    env.crossings_pack_keys = keys
    stale = {slug for slug, key in keys.items() if old.get(slug) != key} | (set(old) - set(keys))
    if not stale:
        return []
    pages = [d for d in env.found_docs if d.startswith(FACILITATOR_PREFIX)
             and (d.split("/")[1] in stale or d.count("/") == 1)]  # + the landing page (pack-list)
    if old:
        logger.info(f"[packs] inputs of {', '.join(sorted(stale))} changed: re-reading "
                    f"{len(pages)} page(s)")
    return pages


def copy_into_site(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = packs_dir(app)
    manifest = out / MANIFEST
    if not manifest.is_file():
        return
    packs = {slug: (out / slug, info)
             for slug, info in json.loads(manifest.read_text()).get("packs", {}).items()}
    code = app.config.language
    if code and code != load_languages(Path(app.srcdir)).source \
            and (out / code / MANIFEST).is_file():   # this language's packs replace the English
        translated = json.loads((out / code / MANIFEST).read_text()).get("packs", {})
        packs.update({slug: (out / code / slug, info) for slug, info in translated.items()})
    for slug, (folder, info) in packs.items():
        for name in info["files"]:
            source, target = folder / name, Path(app.outdir) / SITE_FOLDER / slug / name
            if target.is_file() and _same_file(source, target):
                continue  # incremental builds: copy only what the pack build rewrote
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    strip_notes_from_sources(Path(app.outdir))


def _same_file(a: Path, b: Path) -> bool:
    sa, sb = a.stat(), b.stat()
    return sa.st_size == sb.st_size and sa.st_mtime_ns == sb.st_mtime_ns


def strip_notes_from_sources(outdir: Path) -> None:
    """The copied page sources of learner pages must not carry facilitator notes either."""
    sources = outdir / "_sources"
    if not sources.is_dir():
        return
    for file in sources.rglob("*"):  # page.md, page.md.txt... (html_sourcelink_suffix)
        if not file.is_file() or file.relative_to(sources).parts[0] == "facilitator":
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if NOTE_DIRECTIVE in text:
            file.write_text(NOTE_BLOCK.sub("", text), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("crossings_packs_dir", "", "env")
    app.add_directive(NOTE_DIRECTIVE, FacilitatorNote)
    for name in PACK_DIRECTIVES:
        if name != "pack-downloads":
            app.add_directive(name, PackPart)
    app.add_directive("pack-downloads", PackDownloads)
    app.add_directive("pack-list", PackList)
    app.connect("env-get-outdated", build_before_reading)
    app.connect("doctree-read", append_handout_downloads)
    app.connect("doctree-read", order_pack_page, priority=400)  # before the page TOC is taken
    app.connect("html-page-context", fold_sections)
    app.connect("build-finished", copy_into_site)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
