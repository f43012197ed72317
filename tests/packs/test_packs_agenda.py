"""Facilitator packs: agenda arithmetic and validation problems as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

from packs_fixture import MODULE_NOTE, add_demo_pack, line_of

from crossings.content.project import Project
from crossings.packs.checks import load_catalogue
from crossings.packs.documents import handout_document
from crossings.packs.load import facilitator_notes
from crossings.packs.model import Catalogue
from crossings.packs.render import PARTICIPANT, Context, to_pandoc
from crossings.validate import validate

REPO = Path(__file__).resolve().parents[2]


def messages(root: Path) -> list[str]:
    report = validate(Project(root), check_originality=False)
    return [p.format(root) for p in report.problems]


def demo(minibook) -> tuple[Path, Catalogue]:
    pack = add_demo_pack(minibook)
    return pack, load_catalogue(Project(minibook))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_demo_pack_is_valid_and_validator_runs_pack_checks(minibook):
    pack, catalogue = demo(minibook)
    assert catalogue.problems == []
    assert messages(minibook) == []
    # the validator really runs the pack checks: break the pack, the validator reports it
    edit(pack / "pack.yml", "handouts: [case-card]", "handouts: [case-cards]")
    assert any("facilitator/demo-session/pack.yml" in m and "case-cards" in m
               for m in messages(minibook))


def test_start_times_and_totals_are_computed_from_minutes(minibook):
    _, catalogue = demo(minibook)
    pack = catalogue.pack("demo-session")
    short = pack.variant("short")
    planned = [10, 25, 15, 20]
    assert [row.minutes for row in short.rows] == planned
    assert short.total == sum(planned) == 70
    assert [short.time(row.start) for row in short.rows] == ["14:00", "14:10", "14:35", "14:50"]
    assert short.time(short.total) == "15:10"
    assert [row.activity.title for row in short.rows] == [
        "Opening round", "Work on the case", "Break", "Closing round"]
    # without a clock time the agenda shows elapsed time from 0:00
    long = pack.variant("half-day")
    assert [long.time(row.start) for row in long.rows] == ["0:00", "0:30", "2:10"]
    assert long.total == long.slot == 180


def test_rendered_agenda_shows_the_computed_times(minibook):
    pack_dir, catalogue = demo(minibook)
    ctx = Context.load(Project(minibook), catalogue)
    text = to_pandoc((pack_dir / "index.md").read_text(), pack_dir / "index.md", ctx,
                     audience="facilitator", pack=catalogue.pack("demo-session"))
    assert "| 14:35 | Break | 15 |" in text
    assert "| 15:10 | End | |" in text
    assert "**Total: 1 h 10 min** of a 1 h 30 min slot (20 min to spare)." in text
    assert "**Total: 3 h** of a 3 h slot." in text


def test_overrun_is_reported_with_file_and_line(minibook):
    pack, _ = demo(minibook)
    data = pack / "pack.yml"
    edit(data, "{activity: closing, minutes: 20}", "{activity: closing, minutes: 45}")
    line = line_of(data, "- id: short")
    assert messages(minibook) == [
        f"facilitator/demo-session/pack.yml:{line}: variant 'short' runs 95 min, "
        "5 min over its 90-min slot"]


def test_missing_handout_unknown_outcome_and_unknown_activity(minibook):
    pack, _ = demo(minibook)
    data = pack / "pack.yml"
    edit(data, "handouts: [feedback-form]", "handouts: [feedback-form, name-cards]")
    edit(data, "outcomes: [demo-lo1, demo-lo2]", "outcomes: [demo-lo1, demo-lo9]")
    edit(data, "{activity: casework, minutes: 100}", "{activity: case-work, minutes: 100}")
    assert messages(minibook) == [
        f"facilitator/demo-session/pack.yml:{line_of(data, 'outcomes:')}: outcome id "
        "'demo-lo9' is not declared by any module",
        f"facilitator/demo-session/pack.yml:{line_of(data, 'name-cards')}: activity "
        "'closing' uses handout 'name-cards', but "
        "facilitator/demo-session/handouts/name-cards.md does not exist",
        f"facilitator/demo-session/pack.yml:{line_of(data, 'case-work')}: variant 'half-day' "
        "plans activity 'case-work', which is not in 'activities' (known: opening, casework, "
        "closing)",
    ]


def test_page_problems_and_every_problem_at_once(minibook):
    pack, _ = demo(minibook)
    edit(pack / "index.md", ":::{pack-agenda} half-day", ":::{pack-agenda} full-day")
    edit(pack / "pack.yml", "slot: 180", "slot: 150")
    (pack / "handouts" / "unused.md").write_text("# Unused\n\nNobody uses me.\n")
    found = messages(minibook)
    assert f"facilitator/demo-session/index.md:{line_of(pack / 'index.md', 'full-day')}: " \
           "pack-agenda 'full-day': no such variant (known: short, half-day)" in found
    assert "facilitator/demo-session/index.md:1: the page shows no agenda for variant " \
           "'half-day': add ':::{pack-agenda} half-day'" in found
    assert any(m.startswith("facilitator/demo-session/pack.yml:") and "needs a variant with a "
               "180-min slot" in m for m in found)
    assert any(m.startswith("facilitator/demo-session/pack.yml:") and "runs 180 min, 30 min "
               "over its 150-min slot" in m for m in found)
    assert "facilitator/demo-session/handouts/unused.md:1: handout 'unused' is used by no " \
           "activity of pack 'demo-session'" in found


def test_module_notes_are_collected_and_removed_for_participants(minibook):
    pack_dir, catalogue = demo(minibook)
    topic = minibook / "modules" / "demo" / "topic.md"
    (note,) = facilitator_notes(topic)
    assert note.body == MODULE_NOTE
    assert note.line == line_of(topic, "{facilitator-note}")
    assert catalogue.module_notes["demo"] == [note]
    ctx = Context.load(Project(minibook), catalogue)
    page = (pack_dir / "index.md").read_text()
    printed = to_pandoc(page, pack_dir / "index.md", ctx, audience="facilitator",
                        pack=catalogue.pack("demo-session"))
    assert MODULE_NOTE in printed and "Inline pack note" in printed
    handout = catalogue.pack("demo-session").handouts["case-card"]
    assert "Handout note for facilitators only" not in handout_document(handout, ctx)
    assert "Handout note" not in to_pandoc(handout.path.read_text(), handout.path, ctx,
                                           audience=PARTICIPANT, pack=None)


def test_real_packs_are_valid_and_every_handout_exists():
    project = Project(REPO)
    catalogue = load_catalogue(project)
    assert [p.format(REPO) for p in catalogue.problems] == []
    slugs = {p.slug for p in catalogue.packs}
    assert {"transitions", "interprofessional", "leadership", "programme"} <= slugs
    for pack in catalogue.packs:
        refs = pack.used_handouts()
        assert refs, pack.slug
        for ref in refs:
            handout = catalogue.handout(ref, pack)
            assert handout is not None and handout.path.is_file(), (pack.slug, ref)
        for variant in pack.variants:
            assert variant.total == sum(row.minutes for row in variant.rows) <= variant.slot
        if pack.kind == "session":
            assert {v.slot for v in pack.variants} >= {90, 180}
            # every session pack has all six kinds of handout and a focus-group guide
            names = " ".join(catalogue.handout(r, pack).title.lower() for r in refs)
            for kind in ("case cards", "role cards", "review sheet", "planning canvas",
                         "reflection log", "evaluation form", "focus-group guide"):
                assert kind in names, (pack.slug, kind)
