"""The Sphinx extension: every directive, role and HTML hook of the book, under one ``setup()``.

``_config.yml`` names this package once (``crossings.sphinxext``). Each module adds one
family of features:

- ``catalogue``: module overview, audience routes and glossary directives (module data);
- ``coverage``: the concept coverage map (where each concept is taught, practised, used);
- ``exercises``: the ``exercise-item`` directive and the learner pages of the exercises
  (the on-page form comes from ``exercise_form``);
- ``practise``: "Practise" sections on module pages and the ``exercise-list`` directive;
- ``packs``: facilitator pack directives and the pack downloads;
- ``selfassessment``: the self-assessment page directives;
- ``metadata``: page metadata (description, JSON-LD, social cards);
- ``a11y``: accessibility fixes at template level, with ``static/crossings.css``;
- ``trim``: removes theme assets the pages do not use;
- ``search``: search ranking (glossary and modules first) and sentence snippets;
- ``styles``: inlines the CSS each page uses, defers the scripts of the ``<head>``;
- ``precompress``: writes ``.gz``/``.br`` files beside the built text files.
- ``languages``: the language switcher, hreflang links, translation counts and checks.

Layering: this package reads from every other capability (content, exercises, packs,
self-assessment) and nothing imports it. It is the only package that imports Sphinx,
together with docutils.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx

from crossings.sphinxext import (
    a11y,
    catalogue,
    coverage,
    exercises,
    languages,
    metadata,
    packs,
    practise,
    precompress,
    search,
    selfassessment,
    styles,
    trim,
)

FEATURES = (languages, catalogue, coverage, exercises, practise, packs, metadata, a11y, search,
            trim, styles, precompress, selfassessment)


CODE_SUFFIXES = {".py", ".js", ".css", ".html", ".svg"}
PACKAGE = Path(__file__).resolve().parents[1]   # crossings/


def code_version(package: Path = PACKAGE) -> int:
    """A number that changes whenever the code that renders pages changes (every module,
    template and static file of the ``crossings`` package). Sphinx starts from a fresh
    environment when an extension's ``env_version`` differs from the one it saved, so a
    page read by older code (an English form on an Italian page, say) is never kept."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return int(digest.hexdigest()[:12], 16)


def setup(app: Sphinx) -> dict:
    for feature in FEATURES:
        feature.setup(app)
    return {"version": "0.2", "env_version": code_version(),
            "parallel_read_safe": True, "parallel_write_safe": True}
