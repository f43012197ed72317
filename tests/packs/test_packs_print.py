"""The visual check of the printed packs (issue 16): every page rendered and measured.

Each pack is built for real; every PDF page is rendered with pdftoppm, and pdfplumber
measures it: write-in cells reach their declared height, no page ends with a heading, no
card is split across pages. A failure names the pack, the page and the element. The same
write-in space reaches the DOCX and ODT handouts as table rows with a set height.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from print_check import check_pdf, declared_fields, page_count, render_pngs

from crossings.content.project import Project
from crossings.packs.build import MANIFEST, build_packs, compile_pdf
from crossings.packs.printing import LINE_MM, MIN_LINE_MM

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
HEADING_SIZE = 12.4   # pack headings are 12.5 pt and larger; body text is 11.5 pt


@pytest.fixture(scope="module")
def packs(shared_build):
    """The real packs, built once per test run (test_packs_build.py shares them)."""
    built, out = shared_build("packs", lambda out: build_packs(Project(REPO), out,
                                                                log=lambda message: None))
    return out, [b.slug for b in built]


def typ_of(out: Path, slug: str) -> str:
    return (out / slug / "source" / f"{slug}-pack.typ").read_text(encoding="utf-8")


def test_every_pack_page_passes_the_visual_check(packs, tmp_path):
    """Every pack, and every pack built in another language (Italian: longer words)."""
    out, slugs = packs
    assert len(slugs) >= 4
    italian = json.loads((out / "it" / MANIFEST).read_text())["packs"]
    assert "transitions" in italian
    for folder, slug in [(out, s) for s in slugs] + [(out / "it", s) for s in italian]:
        pdf = folder / slug / f"{slug}-pack.pdf"
        name = slug if folder == out else f"{folder.name}/{slug}"   # as the check reports it
        pngs = render_pngs(pdf, tmp_path / name)
        assert len(pngs) == page_count(pdf) > 5
        typ = typ_of(folder, slug)
        assert check_pdf(pdf, name, HEADING_SIZE, typ) == []
        # every session pack has write-in handouts; every handout declares lines of >= 8 mm
        fields = declared_fields(typ)
        assert fields and all(f.height_mm >= MIN_LINE_MM for f in fields)


def test_card_sheets_and_figure_pages_are_printed(packs):
    out, _ = packs
    for slug in ("transitions", "interprofessional", "leadership"):
        typ = typ_of(out, slug)
        assert len(re.findall(r"^// card ", typ, re.M)) >= 5, slug
    typ = typ_of(out, "leadership")
    assert '#figure-page(image("roadmap-figure-roadmap.svg"' in typ
    assert (out / "leadership" / "source" / "roadmap-figure-roadmap.svg").is_file()


def test_the_check_names_pack_page_and_element_of_a_fault(packs, tmp_path):
    """Shrink one write-in cell and let cards break across pages: the check must say so."""
    out, _ = packs
    typ = typ_of(out, "transitions")
    canvas = typ.index("// write-in project-canvas")
    call_end = typ.index("\n", typ.index("#writein-table", canvas))
    call = typ[canvas:call_end]
    broken = typ[:canvas] + call.replace("27mm)", "6mm)") + typ[call_end:]
    broken = broken.replace("#let card(body) = block(width: 100%, breakable: false",
                            "#let card(body) = block(width: 100%, breakable: true")
    first_card = broken.index("// card role-cards")
    broken = broken[:first_card] + "#v(16cm)\n" + broken[first_card:]
    source = tmp_path / "transitions-pack.typ"
    source.write_text(broken, encoding="utf-8")
    for asset in (out / "transitions" / "source").iterdir():
        if asset.suffix == ".svg":
            (tmp_path / asset.name).write_bytes(asset.read_bytes())
    pdf = tmp_path / "broken.pdf"
    compile_pdf(source, pdf)
    failures = check_pdf(pdf, "transitions", HEADING_SIZE, broken)
    assert any(re.fullmatch(r"transitions: page \d+: write-in 'project-canvas: 1\. The "
                            r"transition \(from where to where, which children\)' is 6\.0 mm "
                            r"high, 27 mm declared", f) for f in failures), failures
    assert any("card 'role-cards:" in f and "split across pages" in f for f in failures) or \
        any("card boxes printed (a card split across pages prints twice)" in f
            for f in failures), failures


def test_docx_and_odt_rows_get_the_declared_height(packs):
    out, _ = packs
    canvas = out / "transitions" / "handouts" / "project-canvas.docx"
    doc = Document(str(canvas))
    heights = [row.height for table in doc.tables for row in table.rows if row.height]
    assert len(heights) == 10                          # the ten boxes of the canvas
    assert all(abs(h.mm - 3 * LINE_MM) < 0.2 for h in heights)
    assert all(cell.width is None or cell.width.mm > 60
               for table in doc.tables for cell in table.columns[1].cells)
    text = " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "WRITEIN" not in text
    for slug in ("transitions", "interprofessional", "leadership", "programme"):
        for handout in (out / slug / "handouts").glob("*.odt"):
            with zipfile.ZipFile(handout) as archive:
                content = archive.read("content.xml").decode()
                assert archive.namelist()[0] == "mimetype"
            assert "WRITEIN" not in content, handout
            for mm in re.findall(r'table:style-name="WriteIn(\d+)"', content):
                assert f'style:name="WriteIn{mm}"' in content and int(mm) >= MIN_LINE_MM
    log = out / "interprofessional" / "handouts" / "reflection-log.odt"
    with zipfile.ZipFile(log) as archive:
        content = archive.read("content.xml").decode()
    assert content.count('table:style-name="WriteIn27"') == 7   # 4 + 3 prompts
    assert content.count('table:style-name="WriteIn45"') == 3   # 3 dated rows
    assert 'style:min-row-height="45mm"' in content
