"""A submission before it runs: the exercise's template, reading the learner's notebook, and
the notebook rebuilt from the course's own cells with only the learner's answers, as data.

Answers are data, not code. Each answer cell is read with ``parse_answer`` (Python's
``ast``, literals only, the one ``answer = <literal>`` form of
``crossings.exercises.answers``) and its canonical value is written into a fresh copy of
the released cell. The kernel therefore runs only the course's own cells and learners'
literals. Anything else in an answer cell scores 0 on that item (the released, unanswered
cell runs instead), is flagged with the reason and marked for a human look, and never
runs. Cells a learner added are dropped (flagged when not empty). Text answers
(reflections) go into the graded notebook as a fenced code block, so formgrader shows
exactly what was typed and no renderer treats it as markup.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field

from crossings.exercises.answers import NotAnAnswer, answer_cell_source, parse_answer
from crossings.grading.course import MAX_NOTEBOOK_BYTES, Course, normalise


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


@dataclass
class Template:
    exercise: str
    source: object            # course/source notebook (model answers, hidden tests)
    release: object           # course/release notebook (what learners got)
    checksums: dict[str, str]
    order: list[str]          # grade ids in source order
    kinds: dict[str, str]     # id -> "locked" | "solution" | "other"
    src_cells: dict[str, object]
    rel_cells: dict[str, object]
    hidden: dict[str, str]    # test cell id -> its hidden test text
    points: float
    # locked cell id -> its text in the learners' notebooks of other languages
    translated: dict[str, set[str]] = field(default_factory=dict)

    def fixed_texts(self, gid: str) -> set[str]:
        """Every accepted text of a locked cell: English and each translation."""
        english = normalise(self.rel_cells.get(gid, self.src_cells[gid]).source)
        return {english} | self.translated.get(gid, set())

    def scored_by(self, gid: str) -> str | None:
        """The grade (or task) cell that scores answer cell ``gid``: the next one after it."""
        for later in self.order[self.order.index(gid):]:
            meta = nbgrader_meta(self.src_cells[later])
            if meta.get("grade") or meta.get("task"):
                return later
        return None

    @classmethod
    def load(cls, course: Course, exercise: str, gb) -> Template:
        import nbformat

        source = nbformat.read(course.source_notebook(exercise), as_version=4)
        release = nbformat.read(course.release_notebook(exercise), as_version=4)
        notebook = gb.find_notebook(exercise, exercise)
        checksums = {c.name: c.checksum for c in notebook.source_cells}
        src_cells, rel_cells, kinds, order, hidden = {}, {}, {}, [], {}
        for cell in source.cells:
            gid = grade_id(cell)
            if gid:
                src_cells[gid] = cell
                order.append(gid)
                meta = nbgrader_meta(cell)
                kinds[gid] = "solution" if meta.get("solution") else \
                    "locked" if meta.get("locked") else "other"
                if "BEGIN HIDDEN TESTS" in cell.source:
                    hidden[gid] = hidden_text(cell.source)
        for cell in release.cells:
            if grade_id(cell):
                rel_cells[grade_id(cell)] = cell
        translated: dict[str, set[str]] = {}
        for path in course.translated_release_notebooks(exercise):
            for cell in nbformat.read(path, as_version=4).cells:
                if grade_id(cell) and kinds.get(grade_id(cell)) == "locked":
                    translated.setdefault(grade_id(cell), set()).add(normalise(cell.source))
        return cls(exercise, source, release, checksums, order, kinds, src_cells, rel_cells,
                   hidden, float(notebook.max_score), translated)


def hidden_text(source: str) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)


@dataclass
class Prepared:
    status: str = "graded"
    reasons: list[str] = field(default_factory=list)
    nb: object = None
    review: set[str] = field(default_factory=set)   # grade ids that need a human look
    digest: str | None = None
    answers: dict[str, object] = field(default_factory=dict)   # answer id -> value / text
    refused: dict[str, str] = field(default_factory=dict)      # answer id -> why not an answer
    blank: list[str] = field(default_factory=list)             # answer ids left as released
    language: object = None    # the notebook's metadata.language, as claimed (learner data)


def read_notebook(data: bytes):
    """(notebook, None) or (None, plain-language reason)."""
    import nbformat

    if not data.strip():
        return None, "the file is empty"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "the file is not text (not a notebook)"
    except json.JSONDecodeError as exc:
        return None, f"the file is not valid JSON (line {exc.lineno}: {exc.msg}); it may be damaged"
    if not isinstance(raw, dict) or "cells" not in raw:
        return None, "the file is JSON but not a Jupyter notebook"
    try:
        invalid: dict = {}
        nb = nbformat.reads(data.decode("utf-8"), as_version=4,
                            capture_validation_error=invalid)
        if invalid.get("ValidationError") is not None:
            raise invalid["ValidationError"]
    except Exception as exc:  # noqa: BLE001 - any reader error means "unreadable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"the notebook is not valid: {first[:200]}"
    return nb, None


def prepare(template: Template, data: bytes) -> Prepared:
    """Check a submission against its exercise and build the notebook to run."""
    out = Prepared(digest=hashlib.sha256(data).hexdigest())
    nb, why = read_notebook(data)
    if nb is None:
        out.status, out.reasons = "unreadable", [why]
        return out
    out.language = nb.metadata.get("language")
    claimed = (nb.metadata.get("crossings") or {}).get("exercise")
    if claimed and claimed != template.exercise:
        out.status = "wrong-notebook"
        out.reasons = [f"this is the notebook of exercise {claimed!r}, not {template.exercise!r}"]
        return out

    cells = list(nb.cells)
    # 1. cells that carry a grade id of this exercise (the last copy wins, as in nbgrader)
    where: dict[str, int] = {}
    duplicates: set[str] = set()
    foreign = 0
    for index, cell in enumerate(cells):
        gid = grade_id(cell)
        if gid is None:
            continue
        if gid not in template.kinds:
            foreign += 1
            continue
        if gid in where:
            duplicates.add(gid)
        where[gid] = index
    matched_by_id = set(where)
    claimed_cells = set(where.values())

    # 2. cells whose metadata is gone: find locked cells by their exact text ...
    restored: set[str] = set()
    free = [i for i, c in enumerate(cells) if i not in claimed_cells and grade_id(c) is None]
    for gid in template.order:
        if gid in where or template.kinds[gid] != "locked":
            continue
        wanted = {w for w in template.fixed_texts(gid) if w}
        for i in free:
            if i not in claimed_cells and normalise(cells[i].source) in wanted:
                where[gid] = i
                claimed_cells.add(i)
                restored.add(gid)
                break
    # ... and an answer cell as the one unclaimed cell between its neighbours
    for pos, gid in enumerate(template.order):
        if gid in where or template.kinds[gid] != "solution":
            continue
        before = [where[g] for g in template.order[:pos] if g in where]
        after = [where[g] for g in template.order[pos + 1:] if g in where]
        # only between two cells already found (or the notebook's start or end)
        if (not before and pos > 0) or (not after and pos < len(template.order) - 1) \
                or (not before and not after):
            continue
        lo = max(before) if before else -1
        hi = min(after) if after else len(cells)
        between = [i for i in range(lo + 1, hi) if i not in claimed_cells and grade_id(cells[i])
                   is None and cells[i].cell_type == template.src_cells[gid].cell_type]
        if len(between) == 1:
            where[gid] = between[0]
            claimed_cells.add(between[0])
            restored.add(gid)

    locked = [g for g in template.order if template.kinds[g] == "locked"]
    same_text = [g for g in locked if g in where
                 and normalise(cells[where[g]].source) in template.fixed_texts(g)]
    if locked and len(same_text) < len(locked) / 2:
        if not matched_by_id and not foreign and not restored:
            out.status = "no-metadata"
            out.reasons = ["the notebook has no nbgrader cell metadata and its cells do not match "
                           "the exercise (was it saved by a tool that drops metadata?)"]
        else:
            out.status = "wrong-notebook"
            out.reasons = [f"only {len(same_text)} of {len(locked)} fixed cells match exercise "
                           f"{template.exercise!r}: probably another notebook"]
        return out

    # 3. rebuild in the exercise's order: each exercise cell put right (or put back),
    #    cells the learner added kept after the exercise cell they followed
    index_to_gid = {i: g for g, i in where.items()}
    added: list[int] = []
    for index, cell in enumerate(cells):
        if index in index_to_gid:
            continue
        if str(cell.get("source", "")).strip():
            added.append(index + 1)
    if added:
        out.reasons.append(f"cells the learner added ({', '.join(map(str, added))}) were not run: "
                           "only answer cells count")
    merged = []
    for gid in template.order:
        if gid in where:
            merged.append(rebuilt_cell(template, gid, cells[where[gid]], out))
        else:
            merged.append(fresh_cell(template, gid))
            if template.kinds[gid] == "solution":
                out.reasons.append(f"answer cell '{gid}' was deleted (scored as unanswered)")
            else:
                out.reasons.append(f"locked cell '{gid}' was deleted (restored from the "
                                   "exercise)")
                out.review.add(gid)

    learner_order = [index_to_gid[i] for i in sorted(index_to_gid)]
    if learner_order != [g for g in template.order if g in where]:
        out.reasons.append("cells of the exercise were moved; they were put back in order")
    if duplicates:
        out.reasons.append("cells copied by the learner (" + ", ".join(sorted(duplicates))
                           + "); the last copy counts")
    if restored:
        out.reasons.append("nbgrader metadata was missing on " + ", ".join(sorted(restored))
                           + "; restored by matching the released notebook")
    answer_ids = [g for g in template.order if template.kinds[g] == "solution"]
    if answer_ids and not out.refused and set(answer_ids) <= set(out.blank):
        out.reasons.append("missing answer: every answer cell is as it was released "
                           "(an empty hand-in, or the wrong file)")
    seen_ids: set[str] = set()
    for cell in merged:          # cell ids must stay unique (copies, restored cells)
        if cell.get("id") in seen_ids or not cell.get("id"):
            cell["id"] = uuid.uuid4().hex[:8]
        seen_ids.add(cell["id"])
    import nbformat

    clean = nbformat.v4.new_notebook(cells=merged,
                                     metadata=copy.deepcopy(template.source.metadata))
    clean.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    out.nb = clean
    return out


def fresh_cell(template: Template, gid: str):
    """The exercise's own version of a cell the learner deleted: the source
    version for locked cells (with hidden tests), the release stub for answers."""
    base = template.rel_cells.get(gid) if template.kinds[gid] == "solution" else None
    cell = copy.deepcopy(base if base is not None else template.src_cells[gid])
    cell.metadata = copy.deepcopy(template.src_cells[gid].metadata)
    cell.metadata["nbgrader"]["checksum"] = template.checksums.get(gid)
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def text_block(text: str) -> str:
    """Learner text as a fenced code block (Markdown): shown exactly as typed, never as
    markup. The fence is longer than any run of backticks in the text, so nothing closes it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def answer_from(template: Template, gid: str, learner_cell, out: Prepared):
    """The answer cell to run: a fresh copy of the released cell holding the learner's
    value, or the released (unanswered) cell when the learner's cell is not an answer."""
    released = template.rel_cells.get(gid, template.src_cells[gid])
    cell = copy.deepcopy(released)
    cell.metadata = copy.deepcopy(template.src_cells[gid].metadata)
    text = learner_cell.get("source", "")
    if not isinstance(text, str):
        text = "".join(map(str, text))
    if learner_cell.cell_type != cell.cell_type:
        out.reasons.append(f"answer cell '{gid}' changed type; it was changed back")
    if cell.cell_type != "code":            # a text answer (reflection): data, never markup
        if normalise(text) != normalise(released.source):
            out.answers[gid] = text
            cell.source = text_block(text)
        else:
            out.blank.append(gid)
        return cell
    cell.outputs, cell.execution_count = [], None
    try:
        answered, value = parse_answer(text)
    except NotAnAnswer as exc:
        out.refused[gid] = str(exc)
        out.reasons.append(f"answer cell '{gid}' is not an answer ({exc}); it was not run "
                           "and scores 0")
        out.review.add(template.scored_by(gid) or gid)
        return cell
    if answered and value != _stub_value(released.source):
        out.answers[gid] = value
        cell.source = answer_cell_source(value)
    else:
        out.blank.append(gid)
        if answered:
            out.answers[gid] = value
            cell.source = answer_cell_source(value)
    return cell


def _stub_value(source: str):
    """The value the released answer cell starts with (``""`` or ``[]``), or None."""
    try:
        answered, value = parse_answer(source)
    except NotAnAnswer:
        return None
    return value if answered else None


def rebuilt_cell(template: Template, gid: str, learner_cell, out: Prepared):
    kind = template.kinds[gid]
    if kind == "solution":
        cell = answer_from(template, gid, learner_cell, out)
    else:
        released = template.rel_cells.get(gid, template.src_cells[gid])
        if normalise(learner_cell.source) not in template.fixed_texts(gid) \
                or learner_cell.cell_type != released.cell_type:
            what = "test cell" if nbgrader_meta(template.src_cells[gid]).get("grade") \
                else "locked cell"
            out.reasons.append(f"{what} '{gid}' was changed by the learner (the original was "
                               "restored before grading)")
            out.review.add(gid)
        cell = copy.deepcopy(template.src_cells[gid])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    cell.metadata["nbgrader"]["checksum"] = template.checksums.get(gid)
    for key in ("editable", "deletable"):
        if key in template.src_cells[gid].metadata:
            cell.metadata[key] = template.src_cells[gid].metadata[key]
    return cell
