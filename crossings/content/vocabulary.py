"""The controlled vocabulary (book/vocabulary.yml): audiences and framework concepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.problems import ContentError, Problem
from crossings.content.yamlsource import Located, load_yaml_file


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    framework: str
    parent: str | None = None
    line: int = 1


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    source: str
    concepts: tuple[str, ...]
    line: int = 1
    note: str = ""


@dataclass
class Vocabulary:
    audiences: dict[str, dict]
    frameworks: list[Framework]
    concepts: dict[str, Concept]
    problems: list[Problem] = field(default_factory=list)
    # Words of the platform's making that no learner page may show (``internal_words``).
    internal_words: tuple[str, ...] = ()
    # Outcome verbs that need a constructed response: a reflection or a plan with a rubric.
    constructed_verbs: tuple[str, ...] = ()
    path: Path | None = None

    def children(self, concept_id: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.parent == concept_id]

    def audience_label(self, audience: str) -> str:
        return self.audiences.get(audience, {}).get("label", audience)


def load_vocabulary(path: Path) -> Vocabulary:
    """Load the vocabulary; structural problems are collected in ``.problems``.

    Raises ContentError only when the file cannot be parsed at all.
    """
    if not path.is_file():
        raise ContentError([Problem(path, 1, "vocabulary file is missing")])
    doc: Located = load_yaml_file(path)
    data = doc.data or {}
    problems: list[Problem] = []
    audiences = data.get("audiences") or {}
    if not isinstance(audiences, dict) or not audiences:
        problems.append(Problem(path, doc.line("audiences"), "'audiences' must map ids to labels"))
        audiences = {}
    for key, value in audiences.items():
        if not isinstance(value, dict) or not value.get("label"):
            problems.append(Problem(path, doc.line("audiences", key), f"audience '{key}' needs a label"))

    frameworks: list[Framework] = []
    concepts: dict[str, Concept] = {}

    def add(item, where: tuple, framework: str, parent: str | None) -> str | None:
        if not isinstance(item, dict) or not item.get("id") or not item.get("label"):
            problems.append(Problem(path, doc.line(*where), "a concept needs an 'id' and a 'label'"))
            return None
        allowed = {"id", "label"} | ({"strands"} if parent is None else set())
        for key in item:
            if key not in allowed:
                problems.append(Problem(path, doc.line(*where, key),
                                        f"unexpected key '{key}' in concept '{item['id']}' "
                                        "(a label with a comma must be quoted)"))
        cid = str(item["id"])
        if cid in concepts:
            problems.append(Problem(path, doc.line(*where, "id"), f"concept id '{cid}' is defined twice"))
            return None
        concepts[cid] = Concept(cid, str(item["label"]), framework, parent, doc.line(*where, "id"))
        return cid

    for fi, fw in enumerate(data.get("frameworks") or []):
        where = ("frameworks", fi)
        if not isinstance(fw, dict) or not fw.get("id"):
            problems.append(Problem(path, doc.line(*where), "a framework needs an 'id'"))
            continue
        top: list[str] = []
        for ci, item in enumerate(fw.get("concepts") or []):
            cid = add(item, where + ("concepts", ci), fw["id"], None)
            if cid is None:
                continue
            top.append(cid)
            for si, strand in enumerate(item.get("strands") or []):
                add(strand, where + ("concepts", ci, "strands", si), fw["id"], cid)
        frameworks.append(Framework(fw["id"], str(fw.get("title", fw["id"])),
                                    str(fw.get("source", "")), tuple(top),
                                    doc.line(*where, "source"), " ".join(str(fw.get("note", "")).split())))
    words = {}
    for key in ("internal_words", "constructed_verbs"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            problems.append(Problem(path, doc.line(key), f"'{key}' must be a list of words"))
            value = []
        words[key] = tuple(w.strip().lower() for w in value)
    return Vocabulary(audiences, frameworks, concepts, problems, words["internal_words"],
                      words["constructed_verbs"], path)
