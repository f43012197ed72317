"""Collect submissions into a course: from a folder or a zip, one notebook per learner and exercise."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crossings.grading.course import (
    COPY_SUFFIX,
    MAX_NOTEBOOK_BYTES,
    NAME_PATTERNS,
    Course,
    CourseError,
    add_learners,
    check_code,
    format_timestamp,
)


@dataclass
class Collected:
    learner: str
    exercise: str
    source: str
    note: str = ""


@dataclass
class Rejected:
    source: str
    reason: str


def _entries(path: Path):
    """(name, size, modified, read()) for every file of a folder or a zip file."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path).as_posix()
            stat = file.stat()
            yield rel, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC), file.read_bytes
    elif zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        for info in archive.infolist():
            if info.is_dir():
                continue
            moment = datetime(*info.date_time, tzinfo=UTC)
            yield info.filename, info.file_size, moment, (lambda i=info: archive.read(i))
    else:
        raise CourseError(f"{path} is neither a folder nor a zip file")


def parse_name(name: str, exercises: set[str]) -> tuple[str, str] | None:
    stem_fixed = COPY_SUFFIX.sub("", name[:-len(".ipynb")]) + ".ipynb" \
        if name.endswith(".ipynb") else name
    for pattern in NAME_PATTERNS:
        m = pattern.match(stem_fixed)
        if m and m["exercise"] in exercises:
            return m["learner"], m["exercise"]
    return None


def collect(course: Course, path: Path, add_unknown: bool = False
            ) -> tuple[list[Collected], list[Rejected]]:
    """Copy downloaded notebooks into ``submitted/``. Files are copied byte for byte
    (the grader, not the collector, decides whether they can be read)."""
    path = Path(path)
    if not path.exists():
        raise CourseError(f"{path} not found")
    exercises = set(course.exercises())
    if not exercises:
        raise CourseError("nothing released yet: run `crossings course release` first")
    learners = set(course.learners())
    chosen: dict[tuple[str, str], tuple[datetime, str, bytes, str]] = {}
    rejected: list[Rejected] = []
    for name, size, moment, read in _entries(path):
        base = name.rsplit("/", 1)[-1]
        if base.startswith(".") or "__MACOSX" in name or "/.ipynb_checkpoints/" in f"/{name}":
            continue
        if not name.endswith(".ipynb"):
            rejected.append(Rejected(name, "not a notebook (.ipynb)"))
            continue
        parsed = parse_name(name, exercises)
        if parsed is None:
            rejected.append(Rejected(name, "cannot tell learner and exercise from the name; use "
                                     "<learner>/<exercise>.ipynb or <learner>__<exercise>.ipynb"))
            continue
        learner, exercise = parsed
        if learner not in learners:
            if add_unknown and check_code(learner) is None:
                add_learners(course, [learner])
                learners.add(learner)
            else:
                why = check_code(learner) or "not a learner of this course (add it with " \
                                              "`crossings course learners DIR add`)"
                rejected.append(Rejected(name, f"learner {learner!r}: {why}"))
                continue
        if size > MAX_NOTEBOOK_BYTES:
            rejected.append(Rejected(name, f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"))
            continue
        data = read()
        key = (learner, exercise)
        note = ""
        if key in chosen:
            older = chosen[key]
            if older[0] >= moment:
                rejected.append(Rejected(name, f"older copy of {learner}/{exercise}; kept "
                                         f"{older[1]}"))
                continue
            rejected.append(Rejected(older[1], f"older copy of {learner}/{exercise}; kept {name}"))
            note = "newest of several copies"
        chosen[key] = (moment, name, data, note)
    collected = []
    for (learner, exercise), (moment, name, data, note) in sorted(chosen.items()):
        folder = course.submitted_dir(learner, exercise)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        (folder / f"{exercise}.ipynb").write_bytes(data)
        (folder / "timestamp.txt").write_text(format_timestamp(moment))
        collected.append(Collected(learner, exercise, name, note))
    return collected, rejected
