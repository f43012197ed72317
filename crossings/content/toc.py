"""Read ``_toc.yml`` (Jupyter Book 1 ``jb-book`` format) into an ordered page list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crossings.content.problems import ContentError, Problem
from crossings.content.yamlsource import load_yaml_file


@dataclass(frozen=True)
class TocEntry:
    docname: str
    line: int
    part: str


def read_toc(path: Path) -> list[TocEntry]:
    doc = load_yaml_file(path)
    data = doc.data
    if not isinstance(data, dict) or "root" not in data:
        raise ContentError([Problem(path, 1, "_toc.yml needs a 'root' entry")])
    entries = [TocEntry(_strip(data["root"]), doc.line("root"), "")]

    def walk(items, where: tuple, part: str):
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                continue
            if "file" in item:
                entries.append(TocEntry(_strip(item["file"]), doc.line(*where, i, "file"), part))
            walk(item.get("sections"), where + (i, "sections"), part)

    for pi, part in enumerate(data.get("parts") or []):
        walk(part.get("chapters"), ("parts", pi, "chapters"), str(part.get("caption", "")))
    walk(data.get("chapters"), ("chapters",), "")
    return entries


def _strip(name: str) -> str:
    name = str(name)
    for suffix in (".md", ".ipynb", ".rst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
