"""The pack build redoes only the packs whose inputs changed (content-hash cache)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from packs_fixture import MODULE_NOTE, add_demo_pack

from crossings.content.project import Project
from crossings.packs.build import CACHE_FILE, build_packs, is_fresh

pytestmark = pytest.mark.slow


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def build(book: Path, **options) -> list[str]:
    log: list[str] = []
    build_packs(Project(book), book / "_build" / "packs", log=log.append, **options)
    return log


def test_only_changed_packs_rebuild_and_a_broken_cache_is_not_trusted(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "minibook", book)
    pack = add_demo_pack(book)
    out = book / "_build" / "packs"
    assert build(book)[0].startswith("pack demo-session: ")
    first = mtimes(out)
    assert "demo-session/demo-session-pack.pdf" in first
    assert is_fresh(Project(book), out)

    # nothing changed, or only learner text of a module page: the pack is reused
    assert build(book) == ["packs up to date (unchanged inputs; --all rebuilds): demo-session"]
    topic = book / "modules/demo/topic.md"
    topic.write_text(topic.read_text().replace("A {term}", "Some new learner text. A {term}"))
    assert build(book) == ["packs up to date (unchanged inputs; --all rebuilds): demo-session"]
    assert mtimes(out) == first

    # the facilitator note of its module is an input: the pack is rebuilt
    topic.write_text(topic.read_text().replace(MODULE_NOTE, MODULE_NOTE + " And listen."))
    assert not is_fresh(Project(book), out)
    assert build(book)[0].startswith("pack demo-session: ")
    assert mtimes(out)["demo-session/demo-session-pack.pdf"] \
        != first["demo-session/demo-session-pack.pdf"]

    # a handout of the pack changed: rebuilt; an output removed behind its back: rebuilt
    card = pack / "handouts/case-card.md"
    card.write_text(card.read_text() + "\nOne more line for the card.\n")
    assert build(book)[0].startswith("pack demo-session: ")
    (out / "demo-session/demo-session-pack.zip").unlink()
    assert build(book)[0].startswith("pack demo-session: ")
    assert (out / "demo-session/demo-session-pack.zip").is_file()

    # a corrupted cache is reported and everything rebuilt; --all rebuilds too
    (out / CACHE_FILE).write_text("not json")
    log = build(book)
    assert log[0].startswith(f"cache {CACHE_FILE} is unreadable (")
    assert log[1].startswith("pack demo-session: ")
    assert build(book)[0].startswith("packs up to date")
    assert build(book, fresh=True)[0].startswith("pack demo-session: ")
