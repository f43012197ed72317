"""The content validator reports every broken rule as `file:line: message`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crossings.content.project import Project
from crossings.validate import validate


def messages(root: Path) -> list[str]:
    report = validate(Project(root), check_originality=False)
    return [p.format(root) for p in report.problems]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_book_is_valid(minibook):
    assert messages(minibook) == []


def test_real_content_is_valid():
    root = Path(__file__).resolve().parents[2]
    report = validate(Project(root), check_originality=False)
    assert [p.format(root) for p in report.problems] == []
    assert report.modules >= 1


def test_missing_front_matter_field(minibook):
    replace(minibook / "modules/demo/index.md", "minutes: 30\n", "")
    assert messages(minibook) == ["modules/demo/index.md:2: front matter is missing 'minutes'"]


def test_broken_yaml_names_line(minibook):
    replace(minibook / "modules/demo/index.md", "audiences: [ecec, school]", "audiences: [ecec, school")
    # the line where the bracket opens (PyYAML alone names the next line), root cause first
    assert messages(minibook)[0] == (
        "modules/demo/index.md:4:12: a list in brackets is opened here but never closed: add the "
        "closing bracket")


def test_unknown_concept_and_audience(minibook):
    index = minibook / "modules/demo/index.md"
    replace(index, "concepts: [continuity-pedagogical, governance-transitions]",
            "concepts: [continuity-pedagogical, continuity-magical]")
    replace(index, "audiences: [ecec, school]", "audiences: [ecec, teachers]")
    assert messages(minibook) == [
        "modules/demo/index.md:4: unknown audience 'teachers' (known: ecec, school)",
        "modules/demo/index.md:16: unknown concept id 'continuity-magical' (see book/vocabulary.yml)",
    ]


def test_duplicate_and_malformed_outcome_ids(minibook):
    index = minibook / "modules/demo/index.md"
    replace(index, "id: demo-lo2", "id: demo-lo1")
    replace(index, "id: demo-lo4", "id: lo4")
    assert messages(minibook) == [
        "modules/demo/index.md:9: duplicate outcome id 'demo-lo1'",
        "modules/demo/index.md:13: outcome id 'lo4' must look like 'demo-lo1'",
        # a consequence, after the root causes: the page links to the renamed outcome
        "modules/demo/index.md:26: unknown target 'demo-lo2' ({ref}) — did you mean 'demo-lo3'?",
    ]


def test_outcome_id_declared_by_two_modules(minibook):
    other = minibook / "modules/other"
    other.mkdir()
    text = (minibook / "modules/demo/index.md").read_text()
    (other / "index.md").write_text(text.replace("id: demo-lo1", "id: other-lo1")
                                    .replace("demo-lo", "other-lo").replace("other-lo1", "demo-lo1", 1)
                                    .replace("{doc}`topic`", "this"))
    result = messages(minibook)
    assert "modules/other/index.md:7: outcome id 'demo-lo1' must look like 'other-lo1'" in result
    assert any(m.startswith("modules/other/index.md:7: outcome id 'demo-lo1' is also declared in")
               for m in result)
    assert "modules/other/index.md:1: page is not in _toc.yml: add it there (or rename it with " \
           "a leading '_' if it is not a page)" in result


def test_missing_alt_text(minibook):
    topic = minibook / "modules/demo/topic.md"
    replace(topic, ":alt: A single dot on a white background.\n", "")
    replace(topic, "A {term}", "![](images/dot.svg) and <img src='images/dot.svg'> A {term}")
    assert messages(minibook) == [
        "modules/demo/topic.md:3: image '<img src='images/dot.svg'>' has no alt text",
        "modules/demo/topic.md:3: image 'images/dot.svg' has no alt text",
        "modules/demo/topic.md:5: figure 'images/dot.svg' has no :alt: text",
    ]


def test_skipped_heading_level_and_second_title(minibook):
    replace(minibook / "modules/demo/topic.md", ":::{admonition} Reflect",
            "### Too deep\n\n# Another title\n\n:::{admonition} Reflect")
    replace(minibook / "modules/demo/index.md", "## Pages", "# Pages")
    assert messages(minibook) == [
        "modules/demo/index.md:24: second top-level heading 'Pages': the front-matter title "
        "is already the page heading",
        "modules/demo/topic.md:11: heading level skipped: '### Too deep' follows a level-1 "
        "heading (use ##)",
        "modules/demo/topic.md:13: second top-level heading 'Another title': a page has "
        "exactly one '#' heading",
    ]


def test_required_blocks_of_topic_pages(minibook):
    topic = minibook / "modules/demo/topic.md"
    replace(topic, ":class: keypoints", ":class: tip")
    replace(topic, ":class: reflection", ":class: note")
    assert messages(minibook) == [
        "modules/demo/topic.md:19: a topic page ends with exactly one 'Key points' admonition "
        "(:class: keypoints); found 0",
        "modules/demo/topic.md:19: a topic page needs at least one 'Reflect' admonition "
        "(:class: reflection)",
    ]


def test_role_tabs_share_one_sync_group(minibook):
    replace(minibook / "modules/demo/topic.md", ":::{admonition} Reflect",
            "::::{tab-set}\n:sync-group: sector\n\n:::{tab-item} ECEC\n:sync: ecec\nText.\n:::\n"
            "::::\n\n::::{tab-set}\n:sync-group: role\n\n:::{tab-item} Health\n:sync: social-health\n"
            "Text.\n:::\n::::\n\n:::{admonition} Reflect")
    assert messages(minibook) == [
        "modules/demo/topic.md:12: tab-set needs ':sync-group: role' so a reader's role choice "
        "follows them",
        "modules/demo/topic.md:24: role tab 'Health' needs ':sync:' with one of ecec, school, "
        "social, health, policy",
    ]


def test_page_missing_from_toc_and_toc_entry_without_file(minibook):
    (minibook / "modules/demo/extra.md").write_text("# Extra\n")
    replace(minibook / "_toc.yml", "  - file: book/references\n",
            "  - file: book/references\n  - file: book/missing\n")
    result = messages(minibook)
    assert "_toc.yml:6: 'book/missing' has no file" in result
    assert "modules/demo/extra.md:1: page is not in _toc.yml: add it there (or rename it with a " \
           "leading '_' if it is not a page)" in result


def test_glossary_duplicates(minibook):
    with (minibook / "book/glossary.yml").open("a") as fh:
        fh.write("- term: transition\n  definition: Again.\n")
    assert messages(minibook) == [
        "book/glossary.yml:3: term 'transition' is already defined at line 1",
    ]


def test_cli_exit_code_and_output(minibook):
    replace(minibook / "modules/demo/index.md", "minutes: 30", "minutes: lots")
    proc = subprocess.run([sys.executable, "-m", "crossings", "validate", "--root",
                           str(minibook), "--no-originality"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "modules/demo/index.md:5: 'minutes' must be a whole number from 15 to 900"]
    assert "1 problem(s)" in proc.stderr
    replace(minibook / "modules/demo/index.md", "minutes: lots", "minutes: 30")
    proc = subprocess.run([sys.executable, "-m", "crossings", "validate", "--root",
                           str(minibook), "--no-originality"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_vocabulary_label_with_unquoted_comma_and_unknown_source(minibook):
    vocab = minibook / "book/vocabulary.yml"
    replace(vocab, "{id: continuity-pedagogical, label: Pedagogical continuity}",
            "{id: continuity-pedagogical, label: Pedagogical, continuity}")
    replace(vocab, "source: fixture2024", "source: nobody2020")
    assert messages(minibook) == [
        "book/vocabulary.yml:7: framework 'continuities' cites 'nobody2020', which is not a key "
        "of references.bib",
        "book/vocabulary.yml:9: unexpected key 'continuity' in concept 'continuity-pedagogical' "
        "(a label with a comma must be quoted)",
    ]
