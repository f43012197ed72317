"""The Sphinx extension: every directive, role and HTML hook of the book, under one ``setup()``.

``_config.yml`` names this package once (``crossings.sphinxext``). Each module adds one
family of features:

- ``catalogue``: module overview, audience routes and glossary directives (module data);
- ``exercises``: the ``exercise-item`` directive and the learner pages of the exercises
  (the on-page form comes from ``exercise_form``);
- ``practise``: "Practise" sections on module pages and the ``exercise-list`` directive;
- ``packs``: facilitator pack directives and the pack downloads;
- ``selfassessment``: the self-assessment page directives;
- ``metadata``: page metadata (description, JSON-LD, social cards);
- ``a11y``: accessibility fixes at template level, with ``static/crossings.css``;
- ``trim``: removes theme assets the pages do not use;
- ``languages``: the language switcher, hreflang links, translation counts and checks.

Layering: this package reads from every other capability (content, exercises, packs,
self-assessment) and nothing imports it. It is the only package that imports Sphinx,
together with docutils.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from crossings.sphinxext import (
    a11y,
    catalogue,
    exercises,
    languages,
    metadata,
    packs,
    practise,
    selfassessment,
    trim,
)

FEATURES = (languages, catalogue, exercises, practise, packs, metadata, a11y, trim,
            selfassessment)


def setup(app: Sphinx) -> dict:
    for feature in FEATURES:
        feature.setup(app)
    return {"version": "0.2", "parallel_read_safe": True, "parallel_write_safe": True}
