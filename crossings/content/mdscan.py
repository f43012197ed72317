"""A small line scanner for MyST Markdown: headings, directives, images.

It does not render anything; it finds the structures the validator checks and
remembers their line numbers. Code blocks are skipped; directive bodies are
scanned (they may hold figures and images) but their headings are not counted
as page headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.problems import ContentError
from crossings.content.yamlsource import load_front_matter, split_front_matter

BACKTICK = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")
COLON = re.compile(r"^(\s*)(:{3,})\s*\{([\w:-]+)\}\s*(.*)$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)")
HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
ROLE_DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude", "raw", "math"}


@dataclass
class Directive:
    name: str
    argument: str
    line: int
    options: dict[str, tuple[str, int]] = field(default_factory=dict)
    end_line: int = 0
    parent: Directive | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Image:
    alt: str
    target: str
    line: int
    kind: str  # "markdown" or "html"


@dataclass
class Page:
    headings: list[Heading] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    front_matter_lines: int = 0
    unclosed: list[Directive] = field(default_factory=list)


def scan(text: str) -> Page:
    page = Page()
    _, skip = split_front_matter(text)
    page.front_matter_lines = skip
    lines = text.splitlines()
    # stack entries: (kind, marker length or char, directive or None, is_code)
    stack: list[tuple[str, str, Directive | None, bool]] = []
    collecting: Directive | None = None  # directive whose options we are reading
    for number in range(skip + 1, len(lines) + 1):
        line = lines[number - 1]
        in_code = bool(stack) and stack[-1][3]
        if in_code:
            kind, marker, directive, _ = stack[-1]
            if kind == "tick" and re.match(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$", line):
                stack.pop()
                if directive:
                    directive.end_line = number
            continue
        if collecting is not None:
            option = OPTION.match(line)
            if option:
                collecting.options[option.group(1)] = (option.group(2).strip(), number)
                continue
            collecting = None

        tick = BACKTICK.match(line)
        colon = COLON.match(line)
        if tick:
            marker, info = tick.group(2), tick.group(3)
            # A closing fence of an open backtick directive?
            if not info and stack and stack[-1][0] == "tick" and stack[-1][1][0] == marker[0] \
                    and len(marker) >= len(stack[-1][1]):
                _, _, directive, _ = stack.pop()
                if directive:
                    directive.end_line = number
                continue
            role = ROLE_DIRECTIVE.match(info)
            if role and role.group(1) not in CODE_DIRECTIVES:
                directive = _open(page, stack, role.group(1), role.group(2), number)
                stack.append(("tick", marker, directive, False))
                collecting = directive
            else:
                directive = None
                if role:
                    directive = _open(page, stack, role.group(1), role.group(2), number)
                stack.append(("tick", marker, directive, True))
            continue
        if colon:
            directive = _open(page, stack, colon.group(3), colon.group(4), number)
            stack.append(("colon", colon.group(2), directive, directive.name in CODE_DIRECTIVES))
            collecting = directive
            continue
        closing = re.match(r"^\s*(:{3,})\s*$", line)
        if closing and stack and stack[-1][0] == "colon" and len(closing.group(1)) >= len(stack[-1][1]):
            _, _, directive, _ = stack.pop()
            directive.end_line = number
            continue

        heading = HEADING.match(line)
        if heading and not stack:
            page.headings.append(Heading(len(heading.group(1)), heading.group(2), number))
        for match in MD_IMAGE.finditer(line):
            page.images.append(Image(match.group(1).strip(), match.group(2), number, "markdown"))
        for match in HTML_IMG.finditer(line):
            alt = HTML_ALT.search(match.group(0))
            page.images.append(Image(alt.group(1)[1:-1].strip() if alt else "", match.group(0),
                                     number, "html" if alt else "html-no-alt"))
    page.unclosed = [entry[2] for entry in stack if entry[2] is not None]
    return page


def _open(page: Page, stack, name: str, argument: str, number: int) -> Directive:
    parent = next((entry[2] for entry in reversed(stack) if entry[2] is not None), None)
    directive = Directive(name, argument.strip(), number, parent=parent)
    page.directives.append(directive)
    return directive


def level_below(text: str, line: int) -> int:
    """Heading level for content generated at ``line``: one below the last heading before it.

    A front-matter title counts as the level-1 heading. Directives that generate
    headings (facilitator packs, the self-assessment table) use this.
    """
    front, _ = split_front_matter(text)
    level = 1 if front is not None and "title:" in front else 0
    for heading in scan(text).headings:
        if heading.line < line:
            level = heading.level
    return level + 1


def page_title(path: Path) -> str:
    """Front-matter title, else the first '#' heading of a Markdown page."""
    try:
        front = load_front_matter(path)
    except ContentError:
        front = None
    title = front.data.get("title") if front and isinstance(front.data, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    for heading in scan(path.read_text(encoding="utf-8")).headings:
        if heading.level == 1:
            return heading.text.strip()
    return ""
