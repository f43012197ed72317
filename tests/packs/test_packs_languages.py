"""Facilitator packs in another language (issue 19): a pack whose page and handouts are all
listed as translated is built again from the same sources with the pages' catalogs and the
interface catalog, into _build/packs/<code>/, with the language in the PDF and DOCX/ODT."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES
from docx import Document
from packs_fixture import PACK_DOCS, add_demo_pack
from pypdf import PdfReader

from crossings.content.languages import INTERFACE_DOMAIN, catalog_dir, read_po
from crossings.content.mdtranslate import messages, translate_page
from crossings.content.project import Project
from crossings.packs.build import MANIFEST, build_packs
from crossings.packs.language import print_form, translated_packs
from crossings.packs.render import Context

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def pdf_text(pdf: Path) -> str:
    """The words of a PDF as pdftotext reads them (typographic quotes made plain)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = text.replace("\u00ad", "").translate(str.maketrans("\u2019\u2018«»", "''\"\""))
    return " ".join(text.split())


def catalog(domain: str) -> dict[str, str]:
    return {m.msgid: m.msgstr for m in read_po(catalog_dir(REPO, "it") / f"{domain}.po")
            if m.translated}


@pytest.fixture(scope="module")
def packs(shared_build):
    """The real packs, built once per test run (test_packs_build.py shares them)."""
    built, out = shared_build("packs", lambda out: build_packs(Project(REPO), out,
                                                                log=lambda message: None))
    return out, [b.slug for b in built]


def test_only_fully_translated_packs_are_built_in_italian(packs):
    out, slugs = packs
    ctx = Context.load(Project(REPO))
    wanted = {p.slug for p in translated_packs(ctx, "it")}
    assert "transitions" in wanted and len(wanted) < len(slugs)
    manifest = json.loads((out / "it" / MANIFEST).read_text())["packs"]
    assert set(manifest) == wanted
    assert {p.name for p in (out / "it").iterdir() if p.is_dir()} == wanted
    # same file names as in English, English files where they were
    assert manifest["transitions"]["files"] == json.loads(
        (out / MANIFEST).read_text())["packs"]["transitions"]["files"]
    for name in manifest["transitions"]["files"]:
        assert (out / "it" / "transitions" / name).is_file()
        assert (out / "transitions" / name).is_file()


def test_italian_transitions_pdf_has_lang_it_and_the_catalog_text(packs):
    out, _ = packs
    pdf_it = out / "it/transitions/transitions-pack.pdf"
    pdf_en = out / "transitions/transitions-pack.pdf"
    reader = PdfReader(pdf_it)
    assert reader.trailer["/Root"]["/Lang"] == "it"
    assert PdfReader(pdf_en).trailer["/Root"]["/Lang"] == "en"
    page = catalog("facilitator/transitions/index")
    sheet = catalog("facilitator/transitions/handouts/review-sheet")
    interface = catalog(INTERFACE_DOMAIN)
    assert reader.metadata.title == page["Session pack: warm and inclusive transitions"]
    it, en = pdf_text(pdf_it), pdf_text(pdf_en)
    # headings of the page, of the generated parts, of a handout and of the code
    checked = [(page, "Activities step by step"), (page, "Who should be in the room"),
               (page, "Composing mixed groups"), (page, "Notes for the facilitator"),
               (page, "Before you start"), (page, "Welcome and a map of who is here"),
               (sheet, "Transition-practice review sheet"), (sheet, "How it feels from the other side"),
               (sheet, "What could make a family feel judged or left out?"),
               (interface, "Each handout starts on a new page. Editable copies (Word and "
                           "OpenDocument) are in the pack's zip file."),
               (interface, "Minutes"), (interface, "Welcome and a map of who is here")]
    for source, english in checked:
        italian = " ".join(source[english].split()).replace("\u2019", "'")
        assert italian in it, english
        assert english in en and english not in it, english
    # a generated sentence with a link: the printed form (*title*) of the catalog entry
    formats = "Formats: 1 h 30 min (90-minute session); 3 h (half-day session)."
    assert page[formats] in it and formats not in it
    for english in ("A facilitator pack of Crossings", "You can download this pack",
                    "Facilitator notes", "(90-minute session)", "Total:"):
        assert english in en and english not in it, english


