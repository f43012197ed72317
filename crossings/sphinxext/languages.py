"""Sphinx extension: one site per language, the language switcher and translation counts.

The languages and the pages that claim to be translated are in ``locales/languages.yml``
(read by ``crossings.content.languages``). The English site is built at the root of
``_build/html``; every other language with ``-D language=<code>`` into
``_build/html/<code>/`` (``nox -s build`` does both). On every page this module adds:

- a language switcher at the top of the article: a link to the same page in each other
  language, or to that language's home page with a note where the page is not translated;
- ``<link rel="alternate" hreflang>`` for each language the page exists in, plus
  ``x-default`` (English), once the site's public address is known (``html.baseurl`` in
  ``_config.yml``): search engines take only absolute addresses there, so without one the
  build writes none (the switcher's links, relative, work anywhere). Each language's site
  gets its own ``html_baseurl`` (``<base>/<code>/``), so canonical links and the JSON-LD
  ``url`` of an Italian page point to the Italian page;
- on a page of a non-source site that is not listed as translated: a note in that
  language, and ``lang="en"`` on the article (its text falls back to English).

It also counts, per page, the strings Sphinx translated (the ``translated`` mark that
Sphinx's i18n transform puts on every translatable node), prints ``it: N of M strings
translated`` and warns (so ``-W`` fails the build) for each page listed as translated that
still has a missing or fuzzy string.

Interface strings written by the extension itself (and a few config texts, e.g. the search
box) go through the ``crossings`` catalog, ``locales/<code>/LC_MESSAGES/crossings.po``.
Text generated into a page's body (the Practise sections, pack agendas and downloads) uses
``page_gettext``: the page's language, so a page that falls back to English stays English.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from crossings.content.languages import INTERFACE_DOMAIN, Languages, catalog_dir, load_languages

logger = logging.getLogger(__name__)
_ = get_translation(INTERFACE_DOMAIN)

# Config texts shown on every page; translated through the interface catalog.
CONFIG_TEXTS = (("html_theme_options", "search_bar_text"), ("html_theme_options", "extra_footer"))


def languages(app: Sphinx) -> Languages:
    cached = getattr(app, "_crossings_languages", None)
    if cached is None:
        cached = load_languages(Path(app.srcdir))
        app._crossings_languages = cached
    return cached


def current(app: Sphinx) -> str:
    return app.config.language or languages(app).source


def page_language(app: Sphinx, pagename: str) -> str:
    """The language of a page's text: the site's, or the source's where not translated."""
    langs, code = languages(app), current(app)
    return code if langs.is_translated(code, pagename) else langs.source


def english(message: str) -> str:
    """The English text itself: the interface of a page that is in the source language."""
    return message


def page_gettext(app: Sphinx, pagename: str) -> Callable[[str], str]:
    """``_`` on a page in the site's language; on a page in English (the English site, or
    a page that falls back to English) the English text, so the page is in one language."""
    return _ if page_language(app, pagename) != languages(app).source else english


def reading_gettext(env) -> Callable[[str], str]:
    """``page_gettext`` for the page being read; in another language's site, the page is
    read again when the interface catalog changes."""
    po = catalog_dir(Path(env.srcdir), env.config.language or "") / f"{INTERFACE_DOMAIN}.po"
    if env.config.language != languages(env.app).source and po.is_file():
        env.note_dependency(str(po))
    return page_gettext(env.app, env.docname)


def href(app: Sphinx, pagename: str, target_lang: str, target_page: str) -> str:
    """Relative URL from ``pagename`` in this site to ``target_page`` in another language."""
    langs = languages(app)
    up = pagename.count("/") + (0 if current(app) == langs.source else 1)
    return "../" * up + langs.prefix(target_lang) + target_page + ".html"


def switcher_html(app: Sphinx, pagename: str) -> str:
    langs, code = languages(app), current(app)
    links = []
    for other in langs.others(code):
        if langs.is_translated(other.code, pagename):
            link = (f'<a href="{html.escape(href(app, pagename, other.code, pagename))}" '
                    f'hreflang="{other.code}" lang="{other.code}">{html.escape(other.name)}</a>')
        else:
            home = app.config.root_doc
            link = (f'<a href="{html.escape(href(app, pagename, other.code, home))}" '
                    f'hreflang="{other.code}" lang="{other.code}">{html.escape(other.name)} '
                    f'<span class="crossings-language-note">{html.escape(other.home_note)}'
                    f'</span></a>')
        links.append(f"<li>{link}</li>")
    if not links:
        return ""
    label = html.escape(_("Other languages"))
    return (f'<nav class="crossings-languages" aria-label="{label}">'
            f'<span class="crossings-languages-label">{label}:</span> '
            f'<ul>{"".join(links)}</ul></nav>\n')


def alternate_links(site_url: str, langs: Languages, pagename: str) -> list[tuple[str, str]]:
    """(hreflang, absolute address) of every version of a page, and x-default (the source
    language); none without the site's address (relative ones are invalid there)."""
    if not site_url:
        return []
    root = site_url.rstrip("/") + "/"
    links = [(code, f"{root}{langs.prefix(code)}{pagename}.html")
             for code in langs.languages if langs.is_translated(code, pagename)]
    return links + [("x-default", f"{root}{langs.prefix(langs.source)}{pagename}.html")]


def set_site_url(app: Sphinx, config) -> None:
    """Remember the site's address; a language's own site lives under ``<code>/`` of it."""
    root = (config.html_baseurl or "").strip()
    app._crossings_site_url = root
    code = config.language or languages(app).source
    if root and code != languages(app).source:
        config.html_baseurl = root.rstrip("/") + "/" + languages(app).prefix(code)


