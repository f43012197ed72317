"""The Italian self-assessment notebook, run for real: with the model answers, its check
cells and its profile speak Italian and show the English run's figures; the course grades
the same answers with the same points in both languages; the English notebook's setup cell
is profile.py as it is."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from crossings.content.languages import INTERFACE_DOMAIN, translations
from crossings.content.project import Project
from crossings.exercises.learner_texts import lookup
from crossings.exercises.rating_cells import SETUP_ID, setup_cell
from crossings.selfassessment.profile_texts import (
    CODE,
    profile_messages,
    same,
    translate_links,
    translate_profile_setup,
)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
EXERCISE = "self-assessment"
ITALIAN = lookup(translations(REPO, "it", INTERFACE_DOMAIN))
ENGLISH_WORDS = ("YOUR PROFILE", "Strands:", "Weakest strands", "not rated", "Thank you",
                 "Your profile", "Average level", "Your evidence", "Read more", "Developing",
                 "Check my answer", "on the Crossings site", "strands rated")


def test_the_english_setup_cell_holds_every_text_and_the_italian_one_is_valid_code():
    english = setup_cell({"levels": []}).source
    assert all(code in english for code, *_ in CODE.values())
    assert translate_profile_setup(english, same, "en") == english
    italian = translate_profile_setup(english, ITALIAN, "it")
    compile(italian, "setup", "exec")
    assert [k for k, t in profile_messages().items() if ITALIAN(t) == t] == []
    assert "Thank you" not in italian and "Grazie: hai valutato" in italian


def test_pages_to_read_point_to_the_language_site():
    path = "book/self-assessment.html#self-assessment-how"
    link = {"label": "x", "page": "Self-assessment", "section": "", "path": path,
            "url": "https://example.org/site/" + path}
    [italian] = translate_links([link], REPO, "it", "it/")
    assert italian["path"] == "it/" + path
    assert italian["url"] == "https://example.org/site/it/" + path
    assert translate_links([{**link, "url": ""}], REPO, "it", "it/")[0]["url"] == ""
    assert link["path"] == path   # the English data is not changed


@pytest.fixture(scope="module")
def build(shared_build):
    build_module = pytest.importorskip("crossings.exercises.build")
    result, folder = shared_build("exercises-unchecked", lambda out: build_module.build_exercises(
        Project(REPO), out, check_models=False, log=lambda *_: None))
    assert not result.problems, [p.format(REPO) for p in result.problems]
    return folder


def _model(build: Path, folder: Path):
    from crossings.grading.samples import model_submission

    source = nbformat.read(build / "source" / EXERCISE / f"{EXERCISE}.ipynb", 4)
    release = nbformat.read(folder / EXERCISE / f"{EXERCISE}.ipynb", 4)
    return model_submission(source, release)


@pytest.fixture(scope="module")
def runs(build):
    """The model answers run in the English and in the Italian notebook (nbclient)."""
    from nbclient import NotebookClient

    out = {}
    for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
        nb = _model(build, folder)
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
        printed = [o["text"] for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream"]
        shown = next(o["data"] for c in nb.cells for o in c.get("outputs", [])
                     if "text/html" in o.get("data", {}))
        checks = [c.source.splitlines()[0] for c in nb.cells
                  if c.cell_type == "code" and c.source.startswith('"""')]
        out[code] = printed, shown, checks
    return out


