"""The whole documents of a pack: the printed pack and the participants' handouts.

``pack_document`` is the pack page, its generated parts and every handout (each on a new
page, following the print convention of ``printing``) as pandoc Markdown for Typst;
``handout_document`` is one handout for DOCX and ODT, with facilitator notes removed;
``pack_files`` lists the files a pack build writes.
"""

from __future__ import annotations

import re

from crossings.packs.model import Handout, Pack
from crossings.packs.render import FACILITATOR, PARTICIPANT, Context, _notes_for, to_pandoc


def pack_document(pack: Pack, ctx: Context) -> str:
    """The whole printed pack as pandoc Markdown: the page, the handouts, the references."""
    _ = ctx.gettext
    page = ctx.translated(pack.page.read_text(encoding="utf-8"), pack.page, page=True)
    out = [f"# {ctx.titles.get(pack.docname, pack.title)}", "",
           _("A facilitator pack of Crossings, an open platform for joint professional "
             "development in early childhood. Licence: CC BY 4.0."), ""]
    out.append(to_pandoc(page, pack.page, ctx, audience=FACILITATOR, pack=pack))
    out += ["", "## " + _("Handouts"), "",
            _("Each handout starts on a new page. Editable copies (Word and OpenDocument) are "
              "in the pack's zip file."), ""]
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout is None:
            continue
        out += ["", "```{=typst}", "#pagebreak(weak: true)", "```", ""]
        owner = ctx.catalogue.pack(handout.pack) or pack
        text = ctx.translated(handout.path.read_text(encoding="utf-8"), handout.path, page=True)
        out.append(to_pandoc(text, handout.path, ctx, audience=FACILITATOR, pack=owner, shift=2))
    if _cites(pack, ctx):
        out += ["", "```{=typst}", "#pagebreak(weak: true)", "```", "",
                "## " + _("References"), "", "::: {#refs}", ":::", ""]
    return "\n".join(out) + "\n"


def handout_document(handout: Handout, ctx: Context) -> str:
    """One handout for participants (facilitator notes removed), as pandoc Markdown."""
    owner = ctx.catalogue.pack(handout.pack)
    _ = ctx.gettext
    text = ctx.translated(handout.path.read_text(encoding="utf-8"), handout.path, page=True)
    body = to_pandoc(text, handout.path, ctx, audience=PARTICIPANT, pack=owner, medium="office")
    if "@" in body and re.search(r"\[@|@\w", body):
        body += "\n\n# " + _("References") + "\n\n::: {#refs}\n:::\n"
    return body


def _cites(pack: Pack, ctx: Context) -> bool:
    files = [pack.page, pack.data_file] + [
        h.path for h in (ctx.catalogue.handout(r, pack) for r in pack.used_handouts()) if h]
    notes = [n.path for n in _notes_for(pack, ctx)]
    return any("{cite" in f.read_text(encoding="utf-8") for f in files + notes)


def pack_files(pack: Pack, ctx: Context) -> dict[str, str]:
    """Output files of a pack (relative path -> description), in the order they are listed."""
    files = {f"{pack.slug}-pack.pdf": "the printable pack",
             f"{pack.slug}-pack.zip": "everything in one zip file"}
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout:
            if handout.kind == "figure":   # a figure page is printed, not edited
                continue
            files[f"handouts/{handout.id}.docx"] = f"{handout.title}, Word"
            files[f"handouts/{handout.id}.odt"] = f"{handout.title}, OpenDocument"
    return files
