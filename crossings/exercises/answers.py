"""What a learner's answer may look like: the value-only answer cell, and a plan field's value."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

SECTORS = ("ecec", "school", "social", "health", "policy", "family", "community")


@dataclass
class Field:
    """One part of a structured plan."""

    id: str
    label: str
    kind: str  # "text" or "sectors"
    min_words: int = 0
    min_count: int = 0
    model: Any = None
    hint: str = ""



def field_problem(fld: Field, value: Any) -> str | None:
    """The completeness rule of one plan field, in plain language (None if fine)."""
    if fld.kind == "sectors":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return 'write a list of sectors, for example ["ecec", "school"]'
        unknown = [v for v in value if v.strip().lower() not in SECTORS]
        if unknown:
            return f"unknown sector(s) {', '.join(unknown)}; use {', '.join(SECTORS)}"
        if len({v.strip().lower() for v in value}) < fld.min_count:
            return f"name partners from at least {fld.min_count} different sectors"
        return None
    if not isinstance(value, str):
        return 'write your text between the quotes, for example "..."'
    words = len(value.split())
    if words < fld.min_words:
        return f"write at least {fld.min_words} words (you wrote {words})"
    return None


def answer_cell_problem(source: str) -> str | None:
    """Learners only type values: an answer cell may hold comments and ``answer = <value>``.

    Returns a plain-language problem, or None. The grading pipeline uses this to
    refuse answer cells that contain program logic.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"the answer cell is not valid ({exc.msg}, line {exc.lineno})"
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "answer"):
            return "an answer cell may only contain 'answer = ...'"
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return "the answer must be a plain value: text in quotes, or a list of them"
    return None
