"""Sphinx extension: machine-readable metadata on every page, from the one source of truth.

Adds to the ``<head>`` of every page:

- ``<meta name="description">`` and Open Graph tags (for sharing);
- Dublin Core tags (``DC.*`` / ``DCTERMS.*``);
- schema.org ``LearningResource`` JSON-LD on every content page.

What goes in comes from the data files, never from hand-typed page metadata:
the module front matter (title, summary, audiences, minutes, outcomes, concepts)
through ``crossings.content.modules``, audience roles from ``book/vocabulary.yml``,
the site name and author from ``_config.yml``, the language of the page's text from
``crossings.sphinxext.languages`` (the site's language, or English where a page is not
translated). A module's topic and
exercise pages are ``isPartOf`` their module's LearningResource (with its
``timeRequired`` and ``teaches``); other pages speak to every audience.
Descriptions are the module summary, else the page's first paragraph.

On a page in another language than English (listed as translated), the texts taken from
module front matter (title, summary, outcomes) are their translations in the module
page's catalog (``locales/<code>/LC_MESSAGES/modules/<slug>/index.po``, where the module
overview shows them); a text without a translation, and the English-only data (concept
names, audience roles), is a JSON-LD value tagged with its real language,
``{"@value": "...", "@language": "en"}``. English pages are unchanged.

Also the site's identity: the name mark ``static/crossings-mark.svg`` is the favicon
(so no browser asks for a missing ``/favicon.ico``) and the logo beside the site
name in the navigation.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from crossings.content.languages import translations
from crossings.sphinxext.catalogue import _catalogue
from crossings.sphinxext.languages import languages, page_language

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_TEXT = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
DESCRIPTION_MAX = 200
# Where a paragraph is not the page's own introduction.
_SKIP_PARENTS = (nodes.Admonition, nodes.topic, nodes.sidebar, nodes.table, nodes.footnote,
                 nodes.citation, nodes.definition_list, nodes.list_item, nodes.field_list)


def iso_duration(minutes: int) -> str:
    """ISO 8601 duration for schema.org timeRequired: 120 -> PT2H, 90 -> PT1H30M."""
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def first_paragraph(doctree: nodes.Node | None) -> str:
    """Text of the first paragraph that introduces the page (not in a box, list or table)."""
    if doctree is None:
        return ""
    for para in doctree.findall(nodes.paragraph):
        parent, skip = para.parent, False
        while parent is not None:
            classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
            if isinstance(parent, _SKIP_PARENTS) or "module-overview" in classes \
                    or any(c.startswith("sd-") for c in classes):
                skip = True
                break
            parent = parent.parent
        text = para.astext().strip()
        if not skip and len(text) > 20:
            return text
    return ""


def _module_of(pagename: str, modules) -> tuple[Any, str]:
    """(module, kind) for a module's index ('module'), topic page or exercise page."""
    parts = pagename.split("/")
    if len(parts) >= 3 and parts[0] in ("modules", "exercises"):
        module = next((m for m in modules if m.slug == parts[1]), None)
        if module is not None:
            if parts[0] == "modules":
                return module, "module" if pagename == module.docname else "topic"
            return module, "exercise"
    return None, ""


def _roles(vocabulary, audiences) -> list[str]:
    return [vocabulary.audiences[a].get("role") or vocabulary.audience_label(a)
            for a in audiences if a in vocabulary.audiences]


def _url(app: Sphinx, pagename: str) -> str:
    base = (app.config.html_baseurl or "").rstrip("/")
    return f"{base}/{app.builder.get_target_uri(pagename)}" if base else ""


def _page_title(app: Sphinx, pagename: str, context: dict) -> str:
    title = app.env.titles.get(pagename)
    if title is not None:
        return title.astext().strip()
    return html.unescape(str(context.get("title") or "")).strip() or site_name(app)


def site_name(app: Sphinx) -> str:
    """Jupyter Book puts the book's ``title`` in ``html_title``; plain Sphinx uses ``project``."""
    return str(app.config.html_title or app.config.project)


