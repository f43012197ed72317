"""Render packs: the generated parts as MyST, and MyST pages as pandoc Markdown.

One renderer serves both outputs. ``render_part`` turns a pack directive
(``pack-agenda``, ``pack-activities``...) into MyST text; the Sphinx extension parses
that text into the site page, and ``to_pandoc`` converts the same text (and the rest of
the page and the handouts) into pandoc Markdown for the PDF (Typst) and the DOCX/ODT
handouts. So the site and the printed pack cannot drift apart.

Facilitator notes (``{facilitator-note}``) are kept for facilitator audiences (pack
pages, the pack PDF) and dropped for participant handouts (DOCX/ODT).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossings.content import mdscan
from crossings.content.mdscan import page_title
from crossings.content.modules import format_minutes, load_modules
from crossings.content.project import Project
from crossings.content.vocabulary import load_vocabulary
from crossings.content.yamlsource import split_front_matter
from crossings.packs import printing
from crossings.packs.checks import load_catalogue
from crossings.packs.interface import Gettext, agenda_table, same
from crossings.packs.model import (
    BREAK,
    NOTE_DIRECTIVE,
    ROLE,
    Catalogue,
    Handout,
    Note,
    Pack,
    Variant,
)

LABEL = re.compile(r"^\s*\(([\w:.-]+)\)=\s*$")
COLON_OPEN = re.compile(r"^(\s*)(:{3,})\{([\w:-]+)\}\s*(.*)$")
TICK_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})(\s+.*)$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
ADMONITION_TITLES = {"note": "Note", "tip": "Tip", "important": "Important",
                     "warning": "Warning", "attention": "Attention"}
FACILITATOR = "facilitator"
PARTICIPANT = "participant"
SITE, PRINT = "site", "print"


@dataclass
class Context:
    """What rendering needs to know about the whole project, loaded once."""

    project: Project
    catalogue: Catalogue
    titles: dict[str, str] = field(default_factory=dict)          # docname -> title
    labels: dict[str, str] = field(default_factory=dict)          # label -> text
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (module, text)
    module_titles: dict[str, str] = field(default_factory=dict)
    assets: dict[str, Path] = field(default_factory=dict)         # file name -> image to copy
    language: Any = None    # packs.language.PackLanguage: the printed pack in another language
    gettext: Gettext = same  # its interface catalog (the words of this code)

    @classmethod
    def load(cls, project: Project, catalogue: Catalogue | None = None) -> Context:
        vocabulary = load_vocabulary(project.vocabulary)
        modules = load_modules(project, vocabulary)
        if catalogue is None:
            catalogue = load_catalogue(project, {o.id for m in modules for o in m.outcomes},
                                       {m.slug for m in modules})
        ctx = cls(project, catalogue)
        for module in modules:
            ctx.module_titles[module.slug] = module.title
            for outcome in module.outcomes:
                ctx.outcomes[outcome.id] = (module.slug, outcome.text)
                ctx.labels[outcome.id] = outcome.text
        for page in project.content_pages():
            docname = project.docname(page)
            ctx.titles[docname] = page_title(page)
            lines = page.read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(lines):
                match = LABEL.match(line)
                if match:
                    following = next((x for x in lines[i + 1:] if x.strip()), "")
                    heading = HEADING.match(following)
                    ctx.labels.setdefault(match.group(1), heading.group(2).strip() if heading
                                          else ctx.titles[docname])
        return ctx

    def doc_title(self, target: str, source: Path) -> str:
        return self.titles.get(resolve_doc(self.project, target, source), target)

    def translated(self, text: str, source: Path, page: bool = False) -> str:
        """MyST ``text`` of ``source`` (a whole page if ``page``) in this context's language."""
        if self.language is None:
            return text
        return self.language.translate(text, self.project.docname(source), page)


def resolve_doc(project: Project, target: str, source: Path) -> str:
    """The docname a ``{doc}`` target written in ``source`` points to."""
    target = target.strip()
    if target.endswith(".md"):
        target = target[:-3]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    base = posixpath.dirname(project.docname(source))
    return posixpath.normpath(posixpath.join(base, target))


# ---------------------------------------------------------------------------- generated parts


def heading(level: int, text: str) -> str:
    return f"{'#' * min(level, 6)} {text}"


