"""Reading the pack sources: pack.md front matter (variants, activities, handouts), facilitator
notes and the module notes, with file:line problems."""

from __future__ import annotations

from pathlib import Path

from crossings.content import mdscan
from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.yamlsource import Located, load_yaml_file
from crossings.packs import printing
from crossings.packs.model import (
    ACTIVITY_KEYS,
    BREAK,
    CLOCK,
    GROUPINGS,
    ID,
    KINDS,
    NOTE_DIRECTIVE,
    PACK_KEYS,
    PLAN_KEYS,
    REQUIRED_SLOTS,
    STEP_KEYS,
    TEXT_FIELDS,
    VARIANT_KEYS,
    Activity,
    Handout,
    Note,
    Pack,
    Step,
    Variant,
    compute_agenda,
)


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _minutes(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


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
        pack.title = mdscan.page_title(pack.page)
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
        concepts = item.get("concepts") or []
        if not isinstance(concepts, list) or not all(isinstance(c, str) for c in concepts):
            report(Problem(path, line("activities", i, "concepts"),
                           "'concepts' must be a list of concept ids from book/vocabulary.yml"))
            concepts = []
        activity = Activity(aid, _text(item.get("title")) or aid, grouping,
                            _text(item.get("instructions")) or "",
                            _text(item.get("notes")) or "", handouts,
                            line("activities", i, "id"), line("activities", i, "handouts"),
                            concepts=concepts, concepts_line=line("activities", i, "concepts"))
        activity.lines = {key: line("activities", i, key) for key in item}
        _load_group_fields(activity, item, path, problems)
        pack.activities[aid] = activity
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
        title = mdscan.page_title(file)
        if not title:
            report(Problem(file, 1, "a handout needs a '#' heading (its title)"))
        text = file.read_text(encoding="utf-8")
        pack.handouts[file.stem] = Handout(pack.slug, file.stem, file, title or file.stem,
                                           printing.print_kind(text), printing.is_shared(text))
    return pack, problems


def _load_group_fields(activity: Activity, item: dict, path: Path,
                       problems: list[Problem]) -> None:
    """``teaches`` (outcome ids), ``group_size`` (n or [least, most]) and ``roles``."""
    teaches = item.get("teaches", [])
    if not isinstance(teaches, list) or not all(isinstance(t, str) for t in teaches):
        problems.append(Problem(path, activity.lines.get("teaches", activity.line),
                                "'teaches' must be a list of outcome ids"))
    else:
        activity.teaches = teaches
    size = item.get("group_size")
    if size is not None:
        pair = [size, size] if isinstance(size, int) else size
        if not isinstance(pair, list) or len(pair) != 2 or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in pair) \
                or pair[0] > pair[1]:
            problems.append(Problem(path, activity.lines["group_size"],
                                    "'group_size' is a number of people or [least, most]"))
        else:
            activity.group_size = (pair[0], pair[1])
    roles = item.get("roles")
    if roles is not None:
        if not _text(roles):
            problems.append(Problem(path, activity.lines["roles"],
                                    "'roles' names the role-card handout"))
        else:
            activity.roles = roles.strip()
            if activity.group_size is None:
                problems.append(Problem(path, activity.lines["roles"],
                                        f"activity '{activity.id}' hands out role cards: give "
                                        "its 'group_size' too"))


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
