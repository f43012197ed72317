"""Facilitator packs built for real: tagged PDF (Typst), DOCX and ODT handouts (pandoc), zip."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from crossings.content import mdscan
from crossings.content.project import Project
from crossings.packs.build import build_packs, is_fresh
from crossings.packs.checks import load_catalogue
from crossings.packs.documents import pack_files
from crossings.packs.render import Context
from crossings.sphinxext.catalogue import format_minutes

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built(shared_build):
    """The real packs, built once per test run (test_packs_print.py shares them)."""
    project = Project(REPO)
    packs, out = shared_build("packs", lambda out: build_packs(project, out, log=lambda m: None))
    return project, out, {b.slug: b for b in packs}, Context.load(project)


def words(text: str) -> str:
    """Text with all runs of white space (line breaks included) made single spaces."""
    text = text.replace("\u00ad", "").translate(str.maketrans("\u2019\u2018\u201c\u201d", "''\"\""))
    return " ".join(text.replace("\u2026", "...").split())


def structure_tags(node, found: dict) -> dict:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/S" in node:
            found[node["/S"]] = found.get(node["/S"], 0) + 1
        if "/K" in node:
            structure_tags(node["/K"], found)
    elif isinstance(node, list):
        for child in node:
            structure_tags(child, found)
    return found


def headings_of(path: Path) -> list[tuple[int, str]]:
    return [(h.level, h.text) for h in mdscan.scan(path.read_text()).headings]


def test_every_pack_has_its_pdf_zip_and_editable_handouts(built):
    project, out, packs, ctx = built
    catalogue = load_catalogue(project)
    assert set(packs) == {p.slug for p in catalogue.packs}
    assert is_fresh(project, out)
    for pack in catalogue.packs:
        expected = list(pack_files(pack, ctx))
        for name in expected:
            assert (out / pack.slug / name).is_file(), (pack.slug, name)
        with zipfile.ZipFile(out / pack.slug / f"{pack.slug}-pack.zip") as archive:
            names = set(archive.namelist())
        assert names == {"README.txt"} | {f"{pack.slug}-pack/{n}" for n in expected
                                          if not n.endswith(".zip")}


def test_pdf_has_title_language_text_and_tags(built):
    project, out, packs, ctx = built
    for pack in ctx.catalogue.packs:
        reader = PdfReader(out / pack.slug / f"{pack.slug}-pack.pdf")
        root = reader.trailer["/Root"]
        assert reader.metadata.title == pack.title
        assert root["/Lang"] == "en"
        # tagged: a structure tree, marked content, and PDF/UA identification in the XMP
        assert bool(root["/MarkInfo"]["/Marked"])
        tags = structure_tags(root["/StructTreeRoot"], {})
        assert tags.get("/H1") == 1 and tags.get("/H2", 0) >= 5
        assert tags.get("/Table", 0) >= len(pack.variants) and tags.get("/TH", 0) >= 3
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
        assert packs[pack.slug].pages == len(reader.pages)
        # real text: the title, each computed agenda and every handout title
        text = words(" ".join(page.extract_text() for page in reader.pages))
        assert words(pack.title) in text
        for variant in pack.variants:
            assert f"Total: {format_minutes(variant.total)} of a {format_minutes(variant.slot)}" \
                in text
            for row in variant.rows:
                assert re.search(rf"{variant.time(row.start)} {re.escape(row.activity.title[:20])}",
                                 text), (pack.slug, variant.id, row.activity.title)
        for ref in pack.used_handouts():
            assert words(ctx.catalogue.handout(ref, pack).title) in text
        # facilitator notes are in the facilitator's PDF
        for activity in pack.activities.values():
            if activity.notes:
                first = re.sub(r"\*\*|\{[^}]+\}`[^`]*`", "", activity.notes).split(".")[0]
                assert words(first)[:40] in text, (pack.slug, activity.id)


def test_docx_opens_and_has_the_handout_headings_but_no_facilitator_notes(built):
    project, out, packs, ctx = built
    checked = 0
    for pack in ctx.catalogue.packs:
        for ref in pack.used_handouts():
            handout = ctx.catalogue.handout(ref, pack)
            if handout.kind == "figure":      # a printed figure page: in the PDF only
                assert not (out / pack.slug / "handouts" / f"{handout.id}.docx").exists()
                continue
            document = Document(str(out / pack.slug / "handouts" / f"{handout.id}.docx"))
            assert words(document.core_properties.title) == words(handout.title)
            with zipfile.ZipFile(out / pack.slug / "handouts" / f"{handout.id}.docx") as docx:
                styles = docx.read("word/styles.xml").decode()
            assert re.search(r'<w:lang [^>]*w:val="en"', styles), "document language not set"
            found = [(p.style.name, p.text) for p in document.paragraphs
                     if p.style.name == "Title" or p.style.name.startswith("Heading")]
            expected = [("Title" if level == 1 else f"Heading {level - 1}", text)
                        for level, text in headings_of(handout.path)]
            assert [(s, words(t)) for s, t in found] == [(s, words(t)) for s, t in expected]
            body = words(" ".join(p.text for p in document.paragraphs) + " ".join(
                cell.text for table in document.tables for row in table.rows
                for cell in row.cells))
            source = handout.path.read_text()
            for note in re.findall(r":::\{facilitator-note\}[^\n]*\n(.*?)\n:::", source, re.S):
                assert words(note)[:50] not in body
            checked += 1
    assert checked >= 20


def test_odt_handouts_are_opendocument_with_the_title(built):
    project, out, packs, ctx = built
    for pack in ctx.catalogue.packs:
        for ref in pack.used_handouts():
            handout = ctx.catalogue.handout(ref, pack)
            if handout.kind == "figure":
                continue
            with zipfile.ZipFile(out / pack.slug / "handouts" / f"{handout.id}.odt") as odt:
                assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
                content = odt.read("content.xml").decode()
            assert handout.title.split(":")[0] in content.replace("&#8217;", "'")
