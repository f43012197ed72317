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


# libyaml (C) when PyYAML was built with it: ten times faster on every page of the book
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: Path, offset: int = 0) -> Located:
    """Parse ``text``; ``offset`` is the number of lines before it in ``path``.

    Syntax errors become one problem at ``file:line:col`` with a plain-words hint;
    a key written twice in one mapping is an error too (YAML would keep the last).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _no_duplicate_keys(node, path, offset)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise ContentError([syntax_problem(exc, text, path, offset)]) from exc
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is not None:
        _record_lines(node, (), lines, offset)
    return Located(data, lines, first_line=offset + 1)


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, first: yaml.Mark, again: yaml.Mark):
        super().__init__(f"duplicate key {key!r}")
        self.key, self.first, self.problem_mark = key, first, again
        self.problem, self.context_mark = f"duplicate key {key!r}", None


def _no_duplicate_keys(node: yaml.Node, path: Path, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise DuplicateKey(key, seen[key], key_node.start_mark)
            if key is not None:
                seen[key] = key_node.start_mark
            _no_duplicate_keys(value_node, path, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _no_duplicate_keys(item, path, offset)


def syntax_problem(exc: yaml.YAMLError, text: str, path: Path, offset: int) -> Problem:
    """One ``file:line:col`` problem for a YAML syntax error, at the line the author must
    fix (where a quote was opened, where the colon is missing), with a hint in plain words."""
    problem = str(getattr(exc, "problem", "") or exc)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    context_text = str(getattr(exc, "context", "") or "")
    lines = text.splitlines()
    if isinstance(exc, DuplicateKey):
        hint = (f"the key '{exc.key}' is written twice in the same block (first at line "
                f"{exc.first.line + 1 + offset}): keep one of them")
    elif "quoted scalar" in context_text and context is not None:
        mark = context  # where the quote was opened, not where the file ended
        hint = "a quote is opened here but never closed: add the closing quote on this line"
    elif mark is not None and any("\t" in ln for ln in lines[max(0, mark.line - 1):mark.line + 1]):
        tab_line = next(i for i in range(min(mark.line, len(lines) - 1), -1, -1)
                        if "\t" in lines[i])
        mark = yaml.Mark(mark.name, 0, tab_line, lines[tab_line].index("\t"), None, None)
        hint = "a tab is used for indentation: YAML indents with spaces only"
    elif "could not find expected ':'" in problem:
        if context is not None:
            mark = context
        hint = "a line in this block has no colon: write 'key: value'"
    elif "mapping values are not allowed" in problem:
        hint = ("a second colon on this line: put the value in quotes, e.g. "
                "key: \"text: more text\"")
    elif "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        if context is not None:
            mark = context
        hint = "a list in brackets is opened here but never closed: add the closing bracket"
    else:
        hint = f"invalid YAML: {problem}"
    line = (mark.line + 1 if mark is not None else 1) + offset
    column = mark.column + 1 if mark is not None else 0
    return Problem(path, line, hint, column)


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
