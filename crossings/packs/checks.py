"""Checks of the facilitator packs: references to modules, outcomes, handouts and pages, unused
material, markup. Each returns Problems with file and line."""

from __future__ import annotations

import re
from pathlib import Path

from crossings.content import mdscan
from crossings.content.bibliography import bib_keys
from crossings.content.problems import Problem
from crossings.content.project import Project
from crossings.packs.load import load_pack, module_notes
from crossings.packs.model import (
    CONVERTIBLE_DIRECTIVES,
    CONVERTIBLE_ROLES,
    PACK_FILE,
    ROLE,
    Catalogue,
    Pack,
    pack_dirs,
)


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
    uses = [(a.handouts_line, f"activity '{a.id}'", ref) for a in pack.activities.values()
            for ref in a.handouts]
    if pack.focus_group:
        uses.append((doc.line("focus_group"), "the focus-group guide", pack.focus_group))
    for line, who, ref in uses:
        handout = catalogue.handout(ref, pack)
        if handout is None:
            problems.append(Problem(path, line, f"{who} uses handout '{ref}', but "
                                                f"{_handout_path(pack, ref)} does not exist"))
        elif handout.pack != pack.slug and not handout.shared:
            problems.append(Problem(path, line, f"{who} uses handout '{ref}' of another pack, "
                                                f"which is not declared shared: write this "
                                                f"pack's own handout, or add '% handout: "
                                                f"shared' to {_handout_path(pack, ref)}"))
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


NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10}
_N = r"(\d+|" + "|".join(NUMBERS) + r")"
GROUPS_OF = re.compile(rf"\bgroups? of {_N}(?:\s+(?:to|or|-)\s+{_N})?\b", re.I)
# The names of printed materials: a kind word and a form word ("role cards", "review sheet").
MATERIAL = re.compile(r"\b(case|role|viewpoint|vignette|review|planning|project|reflection|"
                      r"evaluation|focus-group|meeting|roadmap)\s+(cards?|sheets?|canvas|log|"
                      r"forms?|guide|checklist|figure|report)\b", re.I)


def _text_lines(pack: Pack, key_line: int, text: str):
    """(line number, line) of a block text written under the key on ``key_line``."""
    for i, line in enumerate(text.splitlines()):
        yield key_line + 1 + i, line


def _material_ok(kind: str, noun: str, titles: list[str]) -> bool:
    kind, noun = kind.lower().rstrip("s"), noun.lower().rstrip("s")
    return any(kind in t and noun in t for t in titles)


def _check_materials(catalogue: Catalogue, pack: Pack) -> list[Problem]:
    """Every handout-like material the room text or an activity names is in the pack."""
    problems = []
    doc = pack.source
    if doc is None:
        return problems

    def titles(refs) -> list[str]:
        found = [catalogue.handout(r, pack) for r in refs]
        return [f"{h.title} {h.id.replace('-', ' ')}".lower() for h in found if h]

    everything = titles(pack.used_handouts())
    texts = []
    if "room" in pack.texts:
        texts.append(("the room and materials", doc.line("room"), pack.texts["room"], everything))
    for a in pack.activities.values():
        texts.append((f"activity '{a.id}'", a.lines.get("instructions", a.line), a.instructions,
                      titles(a.handouts) + titles([pack.focus_group] if pack.focus_group else [])))
    for who, key_line, text, names in texts:
        for number, line in _text_lines(pack, key_line, text):
            for match in MATERIAL.finditer(line):
                if not _material_ok(match.group(1), match.group(2), names):
                    named = match.group(0)
                    problems.append(Problem(pack.data_file, number,
                                            f"{who} names '{named}', but no handout it lists "
                                            f"has that name: add the handout (a printable page "
                                            f"in facilitator/{pack.slug}/handouts/) and list it "
                                            f"in the activity's 'handouts'"))
    return problems


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _check_groups(catalogue: Catalogue, pack: Pack) -> list[Problem]:
    """Group sizes and role cards agree, and so does every 'groups of N' in the texts."""
    problems = []
    doc = pack.source
    for activity in pack.activities.values():
        if activity.group_size is None:
            continue
        least, most = activity.group_size
        where = activity.lines.get("group_size", activity.line)
        if activity.roles:
            handout = catalogue.handout(activity.roles, pack)
            if handout is None:
                problems.append(Problem(pack.data_file, activity.lines["roles"],
                                        f"role cards '{activity.roles}': "
                                        f"{_handout_path(pack, activity.roles)} does not exist"))
                continue
            roles = [h.text for h in mdscan.scan(handout.path.read_text(encoding="utf-8"))
                     .headings if h.level == 2]
            required = [r for r in roles if "(optional)" not in r.lower()]
            if len(required) > least or len(roles) < most:
                problems.append(Problem(pack.data_file, where,
                                        f"activity '{activity.id}' has groups of {least}"
                                        f"{'' if least == most else f' to {most}'}, but its "
                                        f"role cards ({handout.path.name}) have "
                                        f"{len(required)} roles everyone must play and "
                                        f"{len(roles)} in all: every group needs "
                                        f"{len(required)} to {len(roles)} people (mark a role "
                                        f"'(optional)' in its heading)"))
        texts = [(activity.lines.get("instructions", activity.line), activity.instructions)]
        if doc is not None:
            texts += [(doc.line(k), pack.texts[k]) for k in ("groups", "room") if k in pack.texts]
        for key_line, text in texts:
            for number, line in _text_lines(pack, key_line, text):
                for match in GROUPS_OF.finditer(line):
                    low = _count(match.group(1))
                    high = _count(match.group(2)) if match.group(2) else low
                    if low > least or high < most:
                        problems.append(Problem(pack.data_file, number,
                                                f"'{match.group(0)}' does not fit activity "
                                                f"'{activity.id}', whose groups have {least} to "
                                                f"{most} people"))
    return problems


def _check_outcomes(pack: Pack) -> list[Problem]:
    problems = []
    for activity in pack.activities.values():
        for oid in activity.teaches:
            if oid not in pack.outcomes:
                problems.append(Problem(pack.data_file, activity.lines.get("teaches",
                                                                           activity.line),
                                        f"activity '{activity.id}' teaches '{oid}', but the "
                                        f"pack's 'outcomes' do not list it"))
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
        from crossings.content.originality import SourceIndex, load_allowlist, source_files
        files = source_files(project.seeds) if project.seeds.is_dir() else []
        if files:
            index = SourceIndex.build(files, load_allowlist(project.originality_allowlist))
            # Markdown pages are compared by the validator itself; the data files are ours.
            for folder in pack_dirs(project):
                problems += index.check(folder / PACK_FILE)
    return problems


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
        from crossings.content.modules import load_modules
        from crossings.content.vocabulary import load_vocabulary
        modules = load_modules(project, load_vocabulary(project.vocabulary))
        outcome_ids = {o.id for m in modules for o in m.outcomes}
        module_slugs = {m.slug for m in modules}
    keys = bib_keys(project.bibliography) if project.bibliography.is_file() else set()
    for pack in catalogue.packs:
        add(_check_references(catalogue, pack, outcome_ids, module_slugs))
        add(_check_page(pack))
        add(_check_unused(pack))
        add(_check_materials(catalogue, pack))
        add(_check_groups(catalogue, pack))
        add(_check_outcomes(pack))
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
