"""Italian pages whose text is partly generated from data (issue 19): the self-assessment
(descriptors from book/self-assessment.yml), the accessibility statement (figures from the
last browser-test record) and the JSON-LD metadata (module front matter), on the real
Italian site built with the English one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO
from test_languages import LANGS, docnames

from crossings.content.languages import catalog_dir, read_po
from crossings.sphinxext.a11y import RECORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def italian_site(site, site_builds) -> Path:
    """The Italian site, built strictly with the English one (as in test_languages)."""
    build = site_builds["it"]
    assert build.returncode == 0, build.output[-5000:]
    return build.html


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def plain(text: str) -> str:
    text = " ".join(text.split())
    for fancy, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(fancy, straight)   # Sphinx's smart quotes
    return text


def catalog(docname: str) -> dict[str, str]:
    return {m.msgid: m.msgstr for m in read_po(catalog_dir(REPO, "it") / f"{docname}.po")
            if m.translated}


def test_italian_self_assessment_shows_italian_descriptors(italian_site):
    page = soup(italian_site / "book" / "self-assessment.html")
    assert page.html["lang"] == "it" and page.find("div", lang="en") is None
    text = plain(page.get_text(" "))
    headings = [plain(h.get_text(" ")).rstrip("#¶").strip() for h in page.find_all("h4")]
    assert len(headings) == 21 and headings[4] == "1.5 Favorire transizioni senza fratture"
    assert "**Non ancora:**" not in text and "Non ancora:" in text
    strings = catalog("book/self-assessment")
    data = yaml.safe_load((REPO / "book" / "self-assessment.yml").read_text())
    labels = {lv["id"]: lv["label"] for lv in data["levels"]}
    for strand in data["strands"].values():
        for level, label in labels.items():
            english = " ".join(strand[level].split())
            italian = strings[f"**{label}:** {english}"].split(":** ", 1)[1]
            assert plain(italian) in text and english not in text
        for step in strand["next_steps"]:
            assert plain(strings[" ".join(step.split())]) in text
    assert "Passi successivi se questo ambito è debole:" in text


def test_italian_accessibility_statement_shows_the_recorded_figures(italian_site):
    from datetime import datetime

    from babel.dates import format_date

    record = json.loads((REPO / RECORD).read_text(encoding="utf-8"))
    page = soup(italian_site / "book" / "accessibility.html")
    assert page.html["lang"] == "it" and page.find("div", lang="en") is None
    part = page.select_one(".accessibility-record")
    text = plain(part.get_text(" "))
    day = format_date(datetime.strptime(record["date"], "%d %B %Y").date(), "d MMMM y",
                      locale="it")
    assert f"Risultati dell'ultima verifica, del {day}, con axe-core {record['axe']}" in text
    assert ", ".join(record["tags"]) in text
    assert f"Il sito ha {record['pages']} pagine" in text
    assert f"in orizzontale: {record['sideways']})" in text
    assert f"Errori nella console del browser: {record['console_errors']}." in text
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
            for tr in part.find("tbody").find_all("tr")]
    assert [r[1:] for r in rows] == [[str(v["pages"]), str(v["violations"])]
                                     for v in record["views"].values()]
    assert rows[0][0] == "colori chiari, larghezza 1280 px"
    assert "Results of the last run" not in plain(page.get_text(" "))


def language_tagged(value, found: list) -> None:
    """Every JSON-LD value object ({"@value", "@language"}) in ``value``."""
    if isinstance(value, dict):
        if "@value" in value:
            found.append(value)
        for item in value.values():
            language_tagged(item, found)
    elif isinstance(value, list):
        for item in value:
            language_tagged(item, found)


def test_json_ld_of_italian_pages_tags_english_data(site, italian_site):
    from crossings.content.modules import load_modules
    from crossings.content.project import Project
    from crossings.content.vocabulary import load_vocabulary

    project = Project(REPO)
    modules = {m.slug: m for m in load_modules(project, load_vocabulary(project.vocabulary))}
    for docname in docnames():
        for html, code in ((site, "en"), (italian_site, "it")):
            page = soup(html / f"{docname}.html")
            data = json.loads(page.find("script", type="application/ld+json").string)
            tagged: list = []
            language_tagged(data, tagged)
            if code == "en" or not LANGS.is_translated("it", docname):
                assert tagged == [], (code, docname)   # English text, said once by inLanguage
                continue
            assert data["inLanguage"] == "it"
            assert tagged and all(set(t) == {"@value", "@language"} and t["@language"] == "en"
                                  and t["@value"] for t in tagged), docname
            roles = [a["educationalRole"] for a in data["audience"]]
            assert all(isinstance(r, dict) and r["@language"] == "en" for r in roles)
            parts = docname.split("/")
            module = modules.get(parts[1]) if parts[0] in ("modules", "exercises") else None
            if module is None:
                continue
            resource = data if docname == module.docname else data["isPartOf"]
            strings = catalog(module.docname)
            assert resource["name"] == strings[module.title] != module.title
            for outcome, term in zip(module.outcomes, resource["teaches"], strict=True):
                assert term["termCode"] == outcome.id
                assert isinstance(term["name"], str) and term["name"] != outcome.text
                assert strings[f"{outcome.text} ({outcome.id})"].startswith(term["name"])
