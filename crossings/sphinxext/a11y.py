"""Sphinx extension: accessibility fixes to what the theme and docutils write.

The browser tests run axe-core (WCAG 2.0/2.1 A and AA) on every page; the
violations that came from the theme or from docutils are fixed here, at the
template-context level, and visual ones in ``static/crossings.css``. No axe rule
is disabled. Each fix names the axe rule it answers:

- ``summary-name``: pydata-sphinx-theme's sidebar puts a bare chevron in each
  ``<summary>`` that expands a chapter; it gets a visually hidden name,
  "Pages under <chapter title>".
- ``aria-required-children`` / ``aria-deprecated-role``: docutils marks
  bibliography entries ``role="doc-biblioentry"`` (deprecated in DPUB-ARIA 1.1)
  inside ``role="list"``; they become ``role="listitem"``.

Template overrides in ``templates/`` (each explains itself):

- ``label-content-name-mismatch`` (WCAG 2.5.3): the sidebar search button showed
  "Search Ctrl + K" under the name "Search"; it is now named by its visible text
  (``templates/search-button-field.html``).
- ``layout.html``: the colour mode is always "light", "dark" or "auto" (the theme's
  empty default made its script log "Got invalid theme mode" on every page), and
  without JavaScript a "Menu" link jumps to the navigation.

And one behaviour fix found by the keyboard tests: ``static/crossings-nav.js``
makes the visible sidebar buttons open the navigation (the two themes bind
their handlers to a hidden button, so phones had no way to open the menu).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from crossings.sphinxext.languages import _, english, reading_gettext

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"

SUMMARY_LABEL = "Pages under {title}"   # the English text of _("Pages under {title}") below
_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def label_summaries_in(soup) -> bool:
    """Name every text-less sidebar ``<summary>`` after its chapter (in place, idempotent)."""
    changed = False
    for summary in soup.select("li > details > summary"):
        if summary.get_text(strip=True):
            continue
        link = summary.parent.parent.find("a", recursive=False)
        if link is None:
            continue
        hidden = soup.new_tag("span", attrs={"class": "visually-hidden"})
        hidden.string = _("Pages under {title}").format(title=link.get_text(" ", strip=True))
        summary.insert(0, hidden)
        changed = True
    return changed


def label_summaries(fragment):
    """The same on an HTML string (returns a string) or a BeautifulSoup tree (changed in place).

    pydata-sphinx-theme's ``generate_toctree_html`` returns a (cached) BeautifulSoup tree.
    """
    if isinstance(fragment, str):
        if "<summary" not in fragment:
            return fragment
        from bs4 import BeautifulSoup  # a dependency of pydata-sphinx-theme

        soup = BeautifulSoup(fragment, "html.parser")
        return str(soup) if label_summaries_in(soup) else fragment
    if hasattr(fragment, "select") and hasattr(fragment, "new_tag"):
        label_summaries_in(fragment)
    return fragment


def fix_body(body: str) -> str:
    return _BIBLIOENTRY.sub(r'\1 role="listitem"', body)


def fix_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context:
        context["body"] = fix_body(context["body"])
    generate = context.get("generate_toctree_html")
    if generate is not None and not getattr(generate, "_crossings_a11y", False):

        @functools.wraps(generate)
        def labelled(kind, *args, **kwargs):
            result = generate(kind, *args, **kwargs)
            return label_summaries(result)

        labelled._crossings_a11y = True
        context["generate_toctree_html"] = labelled


RECORD = "book/accessibility-record.json"  # written by tests/site/test_site_browser.py


def view_labels(_=english) -> dict[str, str]:
    return {"light": _("light colour scheme, 1280 px wide"),
            "dark": _("dark colour scheme, 1280 px wide"),
            "phone": _("phone screen, 360 by 740 px")}



def record_date(text: str, _=english) -> str:
    """The record's date ("5 December 2026") in the page's language (the catalog's locale)."""
    if _ is english:
        return text
    from datetime import datetime

    from babel.dates import format_date

    # Translators: the language of dates on the accessibility statement (a locale code).
    code = _("en")
    try:
        return format_date(datetime.strptime(text, "%d %B %Y").date(), "d MMMM y", locale=code)
    except ValueError:
        return text


def record_text(record: dict, _=english) -> str:
    """The statement's figures, in MyST, from the browser tests' record: interface strings
    with the figures as placeholders, so the page is translated once (crossings.po)."""
    lines = [_("Results of the last run, on {date}, with axe-core {axe} (rules tagged "
               "{tags}):").format(date=record_date(record["date"], _), axe=record["axe"],
                                  tags=", ".join(record["tags"])), ""]
    lines += ["| {} | {} | {} |".format(_("View"), _("Pages checked"), _("Violations")),
              "|---|---|---|"]
    for view, label in view_labels(_).items():
        row = record["views"].get(view)
        if row:
            lines.append(f"| {label} | {row['pages']} | {row['violations']} |")
    lines += ["", _("The site has {pages} pages; every one, and a page of search results, was "
                    "checked in the light colour scheme. In dark mode and on the phone screen "
                    "the checker ran on a set of pages that together contain every kind of "
                    "content on the site, and every page was checked for sideways scrolling "
                    "({sideways} page(s) scrolled sideways). The browser console showed "
                    "{console_errors} error(s).").format(
        pages=record["pages"], sideways=record["sideways"],
        console_errors=record["console_errors"])]
    return "\n".join(lines)


class AccessibilityRecord(SphinxDirective):
    """``{accessibility-record}``: the last browser test run's figures (``RECORD``).

    Its text changes with every run, so it is not a string of the page's catalog: it is
    written in the page's language from interface strings (``record_text``) and marked
    untranslatable, and the page can stay complete in every language."""

    def run(self) -> list[nodes.Node]:
        import json

        path = Path(self.env.srcdir) / RECORD
        self.env.note_dependency(str(path))
        if not path.is_file():
            raise self.error(f"{RECORD} is missing: run the browser tests "
                             "(pytest tests/site/test_site_browser.py) to write it")
        record = json.loads(path.read_text(encoding="utf-8"))
        text = record_text(record, reading_gettext(self.env))
        container = nodes.container(classes=["accessibility-record"])
        self.state.nested_parse(StringList(text.splitlines(), source=str(path)),
                                self.content_offset, container)
        for node in container.findall(nodes.TextElement):
            node["translatable"] = False
        return [container]


def add_templates(app: Sphinx, config) -> None:
    if str(TEMPLATES) not in map(str, config.templates_path):
        config.templates_path.insert(0, str(TEMPLATES))
    # one search box: the sidebar's (the theme repeated it in its own top bar, which
    # static/crossings.css hides because it is otherwise empty in this book)
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    app.add_directive("accessibility-record", AccessibilityRecord)
    # after pydata-sphinx-theme (priority 500) has put its toctree functions in the context
    app.connect("html-page-context", fix_page, priority=900)
    if str(STATIC) not in map(str, app.config.html_static_path):
        app.config.html_static_path.append(str(STATIC))
    app.add_js_file("crossings-nav.js", loading_method="defer")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
