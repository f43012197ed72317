"""Sphinx extension: search ranking and result snippets.

- Ranking: ``static/crossings-scorer.js`` is the ``html_search_scorer``: for a word,
  the glossary and module pages (which explain it) rank above the exercises and
  handouts (which use it).
- Snippets: ``static/crossings-search.js``, on the search page only (the template
  ``templates/search.html`` loads it after Sphinx's ``searchtools.js``), shows for each
  result the sentence of the page's text that holds the word, with the word marked; for a
  glossary term, the term and the first sentence of its definition.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"


def set_scorer(app: Sphinx, config) -> None:
    if not config.html_search_scorer:
        config.html_search_scorer = str(STATIC / "crossings-scorer.js")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", set_scorer)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
