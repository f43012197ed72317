"""The self-assessment in Italian, on real tools: `crossings exercises` writes the Italian
learner notebook, the real command `crossings cohort-report` reads a group of them (and of
the English ones) and Typst writes the PDF, read back with pypdf. The Italian report has
the same figures as the English one; only the words change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from test_self_assessment_build import EXPECTED_TOP, make_group

from crossings.content.languages import catalog_dir, read_po
from crossings.content.project import Project
from crossings.exercises.build import build_exercises

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
NOTEBOOK = "release/self-assessment/self-assessment.ipynb"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the repository with the self-assessment exercise and the catalogs: the
    English and the Italian learner notebooks."""
    root = tmp_path_factory.mktemp("sa-it") / "repo"
    root.mkdir()
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("book", "modules", "exercises/self-assessment", "locales"):
        shutil.copytree(REPO / folder, root / folder)
    result = build_exercises(Project(root), root / "_build" / "exercises", log=lambda *_: None)
    assert [p.format(root) for p in result.problems] == []
    assert (result.out / "it" / NOTEBOOK).is_file()
    return root, result.out


def report(root: Path, folder: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "crossings", "cohort-report", str(folder),
                           "--out", str(out), "--root", str(root), *args],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory):
    """The same 13 answers three times: English notebooks (report in English), Italian
    notebooks (report in Italian, the notebooks' language), English notebooks with
    ``--language it``."""
    root, out = built
    base = tmp_path_factory.mktemp("reports")
    make_group(out / NOTEBOOK, base / "en-nbs", "folder")
    make_group(out / "it" / NOTEBOOK, base / "it-nbs", "folder")
    runs = {"en": report(root, base / "en-nbs", base / "en"),
            "it": report(root, base / "it-nbs", base / "it"),
            "asked": report(root, base / "en-nbs", base / "asked", "--language", "it")}
    return base, runs


def soup_of(folder: Path) -> BeautifulSoup:
    return BeautifulSoup((folder / "cohort-report.html").read_text(encoding="utf-8"),
                         "html.parser")


def ranking(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    table = next(t for t in soup.find_all("table") if caption in t.caption.text)
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.tbody.find_all("tr")]


def page_strings(docname: str) -> dict[str, str]:
    return {m.msgid: m.msgstr for m in read_po(catalog_dir(REPO, "it") / f"{docname}.po")
            if m.translated}


def test_italian_report_follows_the_notebooks_and_is_italian(reports):
    base, runs = reports
    for name in ("it", "asked"):
        soup = soup_of(base / name)
        assert soup.html["lang"] == "it"
        assert soup.title.text == "Rapporto di gruppo: autovalutazione dell'integrazione locale"
        headings = [h.get_text(strip=True) for h in soup.find_all(["h2", "h3"])]
        assert "Dove i settori vedono il sistema in modo diverso" in headings
        assert "1.5 Favorire transizioni senza fratture (divergenza)" in headings
        text = soup.get_text(" ", strip=True)
        assert "Partecipanti: 13. Autovalutazioni incluse: 13 (incomplete: 1)" in text
        assert "k02e: ambiti non valutati (1): 4.1" in text
        assert "1 Non ancora: Nel nostro territorio non c'è un piano condiviso" in text
        assert "Passi successivi da discutere insieme:" in text
        # no English sentence of the report is left
        for english in ("Shared priorities", "Next steps to discuss", "Whole group",
                        "learner(s)", "Other sectors", "not rated"):
            assert english not in text, english
        rows = ranking(soup, "Ambiti ordinati per divario")
        assert rows[0] == ["1", "1.5 Favorire transizioni senza fratture", "3,00",
                           "Servizi 0-6 4,00", "Scuola 1,00"]
        pdf = PdfReader(base / name / "cohort-report.pdf")
        assert pdf.trailer["/Root"]["/Lang"] == "it"
        assert pdf.metadata.title == soup.title.text
        assert "Tabella 1:" in " ".join(p.extract_text() for p in pdf.pages)
    assert "Passi successivi" not in runs["en"].stdout and "Divario" in runs["it"].stdout


def test_italian_report_has_the_english_figures(reports):
    base, _ = reports
    english = json.loads((base / "en" / "cohort-report.json").read_text())
    for name in ("it", "asked"):
        italian = json.loads((base / name / "cohort-report.json").read_text())
        for key in ("ranking", "strands", "element_means", "min_per_sector", "exercise"):
            assert italian[key] == english[key], key
        assert [(s["learner"], s["status"], s["sector"]) for s in italian["submissions"]] == \
            [(s["learner"], s["status"], s["sector"]) for s in english["submissions"]]
    en_rows = ranking(soup_of(base / "en"), "ranked by the gap")
    assert [r[1] for r in en_rows[:6]] == EXPECTED_TOP
    it_rows = ranking(soup_of(base / "it"), "Ambiti ordinati per divario")
    sectors = {"Servizi 0-6": "ECEC", "Scuola": "School", "Servizi sociali": "Social",
               "Altri settori": "Other sectors", "tutti e": "all"}

    def figures(row: list[str]) -> list[str]:
        out = []
        for cell in row[2:]:
            for italian, english_name in sectors.items():
                cell = cell.replace(italian, english_name)
            out.append(cell.replace(",", ".").replace("uguali", "equal"))
        return [row[0], *out]

    assert [figures(r) for r in it_rows] == [figures(r) for r in en_rows]
    # the strand names are the page's own translations
    headings = page_strings("book/self-assessment")
    assert all(r[1] in headings.values() for r in it_rows)
