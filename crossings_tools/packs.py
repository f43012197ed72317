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

from . import mdscan
from .bibliography import bib_keys
from .problems import ContentError, Problem
from .project import Project
from .yamlsource import Located, load_front_matter, load_yaml_file

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
ACTIVITY_KEYS = {"id", "title", "grouping", "instructions", "notes", "handouts"}
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


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _minutes(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def page_title(path: Path) -> str:
    """Front-matter title, else the first '#' heading of a Markdown page."""
    try:
        front = load_front_matter(path)
    except ContentError:
        front = None
    if front and isinstance(front.data, dict) and _text(front.data.get("title")):
        return front.data["title"].strip()
    for heading in mdscan.scan(path.read_text(encoding="utf-8")).headings:
        if heading.level == 1:
            return heading.text.strip()
    return ""


def load_pack(folder: Path) -> tuple[Pack, list[Problem]]:
    pack = Pack(folder.name, folder)
    problems: list[Problem] = []
    report = problems.append
    try:
        doc = load_yaml_file(pack.data_file)
    except ContentError as exc:
        return pack, exc.problems
    pack.source = doc
    data, line, path = doc.data, doc.line, pack.data_file
    if not isinstance(data, dict):
        return pack, [Problem(path, 1, "pack.yml must be a mapping (kind, purpose, activities...)")]

    if not pack.page.is_file():
        report(Problem(folder, 1, "pack folder has no index.md (the pack's page)"))
    else:
        pack.title = page_title(pack.page)
        if not pack.title:
            report(Problem(pack.page, 1, "the pack's page needs a front-matter 'title'"))

    for key in data:
        if key not in PACK_KEYS:
            report(Problem(path, line(key), f"unknown pack field '{key}' "
                                            f"(allowed: {', '.join(sorted(PACK_KEYS))})"))
    pack.kind = data.get("kind", "session")
    if pack.kind not in KINDS:
        report(Problem(path, line("kind"), f"'kind' must be one of {', '.join(KINDS)}"))
        pack.kind = "session"
    if pack.kind == "session":
        if not _text(data.get("module")):
            report(Problem(path, 1, "a session pack names its 'module' (a folder of modules/)"))
        else:
            pack.module = data["module"].strip()
    for key in TEXT_FIELDS:
        value = _text(data.get(key))
        if value is None:
            report(Problem(path, line(key) if key in data else 1,
                           f"'{key}' must be a non-empty text"))
        else:
            pack.texts[key] = value

    outcomes = data.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes or \
            not all(isinstance(o, str) for o in outcomes):
        report(Problem(path, line("outcomes") if "outcomes" in data else 1,
                       "'outcomes' must be a non-empty list of outcome ids"))
    else:
        pack.outcomes = outcomes

    for i, item in enumerate(data.get("activities") or []):
        if not isinstance(item, dict):
            report(Problem(path, line("activities", i), "an activity is a mapping with "
                                                        "id, title, grouping, instructions"))
            continue
        for key in item:
            if key not in ACTIVITY_KEYS:
                report(Problem(path, line("activities", i, key),
                               f"unknown activity field '{key}' "
                               f"(allowed: {', '.join(sorted(ACTIVITY_KEYS))})"))
        aid = item.get("id")
        if not isinstance(aid, str) or not ID.match(aid) or aid == BREAK:
            report(Problem(path, line("activities", i, "id"),
                           f"activity id {aid!r} must be lower-case words with hyphens "
                           f"(and not '{BREAK}')"))
            continue
        if aid in pack.activities:
            report(Problem(path, line("activities", i, "id"), f"duplicate activity id '{aid}'"))
            continue
        missing = [k for k in ("title", "grouping", "instructions") if not _text(item.get(k))]
        for key in missing:
            report(Problem(path, line("activities", i), f"activity '{aid}' needs a '{key}'"))
        grouping = _text(item.get("grouping")) or ""
        if grouping and grouping not in GROUPINGS:
            report(Problem(path, line("activities", i, "grouping"),
                           f"unknown grouping '{grouping}' (known: {', '.join(GROUPINGS)})"))
        handouts = item.get("handouts") or []
        if not isinstance(handouts, list) or not all(isinstance(h, str) for h in handouts):
            report(Problem(path, line("activities", i, "handouts"),
                           "'handouts' must be a list of handout ids"))
            handouts = []
        pack.activities[aid] = Activity(aid, _text(item.get("title")) or aid, grouping,
                                        _text(item.get("instructions")) or "",
                                        _text(item.get("notes")) or "", handouts,
                                        line("activities", i, "id"),
                                        line("activities", i, "handouts"))
    if not pack.activities:
        report(Problem(path, line("activities") if "activities" in data else 1,
                       "'activities' must list at least one activity"))

    for i, item in enumerate(data.get("variants") or []):
        variant = _load_variant(item, ("variants", i), doc, path, problems)
        if variant is None:
            continue
        if pack.variant(variant.id):
            report(Problem(path, variant.line, f"duplicate variant id '{variant.id}'"))
            continue
        pack.variants.append(variant)
        problems.extend(compute_agenda(pack, variant))
    slots = {v.slot for v in pack.variants}
    for slot in REQUIRED_SLOTS[pack.kind]:
        if slot not in slots:
            report(Problem(path, line("variants") if "variants" in data else 1,
                           f"a {pack.kind} pack needs a variant with a {slot}-min slot"))
    if not pack.variants:
        report(Problem(path, line("variants") if "variants" in data else 1,
                       "'variants' must list at least one variant"))

    if not _text(data.get("focus_group")):
        report(Problem(path, line("focus_group") if "focus_group" in data else 1,
                       "'focus_group' names the handout with the focus-group guide"))
    else:
        pack.focus_group = data["focus_group"].strip()

    if pack.kind == "programme":
        steps = data.get("timeline")
        if not isinstance(steps, list) or not steps:
            report(Problem(path, line("timeline") if "timeline" in data else 1,
                           "a programme pack needs a 'timeline' of steps"))
            steps = []
        for i, item in enumerate(steps):
            step = _load_step(item, ("timeline", i), doc, path, problems)
            if step is not None:
                if pack.timeline and step.month < pack.timeline[-1].month:
                    report(Problem(path, step.line, f"timeline step '{step.title}' (month "
                                                    f"{step.month}) comes before the step above it"))
                pack.timeline.append(step)
    elif "timeline" in data:
        report(Problem(path, line("timeline"), "only a programme pack has a 'timeline'"))

    handout_dir = folder / "handouts"
    for file in sorted(handout_dir.glob("*.md")) if handout_dir.is_dir() else []:
        title = page_title(file)
        if not title:
            report(Problem(file, 1, "a handout needs a '#' heading (its title)"))
        pack.handouts[file.stem] = Handout(pack.slug, file.stem, file, title or file.stem)
    return pack, problems


def _load_variant(item, where, doc: Located, path: Path, problems: list[Problem]):
    report = problems.append
    if not isinstance(item, dict):
        report(Problem(path, doc.line(*where), "a variant is a mapping with id, title, slot, plan"))
        return None
    for key in item:
        if key not in VARIANT_KEYS:
            report(Problem(path, doc.line(*where, key), f"unknown variant field '{key}' "
                                                        f"(allowed: {', '.join(sorted(VARIANT_KEYS))})"))
    vid = item.get("id")
    if not isinstance(vid, str) or not ID.match(vid):
        report(Problem(path, doc.line(*where, "id"), f"variant id {vid!r} must be lower-case "
                                                     "words with hyphens"))
        return None
    slot = _minutes(item.get("slot"))
    if slot is None:
        report(Problem(path, doc.line(*where, "slot"), f"variant '{vid}' needs a 'slot': the "
                                                       "minutes it may last"))
        slot = 0
    variant = Variant(vid, _text(item.get("title")) or vid, slot, line=doc.line(*where, "id"))
    if not _text(item.get("title")):
        report(Problem(path, variant.line, f"variant '{vid}' needs a 'title'"))
    if "start" in item:
        match = CLOCK.match(str(item["start"]))
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            report(Problem(path, doc.line(*where, "start"),
                           f"'start' must be a clock time like \"09:30\" (quote it), "
                           f"not {item['start']!r}"))
        else:
            variant.start, variant.clock = int(match.group(1)) * 60 + int(match.group(2)), True
    plan = item.get("plan")
    if not isinstance(plan, list) or not plan:
        report(Problem(path, doc.line(*where, "plan") if "plan" in item else variant.line,
                       f"variant '{vid}' needs a 'plan': a list of {{activity, minutes}}"))
        plan = []
    for j, entry in enumerate(plan):
        here = (*where, "plan", j)
        if not isinstance(entry, dict) or set(entry) - PLAN_KEYS \
                or not isinstance(entry.get("activity"), str):
            report(Problem(path, doc.line(*here), "a plan entry is {activity: <id>, minutes: <n>}"))
            continue
        minutes = _minutes(entry.get("minutes"))
        if minutes is None:
            report(Problem(path, doc.line(*here, "minutes"),
                           f"'{entry['activity']}' needs 'minutes', a whole number above 0"))
            continue
        variant.plan.append((entry["activity"], minutes, doc.line(*here)))
    return variant


def _load_step(item, where, doc: Located, path: Path, problems: list[Problem]):
    report = problems.append
    if not isinstance(item, dict) or set(item) - STEP_KEYS:
        report(Problem(path, doc.line(*where), "a timeline step is a mapping with month, title, "
                                               "and 'session' ({pack, variant}) or 'text'"))
        return None
    month = item.get("month")
    if not isinstance(month, int) or isinstance(month, bool) or month < 0:
        report(Problem(path, doc.line(*where, "month"), "'month' is a whole number of months "
                                                        "after the first session (0, 1, 2...)"))
        month = 0
    step = Step(month, _text(item.get("title")) or "", _text(item.get("text")) or "",
                line=doc.line(*where))
    if not step.title:
        report(Problem(path, step.line, "a timeline step needs a 'title'"))
    session = item.get("session")
    if session is not None:
        if not isinstance(session, dict) or not isinstance(session.get("variant"), str):
            report(Problem(path, doc.line(*where, "session"),
                           "'session' is {pack: <slug> (optional), variant: <id>}"))
        else:
            step.pack, step.variant = str(session.get("pack") or ""), session["variant"]
    elif not step.text:
        report(Problem(path, step.line, f"timeline step '{step.title}' needs a 'session' or a "
                                        "'text'"))
    return step


# ---------------------------------------------------------------------------- notes


def facilitator_notes(path: Path) -> list[Note]:
    """Every ``{facilitator-note}`` block of a Markdown page, with its body text."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    notes = []
    for directive in mdscan.scan(text).directives:
        if directive.name != NOTE_DIRECTIVE or not directive.end_line:
            continue
        body_start = max([directive.line] + [line for _, line in directive.options.values()])
        body = "\n".join(lines[body_start:directive.end_line - 1]).strip("\n")
        activity = directive.options.get("activity", ("", 0))[0]
        notes.append(Note(path, directive.line, body, activity))
    return notes


def module_notes(project: Project) -> dict[str, list[Note]]:
    notes: dict[str, list[Note]] = {}
    for folder in project.module_dirs():
        for page in sorted(folder.glob("*.md")):
            found = facilitator_notes(page)
            if found:
                notes.setdefault(folder.name, []).extend(found)
    return notes


# ---------------------------------------------------------------------------- checks


def load_catalogue(project: Project, outcome_ids: set[str] | None = None,
                   module_slugs: set[str] | None = None) -> Catalogue:
    """Load every pack and check everything that can be checked without rendering."""
    catalogue = Catalogue()
    add = catalogue.problems.extend
    for folder in pack_dirs(project):
        pack, problems = load_pack(folder)
        catalogue.packs.append(pack)
        add(problems)
    catalogue.module_notes = module_notes(project)
    if outcome_ids is None or module_slugs is None:
        from .modules import load_modules
        from .vocabulary import load_vocabulary
        modules = load_modules(project, load_vocabulary(project.vocabulary))
        outcome_ids = {o.id for m in modules for o in m.outcomes}
        module_slugs = {m.slug for m in modules}
    keys = bib_keys(project.bibliography) if project.bibliography.is_file() else set()
    for pack in catalogue.packs:
        add(_check_references(catalogue, pack, outcome_ids, module_slugs))
        add(_check_page(pack))
        add(_check_unused(pack))
        for source in [pack.data_file, pack.page, *(h.path for h in pack.handouts.values())]:
            if source.is_file():
                add(check_markup(source, keys))
    for notes in catalogue.module_notes.values():
        for note in notes:
            if note.activity and not any(note.activity in p.activities for p in catalogue.packs):
                add([Problem(note.path, note.line,
                             f"facilitator note names activity '{note.activity}', which no pack "
                             "has")])
    return catalogue


def _check_references(catalogue: Catalogue, pack: Pack, outcome_ids: set[str],
                      module_slugs: set[str]) -> list[Problem]:
    problems = []
    path, doc = pack.data_file, pack.source
    if doc is None:
        return problems
    if pack.module and pack.module not in module_slugs:
        problems.append(Problem(path, doc.line("module"),
                                f"module '{pack.module}' does not exist (known: "
                                f"{', '.join(sorted(module_slugs)) or 'none'})"))
    for i, oid in enumerate(pack.outcomes):
        if oid not in outcome_ids:
            problems.append(Problem(path, doc.line("outcomes", i),
                                    f"outcome id '{oid}' is not declared by any module"))
    for activity in pack.activities.values():
        for ref in activity.handouts:
            if catalogue.handout(ref, pack) is None:
                problems.append(Problem(path, activity.handouts_line,
                                        f"activity '{activity.id}' uses handout '{ref}', but "
                                        f"{_handout_path(pack, ref)} does not exist"))
    if pack.focus_group and catalogue.handout(pack.focus_group, pack) is None:
        problems.append(Problem(path, doc.line("focus_group"),
                                f"focus-group guide '{pack.focus_group}': "
                                f"{_handout_path(pack, pack.focus_group)} does not exist"))
    for step in pack.timeline:
        if not step.variant:
            continue
        target = catalogue.pack(step.pack) if step.pack else pack
        if target is None:
            problems.append(Problem(path, step.line, f"timeline step '{step.title}' uses pack "
                                                     f"'{step.pack}', which does not exist"))
        elif target.variant(step.variant) is None:
            problems.append(Problem(path, step.line,
                                    f"timeline step '{step.title}' uses variant '{step.variant}', "
                                    f"which pack '{target.slug}' does not have"))
    return problems


def _check_unused(pack: Pack) -> list[Problem]:
    problems = []
    planned = {aid for v in pack.variants for aid, _, _ in v.plan}
    for activity in pack.activities.values():
        if activity.id not in planned:
            problems.append(Problem(pack.data_file, activity.line,
                                    f"activity '{activity.id}' is in no variant's plan"))
    used = {ref.rpartition("/")[2] for ref in pack.used_handouts()
            if ref.rpartition("/")[0] in ("", pack.slug)}
    for handout in pack.handouts.values():
        if handout.id not in used:
            problems.append(Problem(handout.path, 1, f"handout '{handout.id}' is used by no "
                                                     f"activity of pack '{pack.slug}'"))
    return problems


def _handout_path(pack: Pack, ref: str) -> str:
    slug, _, hid = ref.rpartition("/")
    return f"facilitator/{slug or pack.slug}/handouts/{hid}.md"


def _check_page(pack: Pack) -> list[Problem]:
    if not pack.page.is_file():
        return []
    page = mdscan.scan(pack.page.read_text(encoding="utf-8"))
    problems = []
    shown = set()
    for d in page.directives:
        if d.name == "pack-agenda":
            if pack.variant(d.argument) is None:
                problems.append(Problem(pack.page, d.line,
                                        f"pack-agenda '{d.argument}': no such variant (known: "
                                        f"{', '.join(v.id for v in pack.variants)})"))
            shown.add(d.argument)
        if d.name == "pack-timeline" and pack.kind != "programme":
            problems.append(Problem(pack.page, d.line, "pack-timeline belongs on a programme pack"))
    for variant in pack.variants:
        if variant.id not in shown:
            problems.append(Problem(pack.page, 1, f"the page shows no agenda for variant "
                                                  f"'{variant.id}': add ':::{{pack-agenda}} "
                                                  f"{variant.id}'"))
    if not any(d.name == "pack-downloads" for d in page.directives):
        problems.append(Problem(pack.page, 1, "the page needs ':::{pack-downloads}' (links to the "
                                              "PDF, the handouts and the zip)"))
    return problems


def check_markup(path: Path, keys: set[str]) -> list[Problem]:
    """Directives and roles in pack text must be ones the PDF and DOCX writers understand."""
    text = path.read_text(encoding="utf-8")
    problems = []
    scanned = mdscan.scan(text) if path.suffix == ".md" else None
    for d in scanned.directives if scanned else []:
        if d.name not in CONVERTIBLE_DIRECTIVES:
            problems.append(Problem(path, d.line, f"directive '{d.name}' cannot be printed in a "
                                                  f"pack (use one of: "
                                                  f"{', '.join(sorted(CONVERTIBLE_DIRECTIVES))})"))
    for number, line in enumerate(text.splitlines(), start=1):
        for match in ROLE.finditer(line):
            role, target = match.groups()
            if role not in CONVERTIBLE_ROLES:
                problems.append(Problem(path, number, f"role '{{{role}}}' cannot be printed in a "
                                                      f"pack (use one of: "
                                                      f"{', '.join(sorted(CONVERTIBLE_ROLES))})"))
            elif role.startswith("cite"):
                for key in (k.strip() for k in target.split(",")):
                    if key not in keys:
                        problems.append(Problem(path, number, f"citation key '{key}' is not in "
                                                              "book/references.bib"))
    return problems


def check_packs(project: Project, modules=None, check_originality: bool = False) -> list[Problem]:
    """All pack problems (the validator's one call). ``modules``: already loaded modules."""
    outcome_ids = module_slugs = None
    if modules is not None:
        outcome_ids = {o.id for m in modules for o in m.outcomes}
        module_slugs = {m.slug for m in modules}
    problems = list(load_catalogue(project, outcome_ids, module_slugs).problems)
    if check_originality:
        from .originality import SourceIndex, load_allowlist, source_files
        files = source_files(project.seeds) if project.seeds.is_dir() else []
        if files:
            index = SourceIndex.build(files, load_allowlist(project.originality_allowlist))
            # Markdown pages are compared by the validator itself; the data files are ours.
            for folder in pack_dirs(project):
                problems += index.check(folder / PACK_FILE)
    return problems
