"""The pack checks of issue 16, each broken on purpose in a copy of the real packs:
named materials, group sizes and role cards, shared handouts, taught outcomes, and
generated sentences that repeat a heading. Every problem is ``file:line: message``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from packs_fixture import line_of

from crossings.content.project import Project
from crossings.packs.checks import load_catalogue
from crossings.packs.generated import check_generated
from crossings.packs.render import Context

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path) -> Path:
    """The real book's content (modules, packs, book data), copied to be broken."""
    target = tmp_path / "repo"
    target.mkdir()
    for name in ("modules", "facilitator", "book", "exercises", "_config.yml", "_toc.yml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    return target


def problems(root: Path) -> list[str]:
    return [p.format(root) for p in load_catalogue(Project(root)).problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_real_packs_pass_every_check(repo):
    assert problems(repo) == []
    ctx = Context.load(Project(repo))
    assert [p for pack in ctx.catalogue.packs for p in check_generated(pack, ctx)] == []


def test_a_named_material_must_be_a_handout_of_the_activity(repo):
    data = repo / "facilitator/leadership/pack.yml"
    edit(data, "handouts: [review-sheet, roadmap-figure]", "handouts: [review-sheet]")
    edit(data, "put coloured dots on", "put coloured dots on the printed roadmap figure and on")
    (repo / "facilitator/leadership/handouts/roadmap-figure.md").unlink()
    found = problems(repo)
    line = line_of(data, "printed roadmap figure and on")
    assert f"facilitator/leadership/pack.yml:{line}: activity 'roadmap' names 'roadmap " \
           "figure', but no handout it lists has that name: add the handout (a printable " \
           "page in facilitator/leadership/handouts/) and list it in the activity's " \
           "'handouts'" in found


def test_group_size_must_fit_the_role_cards_and_the_texts(repo):
    data = repo / "facilitator/interprofessional/pack.yml"
    edit(data, "group_size: [5, 7]", "group_size: 4")
    found = problems(repo)
    assert f"facilitator/interprofessional/pack.yml:{line_of(data, 'group_size: 4')}: " \
           "activity 'meeting' has groups of 4, but its role cards (role-cards.md) have 5 " \
           "roles everyone must play and 7 in all: every group needs 5 to 7 people (mark a " \
           "role '(optional)' in its heading)" in found
    edit(data, "group_size: 4", "group_size: [5, 7]")
    edit(data, "tables for groups of five to seven", "tables for groups of four")
    assert problems(repo) == [
        f"facilitator/interprofessional/pack.yml:{line_of(data, 'tables for groups of four')}: "
        "'groups of four' does not fit activity 'meeting', whose groups have 5 to 7 people"]


def test_a_handout_of_another_pack_must_be_declared_shared(repo):
    guide = repo / "facilitator/transitions/handouts/focus-group-guide.md"
    edit(guide, "% handout: shared (other packs use it too)\n", "")
    data = repo / "facilitator/interprofessional/pack.yml"
    assert problems(repo) == [
        f"facilitator/interprofessional/pack.yml:{line_of(data, 'focus_group:')}: the "
        "focus-group guide uses handout 'transitions/focus-group-guide' of another pack, "
        "which is not declared shared: write this pack's own handout, or add '% handout: "
        "shared' to facilitator/transitions/handouts/focus-group-guide.md"]


def test_every_taught_outcome_is_listed(repo):
    data = repo / "facilitator/transitions/pack.yml"
    edit(data, "transitions-lo3, transitions-lo4, transitions-lo5]",
         "transitions-lo3, transitions-lo5]")
    assert problems(repo) == [
        f"facilitator/transitions/pack.yml:{line_of(data, 'teaches: [transitions-lo4]')}: "
        "activity 'cases-compare' teaches 'transitions-lo4', but the pack's 'outcomes' do "
        "not list it"]


def test_generated_sentence_may_not_repeat_a_heading(repo):
    # A variant title that the generated lines ("Formats: ...", "Time: ...") would repeat
    # after the timeline's heading "Month 4: Session 4: sharing the pilot projects".
    data = repo / "facilitator/programme/pack.yml"
    edit(data, 'title: "Session 4: sharing the pilot projects (half day)"',
         'title: "Sharing the pilot projects (half day)"')
    ctx = Context.load(Project(repo))
    found = [p.format(repo) for p in check_generated(ctx.catalogue.pack("programme"), ctx)]
    assert found and all(f.startswith("facilitator/programme/index.md:") for f in found)
    assert any("repeats the heading words 'sharing the pilot projects'" in f for f in found)
