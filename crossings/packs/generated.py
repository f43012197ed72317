"""The generated-sentence check: no sentence the renderer writes repeats a heading.

A pack page mixes authored text with sentences the renderer makes from the data
("Formats: ...", "Time: ...", the timeline's lines). Such a sentence must not repeat
``REPEAT_WORDS`` or more words in a row of a heading on the page, as "25 min in the
session 4: sharing the pilot projects (half day)" did. Lines taken from authored text
are not checked here (their authors chose them).
"""

from __future__ import annotations

import re

from crossings.content import mdscan
from crossings.content.problems import Problem
from crossings.packs.model import Pack
from crossings.packs.render import HEADING, PRINT, Context, _notes_for, render_part

WORD = re.compile(r"[\w'-]+")
REPEAT_WORDS = 4   # a generated sentence may share at most 3 words in a row with a heading


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(re.sub(r"\{[\w:-]+\}`[^`]*`|\*", " ", text))]


def check_generated(pack: Pack, ctx: Context) -> list[Problem]:
    """No generated sentence repeats REPEAT_WORDS or more words of a heading of the page."""
    text = pack.page.read_text(encoding="utf-8")
    parts = []
    for d in mdscan.scan(text).directives:
        if d.name.startswith("pack-") and d.name != "pack-downloads":
            try:
                parts.append((d.line, render_part(d.name, d.argument, pack, ctx, 2, PRINT)))
            except KeyError:
                continue   # reported by the page checks
    headings = [h.text for h in mdscan.scan(text).headings]
    headings += [m.group(2) for _, part in parts for line in part.splitlines()
                 if (m := HEADING.match(line))]
    # Only the renderer's own sentences count: skip lines taken from authored text.
    authored = [*pack.texts.values(), *(t for _, t in ctx.outcomes.values())]
    authored += [t for a in pack.activities.values() for t in (a.instructions, a.notes)]
    authored += [s.text for s in pack.timeline]
    authored += [n.body for n in _notes_for(pack, ctx)]
    blob = "\n".join(authored)
    runs = set()
    for head in headings:
        words = _words(head)
        runs |= {tuple(words[i:i + REPEAT_WORDS]) for i in range(len(words) - REPEAT_WORDS + 1)}
    problems = []
    for line, part in parts:
        for sentence in part.splitlines():
            if not sentence.strip() or HEADING.match(sentence) or sentence.lstrip()[:1] == "|":
                continue
            if sentence.startswith("**Handouts:**"):
                continue   # a list of handout titles (authored names), not a sentence
            own = re.sub(r"\s*\([\w-]+\)$", "", sentence.strip().removeprefix("- "))
            if own and own in blob:
                continue
            words = _words(sentence)
            hits = [" ".join(words[i:i + REPEAT_WORDS]) for i in range(len(words))
                    if tuple(words[i:i + REPEAT_WORDS]) in runs]
            if hits:
                problems.append(Problem(pack.page, line, f"a generated sentence repeats the "
                                                         f"heading words '{hits[0]}': "
                                                         f"{sentence.strip()[:90]}"))
    return problems
