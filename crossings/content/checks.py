"""Content rules checked before Sphinx runs: the glossary, each page's structure, the toc.

Each check returns a list of ``Problem`` (file, line, message) and never stops at the
first. ``crossings.validate`` runs these with the checks of the other capabilities.
"""

from __future__ import annotations

from pathlib import Path

from crossings.content import mdscan
from crossings.content.modules import Module
from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.content.yamlsource import load_front_matter, load_yaml_file

ROLE_SYNC_GROUP = "role"
ROLE_TABS = ("ecec", "school", "social", "health", "policy")
IMAGE_DIRECTIVES = {"figure", "image"}


def check_glossary(path: Path) -> list[Problem]:
    if not path.is_file():
        return [Problem(path, 1, "glossary file is missing")]
    try:
        doc = load_yaml_file(path)
    except ContentError as exc:
        return exc.problems
    if not isinstance(doc.data, list):
        return [Problem(path, 1, "the glossary is a list of entries with 'term' and 'definition'")]
    problems, seen = [], {}
    for i, entry in enumerate(doc.data):
        if not isinstance(entry, dict) or not str(entry.get("term", "")).strip() \
                or not str(entry.get("definition", "")).strip():
            problems.append(Problem(path, doc.line(i), "glossary entry needs a 'term' and a 'definition'"))
            continue
        key = str(entry["term"]).strip().lower()
        if key in seen:
            problems.append(Problem(path, doc.line(i, "term"),
                                    f"term '{entry['term']}' is already defined at line {seen[key]}"))
        seen.setdefault(key, doc.line(i, "term"))
    return problems


def check_page(path: Path, text: str, page: mdscan.Page, module: Module | None) -> list[Problem]:
    problems: list[Problem] = []
    report = problems.append
    try:
        front = load_front_matter(path)
    except ContentError as exc:
        return exc.problems
    has_title = bool(front and isinstance(front.data, dict) and front.data.get("title"))
    is_index = module is not None and path.name == "index.md"

    # Headings: one title, no skipped levels.
    level = 1 if has_title else 0
    for heading in page.headings:
        if heading.level == 1 and (has_title or level >= 1):
            why = "the front-matter title is already the page heading" if has_title \
                else "a page has exactly one '#' heading"
            report(Problem(path, heading.line, f"second top-level heading '{heading.text}': {why}"))
        elif heading.level > level + 1:
            report(Problem(path, heading.line,
                           f"heading level skipped: '{'#' * heading.level} {heading.text}' follows a "
                           f"level-{level} heading (use {'#' * (level + 1)})"))
        level = heading.level
    if not has_title and not page.headings:
        report(Problem(path, page.front_matter_lines + 1, "page has no '#' heading"))
    elif not has_title and page.headings[0].level != 1:
        report(Problem(path, page.headings[0].line, "the first heading of a page must be '#'"))

    # Images and figures: alt text, and the file must exist.
    for image in page.images:
        if image.kind == "html-no-alt" or not image.alt:
            report(Problem(path, image.line, f"image '{image.target[:60]}' has no alt text"))
    for d in page.directives:
        if d.name in IMAGE_DIRECTIVES:
            alt = d.options.get("alt", ("", d.line))[0]
            if not alt:
                report(Problem(path, d.line, f"{d.name} '{d.argument}' has no :alt: text"))
            # a missing file is reported by content.references (with a suggestion)
    for d in page.unclosed:
        report(Problem(path, d.line, f"directive '{d.name}' is opened here but never closed"))

    # "Through your role" tabs share one sync group and the same keys everywhere.
    for d in page.directives:
        if d.name == "tab-set" and module is not None:
            group = d.options.get("sync-group", ("", d.line))
            if group[0] != ROLE_SYNC_GROUP:
                report(Problem(path, group[1], f"tab-set needs ':sync-group: {ROLE_SYNC_GROUP}' so "
                                               "a reader's role choice follows them"))
        if d.name == "tab-item" and d.parent is not None and \
                d.parent.options.get("sync-group", ("",))[0] == ROLE_SYNC_GROUP:
            key, line = d.options.get("sync", ("", d.line))
            if key not in ROLE_TABS:
                report(Problem(path, line, f"role tab '{d.argument}' needs ':sync:' with one of "
                                           f"{', '.join(ROLE_TABS)}"))

    # Required blocks of module pages.
    if module is not None:
        overviews = [d for d in page.directives if d.name == "module-overview"]
        classes = [d.options.get("class", ("", 0))[0].split() for d in page.directives
                   if d.name == "admonition"]
        if is_index:
            if len(overviews) != 1:
                report(Problem(path, page.front_matter_lines + 1,
                               "a module's index.md needs exactly one ':::{module-overview}' block"))
        else:
            if overviews:
                report(Problem(path, overviews[0].line, "module-overview belongs in index.md only"))
            if front is not None and front.data:
                report(Problem(path, 1, "topic pages have no front matter: the module "
                                        "contract lives in index.md"))
            keypoints = sum("keypoints" in c for c in classes)
            if keypoints != 1:
                report(Problem(path, max(1, len(text.splitlines())),
                               f"a topic page ends with exactly one 'Key points' admonition "
                               f"(:class: keypoints); found {keypoints}"))
            if not any("reflection" in c for c in classes):
                report(Problem(path, max(1, len(text.splitlines())),
                               "a topic page needs at least one 'Reflect' admonition "
                               "(:class: reflection)"))
    return problems


def check_toc(project: Project, pages: list[Path]) -> list[Problem]:
    try:
        entries = read_toc(project.toc)
    except ContentError as exc:
        return exc.problems
    problems = []
    listed: dict[str, int] = {}
    for entry in entries:
        if entry.docname in listed:
            problems.append(Problem(project.toc, entry.line,
                                    f"'{entry.docname}' is listed twice (also line {listed[entry.docname]})"))
        listed.setdefault(entry.docname, entry.line)
        if not any((project.root / (entry.docname + ext)).is_file() for ext in (".md", ".ipynb")):
            problems.append(Problem(project.toc, entry.line, f"'{entry.docname}' has no file"))
    for page in pages:
        if project.docname(page) not in listed:
            problems.append(Problem(page, 1, "page is not in _toc.yml: add it there (or rename it "
                                             "with a leading '_' if it is not a page)"))
    return problems
