"""Feedback pages for learners, built from data, never from an executed notebook.

A page holds only: the exercise's title, the question headings of the released notebook
(what every learner already has), the learner's own answers as the grader read them
(``submission.prepare``: literals and text, never run as markup), the scores and the
facilitator's comments from the gradebook, and messages the platform chose: a sentence
per score, the reason an answer cell was refused, and the plain-language message of a
visible form check ("Not yet: write at least 5 words"), which the grader saved as data
(``messages.json``) when it graded. Hidden tests and model answers are not among these
inputs, so they cannot appear in any encoding. Every value is HTML-escaped, and the page
forbids scripts (Content-Security-Policy), so learner text shows exactly as typed.

The page is in the language of the learner's notebook (``metadata.language``, checked
against the languages released into the course, see ``crossings.grading.languages``; English
for anything else): its labels, question headings and messages, never its values. The grader
saves messages in English; the page says them in its language (``learner_texts``).

As a last check, every page is scanned for hidden-test lines; a page that would show one
is not written (this has never fired since pages are made from data).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from crossings.exercises.learner_texts import (
    Translate,
    feedback_labels,
    refusal_reasons,
    same,
    translate_check_message,
    translate_message,
)
from crossings.grading.course import Course, read_capped
from crossings.grading.languages import PageLanguage, course_languages, page_language
from crossings.grading.submission import Template, grade_id, nbgrader_meta, prepare

MESSAGES_FILE = "messages.json"
MESSAGE = re.compile(r"^Not yet: [^\n]{1,300}$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CSS = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;
line-height:1.5;color:#1a1a1a;background:#fff}h1{font-size:1.5rem}h2{font-size:1.15rem;
margin-top:1.6rem}pre{white-space:pre-wrap;word-break:break-word;background:#f3f3f3;
padding:.6rem;border:1px solid #767676}.score{font-weight:bold}.note{border-left:4px solid
#005a9c;padding-left:.6rem}"""


def visible_messages(nb, template: Template) -> dict[str, str]:
    """{grade id: message} of the visible form checks that failed, as data. Only an error
    raised on a visible line of a test cell counts, and only a one-line "Not yet: ..."."""
    out = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if not gid or not nbgrader_meta(cell).get("grade") or cell.cell_type != "code":
            continue
        visible = _visible_lines(template.src_cells[gid].source) if gid in template.src_cells \
            else set()
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error" or output.get("ename") != "AssertionError":
                continue
            text = ANSI.sub("", "\n".join(output.get("traceback") or []))
            lines = re.findall(rf"Cell In\[{cell.get('execution_count')}\], line (\d+)", text)
            message = str(output.get("evalue", "")).strip()
            if lines and int(lines[-1]) in visible and MESSAGE.match(message):
                out[gid] = message
    return out


def _visible_lines(source: str) -> set[int]:
    visible, inside = set(), False
    for number, line in enumerate(source.split("\n"), start=1):
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif not inside:
            visible.add(number)
    return visible


