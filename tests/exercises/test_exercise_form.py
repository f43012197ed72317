"""The on-page form in the page's language (fast: no site build).

A small page catalog, compiled the way Sphinx compiles a page's ``.po``, and the real Italian
interface catalog (``locales/it/LC_MESSAGES/crossings.po``): the form's fixed strings, options,
lines and field labels are Italian where a translation exists and English where none does;
the values the form submits and the script checks are the same in both languages.
"""

from __future__ import annotations

import gettext
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from conftest import REPO

from crossings.exercises.source import _load_item
from crossings.sphinxext.exercise_form import form_html, handin_html, item_spec, onpage_intro
from crossings.sphinxext.exercises import _AnyOutcome
from crossings.sphinxext.form_texts import Texts, page_catalog, plan_field_line, script_messages

INTERFACE_PO = REPO / "locales" / "it" / "LC_MESSAGES" / "crossings.po"
SCRIPT = REPO / "crossings" / "sphinxext" / "static" / "crossings-exercise.js"

CHOICE = """id: kinds
outcomes: [demo-lo1]
type: choice
points: 2
check: formative
prompt: Which kind of transition?
options:
  A: A vertical transition
  B: A horizontal transition
  C: "No transition <at all>"
answer: B
explain: Because.
"""
CLASSIFY = """id: sort
outcomes: [demo-lo1]
type: classify
points: 2
check: formative
prompt: Match each line.
categories:
  A: Pedagogical continuity
  B: Structural continuity
statements:
  1: One calendar for all services.
  2: A portfolio goes with the child.
answer: [B, A]
"""
PLAN = """id: joint
outcomes: [demo-lo1]
type: plan
points: 4
quality_points: 2
prompt: Plan a project.
fields:
  - id: goal
    label: The transition and your goal
    min_words: 12
    model: "The move from our preschool into the first class of the primary school nearby, known."
  - id: partners
    label: Partners from at least two sectors
    kind: sectors
    min_count: 2
    model: [ecec, school]
rubric:
  - criterion: Focus
    levels: "2: clear; 0: none"
"""

PAGE = {   # the page's catalog, as the learner view of the page writes its messages
    "**A**: A vertical transition": "**A**: Una transizione verticale",
    "**B**: A horizontal transition": "**B**: Una transizione orizzontale",
    "**C**: No transition <at all>": "**C**: Nessuna transizione <script>x</script>",
    "**A**: Pedagogical continuity": "**A**: Continuità pedagogica",
    "One calendar for all services.": "Un solo calendario per tutti i servizi.",
    "**The transition and your goal**: at least 12 words":
        "**La transizione e il tuo obiettivo**: almeno 12 parole",
    # "**B**: Structural continuity" and line 2 have no translation: they stay English
}


def item(text: str):
    problems: list = []
    found = _load_item(Path("demo.md"), text, 0, _AnyOutcome(), problems.append)
    assert found is not None and problems == [], problems
    return found


def compiled(messages: dict[str, str], folder: Path, domain: str) -> None:
    catalog = Catalog(locale="it", domain=domain)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    target = folder / "it" / "LC_MESSAGES" / f"{domain}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture(scope="module")
def italian(tmp_path_factory) -> Texts:
    locales = tmp_path_factory.mktemp("locales")
    compiled(PAGE, locales, "exercises/demo/demo")
    with INTERFACE_PO.open("rb") as handle:
        interface = read_po(handle, locale="it")
    buffer = io.BytesIO()
    write_mo(buffer, interface, use_fuzzy=False)
    buffer.seek(0)
    ui = gettext.GNUTranslations(buffer).gettext
    return Texts(ui=ui, page=page_catalog([locales], "it", "exercises/demo/demo"),
                 translated=True)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def values(html: str) -> list[tuple]:
    """Everything the form submits or the script reads: ids, names, values."""
    page = soup(html)
    return [(c.name, c.get("id"), c.get("name"), c.get("value"))
            for c in page.select("input, select, option, textarea, [data-item], [data-field]")]


def test_choice_form_is_italian_once_and_submits_the_same_letters(italian):
    choice = item(CHOICE)
    english, ours = form_html(choice, 1), form_html(choice, 1, italian)
    text = soup(ours).get_text(" ")
    assert "La tua risposta alla domanda 1 (scegli un'opzione)" in text
    assert "Controlla la risposta" in text
    assert text.count("Una transizione orizzontale") == 1
    for english_text in ("Your answer", "A horizontal transition", "Check my answer"):
        assert english_text not in text
    assert values(ours) == values(english)
    spec = json.loads(soup(ours).select_one(".exercise-form")["data-spec"])
    assert spec == item_spec(choice) and spec["answer"] == "B"
    # a translation is text, never markup
    assert "<script>" not in ours and "&lt;script&gt;x&lt;/script&gt;" in ours


