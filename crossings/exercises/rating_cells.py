"""Notebook cells of the self-assessment item types ``sector`` and ``rating``.

Both are graded for completeness only. A second locked setup cell (its source
collapsed) carries the code of ``self_assessment_profile`` and the DATA made from
``book/self-assessment.yml``, so the learner notebook works on its own: each check
cell records an answer and says in plain words what is missing (it never stops
"Run all"), and the last cell shows the profile at once. The hidden part of each
check cell gives full points for a complete answer and none otherwise.
"""

from __future__ import annotations

import pprint
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

from crossings.exercises.cells import answer_cell, instructions, meta, test_cell
from crossings.exercises.source import Exercise, Item
from crossings.selfassessment import profile as self_assessment_profile

SETUP_ID = "setup-self-assessment"
TYPES = ("sector", "rating")
RATING_STUB = 'answer = [0, ""]  # [level 1 to 4, "one line of evidence"]'
SECTOR_STUB = 'answer = ""  # one word between the quotes'
MODEL_EVIDENCE = "Model answer: a made-up line of evidence for this strand."


def profile_code() -> str:
    return Path(self_assessment_profile.__file__).read_text(encoding="utf-8")


def setup_cell(data: dict):
    """Locked cell with the profile code and the data; collapsed in JupyterLab."""
    source = ("# Run this cell too (Shift+Enter). It holds the descriptors of the self-assessment\n"
              "# and the code that draws your profile. Please do not change it.\n"
              + profile_code()
              + "\n\nDATA = " + pprint.pformat(data, width=100, sort_dicts=False) + "\n")
    cell = new_code_cell(source, metadata=meta(SETUP_ID, locked=True))
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def exercise_data(exercise: Exercise) -> dict | None:
    """The DATA of the first rating item (it also lists the sectors)."""
    for item in exercise.items:
        if item.type == "rating" and item.assessment:
            return item.assessment
    sectors = next((i.options for i in exercise.items if i.type == "sector"), None)
    return {"levels": [], "elements": [], "strands": {}, "sectors": sectors} if sectors else None


def sector_cells(item: Item, number: int) -> list:
    options = "\n".join(f"- `{key}`: {label}" for key, label in item.options.items())
    first = next(iter(item.options), "school")
    text = (f"## Question {number}\n\n{item.prompt}\n\n{options}\n\nType **one** of these words "
            f'between the quotes, for example `answer = "{first}"`.')
    return [
        instructions(f"{item.id}-question", text),
        answer_cell(f"{item.id}-answer", SECTOR_STUB, item.answer),
        test_cell(f"{item.id}-check", item.points, f"question {number}",
                   "choose_sector(answer)", f"sector_points({item.points!r})"),
    ]


def rating_cells(item: Item, number: int) -> list:
    data = item.assessment
    levels = [lv["label"] for lv in data["levels"]]
    scale = ", ".join(f"**{n}** = {name.lower()}" for n, name in enumerate(levels, start=1))
    share = item.points / len(data["strands"])
    how = (f"**How to answer.** Under each strand, type the level and one line of evidence "
           f"between square brackets, for example "
           f'`answer = [2, "what you have seen, heard or read that shows this level"]`. '
           f"The levels are {scale}; you may also type the name of the level, for example "
           f'`"{levels[-2].lower()}"`. Then run the check cell under your answer. '
           f"Each strand you rate with evidence earns {share:g} point(s); nothing else is "
           f"graded, so rate your own system honestly.")
    cells = [instructions(f"{item.id}-question", f"## Question {number}\n\n{item.prompt}\n\n{how}")]
    for element in data["elements"]:
        for k, strand_id in enumerate(element["strands"]):
            strand = data["strands"][strand_id]
            head = f"### {element['number']} {element['label']}\n\n" if k == 0 else ""
            descriptors = "\n".join(f"{n}. **{levels[n - 1]}:** {text}" for n, text in
                                    enumerate(strand["descriptors"].values(), start=1))
            cells.append(instructions(f"{item.id}-{strand_id}-question",
                                       f"{head}#### {strand['number']} {strand['label']}\n\n"
                                       f"{descriptors}"))
            model = [1 + (len(cells) % len(levels)), MODEL_EVIDENCE]
            cells.append(answer_cell(f"{item.id}-{strand_id}-answer", RATING_STUB, model))
            cells.append(test_cell(f"{item.id}-{strand_id}-check", share,
                                    f"{strand['number']} {strand['label']}",
                                    f"rate({strand_id!r}, answer)",
                                    f"rating_points({strand_id!r}, {share!r})"))
    cells.append(new_markdown_cell(
        "## Your profile\n\nRun the cell below (or *Run all cells*). It shows your profile at "
        "once: a summary, a radar chart of the six elements with the same data as a table, "
        "your rating of every strand, your three strongest and three weakest strands, and "
        "next steps with the module pages to read for each weak strand. If a strand you "
        "answered shows as *not rated*, run the check cell under that answer, then this cell "
        "again.", metadata=meta(f"{item.id}-profile-intro", locked=True)))
    cells.append(new_code_cell("show_profile()", metadata=meta(f"{item.id}-profile", locked=True)))
    return cells
