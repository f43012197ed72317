"""Turn an exercise source into an nbgrader *source* notebook.

Every question becomes: a locked instruction cell, an answer cell (a solution
cell whose release version keeps only the learner's stub line), and a locked
test cell. Running the test cell is the learner's "check my answer": its visible
part checks the form of the answer. Only for items the author marks ``check: formative``
does it also say whether the answer is right, through a digest of the answer: over a
handful of options anyone can recover that answer by trying them all, so formative items
are practice, and ``check: summative`` items carry no answer check at all. Its hidden part
computes the score as the cell's last value, which nbgrader takes as partial
credit. Reflections and the quality of a plan are graded by the facilitator
with the rubric the learner sees.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crossings.exercises.answers import SECTORS, Field
from crossings.exercises.cells import answer_cell, instructions, meta, test_cell
from crossings.exercises.links import published_links
from crossings.exercises.rating_cells import exercise_data, rating_cells, sector_cells, setup_cell
from crossings.exercises.source import (
    Exercise,
    Item,
    options_markdown,
    points_text,
    rubric_markdown,
)

TEXT_STUB = "Write your answer here."

SETUP = '''\
# Run this cell first (click in it, then press Shift+Enter).
# It prepares the "check my answer" cells below. Please do not change it.
import hashlib as _hashlib
import json as _json

EXERCISE = {exercise!r}
SECTORS = {sectors!r}


def _canonical(value):
    if isinstance(value, str):
        return value.strip().upper()
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def _digest(item, value):
    text = _json.dumps(_canonical(value), sort_keys=True)
    return _hashlib.sha256(f"{{EXERCISE}}:{{item}}:{{text}}".encode()).hexdigest()


def _fail(message):
    raise AssertionError("Not yet: " + message)


def check_letters(answer, letters, multiple=False, count=None, every=False):
    """Check the form of an answer made of letters, in plain language."""
    if answer is ... or answer == "" or answer == []:
        _fail("you have not answered yet.")
    if count is not None or multiple:
        if not isinstance(answer, (list, tuple)):
            _fail('write a list of letters in square brackets, for example ["A", "C"].')
        given = _canonical(answer)
    else:
        if not isinstance(answer, str):
            _fail('write one letter between quotes, for example "B".')
        given = [_canonical(answer)]
    wrong = [g for g in given if g not in letters]
    if wrong:
        _fail(f"use only the letters {{', '.join(letters)}} (you wrote {{', '.join(map(str, wrong))}}).")
    if count is not None and len(given) != count:
        _fail(f"write exactly {{count}} letters, one for each line (you wrote {{len(given)}}).")
    if every and sorted(given) != sorted(letters):
        _fail(f"use every letter {{', '.join(letters)}} exactly once.")
    print("Your answer has the right form.")


def check_text(answer, min_words):
    if answer is ... or not isinstance(answer, str):
        _fail('write your text between the quotes, for example "We will ...".')
    words = len(answer.split())
    if words < min_words:
        _fail(f"write at least {{min_words}} words (you wrote {{words}}).")
    print("Thank you: this part is complete.")


def check_sectors(answer, min_count):
    if not isinstance(answer, (list, tuple)) or not all(isinstance(a, str) for a in answer):
        _fail('write a list of sectors, for example ["ecec", "school"].')
    unknown = [a for a in answer if a.strip().lower() not in SECTORS]
    if unknown:
        _fail(f"use only these words: {{', '.join(SECTORS)}} (you wrote {{', '.join(unknown)}}).")
    if len({{a.strip().lower() for a in answer}}) < min_count:
        _fail(f"name partners from at least {{min_count}} different sectors.")
    print("Thank you: this part is complete.")


def reveal(item, answer, digest, unordered=False):
    # A formative self-check only. Anyone can find the answer from this digest by trying
    # the few possible answers: summative items have no such line.
    if unordered and isinstance(answer, (list, tuple)):
        answer = sorted(_canonical(answer))
    if _digest(item, answer) == digest:
        print("Well done: this answer is right.")
    else:
        print("Not quite right yet. Read the question again and try once more.")
'''


def answer_digest(exercise_id: str, item_id: str, value) -> str:
    def canonical(v):
        if isinstance(v, str):
            return v.strip().upper()
        if isinstance(v, (list, tuple)):
            return [canonical(x) for x in v]
        return v
    text = json.dumps(canonical(value), sort_keys=True)
    return hashlib.sha256(f"{exercise_id}:{item_id}:{text}".encode()).hexdigest()


def _letters_md(options: dict[str, str]) -> str:
    return "\n".join(options_markdown(options))


def _rubric_md(item: Item) -> str:
    return "\n".join(rubric_markdown(item))


def _reveal_line(exercise: Exercise, item: Item) -> str:
    """The formative self-check ("check my answer" says right or wrong). Only for items the
    author marked ``check: formative``; a determined learner can recover such an answer
    from the digest, which is fine for practice. Summative items get no such line at all:
    their released cells check the answer's form only."""
    if not item.formative:
        return ""
    unordered = item.type == "choice" and item.multiple
    expected = sorted(item.answer) if unordered else item.answer
    flag = ", unordered=True" if unordered else ""
    return (f"\nreveal({item.id!r}, answer, "
            f"{answer_digest(exercise.id, item.id, expected)!r}{flag})")