def page_text(markup: str) -> str:
    """The text of an HTML page with tags removed and whitespace collapsed."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    text = html.unescape(re.sub(r"(?s)<[^>]+>", "", markup))
    return re.sub(r"\s+", " ", text)


def leaks(markup: str, template: Template) -> list[str]:
    """Hidden-test lines (not also visible in the released notebook) found in a page."""
    text = page_text(markup)
    released = page_text("\n".join(c.source for c in template.release.cells))
    found = []
    for gid, hidden in template.hidden.items():
        for line in hidden.splitlines():
            needle = re.sub(r"\s+", " ", line).strip()
            if len(needle) >= 8 and needle not in released and needle in text:
                found.append(f"{gid}: {needle}")
    return found


# -- what goes on a page -----------------------------------------------------------------

@dataclass
class Row:
    title: str
    answers: list[tuple[str, object]]       # (answer id, value or text)
    refused: list[str]
    score: float | None
    max_score: float
    waiting: bool
    comments: list[str]
    message: str | None
    task: bool = False          # graded as a whole by the facilitator: nothing to answer


def _heading(markdown: str) -> str:
    """The first line of an instruction cell, without Markdown marks (plain text)."""
    for line in markdown.splitlines():
        line = re.sub(r"[#*_`]", "", line).strip()
        if line:
            return line[:200]
    return ""


def rows_of(template: Template, prepared, grades: dict, comments: dict,
            messages: dict[str, str], shown_cells: dict | None = None) -> list[Row]:
    """The rows of a page; ``shown_cells``: the learners' notebook of the page's language
    (its question headings), {grade id: cell}."""
    rows: list[Row] = []
    main, title, pending, refused = "", "", [], []
    for gid in template.order:
        cell = template.src_cells[gid]
        meta = nbgrader_meta(cell)
        shown = (shown_cells or {}).get(gid) or template.rel_cells.get(gid, cell)
        if meta.get("locked") and cell.cell_type == "markdown" and gid.endswith("question"):
            heading = _heading(shown.source)
            if shown.source.lstrip().startswith(("# ", "## ")) or not main:
                main = title = heading           # a question
            else:
                title = f"{main} - {heading}"    # a part of it (a plan field, a strand)
        if meta.get("solution"):
            if gid in prepared.answers:
                pending.append((gid, prepared.answers[gid]))
            if gid in prepared.refused:
                refused.append(prepared.refused[gid])
        if meta.get("grade") or meta.get("task"):
            grade = grades.get(gid)
            score = None if grade is None else grade["score"]
            waiting = grade is not None and grade["needs_manual"]
            notes = [comments[g] for g in (gid, *[a for a, _ in pending]) if comments.get(g)]
            label = title or gid
            if meta.get("task"):                 # e.g. the quality of a whole plan
                label = f"{main} - {_heading(shown.source)}" if main else _heading(shown.source)
            rows.append(Row(label, pending, refused, score, float(meta.get("points") or 0),
                            waiting, notes, messages.get(gid), bool(meta.get("task"))))
            pending, refused = [], []
    return rows


def _score_sentence(row: Row, t: dict[str, str]) -> str:
    if row.waiting:
        return t["facilitator"]
    if row.score is None:
        return t["not_graded"]
    if row.max_score and row.score >= row.max_score:
        return t["full"].format(score=f"{row.score:g}", total=f"{row.max_score:g}")
    if row.score > 0:
        return t["part"].format(score=f"{row.score:g}", total=f"{row.max_score:g}")
    return t["none"].format(total=f"{row.max_score:g}")


def _show(value, t: dict[str, str]) -> str:
    if isinstance(value, str):
        return value if value.strip() else t["empty"]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else t["empty_list"]
    return str(value)


def render(title: str, learner: str, total: tuple[float, float], rows: list[Row],
           code: str = "en", ui: Translate = same) -> str:
    """The page; ``code`` and ``ui``: its language and texts (labels only: every value and
    every learner text is escaped data)."""
    e = html.escape
    t = feedback_labels(ui)
    points = t["of"].format(score=f"{total[0]:g}", total=f"{total[1]:g}")
    heading = e(t["title"]).format(title=e(title))
    parts = [
        "<!DOCTYPE html>", f'<html lang="{e(code)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>{heading}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{heading}</h1>",
        "<p>" + e(t["learner"]).format(code=f"<strong>{e(learner)}</strong>",
                                      points=f'<span class="score">{e(points)}</span>') + "</p>",
    ]
    for row in rows:
        parts.append(f"<section><h2>{e(row.title)}</h2>")
        if row.answers:
            parts.append(f"<p>{e(t['your_answer'])}</p>")
            for _, value in row.answers:
                parts.append(f"<pre>{e(_show(value, t))}</pre>")
        elif not row.task and not row.refused:
            parts.append(f"<p>{e(t['no_answer'])}</p>")
        for why in row.refused:
            parts.append('<p class="note">' + e(t["refused"]).format(
                reason=e(why), code="<code>answer =</code>") + "</p>")
        if row.message:
            parts.append(f'<p class="note">{e(row.message)}</p>')
        parts.append(f'<p class="score">{e(_score_sentence(row, t))}</p>')
        for comment in row.comments:
            parts.append(f"<p>{e(t['comment'])}</p><pre>{e(comment)}</pre>")
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _in_language(lang: PageLanguage, template: Template, title: str, prepared,
                 messages: dict[str, str]) -> tuple[str, dict | None]:
    """Title and shown cells of a page in ``lang``; translates refusals and messages in place."""
    if lang.ui is same:
        return title, None
    english, other = refusal_reasons(), refusal_reasons(lang.ui)
    for gid, why in prepared.refused.items():
        prepared.refused[gid] = translate_message(why, english, other)
    for gid, message in messages.items():
        messages[gid] = translate_check_message(message, lang.ui)
    if lang.release is None:
        return title, None
    import nbformat

    try:
        release = nbformat.read(lang.release, as_version=4)
    except (OSError, ValueError):
        return title, None
    cells = {grade_id(c): c for c in release.cells if grade_id(c)}
    intro = _heading(cells["intro"].source) if "intro" in cells else ""
    return intro or title, cells


def learner_page(course: Course, gb, template: Template, learner: str,
                 languages: dict[str, dict[str, str]] | None = None) -> str | None:
    """The feedback page of one learner, or None when there is nothing graded;
    ``languages``: the course's (``course_languages``), read when not given."""
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(template.exercise, learner)
    except MissingEntry:
        return None
    data = read_capped(course.submitted_notebook(learner, template.exercise))
    prepared = prepare(template, data) if data is not None else None
    if prepared is None or prepared.nb is None:
        return None
    grades, comments = {}, {}
    for nb in sub.notebooks:
        for grade in nb.grades:
            grades[grade.name] = {"score": float(grade.score or 0),
                                  "needs_manual": bool(grade.needs_manual_grade)}
        for comment in nb.comments:
            if comment.manual_comment:
                comments[comment.name] = comment.manual_comment
    messages = {}
    stored = read_capped(course.autograded_dir(learner, template.exercise) / MESSAGES_FILE,
                         limit=1024 * 1024)
    if stored:
        try:
            messages = {k: v for k, v in json.loads(stored).items()
                        if isinstance(v, str) and MESSAGE.match(v)}
        except (ValueError, AttributeError):
            messages = {}
    title = course.catalogue().get(template.exercise, {}).get("title") or template.exercise
    lang = page_language(course, template.exercise, prepared.language,
                         course_languages(course) if languages is None else languages)
    title, shown = _in_language(lang, template, str(title), prepared, messages)
    return render(title, learner, (float(sub.score), float(sub.max_score)),
                  rows_of(template, prepared, grades, comments, messages, shown),
                  lang.code, lang.ui)


