"""Helpers for the pack tests: a copy of the minibook with the demo facilitator pack."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE_PACK = Path(__file__).parent / "fixtures" / "packs" / "demo-session"
PACK_DOCS = ["facilitator/demo-session/index",
             "facilitator/demo-session/handouts/case-card",
             "facilitator/demo-session/handouts/feedback-form"]
MODULE_NOTE = "Module note for facilitators only: ask who has met a family like this."


def add_demo_pack(book: Path, module_note: bool = True) -> Path:
    """Copy the demo pack into ``book`` and list its pages in the toc."""
    pack = book / "facilitator" / "demo-session"
    shutil.copytree(FIXTURE_PACK, pack)
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text() + "".join(f"  - file: {doc}\n" for doc in PACK_DOCS))
    config = book / "_config.yml"
    text = config.read_text()
    assert "crossings.sphinxext]" in text      # the one extension: packs included
    # copy the page sources into the site, as Sphinx does by default: notes must not leak there
    config.write_text(text.replace("html_copy_source: false", "html_copy_source: true"))
    if module_note:
        topic = book / "modules" / "demo" / "topic.md"
        text = topic.read_text()
        marker = ":::{admonition} Reflect"
        assert marker in text
        topic.write_text(text.replace(
            marker, f":::{{facilitator-note}}\n{MODULE_NOTE}\n:::\n\n{marker}", 1))
    return pack


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
