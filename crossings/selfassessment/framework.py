"""The local integration self-assessment: its data file and the checks on it.

``book/self-assessment.yml`` holds, for every strand of a framework of
``book/vocabulary.yml`` (the six-element policy roadmap), one descriptor per level
of a four-level scale, concrete next steps and links to page labels. Everything
else reads it: the notebook exercise (``exercise-item`` types ``rating`` and
``sector``), the site page (directive ``self-assessment-descriptors``), the cohort
report (``crossings cohort-report``) and the facilitator material.

``check_self_assessment`` is the validator's one call; it reports every problem as
``file:line: message``. ``notebook_data`` turns the file into the plain data the
notebook and the reports use (see ``self_assessment_profile``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.problems import ContentError, Problem
from crossings.content.project import Project
from crossings.content.vocabulary import Vocabulary, load_vocabulary
from crossings.content.yamlsource import Located, load_yaml_file

DATA_FILE = ("book", "self-assessment.yml")
LEVEL_COUNT = 4
ID = re.compile(r"^[a-z][a-z0-9-]*$")
LABEL_LINE = re.compile(r"^\s*\(([\w:.-]+)\)=\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
STRAND_KEYS = {"next_steps", "links"}


@dataclass(frozen=True)
class Level:
    number: int          # 1 (lowest) .. 4 (highest)
    id: str
    label: str


@dataclass
class Strand:
    id: str
    label: str
    element: str
    number: str          # "1.1", "1.2" ... in roadmap order
    descriptors: dict[str, str] = field(default_factory=dict)   # level id -> text
    next_steps: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)              # page labels
    line: int = 1


@dataclass
class Element:
    id: str
    label: str
    short: str
    number: int
    strands: list[str] = field(default_factory=list)


@dataclass
class SelfAssessment:
    path: Path
    framework: str = ""
    levels: list[Level] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    strands: dict[str, Strand] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def strand_order(self) -> list[str]:
        return [s for e in self.elements for s in e.strands]


@dataclass(frozen=True)
class LabelTarget:
    """Where a MyST label ``(name)=`` points: the page and the heading under it."""

    label: str
    docname: str
    path: Path
    line: int
    page_title: str
    section: str         # the heading right under the label ("" if none)

    @property
    def site_path(self) -> str:
        """Path of the target inside the built site, e.g. ``modules/x/page.html#label``."""
        return f"{self.docname}.html#{self.label}"


def data_file(project: Project) -> Path:
    return project.root.joinpath(*DATA_FILE)


def page_labels(project: Project) -> dict[str, LabelTarget]:
    """Every label defined by a ``(name)=`` line in a content page (outside code blocks)."""
    from crossings.content.mdscan import page_title

    found: dict[str, LabelTarget] = {}
    for page in project.content_pages():
        lines = page.read_text(encoding="utf-8").splitlines()
        fence = ""
        for i, line in enumerate(lines):
            fenced = FENCE.match(line)
            if fenced:
                marker, rest = fenced.groups()
                if not fence:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
                    fence = ""
                continue
            match = LABEL_LINE.match(line)
            if fence or not match:
                continue
            following = next((x for x in lines[i + 1:] if x.strip()), "")
            heading = HEADING.match(following)
            found.setdefault(match.group(1), LabelTarget(
                match.group(1), project.docname(page), page, i + 1, page_title(page),
                heading.group(2).strip() if heading else ""))
    return found


def load_self_assessment(project: Project, vocabulary: Vocabulary | None = None,
                         labels: dict[str, LabelTarget] | None = None) -> SelfAssessment:
    """Read and check the data file; every problem is collected in ``.problems``."""
    path = data_file(project)
    result = SelfAssessment(path)
    report = result.problems.append
    if not path.is_file():
        report(Problem(path, 1, "the self-assessment data file is missing"))
        return result
    try:
        doc = load_yaml_file(path)
    except ContentError as exc:
        result.problems.extend(exc.problems)
        return result
    data = doc.data
    if not isinstance(data, dict):
        report(Problem(path, 1, "the file is a mapping with 'framework', 'levels', 'elements' "
                                "and 'strands'"))
        return result
    for key in data:
        if key not in ("framework", "levels", "elements", "strands"):
            report(Problem(path, doc.line(key), f"unknown key '{key}'"))
    if vocabulary is None:
        try:
            vocabulary = load_vocabulary(project.vocabulary)
        except ContentError as exc:
            result.problems.extend(exc.problems)
            return result
    if labels is None:
        labels = page_labels(project)

    result.framework = str(data.get("framework") or "")
    framework = next((f for f in vocabulary.frameworks if f.id == result.framework), None)
    if framework is None:
        known = ", ".join(f.id for f in vocabulary.frameworks)
        report(Problem(path, doc.line("framework"),
                       f"'framework' must name a framework of book/vocabulary.yml (known: {known})"))
        return result

    _load_levels(result, doc, report)
    _load_elements(result, doc, vocabulary, framework.concepts, report)
    _load_strands(result, doc, vocabulary, labels, report)
    return result