def item_cells(exercise: Exercise, item: Item, number: int) -> list:
    title = f"question {number}"
    head = f"## Question {number}\n\n{item.prompt}\n"
    cells = []
    letters = list(item.options)
    if item.type == "choice":
        if item.multiple:
            how = 'Type the letters of **all** right options in the list, for example `answer = ["A", "C"]`.'
            stub = "answer = []  # type letters between the brackets, for example \"A\", \"C\""
            scoring = f"{item.points!r} if sorted(_canonical(answer)) == {sorted(item.answer)!r} else 0.0"
        else:
            how = 'Type **one** letter between the quotes, for example `answer = "B"`.'
            stub = 'answer = ""  # type one letter between the quotes'
            scoring = f"{item.points!r} if _canonical(answer) == {item.answer!r} else 0.0"
        cells.append(instructions(f"{item.id}-question", f"{head}\n{_letters_md(item.options)}\n\n{how}"))
        cells.append(answer_cell(f"{item.id}-answer", stub, item.answer))
        visible = (f"check_letters(answer, {letters!r}, multiple={item.multiple!r})"
                   f"{_reveal_line(exercise, item)}")
        cells.append(test_cell(f"{item.id}-check", item.points, title, visible, scoring))
    elif item.type == "classify":
        n = len(item.statements)
        table = "\n".join(f"{k}. {v}" for k, v in item.statements.items())
        how = (f"Type one category letter for each line, in order, for example "
               f"`answer = {json.dumps(letters[:1] * n)}`.")
        cells.append(instructions(f"{item.id}-question",
                                   f"{head}\n**Categories**\n\n{_letters_md(item.options)}\n\n"
                                   f"**Lines**\n\n{table}\n\n{how}"))
        cells.append(answer_cell(f"{item.id}-answer", "answer = []  # one letter per line, in order",
                                  item.answer))
        visible = f"check_letters(answer, {letters!r}, count={n}){_reveal_line(exercise, item)}"
        hidden = (f"_expected = {item.answer!r}\n"
                  f"round({item.points!r} * sum(g == e for g, e in zip(_canonical(answer), _expected))"
                  f" / len(_expected), 2)")
        cells.append(test_cell(f"{item.id}-check", item.points, title, visible, hidden))
    elif item.type == "order":
        how = f"Type all the letters in the right order, for example `answer = {json.dumps(letters)}`."
        cells.append(instructions(f"{item.id}-question", f"{head}\n{_letters_md(item.options)}\n\n{how}"))
        cells.append(answer_cell(f"{item.id}-answer", "answer = []  # all letters, in order",
                                  item.answer))
        visible = f"check_letters(answer, {letters!r}, count={len(letters)}, every=True)" \
                  f"{_reveal_line(exercise, item)}"
        hidden = (f"_expected = {item.answer!r}\n"
                  "_position = {v: k for k, v in enumerate(_canonical(answer))}\n"
                  "_pairs = [(a, b) for i, a in enumerate(_expected) for b in _expected[i + 1:]]\n"
                  f"round({item.points!r} * sum(_position[a] < _position[b] for a, b in _pairs)"
                  " / len(_pairs), 2)")
        cells.append(test_cell(f"{item.id}-check", item.points, title, visible, hidden))
    elif item.type == "plan":
        cells.append(instructions(f"{item.id}-question", head + _rubric_md(item)))
        share = item.points / len(item.fields) if item.fields else 0
        for fld in item.fields:
            cells += _field_cells(item, fld, share)
        if item.quality_points:
            cells.append(new_markdown_cell(
                f"### Quality of your plan ({points_text(item.quality_points)})\n\nThe facilitator reads "
                "your whole plan with the rubric above and gives these points.",
                metadata=meta(f"{item.id}-quality", locked=True, task=True, points=item.quality_points)))
    elif item.type in ("sector", "rating"):
        cells += (sector_cells if item.type == "sector" else rating_cells)(item, number)
    elif item.type == "reflection":
        cells.append(instructions(f"{item.id}-question",
                                   f"{head}{_rubric_md(item)}\n\nWrite your answer in the cell below "
                                   f"({points_text(item.points)}, read by the facilitator)."))
        cells.append(new_markdown_cell(TEXT_STUB, metadata=meta(
            f"{item.id}-reflection", solution=True, grade=True, points=item.points)))
    return cells