def render_part(name: str, argument: str, pack: Pack, ctx: Context, level: int,
                target: str, gettext: Gettext = same) -> str:
    """MyST text for pack directive ``name`` at heading ``level`` (for ``target``);
    ``gettext`` translates what the page's own catalog cannot (see ``packs.interface``)."""
    renderers = {
        "pack-overview": render_overview,
        "pack-agenda": render_agenda,
        "pack-activities": render_activities,
        "pack-notes": render_notes,
        "pack-downloads": render_downloads,
        "pack-timeline": render_timeline,
        "pack-outcomes": render_outcomes,
        "pack-follow-up": render_follow_up,
    }
    return renderers[name](pack, ctx, argument=argument.strip(), level=level, target=target,
                           gettext=gettext)


def _handout_link(handout: Handout, pack: Pack, target: str) -> str:
    if target == PRINT:
        return f"*{handout.title}*"
    return f"{{doc}}`{handout.title} </facilitator/{handout.pack}/handouts/{handout.id}>`"


def render_outcomes(pack: Pack, ctx: Context, *, target: str, **_) -> str:
    lines = []
    for oid in pack.outcomes:
        module, text = ctx.outcomes.get(oid, ("", oid))
        ref = f"({oid})" if target == PRINT else f"({{ref}}`{oid} <{oid}>`)"
        lines.append(f"- {text} {ref}")
    return "\n".join(lines)


def render_follow_up(pack: Pack, ctx: Context, *, target: str, **_) -> str:
    out = [pack.texts.get("follow_up", ""), ""]
    guide = ctx.catalogue.handout(pack.focus_group, pack) if pack.focus_group else None
    if guide:
        out += [f"Some months later, meet again and hold a focus group with the guide "
                f"{_handout_link(guide, pack, target)}. Ask how the projects went and what "
                f"the joint work changed for children, families and the services.", ""]
    return "\n".join(out)


def render_overview(pack: Pack, ctx: Context, *, level: int, target: str, **_) -> str:
    # Generated parts that hold headings start with one (see sphinx_packs.PackPart).
    out = [heading(level, "Purpose"), ""]
    if pack.module:
        title = ctx.module_titles.get(pack.module, pack.module)
        link = f"*{title}*" if target == PRINT else f"{{doc}}`{title} </modules/{pack.module}/index>`"
        out += [f"This pack goes with the module {link}.", ""]
    totals = "; ".join(f"{format_minutes(v.total)} ({_short(v).lower()})" for v in pack.variants)
    out += [f"Formats: {totals}.", "", pack.texts.get("purpose", ""), ""]
    out += [heading(level, "Outcomes"), "",
            "After the session, participants can work towards these module outcomes:", "",
            render_outcomes(pack, ctx, target=target), ""]
    out += [heading(level, "Who should be in the room"), "", pack.texts.get("participants", ""), ""]
    out += [heading(level, "Composing mixed groups"), "", pack.texts.get("groups", ""), ""]
    out += [heading(level, "Room and materials"), "", pack.texts.get("room", ""), ""]
    return "\n".join(out)


def render_agenda(pack: Pack, ctx: Context, *, argument: str, target: str,
                  gettext: Gettext = same, **_) -> str:
    variant = pack.variant(argument)
    if variant is None:
        raise KeyError(f"pack '{pack.slug}' has no variant '{argument}'")
    return agenda_table(variant, gettext)


def _short(variant: Variant) -> str:
    """A variant's title as a short label: 'Session 4' for 'Session 4: sharing ... (half day)'."""
    return variant.title.split(" (")[0].split(":")[0]


def _activity_times(pack: Pack, activity_id: str) -> str:
    """``25 min (90-minute session) · 30 min (half-day session)``: the variant as a label."""
    parts = []
    for variant in pack.variants:
        minutes = [row.minutes for row in variant.rows if row.activity.id == activity_id]
        if minutes:
            label = _short(variant)
            parts.append(f"{sum(minutes)} min ({label[:1].lower() + label[1:]})")
    return " · ".join(parts)


def _note_block(body: str, title: str = "Facilitator notes") -> list[str]:
    return [f":::{{{NOTE_DIRECTIVE}}} {title}", body.strip(), ":::", ""]


