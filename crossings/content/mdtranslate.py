"""Translating Markdown with a gettext catalog, one unit (heading, paragraph, list item) at a
time: the units are the messages Sphinx extracts from a page, so a page's catalog translates
the same text wherever it is used outside Sphinx (learner notebooks, printed packs).

``translate_markdown(text, lookup)`` replaces every unit that ``lookup`` (msgid -> msgstr)
translates; code fences stay as they are. With ``page=True`` the MyST structure of a page
stays too: directive fences and their options, ``%`` comments, ``(label)=`` targets, and
tables, whose cells are translated one by one (Sphinx extracts each cell); a directive's
argument (an admonition title) is a unit. ``translate_page`` also translates the ``title``
of the front matter. A translated paragraph is written on one line.
"""

from __future__ import annotations

import json
import re

from crossings.content.yamlsource import split_front_matter

_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_DIRECTIVE = re.compile(r"^(\s*:{3,}\{[\w:-]+\}\s*)(.*)$")
_STRUCTURE = re.compile(r"^\s*(:{3,}\s*$|%|\([\w:.-]+\)=\s*$|:[\w-]+:(\s|$))")
_ESCAPED_NUMBER = re.compile(r"^(\d+)\\\.")
_TITLE = re.compile(r"^title:\s*(.+?)\s*$")
KEEP, ROW = "\0", "\1"   # unit prefixes: a line kept as it is; a table row


def _units(markdown: str, page: bool = False) -> list[tuple[str, str]]:
    """(prefix, text) units of a Markdown text; '' text keeps a blank line, ``prefix`` is the
    heading marks or list marker written before the translated text."""
    out: list[tuple[str, str]] = []
    paragraph: list[str] = []
    fence = False

    def flush() -> None:
        if paragraph:
            out.append(("", " ".join(s.strip() for s in paragraph)))
            paragraph.clear()

    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            flush()
            fence = not fence
            out.append((KEEP, line))
            continue
        if fence:
            out.append((KEEP, line))
            continue
        heading, item = _HEADING.match(line), _ITEM.match(line)
        directive = _DIRECTIVE.match(line) if page else None
        if not line.strip():
            flush()
            out.append(("", ""))
        elif directive:
            flush()
            out.append((directive.group(1), directive.group(2).strip()) if directive.group(2)
                       else (KEEP, line))
        elif page and _STRUCTURE.match(line):
            flush()
            out.append((KEEP, line))
        elif page and line.strip().startswith("|"):
            flush()
            out.append((ROW, line))
        elif heading:
            flush()
            out.append((heading.group(1) + " ", heading.group(2).strip()))
        elif item:
            flush()
            out.append((f"{item.group(1)}{item.group(2)} ", item.group(3).strip()))
        elif out and out[-1][0] and out[-1][0] not in (KEEP, ROW) and out[-1][1] \
                and not paragraph and line.startswith((" ", "\t")):
            prefix, text = out[-1]            # continuation of a list item
            out[-1] = (prefix, f"{text} {line.strip()}")
        else:
            paragraph.append(line)
    flush()
    return out


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _cell(text: str) -> str:
    """A translated cell without the escape of a leading '1.' (Sphinx parses a translated
    cell again and needs it; a table cell of the printed page holds no list)."""
    return _ESCAPED_NUMBER.sub(r"\1.", text)


def messages(markdown: str, page: bool = False) -> list[str]:
    out = []
    for prefix, text in _units(markdown, page):
        if prefix == ROW:
            out += [c for c in _cells(text) if c and not set(c) <= set(":- ")]
        elif text and prefix != KEEP:
            out.append(text)
    return out


def translate_markdown(markdown: str, lookup: dict[str, str], page: bool = False) -> str:
    lines = []
    for prefix, text in _units(markdown, page):
        if prefix == KEEP:
            lines.append(text)
        elif prefix == ROW:
            lines.append("| " + " | ".join(_cell(lookup.get(c, c)) for c in _cells(text)) + " |")
        else:
            lines.append(prefix + lookup.get(text, text) if text else "")
    return "\n".join(lines)


def translate_page(text: str, lookup: dict[str, str]) -> str:
    """A MyST page with its front-matter title and its units translated (``page=True``)."""
    front, skip = split_front_matter(text)
    lines = text.splitlines()
    head = []
    if front is not None:
        for line in lines[:skip]:
            match = _TITLE.match(line)
            if match:
                title = match.group(1)
                title = json.loads(title) if title.startswith('"') else title.strip("'")
                line = "title: " + json.dumps(lookup.get(title, title), ensure_ascii=False)
            head.append(line)
        lines = lines[skip:]
    return "\n".join(head + [translate_markdown("\n".join(lines), lookup, page=True)]) + "\n"