@dataclass
class FeedbackRun:
    written: list[tuple[str, str, Path]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


NOT_GRADED = {"unreadable", "wrong-notebook", "no-metadata", "missing"}


def generate_feedback(course: Course, exercises: list[str] | None = None, log=print,
                      learners: list[str] | None = None) -> FeedbackRun:
    run = FeedbackRun()
    statuses = course.statuses()
    languages = course_languages(course)
    with course.gradebook() as gb:
        for exercise in course.select(exercises):
            template = Template.load(course, exercise, gb)
            graded = sorted(learner for (learner, ex), info in statuses.items()
                            if ex == exercise and (not learners or learner in learners)
                            and info["status"] not in NOT_GRADED)
            for learner in graded:
                data = read_capped(course.submitted_notebook(learner, exercise))
                if data is None or hashlib.sha256(data).hexdigest() != \
                        statuses[(learner, exercise)]["digest"]:
                    run.problems.append((learner, exercise, "collected again since it was "
                                         "graded: run `crossings course autograde` first"))
                    continue
                page = learner_page(course, gb, template, learner, languages)
                if page is None:
                    run.problems.append((learner, exercise, "nothing graded to show"))
                    continue
                found = leaks(page, template)
                if found:
                    run.problems.append((learner, exercise, "feedback withheld: it would show "
                                         f"hidden checks ({found[0]})"))
                    continue
                target = course.feedback_file(learner, exercise)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page, encoding="utf-8")
                run.written.append((learner, exercise, target))
                log(f"feedback {learner} {exercise}: {target.relative_to(course.root)}")
    return run


__all__ = ["generate_feedback", "leaks", "learner_page", "page_text", "visible_messages"]