def ordered_activities(pack: Pack) -> list:
    seen: list = []
    # The longest plan first, so activities appear in the order of the fullest session.
    for variant in sorted(pack.variants, key=lambda v: -len(v.rows)):
        for row in variant.rows:
            if row.activity.id != BREAK and row.activity not in seen:
                seen.append(row.activity)
    return seen + [a for a in pack.activities.values() if a not in seen]


def render_activities(pack: Pack, ctx: Context, *, level: int, target: str, **_) -> str:
    out = []
    notes = _notes_for(pack, ctx)
    for activity in ordered_activities(pack):
        # In print, the heading and the header lines stay together and with what follows.
        keep = target == PRINT
        out += printing.raw("#block(sticky: true, breakable: false)[") if keep else []
        out += [heading(level, activity.title), ""]
        out += [f"**Grouping:** {activity.grouping_label}", ""]
        out += [f"**Time:** {_activity_times(pack, activity.id) or 'not planned in a variant'}", ""]
        handouts = [ctx.catalogue.handout(ref, pack) for ref in activity.handouts]
        if handouts:
            links = ", ".join(_handout_link(h, pack, target) for h in handouts if h)
            out += [f"**Handouts:** {links}", ""]
        out += printing.raw("]") if keep else []
        out += [activity.instructions, ""]
        extra = [n for n in notes if n.activity == activity.id]
        if activity.notes or extra:
            body = activity.notes
            for note in extra:
                body += "\n\n" + _module_note_body(note, ctx, target)
            out += _note_block(body)
    return "\n".join(out)


def _notes_for(pack: Pack, ctx: Context) -> list[Note]:
    modules = [pack.module] if pack.module else []
    for step in pack.timeline:
        other = ctx.catalogue.pack(step.pack) if step.pack else None
        if other and other.module and other.module not in modules:
            modules.append(other.module)
    return [n for m in modules for n in ctx.catalogue.module_notes.get(m, [])]


def _module_note_body(note: Note, ctx: Context, target: str) -> str:
    docname = ctx.project.docname(note.path)
    title = ctx.titles.get(docname, docname)
    source = f"*{title}*" if target == PRINT else f"{{doc}}`{title} </{docname}>`"
    return f"{absolute_doc_targets(note.body, note.path, ctx)}\n\n(From the module page {source}.)"


def absolute_doc_targets(text: str, source: Path, ctx: Context) -> str:
    """Rewrite relative ``{doc}`` targets so the text can be shown on another page."""
    def fix(match: re.Match) -> str:
        role, body = match.groups()
        if role != "doc":
            return match.group(0)
        explicit = re.match(r"^(.*)<([^<>]+)>$", body)
        label, target = (explicit.group(1), explicit.group(2)) if explicit else ("", body)
        absolute = "/" + resolve_doc(ctx.project, target, source)
        return f"{{doc}}`{label}<{absolute}>`" if explicit else f"{{doc}}`{absolute}`"
    return ROLE.sub(fix, text)


def render_notes(pack: Pack, ctx: Context, *, level: int, target: str, **_) -> str:
    notes = [n for n in _notes_for(pack, ctx) if not n.activity]
    if not notes:
        return ""
    out = ["These notes are written in the module pages for facilitators only. Learners "
           "never see them.", ""]
    for note in notes:
        out += _note_block(_module_note_body(note, ctx, target), "Facilitator note")
    return "\n".join(out)


def render_downloads(pack: Pack, ctx: Context, *, target: str, gettext: Gettext = same,
                     **__) -> str:
    """Print target only: the site renders real download links (see sphinx_packs)."""
    _ = gettext
    out = [_("You can download this pack from the Crossings site as one zip file. It holds "
             "this PDF and every handout as an editable file (Word and OpenDocument), so you "
             "can adapt the handouts to your town. The handouts are:"), ""]
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout and handout.kind == "figure":
            out.append("- " + _("*{handout}* (a printed page of this PDF)").format(
                handout=_(handout.title)))
        elif handout:
            out.append(f"- *{_(handout.title)}* (`handouts/{handout.id}.docx`, "
                       f"`handouts/{handout.id}.odt`)")
    return "\n".join(out)


