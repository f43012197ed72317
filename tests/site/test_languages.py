"""The sites of other languages: catalogs, the strict Italian build, the language switcher,
``<html lang>``, hreflang and JSON-LD ``inLanguage``, axe on the Italian pages.

The Italian site is built once per session (``italian_site``) with the real command that
``nox -s build`` runs, into ``<english site>/it/`` as in production.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO

from crossings.content.languages import catalog_dir, load_languages, read_po

LANGS = load_languages(REPO)
ITALIAN = LANGS.get("it")


def crossings(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossings", *args], capture_output=True,
                          text=True, cwd=cwd)


# ---------------------------------------------------------------- catalogs (fast)

def test_read_po_flags_fuzzy_and_joins_lines(tmp_path):
    po = tmp_path / "page.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: it\\n"\n\n'
                  'msgid "One"\nmsgstr "Uno"\n\n'
                  '#, fuzzy\nmsgid "Two"\nmsgstr "Due"\n\n'
                  'msgid ""\n"Long "\n"text"\nmsgstr ""\n"Testo "\n"lungo"\n\n'
                  'msgctxt "ctx"\nmsgid "Empty"\nmsgstr ""\n\n'
                  '#~ msgid "Old"\n#~ msgstr "Vecchio"\n', encoding="utf-8")
    messages = read_po(po)
    assert [(m.msgid, m.msgstr, m.fuzzy, m.translated) for m in messages] == [
        ("One", "Uno", False, True), ("Two", "Due", True, False),
        ("Long text", "Testo lungo", False, True), ("Empty", "", False, False)]
    assert messages[-1].context == "ctx"


def test_a_figure_with_translated_alt_text_counts_as_translated():
    """Sphinx translates an image's alt text but leaves it marked untranslated: the page
    counter compares it with the source alt text kept before the i18n transform."""
    from docutils import nodes

    from crossings.sphinxext.languages import is_translated

    done = nodes.image(alt="Schema", crossings_source_alt="Diagram", translated=False)
    missing = nodes.image(alt="Diagram", crossings_source_alt="Diagram", translated=False)
    assert is_translated(done) and not is_translated(missing)
    assert is_translated(nodes.paragraph(translated=True))
    assert not is_translated(nodes.paragraph(translated=False))


def test_languages_file_names_italian_and_its_translated_pages():
    assert LANGS.source == "en" and "it" in LANGS.languages
    assert ITALIAN.name == "Italiano" and ITALIAN.not_translated_note and ITALIAN.home_note
    assert "book/index" in ITALIAN.translated
    assert LANGS.is_translated("en", "modules/transitions/index")
    assert LANGS.prefix("it") == "it/" and LANGS.prefix("en") == ""


def test_pages_listed_as_translated_have_complete_catalogs():
    missing = []
    for docname in ITALIAN.translated:
        po = catalog_dir(REPO, "it") / f"{docname}.po"
        assert po.is_file(), f"{po} is missing: run nox -s translations"
        missing += [f"{docname}: {m.msgid[:60]}" for m in read_po(po) if not m.translated]
    assert not missing, missing


def test_terminology_file_has_term_choice_and_reason():
    entries = yaml.safe_load((REPO / "locales" / "it" / "terminology.yml").read_text())
    assert len(entries) >= 10
    for entry in entries:
        assert set(entry) == {"term", "choice", "reason"}, entry
    choices = " ".join(e["choice"] for e in entries)
    for term in ("sistema integrato 0-6", "continuità educativa", "coordinatore pedagogico",
                 "servizi educativi per l'infanzia", "scuola dell'infanzia", "nido"):
        assert term in choices, term


def test_status_command_counts_strings():
    proc = crossings("translations", "status", "--language", "it", "--strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("it: "))
    done, total = (int(w) for w in line.split()[1:4:2])
    assert 0 < done < total


def test_interface_pot_holds_pack_titles_and_italian_translates_the_transitions_pack(tmp_path):
    """Issue 19: the activity and handout titles that agendas and download links show are
    data of pack.yml; interface-pot adds them to crossings.pot (naming the pack.yml), and
    the Italian interface catalog translates every one the transitions pack uses."""
    from babel.messages.pofile import read_po as babel_read_po

    proc = crossings("translations", "interface-pot", "--out", str(tmp_path),
                     "--exercises", str(tmp_path / "no-exercises"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with (tmp_path / "crossings.pot").open("rb") as handle:
        pot = babel_read_po(handle)
    transitions = {m.id for m in pot
                   if "facilitator/transitions/pack.yml" in {f for f, _ in m.locations}}
    for text in ("Welcome and a map of who is here", "Break", "plenary", "mixed trios",
                 "Case cards: transitions", "Small-project planning canvas"):
        assert text in transitions, text
    for text in ("Practise", "Show or hide this section", "The printable pack",
                 "{activity} ({grouping})", "Adapt this handout: "):
        assert text in pot, text
    italian = {m.msgid: m.msgstr for m in read_po(catalog_dir(REPO, "it") / "crossings.po")
               if m.translated}
    assert not transitions - set(italian), sorted(transitions - set(italian))
    assert not {m.id for m in pot if m.id and m.locations[0][0].startswith("crossings/")} \
        - set(italian), "an interface string of the code has no Italian translation"
    for msgid, msgstr in italian.items():   # a placeholder the platform fills stays as it is
        assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", msgstr)), msgid


# ---------------------------------------------------------------- the Italian site (slow)

@pytest.fixture(scope="session")
def italian_build(site, site_builds):
    """The Italian site, built with the English one (as `nox -s build` does)."""
    assert "it" in site_builds, "the site build stopped before the Italian site"
    return site_builds["it"]


@pytest.fixture(scope="session")
def italian_site(italian_build) -> Path:
    assert italian_build.returncode == 0, italian_build.output[-5000:]
    return italian_build.html


def docnames() -> list[str]:
    from crossings.content.project import Project
    from crossings.content.toc import read_toc

    return [e.docname for e in read_toc(Project(REPO).toc)]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def ld(page: BeautifulSoup) -> dict:
    return json.loads(page.find("script", type="application/ld+json").string)


@pytest.mark.slow
def test_italian_site_builds_strictly_and_counts_strings(italian_build, italian_site):
    out = italian_build.output
    line = next(ln for ln in out.splitlines() if "strings translated" in ln)
    words = line[line.index("it: "):].split()
    done, total = int(words[1]), int(words[3])
    assert 100 < done < total, line
    assert (italian_site / "book" / "index.html").is_file()


@pytest.mark.slow
def test_lang_hreflang_and_json_ld_on_every_page(site, italian_site):
    for docname in docnames():
        for html, code in ((site, "en"), (italian_site, "it")):
            page = soup(html / f"{docname}.html")
            assert page.html["lang"] == code, (code, docname)
            translated = LANGS.is_translated(code, docname)
            text_lang = code if translated else "en"
            assert ld(page)["inLanguage"] == text_lang, (code, docname)
            # _config.yml names no public address (html.baseurl): no alternates, since
            # search engines take only absolute ones (test_alternates_are_absolute...)
            assert not page.find_all("link", rel="alternate", hreflang=True), (code, docname)
            if not translated:   # the article falls back to English and says so in Italian
                assert page.find("div", lang="en") is not None, docname
                assert ITALIAN.not_translated_note in page.get_text(" ", strip=True)


def test_alternates_are_absolute_addresses_of_each_version():
    from crossings.sphinxext.languages import alternate_links

    assert alternate_links("", LANGS, "book/index") == []
    assert alternate_links("https://example.org/crossings", LANGS, "book/index") == [
        ("en", "https://example.org/crossings/book/index.html"),
        ("it", "https://example.org/crossings/it/book/index.html"),
        ("x-default", "https://example.org/crossings/book/index.html")]
    untranslated = next(d for d in docnames() if not LANGS.is_translated("it", d))
    assert [c for c, _ in alternate_links("https://example.org/", LANGS, untranslated)] == [
        "en", "x-default"]


def switcher_targets(html: Path, docname: str) -> list[Path]:
    nav = soup(html / f"{docname}.html").find("nav", class_="crossings-languages")
    assert nav is not None, docname
    return [(html / posixpath.dirname(docname) / a["href"]).resolve() for a in nav.find_all("a")]


@pytest.mark.slow
def test_switcher_links_resolve_both_ways(site, italian_site):
    for docname in docnames():
        english, italian = site / f"{docname}.html", italian_site / f"{docname}.html"
        [to_italian] = switcher_targets(site, docname)
        [to_english] = switcher_targets(italian_site, docname)
        assert to_english == english.resolve(), docname
        if docname in ITALIAN.translated:
            assert to_italian == italian.resolve(), docname
        else:   # the Italian home page, with a note saying why
            assert to_italian == (italian_site / "book" / "index.html").resolve(), docname
            nav = soup(english).find("nav", class_="crossings-languages")
            assert ITALIAN.home_note in nav.get_text(" ", strip=True)


@pytest.mark.slow
def test_italian_interface_strings(italian_site):
    page = soup(italian_site / "book" / "index.html")
    assert page.find("nav", class_="crossings-languages")["aria-label"] == "Altre lingue"
    assert "Cerca nel sito" in str(page)
    assert "Imparare insieme" in page.get_text(" ")
    glossary = soup(italian_site / "book" / "glossary.html").get_text(" ")
    assert "Coordinatore pedagogico" in glossary and "Continuità pedagogica" in glossary


@pytest.mark.slow
def test_axe_reports_no_violations_on_italian_pages(site, italian_site):
    from playwright.sync_api import sync_playwright

    from crossings.bench.browser import block_other_hosts, chromium, run_axe, serve

    found = {}
    with serve(site) as url, sync_playwright() as pw, chromium(pw) as context:
        block_other_hosts(context)
        page = context.pages[0] if context.pages else context.new_page()
        for docname in docnames():
            page.goto(f"{url}it/{docname}.html", wait_until="load")
            violations = run_axe(page)
            if violations:
                found[docname] = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                                  for v in violations]
    assert not found, found


@pytest.mark.slow
def test_a_listed_page_with_a_missing_string_fails_the_build(tmp_path, site):
    """Copy of the repository with one string of a translated page removed: the build fails."""
    book = tmp_path / "repo"
    shutil.copytree(REPO, book, ignore=shutil.ignore_patterns(
        "_build", ".nox", ".git", ".venv", "*.mo", "__pycache__", ".pytest_cache"))
    po = catalog_dir(book, "it") / "book" / "how-to-use.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Leggere sul telefono"', 'msgstr ""'), encoding="utf-8")
    build = site.parent
    proc = crossings("translations", "build", "--root", str(book), "--language", "it",
                     "--packs-dir", str(build / "packs"),
                     "--exercises-dir", str(build / "exercises"), cwd=book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "listed as translated into 'it' but 1 of" in out and "how-to-use" in out, out[-3000:]
    again = crossings("translations", "build", "--root", str(book), "--language", "it",
                      "--packs-dir", str(build / "packs"),
                      "--exercises-dir", str(build / "exercises"), cwd=book)
    out = again.stdout + again.stderr   # nothing changed: Sphinx reads no page, still fails
    assert again.returncode != 0, out[-3000:]
    assert "listed as translated into 'it' but 1 of" in out, out[-3000:]


def texts(nodes) -> list[str]:
    return [" ".join(n.get_text().split()) for n in nodes]


@pytest.mark.slow
def test_generated_text_of_the_transitions_workshop_is_italian(site, italian_site):
    """Issue 19: the agendas, download links and fold buttons of the transitions pack page,
    the handout download line and the Practise sections of the module are Italian on the
    Italian site (its files are the Italian pack, see test_italian_pages_link_italian_packs);
    the English pages keep their text."""
    pack = "facilitator/transitions/index.html"
    it, en = soup(italian_site / pack).find("main"), soup(site / pack).find("main")
    it_tables, en_tables = it.select("table")[:2], en.select("table")[:2]
    assert [texts(t.select("thead th")) for t in it_tables] == [["Ora", "Attività", "Minuti"]] * 2
    assert [texts(t.select("thead th")) for t in en_tables] == [["Time", "Activity", "Minutes"]] * 2
    it_cells = {c for t in it_tables for c in texts(t.select("td"))}
    en_cells = {c for t in en_tables for c in texts(t.select("td"))}
    assert {"Accoglienza e mappa dei presenti (in plenaria)", "Pausa", "Fine",
            "Il percorso di un bambino nel nostro territorio (terzetti misti)"} <= it_cells
    assert {"Welcome and a map of who is here (plenary)", "Break", "End",
            "Case: Nora starts school (mixed small groups)"} <= en_cells
    assert not {"Break", "End"} & it_cells
    assert not any("(plenary)" in c or "Welcome" in c for c in it_cells), it_cells
    it_downloads = texts(it.select("ul.pack-downloads li"))
    assert it_downloads[:2] == ["Il kit da stampare (PDF)", "Tutto in un unico file zip (ZIP)"]
    assert "Schede dei casi: transizioni, Word (DOCX)" in it_downloads
    assert texts(en.select("ul.pack-downloads li"))[:3] == [
        "The printable pack (PDF)", "Everything in one zip file (ZIP)",
        "Case cards: transitions, Word (DOCX)"]
    assert set(texts(it.select("details.pack-fold-body > summary"))) == {
        "Mostra o nascondi questa sezione"}
    assert set(texts(en.select("details.pack-fold-body > summary"))) == {
        "Show or hide this section"}
    handout = "facilitator/transitions/handouts/case-cards.html"
    it_line = texts(soup(italian_site / handout).select("p.handout-downloads"))
    en_line = texts(soup(site / handout).select("p.handout-downloads"))
    assert it_line == ["Adatta questa scheda: Word (DOCX) · OpenDocument (ODT)."]
    assert en_line == ["Adapt this handout: Word (DOCX) · OpenDocument (ODT)."]

    for page, it_intro, en_intro in (
            ("modules/transitions/index.html", "Metti alla prova", "Try what you"),
            ("modules/transitions/barriers.html", "Hai concluso il modulo.",
             "You have reached the end of this module.")):
        it_section = soup(italian_site / page).find("section", id="practise")
        en_section = soup(site / page).find("section", id="practise")
        it_text, en_text = it_section.get_text(" "), en_section.get_text(" ")
        for section, title in ((it_section, "Esercitati"), (en_section, "Practise")):
            heading = section.find(re.compile("^h[1-6]$"))   # its text, not the "#" link
            assert heading.find(string=True, recursive=False).strip() == title
        assert it_intro in it_text and en_intro in en_text and en_intro not in it_text
        assert "Obiettivi su cui lavora:" in it_text and "It practises:" not in it_text
        assert "Distinguere le transizioni verticali da quelle orizzontali" in it_text
        assert "Tell vertical and horizontal transitions apart" not in it_text
        assert "Tell vertical and horizontal transitions apart" in en_text
        assert "Esercizio: le transizioni e le quattro continuità" in it_text
        assert "Exercise: transitions and the four continuities" in en_text
        assert "(about 20 minutes" in en_text and "(circa 20 minuti" in it_text


@pytest.mark.slow
def test_italian_pages_link_italian_packs(site, italian_site):
    """Issue 19: the Italian transitions page links the Italian PDF, DOCX and ODT (built from
    the catalogs, /Lang it); a pack not yet translated keeps its English files and says so."""
    from pypdf import PdfReader

    page = italian_site / "facilitator/transitions/index.html"
    links = {a["href"]: a for a in soup(page).select("ul.pack-downloads a.download")}
    pdf_href = "../../packs/transitions/transitions-pack.pdf"
    assert pdf_href in links
    pdf = (page.parent / pdf_href).resolve()
    assert pdf.is_relative_to(italian_site.resolve())
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "it"
    assert PdfReader(site / "packs/transitions/transitions-pack.pdf").trailer["/Root"]["/Lang"] \
        == "en"
    docx = page.parent / "../../packs/transitions/handouts/review-sheet.docx"
    assert "<dc:language>it</dc:language>" in zipfile.ZipFile(docx).read(
        "docProps/core.xml").decode()
    other = italian_site / "facilitator/interprofessional/index.html"   # an English page
    assert "facilitator/interprofessional/index" not in LANGS.get("it").translated
    assert texts(soup(other).select("ul.pack-downloads li"))[0] == "The printable pack (PDF)"
    assert PdfReader(italian_site / "packs/interprofessional/interprofessional-pack.pdf"
                     ).trailer["/Root"]["/Lang"] == "en"
