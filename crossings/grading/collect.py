"""Collect submissions into a course: a one-way, checked copy from a folder or a zip.

* Nothing outside the folder or zip is ever read: symbolic links (in a folder or stored
  in a zip) are not followed but reported, files are opened with ``O_NOFOLLOW`` and must
  be regular files.
* Every name is checked before it is used: no ``..``, no absolute path, no backslash;
  the learner comes from the name and the file lands in that learner's own folder only.
  A path that also names another learner of the course is refused.
* Caps, each with a plain message: size of one notebook, total uncompressed size, the
  compression ratio of a zip entry, the number of entries, and the number of learners
  ``--add-learners`` may create in one go. A zip entry is read as a stream and stops at
  the cap, whatever its header claims.
* A damaged zip entry is reported and the rest is collected.
* A resubmission never destroys an earlier one: the copy that was collected before is
  kept under ``versions/<learner>/<exercise>/``; the file with the newest time counts
  (it is the one in ``submitted/``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from crossings.grading.course import (
    COPY_SUFFIX,
    MAX_NOTEBOOK_BYTES,
    NAME_PATTERNS,
    Course,
    CourseError,
    add_learners,
    check_code,
    format_timestamp,
    read_capped,
)


@dataclass(frozen=True)
class Caps:
    notebook_bytes: int = MAX_NOTEBOOK_BYTES
    total_bytes: int = 500 * 1024 * 1024        # all notebooks of one collect, uncompressed
    ratio: int = 100                           # uncompressed : compressed, per zip entry
    entries: int = 10_000                      # files in the folder or zip
    new_learners: int = 60                     # learners --add-learners may create at once


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


class Entry:
    """One file of the folder or zip: its name, time, and a bounded read."""

    def __init__(self, name, moment, read, problem=None):
        self.name, self.moment, self.read, self.problem = name, moment, read, problem


def _folder_entries(root: Path):
    for folder, dirs, files in os.walk(root, followlinks=False):
        for d in sorted(dirs):
            if os.path.islink(os.path.join(folder, d)):
                rel = Path(folder, d).relative_to(root).as_posix()
                yield Entry(rel, None, None, "a symbolic link; links are not followed")
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(folder, d)))
        for f in sorted(files):
            full = Path(folder, f)
            rel = full.relative_to(root).as_posix()
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                yield Entry(rel, None, None, "a symbolic link; links are not followed")
            elif not stat.S_ISREG(info.st_mode):
                yield Entry(rel, None, None, "not a regular file")
            else:
                moment = datetime.fromtimestamp(info.st_mtime, UTC)
                yield Entry(rel, moment, lambda cap, p=full: read_capped(p, cap))


def _zip_entries(path: Path, caps: Caps):
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CourseError(f"{path} is damaged and cannot be opened as a zip file ({exc})") \
            from None
    for info in infos:
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            yield Entry(info.filename, None, None, "a symbolic link; links are not followed")
            continue
        try:
            moment = datetime(*info.date_time, tzinfo=UTC)
        except ValueError:
            moment = datetime(1980, 1, 1, tzinfo=UTC)

        def read(cap, info=info):
            return _read_zip_entry(archive, info, cap, caps.ratio)

        yield Entry(info.filename, moment, read)


class Refused(Exception):
    """An entry that is not collected (the message says why)."""


def _read_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, ratio: int):
    chunks, total = [], 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise Refused(f"larger than {cap // 2**20} MB uncompressed")
                if total > 1 << 20 and total > ratio * max(info.compress_size, 1):
                    raise Refused(f"compressed more than {ratio}:1 (a zip bomb?)")
                chunks.append(chunk)
    except Refused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        raise Refused(f"damaged zip entry ({type(exc).__name__}: {exc})") from None
    return b"".join(chunks)


def _entries(path: Path, caps: Caps):
    if path.is_dir():
        return _folder_entries(path)
    if zipfile.is_zipfile(path):
        return _zip_entries(path, caps)
    raise CourseError(f"{path} is neither a folder nor a zip file")


def safe_name(name: str) -> str | None:
    """Why a name cannot be used as it stands (None if it can)."""
    if "\\" in name or "\x00" in name:
        return "the name holds a backslash or a NUL character"
    pure = PurePosixPath(name)
    if pure.is_absolute() or name.startswith("/"):
        return "an absolute path"
    if any(part in ("..", ".", "") for part in name.split("/")):
        return "the path holds '..' or an empty part; it could point outside the learner's folder"
    return None


def parse_name(name: str, exercises: set[str]) -> tuple[str, str] | None:
    stem_fixed = COPY_SUFFIX.sub("", name[:-len(".ipynb")]) + ".ipynb" \
        if name.endswith(".ipynb") else name
    for pattern in NAME_PATTERNS:
        m = pattern.match(stem_fixed)
        if m and m["exercise"] in exercises:
            return m["learner"], m["exercise"]
    return None


def _other_learner(name: str, learner: str, known: set[str]) -> str | None:
    parts = name.split("/")[:-1] + [part for part in name.split("/")[-1].split("__")[:-1]]
    others = [p for p in parts if p != learner and p in known]
    return others[0] if others else None


def collect(course: Course, path: Path, add_unknown: bool = False, caps: Caps | None = None
            ) -> tuple[list[Collected], list[Rejected]]:
    """Copy downloaded notebooks into ``submitted/``, byte for byte (the grader, not the
    collector, decides whether they can be read)."""
    caps = caps or Caps()
    path = Path(path)
    if not path.exists():
        raise CourseError(f"{path} not found")
    exercises = set(course.exercises())
    if not exercises:
        raise CourseError("nothing released yet: run `crossings course release` first")
    learners = set(course.learners())
    chosen: dict[tuple[str, str], tuple[datetime, str, bytes, str]] = {}
    rejected: list[Rejected] = []
    new_learners: list[str] = []
    total = 0
    count = 0
    for entry in _entries(path, caps):
        name = entry.name
        count += 1
        if count > caps.entries:
            rejected.append(Rejected(name, f"more than {caps.entries} files: the rest of "
                                     f"{path.name} was not read"))
            break
        base = name.rsplit("/", 1)[-1]
        if base.startswith(".") or "__MACOSX" in name or "/.ipynb_checkpoints/" in f"/{name}":
            continue
        if entry.problem:
            rejected.append(Rejected(name, entry.problem))
            continue
        if not name.endswith(".ipynb"):
            rejected.append(Rejected(name, "not a notebook (.ipynb)"))
            continue
        why = safe_name(name)
        if why:
            rejected.append(Rejected(name, f"refused: {why}"))
            continue
        parsed = parse_name(name, exercises)
        if parsed is None:
            rejected.append(Rejected(name, "cannot tell learner and exercise from the name; use "
                                     "<learner>/<exercise>.ipynb or <learner>__<exercise>.ipynb"))
            continue
        learner, exercise = parsed
        other = _other_learner(name, learner, learners | set(new_learners))
        if other:
            rejected.append(Rejected(name, f"refused: the path names two learners ({other!r} "
                                     f"and {learner!r})"))
            continue
        if learner not in learners:
            why = check_code(learner)
            if not add_unknown or why is not None:
                why = why or "not a learner of this course (add it with " \
                             "`crossings course learners DIR add`)"
                rejected.append(Rejected(name, f"learner {learner!r}: {why}"))
                continue
            if learner not in new_learners and len(new_learners) >= caps.new_learners:
                rejected.append(Rejected(name, f"learner {learner!r}: --add-learners adds at "
                                         f"most {caps.new_learners} new learners at once; add "
                                         "the others with `crossings course learners DIR add`"))
                continue
        try:
            data = entry.read(min(caps.notebook_bytes, caps.total_bytes - total))
        except Refused as exc:
            rejected.append(Rejected(name, str(exc)))
            continue
        if data is None:
            rejected.append(Rejected(name, f"not a regular file, or larger than "
                                     f"{caps.notebook_bytes // 2**20} MB"))
            continue
        total += len(data)
        if total >= caps.total_bytes:
            rejected.append(Rejected(name, f"over {caps.total_bytes // 2**20} MB in all: the "
                                     f"rest of {path.name} was not read"))
            break
        if learner not in learners and learner not in new_learners:
            new_learners.append(learner)
        key = (learner, exercise)
        note = ""
        if key in chosen:
            older = chosen[key]
            if older[0] >= entry.moment:
                rejected.append(Rejected(name, f"older copy of {learner}/{exercise}; kept "
                                         f"{older[1]}"))
                continue
            rejected.append(Rejected(older[1], f"older copy of {learner}/{exercise}; kept {name}"))
            note = "newest of several copies"
        chosen[key] = (entry.moment, name, data, note)
    if new_learners:
        add_learners(course, new_learners)
    collected = []
    for (learner, exercise), (moment, name, data, note) in sorted(chosen.items()):
        note = store(course, learner, exercise, data, moment, note)
        collected.append(Collected(learner, exercise, name, note))
    return collected, rejected


def _confined(course: Course, folder: Path, learner: str) -> Path:
    root = (course.root / folder.relative_to(course.root).parts[0] / learner).resolve()
    resolved = folder.resolve()
    if resolved != root and root not in resolved.parents:
        raise CourseError(f"{folder} leaves the folder of learner {learner}")
    return resolved


def store(course: Course, learner: str, exercise: str, data: bytes, moment: datetime,
          note: str) -> str:
    """Write one submission; an earlier, different one is kept as a version."""
    folder = _confined(course, course.submitted_dir(learner, exercise), learner)
    target = folder / f"{exercise}.ipynb"
    stamp_file = folder / "timestamp.txt"
    digest = hashlib.sha256(data).hexdigest()
    current = read_capped(target) if folder.is_dir() else None
    if current is not None:
        if hashlib.sha256(current).hexdigest() == digest:
            return "unchanged since the last collect"
        old_stamp = (read_capped(stamp_file, 200) or b"").decode("utf-8", "replace").strip()
        versions = _confined(course, course.versions_dir(learner, exercise), learner)
        versions.mkdir(parents=True, exist_ok=True)
        older_moment = _parse_stamp(old_stamp)
        if older_moment is not None and older_moment > moment:
            # the copy collected before is newer: it keeps counting, this one is a version
            keep = versions / f"{_label(format_timestamp(moment))}-{digest[:12]}.ipynb"
            keep.write_bytes(data)
            return ("older than the copy collected before, which still counts; kept in "
                    f"{keep.relative_to(course.root)}")
        keep = versions / f"{_label(old_stamp)}-{hashlib.sha256(current).hexdigest()[:12]}.ipynb"
        keep.write_bytes(current)
        note = (note + "; " if note else "") + "resubmitted: this copy counts, the earlier one " \
            f"is kept in {keep.relative_to(course.root)}"
    folder.mkdir(parents=True, exist_ok=True)
    for existing in (target, stamp_file):
        if os.path.lexists(existing):
            existing.unlink()
    target.write_bytes(data)
    stamp_file.write_text(format_timestamp(moment))
    return note


def _label(stamp: str) -> str:
    return (stamp or "unknown-time").replace(" ", "_").replace(":", "-")


def _parse_stamp(text: str):
    from crossings.grading.course import TIMESTAMP_FORMAT

    try:
        return datetime.strptime(text.replace("UTC", "").strip(),
                                 TIMESTAMP_FORMAT.replace(" %Z", "")).replace(tzinfo=UTC)
    except ValueError:
        return None
