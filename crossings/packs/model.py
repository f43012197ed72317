"""Facilitator packs: the source format, the computed agenda and the pack checks.

A pack is a folder ``facilitator/<slug>/`` holding

- ``pack.yml``: the data (kind, module, purpose, outcome ids, who is in the room, how to
  compose groups, room and materials, activities, variants with their plans, follow-up,
  focus-group guide, and for a programme its timeline);
- ``index.md``: the pack's page (front-matter ``title`` is the pack's title); its body
  places the generated parts with directives such as ``{pack-agenda} <variant>``;
- ``handouts/*.md``: one MyST page per handout (its ``#`` heading is its title).

Start times and totals are computed from the activity minutes, never typed. Every problem
is reported as ``file:line: message``; ``check_packs`` never stops at the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.problems import Problem
from crossings.content.project import Project
from crossings.content.yamlsource import Located

PACK_FILE = "pack.yml"
KINDS = ("session", "programme")
# A session pack offers a 90-minute and a half-day session (issue 7).
REQUIRED_SLOTS = {"session": (90, 180), "programme": ()}
GROUPINGS = {
    "plenary": "Plenary (everyone together)",
    "individual": "On your own",
    "pairs": "Pairs",
    "mixed-pairs": "Mixed pairs (two sectors)",
    "mixed-trios": "Mixed trios (three sectors)",
    "mixed-groups": "Mixed small groups (4 to 6 people, by sector and provider)",
    "area-groups": "Area groups (people from the same neighbourhood)",
}
BREAK = "break"
TEXT_FIELDS = ("purpose", "participants", "groups", "room", "follow_up")
PACK_KEYS = {"kind", "module", "outcomes", "activities", "variants", "focus_group",
             "timeline", *TEXT_FIELDS}
ACTIVITY_KEYS = {"id", "title", "grouping", "instructions", "notes", "handouts", "teaches",
                 "group_size", "roles", "concepts"}
VARIANT_KEYS = {"id", "title", "slot", "start", "plan"}
PLAN_KEYS = {"activity", "minutes"}
STEP_KEYS = {"month", "title", "session", "text"}
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
# Directives the pack pages and documents understand (rendered for site, PDF and DOCX).
PACK_DIRECTIVES = ("pack-overview", "pack-agenda", "pack-activities", "pack-notes",
                   "pack-downloads", "pack-timeline", "pack-outcomes", "pack-follow-up")
NOTE_DIRECTIVE = "facilitator-note"
CONVERTIBLE_DIRECTIVES = {"admonition", "note", "tip", "important", "warning", "attention",
                          NOTE_DIRECTIVE, *PACK_DIRECTIVES}
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
CONVERTIBLE_ROLES = {"term", "cite:p", "cite:t", "cite", "doc", "ref"}


@dataclass
class Activity:
    id: str
    title: str
    grouping: str
    instructions: str
    notes: str = ""
    handouts: list[str] = field(default_factory=list)
    line: int = 1
    handouts_line: int = 1
    teaches: list[str] = field(default_factory=list)   # outcome ids the activity works on
    group_size: tuple[int, int] | None = None          # people per group (least, most)
    roles: str = ""                                    # the role-card handout it hands out
    lines: dict[str, int] = field(default_factory=dict)  # field -> line in pack.yml
    concepts: list[str] = field(default_factory=list)  # vocabulary concepts the activity uses
    concepts_line: int = 1

    @property
    def grouping_label(self) -> str:
        return GROUPINGS.get(self.grouping, self.grouping)


@dataclass(frozen=True)
class AgendaRow:
    start: int  # minutes after the variant's start time
    minutes: int
    activity: Activity

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass
class Variant:
    id: str
    title: str
    slot: int
    start: int = 0  # minutes after midnight; 0 and no clock means elapsed time
    clock: bool = False
    plan: list[tuple[str, int, int]] = field(default_factory=list)  # (activity id, minutes, line)
    line: int = 1
    rows: list[AgendaRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(minutes for _, minutes, _ in self.plan)

    def time(self, offset: int) -> str:
        """Clock time (or elapsed time) ``offset`` minutes into the session, as H:MM."""
        hours, minutes = divmod(self.start + offset, 60)
        return f"{hours % 24 if self.clock else hours}:{minutes:02d}"


@dataclass
class Handout:
    pack: str
    id: str
    path: Path
    title: str
    kind: str = ""        # '', 'cards' or 'figure' (``% print:`` in the handout, see printing)
    shared: bool = False  # ``% handout: shared``: other packs may use it

    @property
    def ref(self) -> str:
        return f"{self.pack}/{self.id}"


@dataclass
class Step:
    month: int
    title: str
    text: str = ""
    pack: str = ""      # session steps: the pack (empty: this pack) ...
    variant: str = ""   # ... and its variant
    line: int = 1


@dataclass
class Note:
    """A ``{facilitator-note}`` block: never shown to learners, collected into packs."""

    path: Path
    line: int
    body: str
    activity: str = ""


@dataclass
class Pack:
    slug: str
    folder: Path
    title: str = ""
    kind: str = "session"
    module: str = ""
    outcomes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    variants: list[Variant] = field(default_factory=list)
    focus_group: str = ""
    timeline: list[Step] = field(default_factory=list)
    handouts: dict[str, Handout] = field(default_factory=dict)
    source: Located | None = None

    @property
    def data_file(self) -> Path:
        return self.folder / PACK_FILE

    @property
    def page(self) -> Path:
        return self.folder / "index.md"

    @property
    def docname(self) -> str:
        return f"facilitator/{self.slug}/index"

    def variant(self, vid: str) -> Variant | None:
        return next((v for v in self.variants if v.id == vid), None)

    def used_handouts(self) -> list[str]:
        """Handout references in the order the activities and the follow-up first use them."""
        refs: list[str] = []
        for variant in self.variants:
            for row in variant.rows:
                refs += [h for h in row.activity.handouts if h not in refs]
        for activity in self.activities.values():
            refs += [h for h in activity.handouts if h not in refs]
        if self.focus_group and self.focus_group not in refs:
            refs.append(self.focus_group)
        return refs


@dataclass
class Catalogue:
    """Every pack of a project, the facilitator notes of module pages, and all problems."""

    packs: list[Pack] = field(default_factory=list)
    module_notes: dict[str, list[Note]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def pack(self, slug: str) -> Pack | None:
        return next((p for p in self.packs if p.slug == slug), None)

    def handout(self, ref: str, here: Pack) -> Handout | None:
        """A handout by id (``id`` in ``here``) or by ``pack/id`` in another pack."""
        pack_slug, _, hid = ref.rpartition("/")
        pack = self.pack(pack_slug) if pack_slug else here
        return pack.handouts.get(hid) if pack else None


def facilitator_dir(project: Project) -> Path:
    return project.root / "facilitator"


def pack_dirs(project: Project) -> list[Path]:
    base = facilitator_dir(project)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir()
                  if p.is_dir() and p.name[0] not in "_." and (p / PACK_FILE).is_file())


def pack_sources(project: Project) -> list[Path]:
    """Every file a pack is built from (its data, page and handouts)."""
    files = []
    for folder in pack_dirs(project):
        files += [folder / PACK_FILE, folder / "index.md",
                  *sorted((folder / "handouts").glob("*.md"))]
    return [f for f in files if f.is_file()]


# ---------------------------------------------------------------------------- agenda


def compute_agenda(pack: Pack, variant: Variant) -> list[Problem]:
    """Fill ``variant.rows`` (start times from durations) and check the slot."""
    problems = []
    variant.rows = []
    offset = 0
    for activity_id, minutes, line in variant.plan:
        activity = pack.activities.get(activity_id)
        if activity is None and activity_id == BREAK:
            activity = Activity(BREAK, "Break", "plenary", "", line=line)
        if activity is None:
            problems.append(Problem(pack.data_file, line,
                                    f"variant '{variant.id}' plans activity '{activity_id}', which "
                                    f"is not in 'activities' (known: "
                                    f"{', '.join(pack.activities) or 'none'})"))
            continue
        variant.rows.append(AgendaRow(offset, minutes, activity))
        offset += minutes
    if variant.total > variant.slot:
        problems.append(Problem(pack.data_file, variant.line,
                                f"variant '{variant.id}' runs {variant.total} min, "
                                f"{variant.total - variant.slot} min over its {variant.slot}-min "
                                f"slot"))
    return problems


# ---------------------------------------------------------------------------- loading












# ---------------------------------------------------------------------------- notes






# ---------------------------------------------------------------------------- checks