def test_classify_lines_and_categories_fall_back_to_english_one_by_one(italian):
    classify = item(CLASSIFY)
    english, ours = form_html(classify, 2), form_html(classify, 2, italian)
    page = soup(ours)
    labels = [label.get_text() for label in page.select("label")]
    assert labels == ["1. Un solo calendario per tutti i servizi.",
                      "2. A portfolio goes with the child."]
    options = [o.get_text() for o in page.select("#x-sort-1 option")]
    assert options == ["Scegli una categoria", "A: Continuità pedagogica",
                       "B: Structural continuity"]
    assert [o["value"] for o in page.select("#x-sort-1 option")] == ["", "A", "B"]
    assert "una categoria per ogni riga" in page.legend.get_text()
    assert values(ours) == values(english)


def test_plan_labels_come_from_the_page_and_sectors_keep_their_keys(italian):
    plan = item(PLAN)
    english, ours = form_html(plan, 3), form_html(plan, 3, italian)
    page = soup(ours)
    assert page.select_one("label[for='x-joint-goal']").get_text() == (
        "La transizione e il tuo obiettivo (almeno 12 parole)")
    legend = page.select_one(".exercise-sectors legend").get_text()
    assert legend == "Partners from at least two sectors (partner di almeno 2 settori)"
    assert page.select_one("label[for='x-joint-partners-school']").get_text() == "scuola"
    assert values(ours) == values(english)
    spec = json.loads(page.select_one(".exercise-form")["data-spec"])
    english_spec = item_spec(plan)
    assert [f["label"] for f in spec["fields"]] == ["La transizione e il tuo obiettivo",
                                                    "Partners from at least two sectors"]
    for ours_field, theirs in zip(spec["fields"], english_spec["fields"], strict=True):
        assert {k: v for k, v in ours_field.items() if k != "label"} == {
            k: v for k, v in theirs.items() if k != "label"}
    assert plan_field_line(plan.fields[0]) in PAGE


def test_intro_and_hand_in_are_italian_and_carry_the_script_messages(italian):
    assert "Rispondi direttamente in questa pagina." in onpage_intro(italian)
    assert 'href="#hand-in"' in onpage_intro(italian)
    english, ours = soup(handin_html("demo")), soup(handin_html("demo", italian))
    panel = ours.select_one(".exercise-handin")
    assert panel["data-exercise"] == "demo"
    assert "Scarica le risposte per chi conduce" in panel.get_text()
    assert not english.select_one(".exercise-handin").has_attr("data-messages")
    messages = json.loads(panel["data-messages"])
    assert messages.keys() == script_messages().keys()
    assert messages["right"] == "Giusto. Ben fatto."
    assert messages["not_yet"] == "Non ancora: {problem}"
    assert [c.get("id") for c in ours.select("[id]")] == [
        c.get("id") for c in english.select("[id]")]


def test_the_script_holds_the_english_messages_of_form_texts():
    text = SCRIPT.read_text(encoding="utf-8")
    block = re.search(r"var MESSAGES = (\{.*?\n  \});", text, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == script_messages()
    rest = text.replace(block.group(0), "")
    for key in script_messages():   # every message is used
        assert f'"{key}"' in rest, key


def test_italian_interface_messages_keep_their_placeholders():
    with INTERFACE_PO.open("rb") as handle:
        catalog = read_po(handle, locale="it")
    names = re.compile(r"\{(\w*)\}")
    checked = 0
    for message in catalog:
        if message.id and "python-brace-format" in message.flags:
            assert message.string, message.id
            assert sorted(names.findall(message.id)) == sorted(names.findall(message.string)), (
                message.id, message.string)
            checked += 1
    assert checked >= 20


def test_a_page_without_a_catalog_keeps_english(tmp_path):
    lookup = page_catalog([tmp_path], "it", "exercises/none/none")
    assert lookup("**A**: A vertical transition") == "**A**: A vertical transition"
    texts = Texts(page=lookup)
    assert texts.option("A", "A vertical transition") == "A vertical transition"


def test_every_string_of_the_form_has_a_checked_italian_translation():
    with INTERFACE_PO.open("rb") as handle:
        catalog = read_po(handle, locale="it")
    ours = [m for m in catalog if m.id and any(
        path.endswith(("exercise_form.py", "form_texts.py")) for path, _ in m.locations)]
    assert len(ours) >= 50
    assert [m.id for m in ours if m.fuzzy or not m.string] == []