def _site_description(app: Sphinx) -> str:
    """The landing page's first paragraph (the fallback for pages that have none)."""
    builder = app.builder  # one per build: the cache never outlives the build
    cached = getattr(builder, "_crossings_site_description", None)
    if cached is None:
        try:
            cached = first_paragraph(app.env.get_doctree(app.config.root_doc))
        except Exception:  # the landing page may not be built in a partial build
            cached = ""
        builder._crossings_site_description = cached or site_name(app)
    return cached


class Texts:
    """The texts of the data (module front matter, vocabulary) on one page, in its language:
    ``text(english, msgid)`` is the translation of ``msgid`` (default: the text itself) in
    the module page's catalog, else the English text, tagged ``@language`` on a page in
    another language (``value``)."""

    def __init__(self, app: Sphinx, pagename: str, module) -> None:
        self.source = languages(app).source
        self.language = page_language(app, pagename)
        self.strings: dict[str, str] = {}
        if self.language != self.source and module is not None:
            cache = app.builder.__dict__.setdefault("_crossings_module_strings", {})
            key = (self.language, module.docname)
            if key not in cache:
                cache[key] = translations(Path(app.srcdir), self.language, module.docname)
            self.strings = cache[key]

    def text(self, english: str, msgid: str | None = None, suffix: str = "") -> str | None:
        """The translation (``suffix`` removed from its end), or None."""
        if self.language == self.source:
            return english
        found = self.strings.get(msgid or english, "")
        if suffix and found.endswith(suffix):
            return found[: -len(suffix)].rstrip()
        return None if suffix else (found or None)

    def value(self, english: str, msgid: str | None = None, suffix: str = "") -> Any:
        found = self.text(english, msgid, suffix)
        return found if found is not None else {"@value": english, "@language": self.source}

    def english(self, english: str) -> Any:
        """English-only data: tagged as English on a page in another language."""
        return english if self.language == self.source else \
            {"@value": english, "@language": self.source}


def page_metadata(app: Sphinx, pagename: str, context: dict, doctree) -> dict[str, Any]:
    """Everything the head tags say about one page (also used by the tests)."""
    vocabulary, modules = _catalogue(app.env)
    module, kind = _module_of(pagename, modules)
    title = _page_title(app, pagename, context)
    texts = Texts(app, pagename, module)
    described_in = texts.language
    if kind == "module" and module.summary:
        description = texts.text(module.summary)
        if description is None:   # not translated yet: the English summary, said to be English
            description, described_in = module.summary, texts.source
    else:
        description = first_paragraph(doctree) or _site_description(app)
    audiences = module.audiences if module is not None else list(vocabulary.audiences)
    concepts = [vocabulary.concepts[c].label for c in module.concepts] if kind == "module" else []
    return {
        "title": title,
        "description": shorten(description),
        "language": page_language(app, pagename),
        "author": app.config.author,
        "site": site_name(app),
        "url": _url(app, pagename),
        "roles": _roles(vocabulary, audiences),
        "module": module,
        "kind": kind or ("landing" if pagename == app.config.root_doc else "page"),
        "concepts": concepts,
        "content_page": pagename in app.env.found_docs,
        "texts": texts,
        "description_language": described_in,
    }


def _module_resource(app: Sphinx, module, texts: Texts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "LearningResource",
        "name": texts.value(module.title),
        "description": texts.value(module.summary),
        "learningResourceType": "module",
        "timeRequired": iso_duration(module.minutes),
        # an outcome is "<text> (<id>)" in the module page's catalog
        "teaches": [{"@type": "DefinedTerm", "termCode": o.id,
                     "name": texts.value(o.text, f"{o.text} ({o.id})", f"({o.id})")}
                    for o in module.outcomes],
    }
    url = _url(app, module.docname)
    if url:
        data["url"] = url
    return data


