"""Helpers of the exercise-page browser tests: fill an exercise page as a learner would.

``answers(item, kind)`` says what a learner types for one item (``model``: the answers of the
exercise source; ``wrong``: a known partly wrong answer, with the score the grader must give;
``blank``: nothing). ``fill(page, item, value)`` puts it into the page's controls with
Playwright's ordinary input actions.
"""

from __future__ import annotations

from crossings.exercises.source import Item

REFLECTION = ("In my service I would ask the parents at pick-up time how the first weeks went, "
              "with their consent, and share what we learn with the school.")
EVIDENCE = "We saw this in the last joint planning meeting of our area."


def _pairs_score(expected: list[str], given: list[str], points: float) -> float:
    position = {v: k for k, v in enumerate(given)}
    pairs = [(a, b) for i, a in enumerate(expected) for b in expected[i + 1:]]
    return round(points * sum(position[a] < position[b] for a, b in pairs) / len(pairs), 2)


def answers(item: Item, kind: str) -> tuple[object, float]:
    """(what the learner enters, the autograded points it must earn)."""
    if kind == "blank":
        return None, 0.0
    model = kind == "model"
    t = item.type
    if t == "choice":
        if model:
            return item.answer, item.points
        wrong = next(k for k in item.options if k not in item.answer)
        return ([wrong] if item.multiple else wrong), 0.0
    if t == "classify":
        if model:
            return list(item.answer), item.points
        given = list(item.answer)
        given[0] = next(k for k in item.options if k != given[0])
        n = len(given)
        return given, round(item.points * (n - 1) / n, 2)
    if t == "order":
        if model:
            return list(item.answer), item.points
        given = list(item.answer)
        given[0], given[1] = given[1], given[0]
        return given, _pairs_score(item.answer, given, item.points)
    if t == "plan":
        share = item.points / len(item.fields)
        value, score = {}, 0.0
        for fld in item.fields:
            if fld.kind == "sectors":
                value[fld.id] = list(fld.model) if model else [fld.model[0]]
                score += share if model else 0.0
            else:
                value[fld.id] = fld.model
                score += share
        return value, score
    if t == "reflection":
        return REFLECTION, 0.0
    if t == "sector":
        return item.answer, item.points
    if t == "rating":
        strands = [s for e in item.assessment["elements"] for s in e["strands"]]
        share = item.points / len(strands)
        rated = strands if model else strands[:1]
        return {s: (1 + k % len(item.assessment["levels"]), EVIDENCE)
                for k, s in enumerate(rated)}, share * len(rated)
    raise AssertionError(t)


def fill(page, item: Item, value) -> None:
    """Put ``value`` into the controls of ``item`` on the loaded exercise page."""
    if value is None:
        return
    b = f"x-{item.id}"
    t = item.type
    if t in ("choice", "sector"):
        for key in (value if isinstance(value, list) else [value]):
            page.check(f"#{b}-{key}")
    elif t == "classify":
        for k, letter in enumerate(value, start=1):
            page.select_option(f"#{b}-{k}", letter)
    elif t == "order":
        for place, letter in enumerate(value, start=1):
            page.select_option(f"#{b}-{letter}", str(place))
    elif t == "reflection":
        page.fill(f"#{b}-text", value)
    elif t == "plan":
        for fld in item.fields:
            if fld.kind == "sectors":
                for sector in value[fld.id]:
                    page.check(f"#{b}-{fld.id}-{sector}")
            else:
                page.fill(f"#{b}-{fld.id}", value[fld.id])
    elif t == "rating":
        for strand, (level, evidence) in value.items():
            page.select_option(f"#{b}-{strand}-level", str(level))
            page.fill(f"#{b}-{strand}-evidence", evidence)
