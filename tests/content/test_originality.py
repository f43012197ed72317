"""The originality check finds runs of 12+ words shared with a source document."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossings.content.originality import SourceIndex, source_files
from crossings.content.project import Project
from crossings.validate import validate

FIXTURE_SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"


def check(tmp_path, text: str, allowed=()) -> list[str]:
    page = tmp_path / "page.md"
    page.write_text(text)
    index = SourceIndex.build(source_files(FIXTURE_SEEDS), list(allowed))
    return [p.format(tmp_path) for p in index.check(page)]


def test_twelve_copied_words_are_reported_with_both_places(tmp_path):
    text = "# Page\n\nOur view: children who move from a day-care centre to primary school benefit.\n"
    (msg,) = check(tmp_path, text)
    assert msg.startswith("page.md:3: 12 consecutive words are the same as source.txt:1 ")
    assert "rewrite this passage in your own words" in msg


def test_case_punctuation_and_line_breaks_do_not_hide_a_copy(tmp_path):
    text = ("# Page\n\nCentre to PRIMARY school -- benefit when\n"
            "teachers, from both settings, visit each other!\n")
    (msg,) = check(tmp_path, text)
    assert msg.startswith("page.md:3: 13 consecutive words")


def test_eleven_shared_words_are_fine(tmp_path):
    assert check(tmp_path, "# Page\n\nchildren who move from a day-care centre to primary school\n") == []


def test_one_long_copy_is_one_message(tmp_path):
    source = (FIXTURE_SEEDS / "source.txt").read_text()
    (msg,) = check(tmp_path, "# Copied\n\n" + source)
    assert msg.startswith("page.md:3: 34 consecutive words")


def test_allowlisted_title_is_accepted(tmp_path):
    text = "visit each other and plan the first weeks together with the parents."
    assert check(tmp_path, text) != []
    assert check(tmp_path, text, allowed=[
        "teachers from both settings visit each other and plan the first weeks together "
        "with the parents"]) == []


def test_validator_runs_originality_on_every_page(minibook, monkeypatch):
    monkeypatch.setenv("CROSSINGS_SEEDS", str(FIXTURE_SEEDS))
    topic = minibook / "modules" / "demo" / "topic.md"
    topic.write_text(topic.read_text().replace(
        "A {term}`transition` matters", "Children who move from a day-care centre to primary "
        "school benefit when teachers from both settings visit each other. A {term}`transition` matters"))
    report = validate(Project(minibook))
    assert [p.format(minibook)[:60] for p in report.problems] == [
        "modules/demo/topic.md:3: 20 consecutive words are the same a"]


def test_real_content_shares_no_passage_with_the_seeds():
    project = Project(Path(__file__).resolve().parents[2])
    if not source_files(project.seeds):
        if os.environ.get("CI"):
            pytest.fail(f"seed documents missing at {project.seeds}; set CROSSINGS_SEEDS")
        pytest.skip(f"seed documents not found at {project.seeds} (set CROSSINGS_SEEDS)")
    report = validate(project)
    assert [p.format(project.root) for p in report.problems] == []


def test_translations_in_a_catalog_are_checked_at_their_line(tmp_path):
    """A translation (msgstr) that copies a source is reported at its line of the .po file;
    the English msgid (already checked on the page) is not read again."""
    from crossings.content.languages import translated_text

    copied = "children who move from a day-care centre to primary school benefit"
    po = tmp_path / "page.po"
    po.write_text(f'msgid ""\nmsgstr ""\n\nmsgid "{copied}"\nmsgstr "Testo tradotto."\n\n'
                  f'msgid "Other"\nmsgstr ""\n"Altro: {copied}"\n', encoding="utf-8")
    index = SourceIndex.build(source_files(FIXTURE_SEEDS))
    (problem,) = index.check(po, translated_text(po))
    assert problem.line == 9 and "12 consecutive words" in problem.message
