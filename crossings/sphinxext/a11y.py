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

And one behaviour fix found by the keyboard tests: ``static/crossings-nav.js``
makes the visible sidebar buttons open the navigation (the two themes bind
their handlers to a hidden button, so phones had no way to open the menu).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sphinx.application import Sphinx

from crossings.sphinxext.languages import _

STATIC = Path(__file__).parent / "static"

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


def setup(app: Sphinx) -> dict:
    # after pydata-sphinx-theme (priority 500) has put its toctree functions in the context
    app.connect("html-page-context", fix_page, priority=900)
    if str(STATIC) not in map(str, app.config.html_static_path):
        app.config.html_static_path.append(str(STATIC))
    app.add_js_file("crossings-nav.js", loading_method="defer")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