def _load_levels(result: SelfAssessment, doc: Located, report) -> None:
    path, levels = result.path, doc.data.get("levels")
    if not isinstance(levels, list) or len(levels) != LEVEL_COUNT:
        report(Problem(path, doc.line("levels"),
                       f"'levels' lists exactly {LEVEL_COUNT} levels, lowest first, each with "
                       "'id' and 'label'"))
        return
    seen = set()
    for k, entry in enumerate(levels):
        if not isinstance(entry, dict) or not ID.match(str(entry.get("id", ""))) \
                or not str(entry.get("label") or "").strip():
            report(Problem(path, doc.line("levels", k), "a level needs an 'id' (lower case, "
                                                        "hyphens) and a 'label'"))
            continue
        if entry["id"] in seen:
            report(Problem(path, doc.line("levels", k, "id"), f"level '{entry['id']}' is listed twice"))
        seen.add(entry["id"])
        result.levels.append(Level(k + 1, str(entry["id"]), str(entry["label"]).strip()))


def _load_elements(result, doc, vocabulary, concepts, report) -> None:
    path = result.path
    given = doc.data.get("elements")
    if not isinstance(given, dict):
        report(Problem(path, doc.line("elements"), "'elements' maps each element id of the "
                                                   "framework to its 'short' name"))
        given = {}
    for key in given:
        if key not in concepts:
            report(Problem(path, doc.line("elements", key),
                           f"'{key}' is not an element of framework '{result.framework}' "
                           f"(elements: {', '.join(concepts)})"))
    for number, concept_id in enumerate(concepts, start=1):
        entry = given.get(concept_id)
        short = str(entry.get("short") or "").strip() if isinstance(entry, dict) else ""
        if not short and isinstance(doc.data.get("elements"), dict):
            report(Problem(path, doc.line("elements", concept_id) if concept_id in given
                           else doc.line("elements"),
                           f"element '{concept_id}' needs a 'short' name (the radar chart's axis)"))
        concept = vocabulary.concepts[concept_id]
        result.elements.append(Element(concept_id, concept.label, short or concept.label, number,
                                       [c.id for c in vocabulary.children(concept_id)]))


def _load_strands(result, doc, vocabulary, labels, report) -> None:
    path = result.path
    given = doc.data.get("strands")
    if not isinstance(given, dict):
        report(Problem(path, doc.line("strands"), "'strands' maps each strand id to its "
                                                  "descriptors, next steps and links"))
        given = {}
    expected = {s: (e, f"{e.number}.{k}") for e in result.elements
                for k, s in enumerate(e.strands, start=1)}
    for key in given:
        if key not in expected:
            report(Problem(path, doc.line("strands", key),
                           f"'{key}' is not a strand of framework '{result.framework}'"))
    level_ids = [level.id for level in result.levels]
    for strand_id, (element, number) in expected.items():
        entry = given.get(strand_id)
        if not isinstance(entry, dict):
            where = doc.line("strands", strand_id) if strand_id in given else doc.line("strands")
            report(Problem(path, where, f"strand '{strand_id}' ({vocabulary.concepts[strand_id].label})"
                                        f" has no entry: add its {LEVEL_COUNT} descriptors, "
                                        "next steps and links"))
            continue
        line = doc.line("strands", strand_id)
        strand = Strand(strand_id, vocabulary.concepts[strand_id].label, element.id, number,
                        line=line)
        for key in entry:
            if key not in STRAND_KEYS and key not in level_ids:
                report(Problem(path, doc.line("strands", strand_id, key),
                               f"strand '{strand_id}': unknown key '{key}' (levels: "
                               f"{', '.join(level_ids)}; and {', '.join(sorted(STRAND_KEYS))})"))
        for level_id in level_ids:
            text = entry.get(level_id)
            if not isinstance(text, str) or not text.strip():
                report(Problem(path, line, f"strand '{strand_id}' needs a descriptor for level "
                                           f"'{level_id}'"))
                continue
            strand.descriptors[level_id] = " ".join(text.split())
        steps = entry.get("next_steps")
        if not isinstance(steps, list) or not steps or \
                not all(isinstance(s, str) and s.strip() for s in steps):
            report(Problem(path, doc.line("strands", strand_id, "next_steps")
                           if "next_steps" in entry else line,
                           f"strand '{strand_id}' needs 'next_steps': a list of one or more "
                           "concrete actions"))
        else:
            strand.next_steps = [" ".join(s.split()) for s in steps]
        links = entry.get("links")
        if not isinstance(links, list) or not links:
            report(Problem(path, doc.line("strands", strand_id, "links") if "links" in entry
                           else line,
                           f"strand '{strand_id}' needs 'links': labels of the pages that teach it"))
        else:
            for k, label in enumerate(links):
                if str(label) not in labels:
                    report(Problem(path, doc.line("strands", strand_id, "links", k),
                                   f"strand '{strand_id}' links to '{label}', which is not a "
                                   "label of any page (labels are '(name)=' lines)"))
                else:
                    strand.links.append(str(label))
        result.strands[strand_id] = strand


