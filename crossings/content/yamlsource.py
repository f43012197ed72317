"""Read YAML (files or Markdown front matter) keeping the line of every value.

Validation messages must name ``file:line``; PyYAML's node tree carries the
marks, so we compose the tree and convert it ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crossings.content.problems import ContentError, Problem


@dataclass
class Located:
    """A YAML document as plain Python data plus the 1-based line of each path."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    first_line: int = 1

    def line(self, *path: Any) -> int:
        """Line of the value at ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


def _record_lines(node: yaml.Node, path: tuple, lines: dict, offset: int) -> None:
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _record_lines(value_node, path + (key_node.value,), lines, offset)
            lines[path + (key_node.value,)] = key_node.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, path + (i,), lines, offset)


def parse_yaml(text: str, path: Path, offset: int = 0) -> Located:
    """Parse ``text``; ``offset`` is the number of lines before it in ``path``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1 if mark else 1) + offset
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError([Problem(path, line, f"invalid YAML: {problem}")]) from exc
    lines: dict[tuple, int] = {}
    if node is not None:
        _record_lines(node, (), lines, offset)
    return Located(data, lines, first_line=offset + 1)


def load_yaml_file(path: Path) -> Located:
    return parse_yaml(path.read_text(encoding="utf-8"), path)


def split_front_matter(text: str) -> tuple[str | None, int]:
    """Return (front matter text or None, number of lines before the body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "".join(lines[1:i]), i + 1
    return None, 0


def load_mapping_front_matter(path: Path, missing: str) -> tuple[Located | None, list[Problem]]:
    """Front matter that must be a YAML mapping: ``(front, [])``, or ``(None, problems)``
    where ``missing`` is the message for a file without such front matter."""
    try:
        front = load_front_matter(path)
    except ContentError as exc:
        return None, exc.problems
    if front is None or not isinstance(front.data, dict):
        return None, [Problem(path, 1, missing)]
    return front, []


def load_front_matter(path: Path) -> Located | None:
    """Front matter of a Markdown file with line numbers as in the file."""
    text = path.read_text(encoding="utf-8")
    front, _ = split_front_matter(text)
    if front is None:
        if text.startswith("---"):
            raise ContentError([Problem(path, 1, "front matter opened with '---' is never closed")])
        return None
    return parse_yaml(front, path, offset=1)