def json_ld(app: Sphinx, meta: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": "https://schema.org"}
    module, kind, texts = meta["module"], meta["kind"], meta["texts"]
    description: Any = meta["description"]
    if meta["description_language"] != meta["language"]:
        description = {"@value": description, "@language": meta["description_language"]}
    if kind == "module":
        data.update(_module_resource(app, module, texts))
        data["description"] = description
        if meta["concepts"]:
            data["about"] = [{"@type": "DefinedTerm", "name": texts.english(c)}
                             for c in meta["concepts"]]
    else:
        data.update({"@type": "LearningResource", "name": meta["title"],
                     "description": description})
        if kind in ("topic", "exercise"):
            data["learningResourceType"] = "exercise" if kind == "exercise" else "topic page"
            data["isPartOf"] = _module_resource(app, module, texts)
    data["inLanguage"] = meta["language"]
    data["license"] = LICENSE_URL
    data["isAccessibleForFree"] = True
    data["audience"] = [{"@type": "EducationalAudience", "educationalRole": texts.english(r)}
                        for r in meta["roles"]]
    data["author"] = {"@type": "Organization", "name": meta["author"]}
    if kind in ("module", "landing", "page"):
        data["isPartOf"] = {"@type": "WebSite", "name": meta["site"]}
    if meta["url"]:
        data["url"] = meta["url"]
    return data


def _meta(attr: str, name: str, content: str) -> str:
    return f'<meta {attr}="{html.escape(name)}" content="{html.escape(content)}" />'


def head_tags(app: Sphinx, meta: dict[str, Any], existing: str = "") -> str:
    tags = []
    if 'name="description"' not in existing:
        tags.append(_meta("name", "description", meta["description"]))
    # Open Graph
    tags += [_meta("property", "og:title", meta["title"]),
             _meta("property", "og:description", meta["description"]),
             _meta("property", "og:type", "website" if meta["kind"] == "landing" else "article"),
             _meta("property", "og:site_name", meta["site"])]
    if meta["url"]:
        tags.append(_meta("property", "og:url", meta["url"]))
    # Dublin Core (DCMI metadata terms)
    tags += ['<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/" />',
             '<link rel="schema.DCTERMS" href="http://purl.org/dc/terms/" />',
             _meta("name", "DC.title", meta["title"]),
             _meta("name", "DC.creator", meta["author"]),
             _meta("name", "DC.description", meta["description"]),
             _meta("name", "DC.language", meta["language"]),
             _meta("name", "DC.type", "Text"),
             _meta("name", "DC.format", "text/html"),
             _meta("name", "DC.rights", LICENSE_TEXT),
             _meta("name", "DCTERMS.license", LICENSE_URL)]
    tags += [_meta("name", "DCTERMS.audience", role) for role in meta["roles"]]
    tags += [_meta("name", "DC.subject", c) for c in meta["concepts"]]
    if meta["module"] is not None and meta["kind"] != "module":
        tags.append(_meta("name", "DCTERMS.isPartOf", meta["module"].title))
    if meta["kind"] == "module":
        tags.append(_meta("name", "DCTERMS.extent", iso_duration(meta["module"].minutes)))
    if meta["content_page"]:
        payload = json.dumps(json_ld(app, meta), ensure_ascii=False, indent=None)
        payload = payload.replace("</", "<\\/")  # never close the script element early
        tags.append(f'<script type="application/ld+json">{payload}</script>')
    return "\n    ".join(t for t in tags if t)


def add_metadata(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html":
        return
    meta = page_metadata(app, pagename, context, doctree)
    existing = str(context.get("metatags") or "")
    context["metatags"] = existing + "\n    " + head_tags(app, meta, existing) + "\n"


MARK = Path(__file__).parent / "static" / "crossings-mark.svg"


def add_identity(app: Sphinx, config) -> None:
    """Favicon and logo: the name mark, unless the book's configuration sets its own."""
    if not config.html_favicon:
        config.html_favicon = str(MARK)
    if not config.html_logo:
        config.html_logo = str(MARK)
        options = dict(config.html_theme_options or {})
        logo = dict(options.get("logo") or {})
        # the site name is written beside the mark; the mark itself is decorative
        logo.setdefault("text", config.html_title or config.project)
        logo.setdefault("alt_text", "")
        options["logo"] = logo
        config.html_theme_options = options


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_identity)
    app.connect("html-page-context", add_metadata)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
