"""Every cross-reference of the book resolved before Sphinx runs, with a suggestion.

``check_references`` reads each page's ``{doc}``, ``{ref}``, ``{term}`` and ``{cite}``
roles and its figure, image and Markdown image paths, and reports the ones that point
nowhere as ``file:line: unknown target 'X' ({role}) — did you mean 'Y'?``. Sphinx would
find most of these too (with ``-n``), but only after a full build and without a hint.

Targets: pages are the content pages and the toc entries; labels are ``(label)=`` lines,
``:name:`` options and the learning-outcome ids (the module overview makes each one a
label); terms come from ``book/glossary.yml``; citation keys from ``book/references.bib``.
Code blocks are skipped.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from pathlib import Path

from crossings.content.bibliography import bib_keys
from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.yamlsource import load_yaml_file

ROLE = re.compile(r"(?<!`)\{(doc|ref|term|cite(?::[a-z]+)?|numref)\}`([^`]+)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
LABEL_LINE = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
NAME_OPTION = re.compile(r"^\s*:name:\s*(\S+)\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)")
FIGURE = re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{(figure|image)\}\s*(\S+)")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
STD_LABELS = {"genindex", "modindex", "search"}
CODE_INFO = ("{code}", "{code-block}", "{code-cell}", "{sourcecode}", "{literalinclude}",
             "{raw}", "{math}")


class Targets:
    """Everything a reference may point at, read once for the whole project."""

    def __init__(self, project: Project, pages: list[Path], extra_labels=()):
        self.root = project.root
        self.docs = {project.docname(p) for p in pages}
        self.labels = set(STD_LABELS) | set(extra_labels)
        for page in pages:
            for line in page.read_text(encoding="utf-8").splitlines():
                match = LABEL_LINE.match(line) or NAME_OPTION.match(line)
                if match:
                    self.labels.add(match.group(1))
        self.terms: set[str] = set()
        try:
            entries = load_yaml_file(project.glossary).data if project.glossary.is_file() else []
        except ContentError:  # reported by the glossary check
            entries = []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("term"):
                self.terms.add(" ".join(str(entry["term"]).split()).lower())
        self.cites = set(bib_keys(project.bibliography))


def suggest(wrong: str, known, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(wrong, sorted(known), n=1, cutoff=cutoff)
    return f" — did you mean '{close[0]}'?" if close else ""


def code_lines(lines: list[str]) -> set[int]:
    """0-based indexes of lines inside code blocks (backtick fences that open no directive)."""
    skip: set[int] = set()
    stack: list[tuple[str, bool]] = []  # (fence marker, is a code block)
    for i, line in enumerate(lines):
        fence = FENCE.match(line)
        closes = fence is not None and not fence.group(2) and bool(stack) \
            and stack[-1][0][0] == fence.group(1)[0] and len(fence.group(1)) >= len(stack[-1][0])
        if stack and stack[-1][1]:
            skip.add(i)
            if closes:
                stack.pop()
            continue
        if closes:
            stack.pop()
        elif fence:
            info = fence.group(2)
            is_code = info in CODE_INFO or not info.startswith("{")
            stack.append((fence.group(1), is_code))
            if is_code:
                skip.add(i)
    return skip


def check_page_references(page: Path, project: Project, targets: Targets) -> list[Problem]:
    problems = []
    docname = project.docname(page)
    folder = posixpath.dirname(docname)
    lines = page.read_text(encoding="utf-8").splitlines()
    skip = code_lines(lines)
    for i, line in enumerate(lines):
        if i in skip:
            continue
        number = i + 1
        for match in ROLE.finditer(line):
            role, body = match.group(1), match.group(2)
            explicit = EXPLICIT.match(body)
            target = (explicit.group(2) if explicit else body).strip()
            problems += _check_role(page, number, role, target, folder, targets)
        figure = FIGURE.match(line)
        paths = [figure.group(2)] if figure else []
        paths += [m.group(1) for m in MD_IMAGE.finditer(line)]
        for target in paths:
            if "://" in target or target.startswith(("data:", "#")):
                continue
            if not (page.parent / target).is_file():
                known = [p.relative_to(page.parent).as_posix() for p in page.parent.rglob("*")
                         if p.is_file() and p.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg",
                                                                 ".gif", ".webp"}]
                problems.append(Problem(page, number, f"unknown target '{target}' (figure file "
                                                      f"not found){suggest(target, known)}"))
    return problems


def _check_role(page: Path, number: int, role: str, target: str, folder: str,
                targets: Targets) -> list[Problem]:
    if role == "doc":
        name = target[:-3] if target.endswith(".md") else target
        docname = posixpath.normpath(name.lstrip("/") if name.startswith("/")
                                     else posixpath.join(folder, name))
        if docname in targets.docs:
            return []
        if target.startswith("/"):
            hint = suggest(docname, targets.docs)
            hint = hint.replace("mean '", "mean '/")
        else:
            relative = {posixpath.relpath(d, folder or ".") for d in targets.docs}
            hint = suggest(name, relative)
        return [Problem(page, number, f"unknown target '{target}' ({{doc}}){hint}")]
    if role in ("ref", "numref"):
        if target in targets.labels:
            return []
        return [Problem(page, number, f"unknown target '{target}' ({{{role}}})"
                                      f"{suggest(target, targets.labels)}")]
    if role == "term":
        if " ".join(target.split()).lower() in targets.terms:
            return []
        return [Problem(page, number, f"unknown target '{target}' ({{term}}: not in "
                                      f"book/glossary.yml){suggest(target.lower(), targets.terms)}")]
    problems = []
    for key in (k.strip() for k in target.split(",")):  # cite, cite:p, cite:t ...
        if key and key not in targets.cites:
            problems.append(Problem(page, number, f"unknown target '{key}' ({{{role}}}: not a key "
                                                  f"of book/references.bib){suggest(key, targets.cites)}"))
    return problems


def check_references(project: Project, pages: list[Path], extra_labels=()) -> list[Problem]:
    targets = Targets(project, pages, extra_labels)
    toc_docs = set()
    try:
        from crossings.content.toc import read_toc
        toc_docs = {entry.docname for entry in read_toc(project.toc)}
    except ContentError:
        pass
    targets.docs |= toc_docs
    problems = []
    for page in pages:
        problems += check_page_references(page, project, targets)
    return problems