def _figures(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", text.replace(",", "."))


def test_the_italian_profile_is_italian_with_the_english_figures(runs):
    printed, shown, checks = runs["it"]
    text = shown["text/plain"]
    for italian in ("IL TUO PROFILO", "Hai valutato 21 ambiti su 21.", "Ambiti più deboli",
                    "1.3 Sostegno dall'alto in equilibrio con flessibilità dal basso (1 Non "
                    "ancora)", "(media 3,5 su 4)", "Elencate che cosa serve", "Leggi: "):
        assert italian in text, italian
    soup = BeautifulSoup(shown["text/html"], "html.parser")
    assert soup.div["lang"] == "it"
    assert "Il grafico radar in forma di tabella" in soup.get_text()
    assert soup.svg.title.text == "Il tuo profilo sui sei elementi"
    assert "Famiglie" in [t.text for t in soup.svg.find_all("text")]
    assert printed[0] == "Grazie: il tuo settore è politiche locali e regionali.\n"
    assert printed[1].startswith("Grazie: hai valutato 1.1 Una roadmap delle politiche")
    assert checks[-1].startswith('"""Controlla la risposta: 6.2 Legami con le questioni')
    everything = text + shown["text/html"] + "".join(printed) + "\n".join(checks)
    assert [w for w in ENGLISH_WORDS if w in everything] == []
    en_printed, en_shown, en_checks = runs["en"]
    assert "YOUR PROFILE" in en_shown["text/plain"]
    assert len(printed) == len(en_printed) and len(checks) == len(en_checks)
    en_soup = BeautifulSoup(en_shown["text/html"], "html.parser")
    for it_table, en_table in zip(soup.find_all("table"), en_soup.find_all("table"), strict=True):
        it_rows = [[_figures(td.text) for td in tr.find_all("td")] for tr in it_table.tbody("tr")]
        en_rows = [[_figures(td.text) for td in tr.find_all("td")] for tr in en_table.tbody("tr")]
        assert it_rows == en_rows
    assert [p["points"] for p in soup.find_all("polygon", class_="series")] == \
        [p["points"] for p in en_soup.find_all("polygon", class_="series")]
    assert _figures(text.split("Leggi")[0]) == _figures(en_shown["text/plain"].split("Read")[0])


def test_a_level_name_counts_the_same_in_both_setup_cells(build):
    said, points = {}, {}
    for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
        nb = nbformat.read(folder / EXERCISE / f"{EXERCISE}.ipynb", 4)
        setup = next(c.source for c in nb.cells
                     if (c.metadata.get("nbgrader") or {}).get("grade_id") == SETUP_ID)
        ns: dict = {}
        exec(compile(setup, "setup", "exec"), ns)   # the course's own cell, no learner code
        level = ns["read_answer"]
        points[code] = [(level(a, ns["DATA"]).level, level(a, ns["DATA"]).complete)
                        for a in (["developing", "tre parole qui"], ["in sviluppo", "a b c"],
                                  [5, "a b c"], [2, "due parole"], [])]
        said[code] = level(["x", "a b c"], ns["DATA"]).problem
    assert points["it"] == points["en"]
    assert said["it"].startswith("il livello è un numero da 1 a 4 (1 = non ancora,")


def test_same_answers_get_the_same_scores_in_both_languages(build, tmp_path):
    from crossings.grading import autograde as G
    from crossings.grading import collect
    from crossings.grading import course as C

    course = C.new_course(tmp_path / "course")
    C.release(course, build, ids=[EXERCISE], log=lambda *_: None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
        model = _model(build, folder)
        partly = copy.deepcopy(model)
        answers = [c for c in partly.cells if (c.metadata.get("nbgrader") or {}).get("solution")]
        answers[1].source = 'answer = ["developing", "a line of evidence"]'
        answers[2].source = 'answer = [3, "two words"]'
        for kind, nb in (("model", model), ("partly", partly)):
            nbformat.write(nb, inbox / f"{code}-{kind}__{EXERCISE}.ipynb")
    C.add_learners(course, ["en-model", "en-partly", "it-model", "it-partly"])
    collected, rejected = collect.collect(course, inbox)
    assert not rejected, rejected
    run = G.autograde(course, jobs=2, log=lambda *_: None)
    scores = {o.learner: (o.status, o.score) for o in run.outcomes}
    for kind in ("model", "partly"):
        assert scores[f"it-{kind}"] == scores[f"en-{kind}"], scores
        assert scores[f"it-{kind}"][0] == "graded"
    assert scores["it-model"][1] > scores["it-partly"][1]


def test_a_partly_rated_profile_names_what_is_missing_in_italian(build):
    shown = {}
    for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
        nb = nbformat.read(folder / EXERCISE / f"{EXERCISE}.ipynb", 4)
        setup = next(c.source for c in nb.cells
                     if (c.metadata.get("nbgrader") or {}).get("grade_id") == SETUP_ID)
        ns: dict = {}
        exec(compile(setup, "setup", "exec"), ns)   # the course's own cell, no learner code
        ns["rate"]("governance-vision", [3, "our plan was signed"])
        ns["rate"]("funding-sustained", [2, "two words"])
        profile = ns["Profile"](ns["_RATINGS"], ns["DATA"])
        shown[code] = ns["profile_text"](profile), ns["profile_html"](profile)
    text, page = shown["it"]
    assert "Hai valutato 2 ambiti su 21." in text
    assert "Valutati ma senza un riscontro sufficiente: 2.1 " in text
    assert "1.2 Un approccio intersettoriale, di sistema: non valutato - non ancora valutato." \
        in text
    assert "aggiungi una riga di riscontro: almeno 3 parole (ne hai scritte 2)." in text
    axes = [t.text for t in BeautifulSoup(page, "html.parser").svg.find_all("text")]
    assert axes[:3] == ["Governance", "Finanziamenti", "Personale (non valutato)"]
    assert [w for w in ENGLISH_WORDS if w in text + page] == []
    assert _figures(text.split("Leggi")[0]) == _figures(shown["en"][0].split("Read")[0])
