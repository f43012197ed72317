"""Grades and learner data out of a course: the grade table, CSV export, and one
learner's export and erasure (GDPR)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

from crossings.grading.course import (
    ATTENTION_FREE,
    EXPORT_COLUMNS,
    Course,
    CourseError,
    format_timestamp,
    now_utc,
    read_capped,
)


def needs_attention(status: str, reasons: list[str]) -> bool:
    return status not in ATTENTION_FREE or bool(reasons)


def grade_rows(course: Course, exercises: list[str] | None = None) -> list[dict]:
    """One row per learner and exercise: the gradebook's scores and the grader's status."""
    exercises = exercises or course.exercises()
    statuses = course.statuses()
    catalogue = course.catalogue()
    rows = []
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        learners = sorted(s.id for s in gb.students)
        for learner in learners:
            for exercise in exercises:
                info = statuses.get((learner, exercise))
                submitted = course.submitted_notebook(learner, exercise)
                data = read_capped(submitted) if info is not None and info["digest"] else None
                if data is not None and hashlib.sha256(data).hexdigest() != info["digest"]:
                    info = None      # collected again since it was graded
                if info is None:
                    status = "missing" if not course.submitted_notebook(learner, exercise).exists() \
                        else "not-graded"
                    reasons = ["no notebook collected"] if status == "missing" else \
                        ["collected but not graded yet (run `crossings course autograde`)"]
                else:
                    status, reasons = info["status"], info["reasons"]
                row = {"learner": learner, "exercise": exercise,
                       "module": catalogue.get(exercise, {}).get("module", ""),
                       "status": status, "score": "", "max_score": "", "autograded_score": "",
                       "needs_manual_grading": "", "needs_attention": "",
                       "reasons": "; ".join(reasons)}
                try:
                    assignment = gb.find_assignment(exercise)
                    row["max_score"] = _num(assignment.max_score)
                    submission = gb.find_submission(exercise, learner)
                except MissingEntry:
                    submission = None
                if submission is not None and status not in {"missing"}:
                    row["score"] = _num(submission.score)
                    row["autograded_score"] = _num(sum(
                        g.auto_score or 0 for nb in submission.notebooks for g in nb.grades))
                    row["needs_manual_grading"] = "yes" if submission.needs_manual_grade else "no"
                row["needs_attention"] = "yes" if needs_attention(status, reasons) else "no"
                rows.append(row)
    return rows


def _num(value) -> str:
    value = float(value or 0)
    return f"{value:g}"


def export_csv(course: Course, target: Path, exercises: list[str] | None = None) -> int:
    rows = grade_rows(course, exercises)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def learner_record(course: Course, code: str) -> dict:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            gb.find_student(code)
        except MissingEntry:
            raise CourseError(f"no learner {code!r} in this course") from None
        submissions = []
        for assignment in gb.assignments:
            try:
                sub = gb.find_submission(assignment.name, code)
            except MissingEntry:
                continue
            cells = []
            for nb in sub.notebooks:
                for grade in nb.grades:
                    cells.append({"notebook": nb.name, "cell": grade.name,
                                  "auto_score": grade.auto_score,
                                  "manual_score": grade.manual_score,
                                  "max_score": grade.max_score,
                                  "needs_manual_grade": grade.needs_manual_grade})
                for comment in nb.comments:
                    if comment.auto_comment or comment.manual_comment:
                        cells.append({"notebook": nb.name, "cell": comment.name,
                                      "auto_comment": comment.auto_comment,
                                      "manual_comment": comment.manual_comment})
            submissions.append({"exercise": assignment.name, "score": sub.score,
                                "max_score": sub.max_score,
                                "timestamp": str(sub.timestamp) if sub.timestamp else None,
                                "cells": cells})
    statuses = [{"exercise": ex, "status": info["status"], "reasons": info["reasons"],
                 "graded_at": info["graded_at"]}
                for (learner, ex), info in sorted(course.statuses().items()) if learner == code]
    return {"learner": code, "exported_at": format_timestamp(now_utc()),
            "submissions": submissions, "grading": statuses}


def export_learner(course: Course, code: str, target: Path) -> list[str]:
    """Everything the course holds about one learner, as a zip file, made from data: the
    gradebook record (scores, comments, statuses), the learner's own files as collected
    (every version), and feedback pages made afresh from data. The graded notebooks are
    not in it: they hold the exercise's hidden tests, which never leave the grader."""
    from crossings.grading.feedback import learner_page
    from crossings.grading.submission import Template

    record = learner_record(course, code)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    names = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{code}/gradebook.json", json.dumps(record, indent=2, default=str))
        names.append(f"{code}/gradebook.json")
        for kind in ("submitted", "versions"):
            folder = course.root / kind / code
            if not folder.is_dir() or folder.is_symlink():
                continue
            for file in sorted(folder.rglob("*")):
                data = read_capped(file)      # no links, no devices, size-capped
                if data is None:
                    continue
                name = f"{code}/{kind}/{file.relative_to(folder).as_posix()}"
                archive.writestr(name, data)
                names.append(name)
        statuses = course.statuses()
        with course.gradebook() as gb:
            for exercise in course.exercises():
                info = statuses.get((code, exercise))
                if info is None or info["status"] in {"missing", "unreadable", "wrong-notebook",
                                                      "no-metadata"}:
                    continue
                page = learner_page(course, gb, Template.load(course, exercise, gb), code)
                if page is not None:
                    name = f"{code}/feedback/{exercise}.html"
                    archive.writestr(name, page)
                    names.append(name)
    return names


def erase_learner(course: Course, code: str) -> list[str]:
    """Remove one learner everywhere: gradebook rows, grading status, files."""
    from sqlalchemy import create_engine, delete, text

    learner_record(course, code)     # raises if unknown
    removed = []
    with course.gradebook() as gb:
        gb.remove_student(code)
    removed.append("gradebook: learner, submissions, grades, comments")
    with course.status_db() as (engine, table), engine.begin() as conn:
        conn.execute(delete(table).where(table.c.learner == code))
    removed.append("grading status")
    for folder in course.learner_folders(code):
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(str(folder.relative_to(course.root)))
    if course.db_url.startswith("sqlite"):
        engine = create_engine(course.db_url, future=True)
        with engine.connect() as conn:     # deleted rows must not linger in free pages
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM"))
        engine.dispose()
        removed.append("SQLite file compacted (VACUUM)")
    return removed


def mentions(course: Course, code: str) -> list[str]:
    """Files of the course whose name or bytes still contain ``code``."""
    found = []
    needle = code.encode()
    for file in course.root.rglob("*"):
        if code in file.relative_to(course.root).as_posix():
            found.append(str(file.relative_to(course.root)))
        elif needle in (read_capped(file, limit=1 << 34) or b""):   # plain files only
            found.append(str(file.relative_to(course.root)))
    return found