def add_language_links(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree) -> None:
    if app.builder.format != "html" or "body" not in context:
        return
    langs, code = languages(app), current(app)
    links = [f'<link rel="alternate" hreflang="{c}" href="{html.escape(u)}" />'
             for c, u in alternate_links(getattr(app, "_crossings_site_url", ""), langs,
                                         pagename)]
    if links:
        context["metatags"] = (str(context.get("metatags") or "") + "\n    "
                               + "\n    ".join(links))
    body = context["body"]
    if not langs.is_translated(code, pagename):
        note = langs.get(code).not_translated_note
        body = (f'<p class="crossings-untranslated admonition note">{html.escape(note)}</p>\n'
                f'<div lang="{langs.source}">{body}</div>')
    context["body"] = switcher_html(app, pagename) + body


# --- counting translated strings ---------------------------------------------------------

class RememberImageAlt(SphinxTransform):
    """Keep each image's source alt text before Sphinx's i18n transform (priority 20).

    Sphinx (7.4) translates an image's alt text but leaves the image marked
    ``translated`` False, so a page with a figure could never count as complete;
    ``record_progress`` counts an image as translated when its alt text changed."""

    default_priority = 15

    def apply(self, **kwargs) -> None:
        if current(self.app) == languages(self.app).source:
            return
        for node in self.document.findall(nodes.image):
            if node.get("alt"):
                node["crossings_source_alt"] = node["alt"]


def is_translated(node: nodes.Element) -> bool:
    if isinstance(node, nodes.image) and not node["translated"]:
        source = node.get("crossings_source_alt")
        return source is not None and node.get("alt") not in (None, "", source)
    return bool(node["translated"])


def record_progress(app: Sphinx, doctree) -> None:
    """Count the strings of the page as published: Sphinx marks each translatable node
    ``translated`` True or False (an image: see ``RememberImageAlt``); counted after the
    collectors removed the front matter."""
    if current(app) == languages(app).source:
        return
    marked = [is_translated(n) for n in doctree.findall(nodes.Element)
              if n.get("translated") is not None]
    store = app.env.__dict__.setdefault("crossings_translation", {})
    store[app.env.docname] = (len(marked), sum(1 for t in marked if t))


def languages_changed(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Every page again when locales/languages.yml changed (switchers, notes, counts)."""
    from crossings.content.languages import LANGUAGES_FILE

    path = Path(app.srcdir) / LANGUAGES_FILE
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    if env.__dict__.get("crossings_languages_stamp") == stamp:
        return []
    env.crossings_languages_stamp = stamp
    return sorted(env.found_docs)


def purge(app: Sphinx, env, docname: str) -> None:
    env.__dict__.get("crossings_translation", {}).pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    theirs = other.__dict__.get("crossings_translation", {})
    store = env.__dict__.setdefault("crossings_translation", {})
    store.update({d: theirs[d] for d in docnames if d in theirs})


def report_progress(app: Sphinx, env) -> list[str]:
    langs, code = languages(app), current(app)
    if code == langs.source:
        return []
    store = {d: v for d, v in env.__dict__.get("crossings_translation", {}).items()
             if d in env.found_docs}
    total = sum(t for t, _ in store.values())
    done = sum(n for _, n in store.values())
    pages = [d for d, (t, n) in store.items() if t and n == t]
    logger.info(f"{code}: {done} of {total} strings translated "
                f"({len(pages)} of {len(store)} pages complete)")
    for docname in langs.get(code).translated:
        if docname not in env.found_docs:
            logger.warning(f"locales/languages.yml: '{docname}' is listed as translated into "
                           f"'{code}' but is not a page of the book")
            continue
        t, n = store.get(docname, (0, 0))
        if n < t:
            logger.warning(f"listed as translated into '{code}' but {t - n} of {t} strings are "
                           f"missing or fuzzy in {catalog_dir(Path('.'), code) / docname}.po "
                           "(run `nox -s translations`, then translate them)",
                           location=(docname, 0))
    return []   # no page to read again


# --- interface catalog -------------------------------------------------------------------

def compile_interface_catalog(app: Sphinx) -> None:
    """Compile locales/<code>/LC_MESSAGES/crossings.po to .mo and load it (before any page)."""
    code = app.config.language
    if not code or code == languages(app).source:
        return
    po = catalog_dir(Path(app.srcdir), code) / f"{INTERFACE_DOMAIN}.po"
    if po.is_file():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
    app.add_message_catalog(INTERFACE_DOMAIN, str(Path(app.srcdir) / "locales"))


def translate_config_texts(app: Sphinx, config) -> None:
    if not config.language or config.language == languages(app).source:
        return
    for group, key in CONFIG_TEXTS:
        values = getattr(config, group, None)
        if isinstance(values, dict) and isinstance(values.get(key), str):
            english = " ".join(values[key].split())
            values[key] = _(english)


def setup(app: Sphinx) -> dict:
    compile_interface_catalog(app)
    app.connect("config-inited", translate_config_texts)
    app.connect("config-inited", set_site_url)
    app.connect("html-page-context", add_language_links, priority=450)
    app.add_transform(RememberImageAlt)
    app.connect("doctree-read", record_progress, priority=900)
    app.connect("env-get-outdated", languages_changed)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    # env-updated, not env-check-consistency: Sphinx skips the consistency check when no
    # page changed, and an incomplete page must fail the re-run too, not only the first
    app.connect("env-updated", report_progress)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
