"""Feedback files for learners that reveal nothing hidden.

nbgrader's default feedback shows the source of hidden tests; even with its
``ClearHiddenTests`` step the traceback of a failing hidden check still prints
the failing assertion. Here the feedback step (nbgrader's own ``GenerateFeedback``
with one extra preprocessor) removes hidden regions *and* replaces what a failing
hidden check printed by a plain sentence. A check that fails in its visible part
("Not yet: write exactly 4 letters") keeps its message, without the traceback.
Every file written is then scanned: if any line of a hidden test still appears,
the file is deleted and reported.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from crossings.grading.course import Course
from crossings.grading.submission import Template, hidden_text

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HIDDEN_FAILED = ("Not yet", "your answer did not pass all checks of this question "
                 "(some checks are hidden, so they are not shown here).")


def _visible_lines(source: str) -> set[int]:
    """1-based line numbers of a cell that are outside hidden regions."""
    visible, inside = set(), False
    for number, line in enumerate(source.split("\n"), start=1):
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif not inside:
            visible.add(number)
    return visible


def _failing_line(traceback: list[str], execution_count) -> int | None:
    """The line of this cell where the error was raised (IPython's 'Cell In[n], line k')."""
    text = ANSI.sub("", "\n".join(traceback or []))
    if execution_count is None:
        return None
    lines = re.findall(rf"Cell In\[{execution_count}\], line (\d+)", text)
    return int(lines[-1]) if lines else None


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden test regions and anything a hidden check printed when failing."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            return cell, resources
        visible = _visible_lines(cell.source)
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = _failing_line(output.get("traceback"), cell.get("execution_count"))
                if line is not None and line in visible and output.get("ename") \
                        not in ("", None):
                    message = f"{output['ename']}: {output.get('evalue', '')}".strip()
                    output["traceback"] = [message]
                else:
                    output["ename"], output["evalue"] = HIDDEN_FAILED
                    output["traceback"] = [f"{HIDDEN_FAILED[0]}: {HIDDEN_FAILED[1]}"]
            kept.append(output)
        cell.outputs = kept
        lines = cell.source.split("\n")
        out, inside = [], False
        for line in lines:
            if BEGIN in line:
                inside = True
                out.append("# (further checks of this question are hidden)")
            elif END in line:
                inside = False
            elif not inside:
                out.append(line)
        cell.source = "\n".join(out)
        return cell, resources


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


@dataclass
class FeedbackRun:
    written: list[tuple[str, str, Path]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def generate_feedback(course: Course, exercises: list[str] | None = None, log=print,
                      learners: list[str] | None = None) -> FeedbackRun:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    run = FeedbackRun()
    statuses = course.statuses()
    api = course.api(**{"GenerateFeedback.preprocessors":
                        [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]})
    with course.gradebook() as gb:
        for exercise in course.select(exercises):
            template = Template.load(course, exercise, gb)
            graded = sorted(learner for (learner, ex), info in statuses.items()
                            if ex == exercise and course.autograded_dir(learner, ex).is_dir()
                            and (not learners or learner in learners)
                            and info["status"] not in {"unreadable", "wrong-notebook",
                                                       "no-metadata", "missing"})
            for learner in graded:
                result = api.generate_feedback(exercise, learner, force=True)
                target = course.feedback_file(learner, exercise)
                if not result["success"] or not target.is_file():
                    run.problems.append((learner, exercise, "nbgrader generate_feedback failed: "
                                         + _last(result.get("error") or result.get("log"))))
                    continue
                found = leaks(target.read_text(encoding="utf-8"), template)
                if found:
                    target.unlink()
                    run.problems.append((learner, exercise, "feedback withheld: it would show "
                                         f"hidden checks ({found[0]})"))
                    continue
                run.written.append((learner, exercise, target))
                log(f"feedback {learner} {exercise}: {target.relative_to(course.root)}")
    return run


def _last(text: str | None) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "no details"


__all__ = ["HideHiddenTests", "generate_feedback", "leaks", "page_text", "hidden_text"]
