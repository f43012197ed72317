"""Authoring mistakes named where they are: references, YAML syntax, front-matter keys.

Each test breaks the fixture book in one way and asserts the exact `file:line` output
of `crossings validate` (no Sphinx involved).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crossings.content.project import Project
from crossings.validate import validate


def messages(root: Path) -> list[str]:
    return [p.format(root) for p in validate(Project(root), check_originality=False).problems]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_unknown_doc_ref_term_and_cite_targets_get_a_suggestion(minibook):
    replace(minibook / "modules/demo/index.md", "{doc}`topic`", "{doc}`topik`")
    replace(minibook / "modules/demo/index.md", "{ref}`demo-lo2`", "{ref}`demo-l02`")
    replace(minibook / "modules/demo/topic.md", "{term}`transition`", "{term}`transiton`")
    replace(minibook / "modules/demo/topic.md", "{cite:p}`fixture2024`", "{cite:p}`fixture2042`")
    assert messages(minibook) == [
        "modules/demo/index.md:26: unknown target 'demo-l02' ({ref}) — did you mean 'demo-lo2'?",
        "modules/demo/index.md:26: unknown target 'topik' ({doc}) — did you mean 'topic'?",
        "modules/demo/topic.md:3: unknown target 'fixture2042' ({cite:p}: not a key of "
        "book/references.bib) — did you mean 'fixture2024'?",
        "modules/demo/topic.md:3: unknown target 'transiton' ({term}: not in book/glossary.yml) "
        "— did you mean 'transition'?",
    ]


def test_absolute_doc_link_and_explicit_titles(minibook):
    replace(minibook / "modules/demo/index.md", "{doc}`topic`",
            "{doc}`the topic </modules/demo/topics>` and {ref}`a title <nowhere-at-all>`")
    assert messages(minibook) == [
        "modules/demo/index.md:26: unknown target '/modules/demo/topics' ({doc}) — did you mean "
        "'/modules/demo/topic'?",
        "modules/demo/index.md:26: unknown target 'nowhere-at-all' ({ref})",
    ]


def test_references_in_code_blocks_are_not_checked(minibook):
    replace(minibook / "modules/demo/topic.md", "A {term}",
            "```\n{doc}`not-a-page`\n```\n\nA {term}")
    assert messages(minibook) == []


def test_missing_figure_file_gets_a_suggestion(minibook):
    replace(minibook / "modules/demo/topic.md", ":::{figure} images/dot.svg", ":::{figure} images/dott.svg")
    assert messages(minibook) == [
        "modules/demo/topic.md:5: unknown target 'images/dott.svg' (figure file not found) — "
        "did you mean 'images/dot.svg'?",
    ]


def test_unclosed_quote_is_reported_where_it_opens(minibook):
    replace(minibook / "modules/demo/index.md", "summary: A module used by the tests.",
            'summary: "A module used by the tests.')
    assert messages(minibook)[0] == (
        "modules/demo/index.md:3:10: a quote is opened here but never closed: add the closing "
        "quote on this line")


def test_tab_indentation(minibook):
    replace(minibook / "modules/demo/index.md", "  - id: demo-lo3", "\t- id: demo-lo3")
    assert messages(minibook)[0] == (
        "modules/demo/index.md:11:1: a tab is used for indentation: YAML indents with spaces only")


def test_missing_colon(minibook):
    replace(minibook / "modules/demo/index.md", "minutes: 30", "minutes 30")
    assert messages(minibook)[0] == (
        "modules/demo/index.md:5:1: a line in this block has no colon: write 'key: value'")


def test_duplicate_key(minibook):
    replace(minibook / "modules/demo/index.md", "minutes: 30", "minutes: 30\ntitle: Again")
    assert messages(minibook)[0] == (
        "modules/demo/index.md:6:1: the key 'title' is written twice in the same block (first "
        "at line 2): keep one of them")


def test_misspelt_front_matter_key_comes_first_with_the_closest_key(minibook):
    replace(minibook / "modules/demo/index.md", "outcomes:", "outcome:")
    found = messages(minibook)
    assert found[0] == "modules/demo/index.md:6: unknown front-matter key 'outcome' — did you " \
                       "mean 'outcomes'?"
    # the "missing 'outcomes'" line would only repeat the root cause
    assert not any("missing 'outcomes'" in m for m in found)
    # consequences (outcome ids that no longer exist) come after the root cause
    assert any("demo-lo" in m for m in found[1:])


def test_cli_prints_the_messages_in_order(minibook):
    replace(minibook / "modules/demo/index.md", "minutes: 30", "minutes: 30\ntitle: Again")
    proc = subprocess.run([sys.executable, "-m", "crossings", "validate", "--root",
                           str(minibook), "--no-originality"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        "modules/demo/index.md:6:1: the key 'title' is written twice in the same block (first "
        "at line 2): keep one of them")
