"""The module contract: front matter of ``modules/<slug>/index.md``.

``load_module`` returns the module and every way in which its front matter
breaks the contract, each as a ``file:line`` problem. The validator reports the
problems; the Sphinx extension renders the module overview from the data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.problems import Problem
from crossings.content.vocabulary import Vocabulary
from crossings.content.yamlsource import Located, load_mapping_front_matter

REQUIRED = ("title", "summary", "audiences", "minutes", "outcomes", "prerequisites", "concepts")
OUTCOMES_MIN, OUTCOMES_MAX = 4, 6
MINUTES_MIN, MINUTES_MAX = 15, 900


@dataclass(frozen=True)
class Outcome:
    id: str
    text: str


@dataclass
class Module:
    slug: str
    index: Path
    title: str = ""
    summary: str = ""
    audiences: list[str] = field(default_factory=list)
    minutes: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    front: Located | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def docname(self) -> str:
        return f"modules/{self.slug}/index"


def closest(word: str, candidates, n: int = 1) -> list[str]:
    """The known names closest to a misspelt one (for "did you mean ...?")."""
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def _str_list(value) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def load_module(folder: Path, vocabulary: Vocabulary, known_slugs: set[str]) -> Module:
    slug = folder.name
    index = folder / "index.md"
    module = Module(slug, index)
    report = module.problems.append
    if not index.is_file():
        report(Problem(folder, 1, "module folder has no index.md"))
        return module
    front, problems = load_mapping_front_matter(
        index, "index.md needs YAML front matter with: " + ", ".join(REQUIRED))
    if front is None:
        module.problems.extend(problems)
        return module
    module.front = front
    data, line = front.data, front.line

    # Unknown keys first: a misspelt key is the root cause of the "missing" one.
    meant: set[str] = set()
    for key in data:
        if key not in REQUIRED:
            close = closest(str(key), [k for k in REQUIRED if k not in data])
            meant.update(close[:1])
            hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(REQUIRED)}"
            report(Problem(index, line(key), f"unknown front-matter key '{key}' — {hint}"))
    for key in REQUIRED:
        if key in meant:
            continue
        if key not in data or data[key] is None or data[key] == "":
            report(Problem(index, front.first_line, f"front matter is missing '{key}'"))

    for key in ("title", "summary"):
        if key in data:
            if isinstance(data[key], str) and data[key].strip():
                setattr(module, key, data[key].strip())
            else:
                report(Problem(index, line(key), f"'{key}' must be a non-empty line of text"))

    if "audiences" in data:
        audiences = _str_list(data["audiences"])
        if not audiences:
            report(Problem(index, line("audiences"), "'audiences' must be a non-empty list"))
        else:
            for i, audience in enumerate(audiences):
                if audience not in vocabulary.audiences:
                    report(Problem(index, line("audiences", i),
                                   f"unknown audience '{audience}' "
                                   f"(known: {', '.join(vocabulary.audiences)})"))
            module.audiences = [a for a in audiences if a in vocabulary.audiences]

    if "minutes" in data:
        minutes = data["minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) \
                or not MINUTES_MIN <= minutes <= MINUTES_MAX:
            report(Problem(index, line("minutes"),
                           f"'minutes' must be a whole number from {MINUTES_MIN} to {MINUTES_MAX}"))
        else:
            module.minutes = minutes

    if "outcomes" in data:
        outcomes = data["outcomes"]
        if not isinstance(outcomes, list):
            report(Problem(index, line("outcomes"), "'outcomes' must be a list of {id, text}"))
            outcomes = []
        elif not OUTCOMES_MIN <= len(outcomes) <= OUTCOMES_MAX:
            report(Problem(index, line("outcomes"),
                           f"a module declares {OUTCOMES_MIN} to {OUTCOMES_MAX} learning outcomes, "
                           f"this one has {len(outcomes)}"))
        pattern = re.compile(rf"^{re.escape(slug)}-lo\d+$")
        seen: set[str] = set()
        for i, item in enumerate(outcomes):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) \
                    or not isinstance(item.get("text"), str) or not item["text"].strip():
                report(Problem(index, line("outcomes", i), "each outcome needs an 'id' and a 'text'"))
                continue
            oid = item["id"]
            if not pattern.match(oid):
                report(Problem(index, line("outcomes", i, "id"),
                               f"outcome id '{oid}' must look like '{slug}-lo1'"))
            if oid in seen:
                report(Problem(index, line("outcomes", i, "id"), f"duplicate outcome id '{oid}'"))
            seen.add(oid)
            module.outcomes.append(Outcome(oid, item["text"].strip()))

    if "prerequisites" in data:
        prereqs = data["prerequisites"] if data["prerequisites"] != [] else []
        if _str_list(prereqs) is None:
            report(Problem(index, line("prerequisites"), "'prerequisites' must be a list of module slugs"))
        else:
            for i, other in enumerate(prereqs):
                if other == slug or other not in known_slugs:
                    report(Problem(index, line("prerequisites", i),
                                   f"prerequisite '{other}' is not another module "
                                   f"(known: {', '.join(sorted(known_slugs - {slug})) or 'none'})"))
                else:
                    module.prerequisites.append(other)

    if "concepts" in data:
        concepts = _str_list(data["concepts"])
        if not concepts:
            report(Problem(index, line("concepts"), "'concepts' must be a non-empty list of concept ids"))
        else:
            for i, cid in enumerate(concepts):
                if cid not in vocabulary.concepts:
                    report(Problem(index, line("concepts", i),
                                   f"unknown concept id '{cid}' (see book/vocabulary.yml)"))
                else:
                    module.concepts.append(cid)
    return module


def load_modules(project, vocabulary: Vocabulary) -> list[Module]:
    folders = project.module_dirs()
    slugs = {f.name for f in folders}
    modules = [load_module(f, vocabulary, slugs) for f in folders]
    owner: dict[str, Module] = {}
    for module in modules:
        for i, outcome in enumerate(module.outcomes):
            if outcome.id in owner and owner[outcome.id] is not module:
                module.problems.append(Problem(
                    module.index, module.front.line("outcomes", i, "id"),
                    f"outcome id '{outcome.id}' is also declared in {owner[outcome.id].index}"))
            owner.setdefault(outcome.id, module)
    return modules


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
