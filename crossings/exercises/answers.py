"""What a learner's answer may look like: the value-only answer cell, and a plan field's value."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from crossings.exercises.learner_texts import refusal_reasons

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


# -- the answer form -----------------------------------------------------------------------
#
# THE ONE FORM OF AN ANSWER CELL (learners, the on-page forms and the grader rely on it):
#
#     answer = <literal>
#
# optionally with comment lines (``# ...``) before or after it. <literal> is one of
#   * text:    answer = "B"          answer = """several lines of text"""
#   * number:  answer = 3            answer = -1.5
#   * a list (or tuple) of texts and numbers, one level deep:
#              answer = ["C", "A"]   answer = [2, "what I have seen"]
# ``answer_cell_source(value)`` writes this form; ``parse_answer(source)`` reads it back
# without running anything (Python's ``ast``, literals only). Anything else (IPython
# syntax such as ``%magic`` or ``!cmd``, a second statement, a name, a call, an attribute,
# an operator other than a sign on a number, a dict or set) is not an answer: the grader
# scores that item 0, flags it with the reason, and never runs it.

MAX_ANSWER_CHARS = 100_000     # a reflection of some pages; more is not an answer
REASONS = refusal_reasons()    # in English; the feedback page shows them in the notebook's language


class NotAnAnswer(ValueError):
    """The answer cell holds something else than ``answer = <literal>`` (plain-language reason)."""


def _literal(node: ast.AST, depth: int = 0):
    if isinstance(node, ast.Constant) and type(node.value) in (str, int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)) and depth == 0:
        return [_literal(element, depth + 1) for element in node.elts]
    raise NotAnAnswer(REASONS["plain_value"])


def parse_answer(source: str):
    """The value of an answer cell, read without running it.

    Returns ``(True, value)`` for ``answer = <literal>``, ``(False, None)`` for a cell
    with no statement at all (only comments: not answered). Raises ``NotAnAnswer``
    with a plain-language reason for anything else. Tuples come back as lists.
    """
    if len(source) > MAX_ANSWER_CHARS:
        raise NotAnAnswer(REASONS["too_long"].format(limit=MAX_ANSWER_CHARS))
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        stripped = [ln.strip() for ln in source.splitlines() if ln.strip()]
        if any(ln[:1] in "%!?" or ln.endswith("?") for ln in stripped):
            raise NotAnAnswer(REASONS["ipython"]) from None
        raise NotAnAnswer(REASONS["invalid"].format(error=exc.msg, line=exc.lineno)) from None
    except (RecursionError, MemoryError, ValueError):
        raise NotAnAnswer(REASONS["nested"]) from None
    if not tree.body:
        return False, None
    if len(tree.body) > 1:
        raise NotAnAnswer(REASONS["only_answer"])
    node = tree.body[0]
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "answer"):
        raise NotAnAnswer(REASONS["only_answer"])
    return True, _literal(node.value)


def answer_cell_source(value) -> str:
    """The canonical answer cell for ``value`` (what the grader runs). Forms may also write
    text in triple quotes; ``parse_answer`` reads both the same way."""
    return f"answer = {value!r}"


def answer_cell_problem(source: str) -> str | None:
    """Learners only type values: an answer cell may hold comments and ``answer = <value>``.

    Returns a plain-language problem, or None.
    """
    try:
        parse_answer(source)
    except NotAnAnswer as exc:
        return str(exc)
    return None