def programme_minutes(pack: Pack, ctx: Context) -> int:
    total = 0
    for step in pack.timeline:
        if step.variant:
            other = ctx.catalogue.pack(step.pack) if step.pack else pack
            variant = other.variant(step.variant) if other else None
            total += variant.total if variant else 0
    return total


def render_timeline(pack: Pack, ctx: Context, *, level: int, target: str, **_) -> str:
    rows = ["| When | Step | Time |", f"| :{'-' * 10} | :{'-' * 56} | {'-' * 10}: |"]
    details = []
    for step in pack.timeline:
        when = "Start" if step.month == 0 else f"Month {step.month}"
        other = ctx.catalogue.pack(step.pack) if step.pack else pack
        variant = other.variant(step.variant) if (other and step.variant) else None
        time = format_minutes(variant.total) if variant else "local work"
        rows.append(f"| {when} | {step.title} | {time} |")
        details += [heading(level, f"{when}: {step.title}"), ""]
        if step.text:
            details += [step.text, ""]
        if variant is not None and other is pack:
            # This pack's own sessions: their agendas and activities follow on this page.
            details += [f"Length: {format_minutes(variant.total)}. The agenda and the "
                        f"activities are printed after the timeline.", ""]
        elif variant is not None:
            where = ("the module's session pack" if target == PRINT
                     else f"{{doc}}`the module's session pack </{other.docname}>`")
            details += [f"Agenda: the {_short(variant).lower()} of {where} "
                        f"({format_minutes(variant.total)}).", "", agenda_table(variant), ""]
    sessions = sum(1 for s in pack.timeline if s.variant)
    months = pack.timeline[-1].month if pack.timeline else 0
    summary = (f"**{sessions} meetings over {months} months, "
               f"{format_minutes(programme_minutes(pack, ctx))} of joint time in all.**")
    return "\n".join([heading(level, "At a glance"), ""] + rows + ["", summary, ""] + details)


# ---------------------------------------------------------------------------- MyST -> pandoc


def _roles(line: str, source: Path, ctx: Context) -> str:
    def sub(match: re.Match) -> str:
        role, body = match.groups()
        explicit = re.match(r"^(.*?)\s*<([^<>]+)>$", body)
        text, target = (explicit.group(1), explicit.group(2)) if explicit else ("", body)
        if role.startswith("cite"):
            keys = [k.strip() for k in body.split(",") if k.strip()]
            if role == "cite:t":
                return "; ".join(f"@{k}" for k in keys)
            return "[" + "; ".join(f"@{k}" for k in keys) + "]"
        if role == "doc":
            return text or ctx.doc_title(target, source)
        if role == "ref":
            return text or ctx.labels.get(target.strip(), target)
        return text or body  # term and anything else: the visible text
    return ROLE.sub(sub, line)


def _box(title: str, body: str) -> list[str]:
    # The title is kept with the first lines of the box (sticky).
    return ["```{=typst}", f"#notebox[#block(sticky: true, strong({printing.typst_text(title)}))",
            "```", "", body, "", "```{=typst}", "]", "```", ""]


IMAGE = re.compile(r"^\s*!\[([^\]]*)\]\(([^)\s]+)\)\s*$")
CARD_HEADING = re.compile(r"^##\s")


def to_pandoc(text: str, source: Path, ctx: Context, *, audience: str, pack: Pack | None,
              shift: int = 0, medium: str = "typst") -> str:
    """Convert MyST ``text`` (a page written in ``source``) into pandoc Markdown.

    ``medium`` is 'typst' (the printed pack) or 'office' (DOCX and ODT): the print
    convention of ``printing`` (write-in space, cards, figure pages) is written for it."""
    front, skip = split_front_matter(text)
    lines = text.splitlines()[skip:] if front is not None else text.splitlines()
    level = 1 if front is not None and "title:" in front else 0
    if medium == "typst" and printing.print_kind(text) == "cards":
        # Each '##' section is a card: dashed cut lines, never split across pages.
        chunks: list[list[str]] = [[]]
        for line in lines:
            if CARD_HEADING.match(line):
                chunks.append([])
            chunks[-1].append(line)
        out = _convert(chunks[0], source, ctx, audience, pack, shift, level, medium)
        out += printing.raw("#v(0.8em)")   # room above the first cut line
        for chunk in chunks[1:]:
            out += printing.raw(f"// card {source.stem}: {chunk[0][3:].strip()}\n#card[")
            out += _convert(chunk, source, ctx, audience, pack, shift, 1, medium)
            out += printing.raw("]")
        return "\n".join(out)
    return "\n".join(_convert(lines, source, ctx, audience, pack, shift, level, medium))