def check_self_assessment(project: Project, vocabulary: Vocabulary | None = None,
                          check_originality: bool = False) -> list[Problem]:
    """All problems of the data file (none if the project has no self-assessment)."""
    path = data_file(project)
    if not path.is_file():
        return []
    problems = list(load_self_assessment(project, vocabulary).problems)
    if check_originality:
        from crossings.content.originality import SourceIndex, load_allowlist, source_files
        files = source_files(project.seeds) if project.seeds.is_dir() else []
        if files:
            index = SourceIndex.build(files, load_allowlist(project.originality_allowlist))
            problems += index.check(path)
    return problems


def site_url(project: Project) -> str:
    """The site's public address if _config.yml names one (html.baseurl), else ''."""
    try:
        config = load_yaml_file(project.root / "_config.yml").data or {}
    except (ContentError, OSError):
        return ""
    html = config.get("html") or {}
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    url = html.get("baseurl") or sphinx_config.get("html_baseurl") or ""
    return str(url).rstrip("/") + "/" if url else ""


def notebook_data(assessment: SelfAssessment, project: Project,
                  labels: dict[str, LabelTarget] | None = None,
                  vocabulary: Vocabulary | None = None) -> dict:
    """Plain data (JSON-ready) for the notebook and the reports: see self_assessment_profile."""
    labels = labels if labels is not None else page_labels(project)
    vocabulary = vocabulary or load_vocabulary(project.vocabulary)
    base = site_url(project)

    def link(label: str) -> dict:
        target = labels[label]
        return {"label": label, "page": target.page_title, "section": target.section,
                "path": target.site_path, "url": base + target.site_path if base else ""}

    return {
        "framework": assessment.framework,
        "title": next((f.title for f in vocabulary.frameworks if f.id == assessment.framework), ""),
        "levels": [{"id": lv.id, "label": lv.label} for lv in assessment.levels],
        "elements": [{"id": e.id, "label": e.label, "short": e.short, "number": e.number,
                      "strands": list(e.strands)} for e in assessment.elements],
        "strands": {s.id: {"label": s.label, "element": s.element, "number": s.number,
                           "descriptors": dict(s.descriptors), "next_steps": list(s.next_steps),
                           "links": [link(label) for label in s.links]}
                    for s in (assessment.strands[i] for i in assessment.strand_order()
                              if i in assessment.strands)},
        "sectors": {key: str(info.get("label", key)) for key, info in vocabulary.audiences.items()},
    }


def load_for_exercise(path: Path, framework: str) -> tuple[dict | None, str | None]:
    """Notebook data for a ``rating`` item written in ``path``, or a plain-language problem."""
    try:
        project = Project.find(path.parent)
    except FileNotFoundError:
        return None, "no _toc.yml above this file: cannot find book/self-assessment.yml"
    file = data_file(project)
    if not file.is_file():
        return None, f"a 'rating' item needs {'/'.join(DATA_FILE)}, which is missing"
    vocabulary = load_vocabulary(project.vocabulary)
    labels = page_labels(project)
    assessment = load_self_assessment(project, vocabulary, labels)
    if assessment.framework and framework != assessment.framework:
        return None, (f"'framework' must be '{assessment.framework}', the framework of "
                      f"{'/'.join(DATA_FILE)}")
    if assessment.problems:
        return None, (f"{'/'.join(DATA_FILE)} has {len(assessment.problems)} problem(s): run "
                      "`crossings validate`")
    return notebook_data(assessment, project, labels, vocabulary), None