def _field_cells(item: Item, fld: Field, points: float) -> list:
    if fld.kind == "sectors":
        how = (f'Type the partner sectors as a list, from: {", ".join(SECTORS)}; at least '
               f'{fld.min_count} different ones, for example `answer = ["ecec", "school"]`.')
        stub = "answer = []  # sectors between the brackets"
        visible = f"check_sectors(answer, {fld.min_count})"
    else:
        how = f'Type at least {fld.min_words} words between the quotes.'
        stub = 'answer = ""  # your text between the quotes'
        visible = f"check_text(answer, {fld.min_words})"
    hint = f"\n\n{fld.hint}" if fld.hint else ""
    return [
        instructions(f"{item.id}-{fld.id}-question", f"**{fld.label}**{hint}\n\n{how}"),
        answer_cell(f"{item.id}-{fld.id}-answer", stub, fld.model),
        test_cell(f"{item.id}-{fld.id}-check", points, f"{fld.label.lower()}", visible),
    ]


def source_notebook(exercise: Exercise, outcome_texts: dict[str, str], root: Path | None = None,
                    base_url: str = "") -> nbformat.NotebookNode:
    """The nbgrader source notebook; ``root`` and ``base_url`` (the published site) turn the
    links of the exercise text into links to published pages (see ``links.py``)."""
    outcomes = "\n".join(f"- {outcome_texts.get(o, o)} ({o})" for o in exercise.outcomes)
    text = published_links(exercise.intro, exercise.path, root or exercise.path.parents[2],
                           base_url)
    intro = (f"# {exercise.title}\n\n{text}\n\n"
             f"**Time:** about {exercise.minutes} minutes. "
             f"**Points:** {exercise.points:g}.\n\n**This exercise practises:**\n\n{outcomes}\n\n"
             "**How it works:** answer each question in the grey answer cell by changing only "
             "the text after `answer =`. Then run the cell below it (Shift+Enter) to check "
             "your answer. Save the notebook when you are done and hand it in as your "
             "facilitator tells you.")
    cells = [instructions("intro", intro),
             new_code_cell(SETUP.format(exercise=exercise.id, sectors=SECTORS),
                           metadata=meta("setup", locked=True))]
    if any(i.type in ("sector", "rating") for i in exercise.items):
        cells.append(setup_cell(exercise_data(exercise)))
    for number, item in enumerate(exercise.items, start=1):
        cells += item_cells(exercise, item, number)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["crossings"] = {
        "exercise": exercise.id, "module": exercise.module, "kind": exercise.kind,
        "items": {i.id: {"type": i.type, "outcomes": i.outcomes, "points": i.points,
                         "manual_points": i.manual_points} for i in exercise.items},
    }
    return nb