def _convert(lines: list[str], source: Path, ctx: Context, audience: str, pack: Pack | None,
             shift: int, level: int, medium: str = "typst") -> list[str]:
    out: list[str] = []
    space = None   # a pending '% write-in:' declaration
    i = 0
    while i < len(lines):
        line = lines[i]
        if LABEL.match(line):
            i += 1
            continue
        if printing.COMMENT.match(line):
            space = printing.write_in(line) or space
            i += 1
            continue
        if space is not None and line.strip().startswith("|"):
            table = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                table.append(_roles(lines[i], source, ctx))
                i += 1
            first = printing.table_cells(table[2])[0] if len(table) > 2 else ""
            out += printing.write_in_table(table, space, medium,
                                           f"{source.stem}: {first or table[0]}")
            space = None
            continue
        if space is not None and line.strip():
            label = _roles(line, source, ctx).strip()
            out += printing.write_in_field(label.strip("*"), space, medium,
                                           f"{source.stem}: {label.strip('*')}")
            space = None
            i += 1
            continue
        image = IMAGE.match(line)
        if image and medium == "typst":
            path = (source.parent / image.group(2)).resolve()
            name = f"{source.stem}-{path.name}"
            ctx.assets[name] = path
            out += printing.raw(f"// figure {source.stem}\n#figure-page(image(\"{name}\", "
                                f"alt: {printing.typst_text(image.group(1))}))")
            i += 1
            continue
        tick = TICK_OPEN.match(line)
        if tick:
            fence = tick.group(2)
            out.append(line)
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                out.append(lines[i])
                i += 1
            if i < len(lines):
                out.append(lines[i])
            i += 1
            continue
        opened = COLON_OPEN.match(line)
        if opened:
            colons, name, argument = len(opened.group(2)), opened.group(3), opened.group(4)
            i += 1
            options = {}
            while i < len(lines) and OPTION.match(lines[i]):
                key, value = OPTION.match(lines[i]).groups()
                options[key] = value.strip()
                i += 1
            body = []
            while i < len(lines) and not re.match(rf"^\s*:{{{colons},}}\s*$", lines[i]):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence
            out += _directive(name, argument, options, body, source, ctx, audience, pack,
                              shift, level, medium)
            continue
        head = HEADING.match(line)
        if head:
            level = len(head.group(1))
            out += ["", "#" * min(level + shift, 6) + _roles(head.group(2), source, ctx), ""]
            i += 1
            continue
        out.append(_roles(line, source, ctx))
        i += 1
    return out


def _directive(name, argument, options, body, source, ctx, audience, pack, shift, level,
               medium="typst"):
    inner = _convert(body, source, ctx, audience, pack, shift, level, medium)
    if name == NOTE_DIRECTIVE:
        if audience != FACILITATOR:
            return []
        _ = ctx.gettext
        return [""] + _box(argument or _("Facilitator note"), "\n".join(inner))
    if name in ADMONITION_TITLES or name == "admonition":
        title = _roles(argument, source, ctx) or ctx.gettext(ADMONITION_TITLES.get(name, "Note"))
        return [""] + _box(title, "\n".join(inner))
    if name.startswith("pack-"):
        if pack is None:
            raise ValueError(f"{source}: '{name}' needs a pack")
        generated = ctx.translated(render_part(name, argument, pack, ctx, level + 1, PRINT,
                                               ctx.gettext), source)
        return [""] + _convert(generated.splitlines(), source, ctx, audience, pack, shift,
                               level, medium) + [""]
    raise ValueError(f"{source}: directive '{name}' cannot be printed")


def directive_level(page_text: str, line: int) -> int:
    """Heading level for the parts a directive at ``line`` generates (one below its section)."""
    front, _ = split_front_matter(page_text)
    level = 1 if front is not None and "title:" in front else 0
    for h in mdscan.scan(page_text).headings:
        if h.line < line:
            level = h.level
    return level + 1