def test_italian_handouts_have_lang_it_and_italian_text(packs):
    out, _ = packs
    sheet = catalog("facilitator/transitions/handouts/review-sheet")
    docx = Document(out / "it/transitions/handouts/review-sheet.docx")
    assert docx.core_properties.language == "it"
    assert docx.core_properties.title == sheet["Transition-practice review sheet"]
    styles = zipfile.ZipFile(out / "it/transitions/handouts/review-sheet.docx").read(
        "word/styles.xml").decode()
    assert 'w:val="it"' in styles
    cells = {c.text.strip() for t in docx.tables for row in t.rows for c in row.cells}
    assert sheet["Question"] in cells and "Question" not in cells
    assert Document(out / "transitions/handouts/review-sheet.docx").core_properties.language == "en"
    meta = zipfile.ZipFile(out / "it/transitions/handouts/review-sheet.odt").read(
        "meta.xml").decode()
    assert "<dc:language>it</dc:language>" in meta


def test_page_translation_keeps_the_myst_structure():
    page = ("---\ntitle: \"A page\"\n---\n\n(label)=\n\n## Heading\n\n:::{admonition} Box\n"
            ":class: tip\nOne line\nand more.\n:::\n\n% write-in: 2 lines\n| Question | A |\n"
            "| --- | --- |\n| 1. Who? | |\n")
    lookup = {"A page": "Una pagina", "Heading": "Titolo", "Box": "Riquadro",
              "One line and more.": "Una riga e altro.", "Question": "Domanda",
              "1. Who?": "1\\. Chi?"}
    assert set(messages(page.split("---\n", 2)[2], page=True)) >= {"Heading", "Box", "1. Who?"}
    assert translate_page(page, lookup) == (
        "---\ntitle: \"Una pagina\"\n---\n\n(label)=\n\n## Titolo\n\n:::{admonition} Riquadro\n"
        ":class: tip\nUna riga e altro.\n:::\n\n% write-in: 2 lines\n| Domanda | A |\n"
        "| --- | --- |\n| 1. Chi? |  |\n")
    assert print_form("See {doc}`The title </a/b>` ({ref}`lo1 <lo1>`).") == "See *The title* (lo1)."


# ------------------------------------------------------------- the cache, on the fixture book

PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def italian_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "minibook", book)
    add_demo_pack(book)
    (book / "locales").mkdir()
    (book / "locales/languages.yml").write_text(
        "source: en\nlanguages:\n  en:\n    name: English\n  it:\n    name: Italiano\n"
        "    translated:\n" + "".join(f"      - {doc}\n" for doc in PACK_DOCS))
    po = catalog_dir(book, "it") / "facilitator/demo-session/index.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO_HEADER + 'msgid "Demo session pack"\nmsgstr "Kit dimostrativo"\n\n'
                  'msgid "Activities"\nmsgstr "Attività"\n', encoding="utf-8")
    return book


def build(book: Path) -> list[str]:
    log: list[str] = []
    build_packs(Project(book), book / "_build" / "packs", log=log.append)
    return log


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_a_changed_catalog_rebuilds_only_that_languages_pack(tmp_path):
    book = italian_book(tmp_path)
    out = book / "_build" / "packs"
    log = build(book)
    assert [line.split(":")[0] for line in log] == ["pack demo-session", "pack demo-session (it)"]
    pdf = out / "it/demo-session/demo-session-pack.pdf"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "it"
    assert "Attività" in pdf_text(pdf) and "Kit dimostrativo" in pdf_text(pdf)
    assert build(book) == ["packs up to date (unchanged inputs; --all rebuilds): demo-session",
                           "packs (it) up to date (unchanged inputs; --all rebuilds): "
                           "demo-session"]
    english = mtimes(out / "demo-session")

    po = catalog_dir(book, "it") / "facilitator/demo-session/index.po"
    po.write_text(po.read_text().replace('"Attività"', '"Le attività"'), encoding="utf-8")
    log = build(book)
    assert log[0].startswith("packs up to date") and log[1].startswith("pack demo-session (it): ")
    assert mtimes(out / "demo-session") == english
    assert "Le attività" in pdf_text(pdf)

    # the pack is no longer fully translated: its Italian folder goes, English stays
    languages = book / "locales/languages.yml"
    languages.write_text(languages.read_text().replace(f"      - {PACK_DOCS[-1]}\n", ""))
    assert build(book)[0].startswith("packs up to date")
    assert not (out / "it").exists() and mtimes(out / "demo-session") == english
