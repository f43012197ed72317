"""Checks of the facilitator packs: references to modules, outcomes, handouts and pages, unused
material, markup. Each returns Problems with file and line."""

from __future__ import annotations

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
