"""Facilitator packs on the built site: pages, agendas, downloads, and notes kept from learners."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, build_book
from packs_fixture import MODULE_NOTE, add_demo_pack

from crossings.content.project import Project
from crossings.packs.checks import load_catalogue
from crossings.packs.load import facilitator_notes
from crossings.sphinxext.catalogue import format_minutes

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
LEARNER_FOLDERS = ("modules", "exercises", "book")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def plain(text: str) -> str:
    """Visible words only: markup, roles and typographic quotes removed, spaces collapsed."""
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*(<[^>]*>)?`", r"\1", text)
    text = text.replace("**", "").replace("*", "")
    text = text.translate(str.maketrans("\u2019\u2018\u201c\u201d\u2026", "''\"\"."))
    return " ".join(text.split())


def main_text(page: Path) -> str:
    document = soup(page)
    node = document.select_one("main") or document
    return plain(node.get_text(" "))


def snippets(markdown: str) -> list[str]:
    """The first words of every paragraph of a note, as they appear on a page."""
    out = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        # a role without explicit text shows a title we do not know here: stop before it
        text = plain(re.split(r"\{[\w:-]+\}`[^`<]*`", paragraph)[0])
        if len(text) > 30:
            out.append(text[:60].rsplit(" ", 1)[0])
    return out


def facilitator_only_texts(project: Project) -> list[str]:
    catalogue = load_catalogue(project)
    texts = []
    for pack in catalogue.packs:
        texts += [a.notes for a in pack.activities.values() if a.notes]
        for page in [pack.page, *(h.path for h in pack.handouts.values())]:
            texts += [n.body for n in facilitator_notes(page)]
    texts += [n.body for notes in catalogue.module_notes.values() for n in notes]
    return [s for text in texts for s in snippets(text)]


def learner_pages(html: Path) -> list[Path]:
    return [p for folder in LEARNER_FOLDERS for p in (html / folder).rglob("*.html")]


def assert_links_resolve(page: Path, html: Path) -> int:
    links = [a["href"] for a in soup(page).select("a.download")]
    for href in links:
        target = (page.parent / href).resolve()
        assert target.is_file(), f"{page.relative_to(html)} links to missing {href}"
        assert target.is_relative_to((html / "packs").resolve())
    return len(links)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture book with the demo pack and a facilitator note in a module page."""
    tmp = tmp_path_factory.mktemp("packsite")
    book = tmp / "book"
    shutil.copytree(FIXTURES / "minibook", book)
    add_demo_pack(book)
    result = build_book(book, tmp / "out", exercises=True)
    assert result.returncode == 0, result.output[-4000:]
    return book, result.html


def test_module_note_is_hidden_from_learners_and_shown_in_the_pack(demo_site):
    book, html = demo_site
    topic = html / "modules" / "demo" / "topic.html"
    assert "Demo topic" in main_text(topic)  # the page itself was built
    for page in learner_pages(html):
        assert MODULE_NOTE[:40] not in page.read_text(encoding="utf-8"), page
    (copied,) = (html / "_sources" / "modules" / "demo").glob("topic.md*")
    assert "Demo topic" in copied.read_text(encoding="utf-8")
    assert "facilitator-note" not in copied.read_text(encoding="utf-8")
    assert MODULE_NOTE[:40] not in copied.read_text(encoding="utf-8")
    pack_page = main_text(html / "facilitator" / "demo-session" / "index.html")
    assert plain(MODULE_NOTE) in pack_page
    assert "Inline pack note: keep the pairs mixed by sector." in pack_page
    assert "Watch for the quiet corner during the opening round." in pack_page
    handout = main_text(html / "facilitator" / "demo-session" / "handouts" / "case-card.html")
    assert "Handout note for facilitators only" in handout


def test_demo_pack_page_shows_computed_agendas_and_real_downloads(demo_site):
    book, html = demo_site
    page = html / "facilitator" / "demo-session" / "index.html"
    pack = load_catalogue(Project(book)).pack("demo-session")
    tables = soup(page).select("table")
    for variant, table in zip(pack.variants, tables, strict=False):
        rows = [[plain(td.get_text(" ")) for td in tr.select("td")] for tr in table.select("tbody tr")]
        assert rows[:-1] == [[variant.time(r.start), r.activity.title + (
            "" if r.activity.id == "break" else f" ({r.activity.grouping_label.split(' (')[0].lower()})"),
            str(r.minutes)] for r in variant.rows]
        assert rows[-1][:2] == [variant.time(variant.total), "End"]
    assert f"Total: {format_minutes(pack.variants[0].total)}" in main_text(page)
    assert assert_links_resolve(page, html) == 2 + 2 * 2
    # each download says its format once ("Case card, Word (DOCX)"), and no filler line
    items = [plain(li.get_text(" ")) for li in soup(page).select("ul.pack-downloads li")]
    assert items[0] == "The printable pack (PDF)" and items[1] == "Everything in one zip file (ZIP)"
    assert all(item.count("(") == 1 for item in items), items
    assert "no further facilitator notes" not in main_text(page)
    assert assert_links_resolve(html / "facilitator" / "demo-session" / "handouts" /
                                "case-card.html", html) == 2


def test_real_site_has_packs_and_keeps_facilitator_text_off_learner_pages(site):
    project = Project(REPO)
    catalogue = load_catalogue(project)
    texts = facilitator_only_texts(project)
    assert len(texts) >= 40
    shown = " ".join(main_text(p) for p in (site / "facilitator").rglob("*.html"))
    missing = [t for t in texts if t not in shown]
    assert missing == []  # every facilitator text is on a facilitator page...
    learner_text = {page.relative_to(site).as_posix(): main_text(page)
                    for page in learner_pages(site)}
    assert len(learner_text) >= 20
    leaks = [(name, t) for name, text in learner_text.items() for t in texts if t in text]
    assert leaks == []  # ...and on no learner page
    for source in (p for p in (site / "_sources").rglob("*") if p.is_file()):
        if not source.relative_to(site / "_sources").as_posix().startswith("facilitator/"):
            assert "{facilitator-note}" not in source.read_text(encoding="utf-8"), source
    for pack in catalogue.packs:
        page = site / "facilitator" / pack.slug / "index.html"
        text = main_text(page)
        for variant in pack.variants:
            assert f"Total: {format_minutes(variant.total)} of a {format_minutes(variant.slot)}" \
                in text
        assert assert_links_resolve(page, site) >= 2 + 2 * 5
        editable = sorted(h for h in (site / "facilitator" / pack.slug / "handouts").glob("*.html")
                          if pack.handouts[h.stem].kind != "figure")   # figure pages: PDF only
        assert "Adapt this handout" in main_text(editable[0])
    landing = soup(site / "book" / "index.html")
    assert landing.select_one(".audience-routes a[href*='facilitator/index.html']") is not None
