"""The learner texts in another language: check messages, refusals, feedback labels."""

from __future__ import annotations

from pathlib import Path

from crossings.content.languages import INTERFACE_DOMAIN, translations
from crossings.exercises.answers import NotAnAnswer, parse_answer
from crossings.exercises.learner_texts import (
    all_texts,
    check_messages,
    english_code,
    lookup,
    refusal_reasons,
    translate_check_message,
    translate_message,
    translate_setup,
)
from crossings.exercises.notebook import SETUP

REPO = Path(__file__).resolve().parents[2]
ITALIAN = lookup(translations(REPO, "it", INTERFACE_DOMAIN))


def test_every_learner_text_has_an_italian_translation_with_the_same_fields():
    missing = [t for t in all_texts() if ITALIAN(t) == t and t != "Feedback: {title}"]
    assert missing == []


def test_the_setup_cell_holds_every_message_once_and_translates_to_valid_code():
    english = SETUP.format(exercise="ex", sectors=("ecec", "school"))
    for key, text in check_messages().items():
        if key not in ("check_cell", "question", "point", "points"):
            assert english_code(key, text) in english, key
    italian = translate_setup(english, ITALIAN)
    compile(italian, "setup", "exec")
    assert "Non ancora: " in italian and "Not yet" not in italian
    assert translate_setup(english, lambda t: t) == english


def test_saved_messages_and_refusals_are_translated_with_their_values():
    said = "Not yet: use only the letters A, B (you wrote <b>Z</b>)."
    assert translate_check_message(said, ITALIAN) == \
        "Non ancora: usa solo le lettere A, B (hai scritto <b>Z</b>)."
    assert translate_check_message("Not yet: something new.", ITALIAN) == \
        "Not yet: something new."            # whole or not at all
    try:
        parse_answer("answer = 1\nprint(2)")
    except NotAnAnswer as exc:
        why = str(exc)
    assert translate_message(why, refusal_reasons(), refusal_reasons(ITALIAN)) == \
        "una cella di risposta può contenere solo 'answer = ...'"


def test_a_translation_with_other_fields_stays_english():
    bad = lookup({"write at least {min_words} words (you wrote {words}).":
                  "scrivi {min_words.__class__} {x}"})
    assert translate_check_message("Not yet: write at least 5 words (you wrote 2).", bad) == \
        "Not yet: write at least 5 words (you wrote 2)."
