"""A cohort's nbgrader course directory: create it, learners, release, collect,
export grades, and export or erase one learner's data.

The course directory lives outside the repository (it holds personal data) and is
an ordinary nbgrader course, so JupyterLab's formgrader works on it too::

    COURSE/
      nbgrader_config.py          the one configuration (formgrader reads it too)
      gradebook.db                SQLite gradebook (or any SQLAlchemy URL, see `new`)
      exercises.json              titles, modules, points of the released exercises
      source/<exercise>/<exercise>.ipynb      from _build/exercises/source
      release/<exercise>/<exercise>.ipynb     what learners get (nbgrader generate_assignment)
      submitted/<learner>/<exercise>/<exercise>.ipynb   collected submissions
      autograded/<learner>/<exercise>/<exercise>.ipynb  graded copies (written by the grader)
      versions/<learner>/<exercise>/<time>-<digest>.ipynb  earlier copies of resubmissions
      feedback/<learner>/<exercise>/<exercise>.html     feedback for the learner

Learners are known only by pseudonymous codes (no names, no e-mail addresses).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crossings.exercises.learner_texts import TEXTS_FILE

CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
STATUS_TABLE = "crossings_grading"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"

CONFIG_TEMPLATE = '''\
# nbgrader configuration of a Crossings course, written by `crossings course new`.
# `crossings course ...`, the nbgrader commands and JupyterLab's formgrader all read it.
import os

c = get_config()  # noqa: F821
here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = here
# The gradebook: SQLite in this folder by default. Any SQLAlchemy URL works, e.g.
# postgresql+psycopg://grader@db.example.org/crossings ; keep passwords out of this
# file by setting CROSSINGS_DB_URL in the environment instead.
c.CourseDirectory.db_url = os.environ.get("CROSSINGS_DB_URL") or {db_url}
# nbgrader's own gradebook course: a server database (PostgreSQL) checks that it exists.
c.CourseDirectory.course_id = "default_course"
c.Execute.timeout = 60
# Learner code is untrusted: plain `nbgrader autograde` (and formgrader's
# "autograde" button) would run it with your rights inside this folder. Grade
# with `crossings course autograde`, which runs every notebook in a sandbox.
c.Autograde.pre_convert_hook = "crossings.grading.autograde.PLAIN_NBGRADER_AUTOGRADE_IS_SWITCHED_OFF"
'''


def read_capped(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes | None:
    """The bytes of a regular file, or None: never follows a symbolic link (O_NOFOLLOW),
    never opens a pipe or device (checked on the open file), never reads more than
    ``limit`` bytes (None if the file is larger)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return None
        return b"".join(chunks)
    finally:
        os.close(fd)


class CourseError(Exception):
    """A facilitator mistake with a plain-language message (exit code 2)."""


def tools_on_path() -> None:
    """nbgrader runs `alembic` from PATH when it creates a gradebook: make the
    commands installed beside this Python findable even in an unactivated venv."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def now_utc() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


@dataclass
class Course:
    root: Path
    db_url: str

    # -- opening ------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str) -> Course:
        root = Path(root).resolve()
        config_file = root / "nbgrader_config.py"
        if not config_file.is_file():
            raise CourseError(f"{root} is not a course directory (no nbgrader_config.py); "
                              "create one with `crossings course new DIR`")
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        db_url = config.CourseDirectory.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
        return cls(root, db_url)

    def nbgrader_config(self, **overrides):
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        if not config.CourseDirectory.get("course_id"):
            # nbgrader's API defaults to "", a course that its Gradebook never creates: a
            # server database refuses assignments of it (SQLite does not check)
            config.CourseDirectory.course_id = "default_course"
        # our own converters never autograde; the guard is for plain nbgrader only
        config.Autograde.pop("pre_convert_hook", None)
        extra = Config()
        for key, value in overrides.items():
            section, name = key.split(".")
            extra[section][name] = value
        config.merge(extra)
        return config

    def api(self, **overrides):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = self.nbgrader_config(**overrides)
        return NbGraderAPI(CourseDirectory(config=config), config=config)

    @contextlib.contextmanager
    def gradebook(self):
        from nbgrader.api import Gradebook

        tools_on_path()
        with Gradebook(self.db_url) as gb:
            yield gb

    # -- paths ----------------------------------------------------------------------
    def source_notebook(self, exercise: str) -> Path:
        return self.root / "source" / exercise / f"{exercise}.ipynb"

    def release_notebook(self, exercise: str) -> Path:
        return self.root / "release" / exercise / f"{exercise}.ipynb"

    def translated_release_notebooks(self, exercise: str) -> list[Path]:
        """The learners' notebook in other languages (same cells and ids, translated text)."""
        return sorted((self.root / TRANSLATIONS).glob(f"*/{exercise}/{exercise}.ipynb"))

    def submitted_dir(self, learner: str, exercise: str) -> Path:
        return self.root / "submitted" / learner / exercise

    def submitted_notebook(self, learner: str, exercise: str) -> Path:
        return self.submitted_dir(learner, exercise) / f"{exercise}.ipynb"

    def autograded_dir(self, learner: str, exercise: str) -> Path:
        return self.root / "autograded" / learner / exercise

    def feedback_file(self, learner: str, exercise: str) -> Path:
        return self.root / "feedback" / learner / exercise / f"{exercise}.html"

    def versions_dir(self, learner: str, exercise: str) -> Path:
        """Earlier copies of a resubmitted notebook (collect never destroys one)."""
        return self.root / "versions" / learner / exercise

    def learner_folders(self, learner: str) -> list[Path]:
        return [self.root / kind / learner
                for kind in ("submitted", "versions", "autograded", "feedback")]

    # -- facts -----------------------------------------------------------------------
    def exercises(self) -> list[str]:
        """Released exercises (assignments in the gradebook), in release order."""
        with self.gradebook() as gb:
            return [a.name for a in gb.assignments]

    def catalogue(self) -> dict[str, dict]:
        path = self.root / "exercises.json"
        if not path.is_file():
            return {}
        return {e["id"]: e for e in json.loads(path.read_text())}

    def learners(self) -> list[str]:
        with self.gradebook() as gb:
            return sorted(s.id for s in gb.students)

    def select(self, ids: list[str] | None) -> list[str]:
        released = self.exercises()
        if not ids:
            return released
        unknown = [i for i in ids if i not in released]
        if unknown:
            raise CourseError(f"not released in this course: {', '.join(unknown)} "
                              f"(released: {', '.join(released) or 'none'})")
        return [i for i in released if i in ids]

    # -- the status table (next to nbgrader's tables, in the same database) ---------
    def status_table(self):
        from sqlalchemy import Column, Float, MetaData, String, Table, Text

        metadata = MetaData()
        table = Table(STATUS_TABLE, metadata,
                      Column("learner", String(64), primary_key=True),
                      Column("exercise", String(128), primary_key=True),
                      Column("status", String(32), nullable=False),
                      Column("reasons", Text, nullable=False, default="[]"),
                      Column("digest", String(64)),
                      Column("graded_at", String(40)),
                      Column("seconds", Float))
        return metadata, table

    @contextlib.contextmanager
    def status_db(self):
        from sqlalchemy import create_engine

        engine = create_engine(self.db_url, future=True)
        metadata, table = self.status_table()
        metadata.create_all(engine)
        try:
            yield engine, table
        finally:
            engine.dispose()

    def statuses(self) -> dict[tuple[str, str], dict]:
        from sqlalchemy import select

        with self.status_db() as (engine, table), engine.connect() as conn:
            rows = conn.execute(select(table)).mappings().all()
        return {(r["learner"], r["exercise"]): {**r, "reasons": json.loads(r["reasons"] or "[]")}
                for r in rows}

    @contextlib.contextmanager
    def status_recorder(self):
        """A function that records one grading status (one engine for a whole run)."""
        from sqlalchemy import delete, insert

        with self.status_db() as (engine, table):
            def record(learner: str, exercise: str, status: str, reasons: list[str],
                       digest: str | None = None, seconds: float | None = None) -> None:
                with engine.begin() as conn:
                    conn.execute(delete(table).where(table.c.learner == learner,
                                                     table.c.exercise == exercise))
                    conn.execute(insert(table).values(
                        learner=learner, exercise=exercise, status=status,
                        reasons=json.dumps(reasons), digest=digest,
                        graded_at=format_timestamp(now_utc()), seconds=seconds))
            yield record

    def record_status(self, *args, **kwargs) -> None:
        with self.status_recorder() as record:
            record(*args, **kwargs)


# -- new ------------------------------------------------------------------------------

def inside_repository(path: Path) -> Path | None:
    """The Crossings repository containing ``path`` (outside its _build/), if any."""
    path = path.resolve()
    for parent in (path, *path.parents):
        if (parent / "_toc.yml").is_file() and (parent / "crossings").is_dir():
            build = parent / "_build"
            if path == build or build in path.parents:
                return None
            return parent
    return None


def new_course(root: Path, db_url: str | None = None) -> Course:
    root = Path(root).resolve()
    repo = inside_repository(root)
    if repo is not None:
        raise CourseError(f"{root} is inside the repository {repo}; a course holds learners' "
                          "data and belongs outside it (or under _build/ for trials)")
    if (root / "nbgrader_config.py").exists():
        raise CourseError(f"{root} is already a course directory")
    if root.exists() and any(root.iterdir()):
        raise CourseError(f"{root} exists and is not empty")
    root.mkdir(parents=True, exist_ok=True)
    for kind in ("source", "release", "submitted", "autograded", "feedback"):
        (root / kind).mkdir()
    literal = repr(db_url) if db_url else 'f"sqlite:///{os.path.join(here, \'gradebook.db\')}"'
    (root / "nbgrader_config.py").write_text(CONFIG_TEMPLATE.format(db_url=literal))
    os.chmod(root, 0o700)
    course = Course.open(root)
    with course.gradebook():
        pass   # creates the tables (SQLite file or the server's schema)
    with course.status_db():
        pass
    return course


# -- learners -------------------------------------------------------------------------

def check_code(code: str) -> str | None:
    """Why ``code`` is not an acceptable pseudonymous learner code (None if it is)."""
    if "@" in code:
        return "looks like an e-mail address; use a pseudonymous code"
    if any(ch.isspace() for ch in code):
        return "contains spaces (a name?); use a pseudonymous code"
    if not CODE_RE.match(code):
        return "use 1-32 lower-case letters, digits and inner hyphens"
    return None


def add_learners(course: Course, codes: list[str]) -> list[str]:
    problems = [f"{c!r}: {why}" for c in codes if (why := check_code(c))]
    if problems:
        raise CourseError("not added: " + "; ".join(problems))
    added = []
    with course.gradebook() as gb:
        existing = {s.id for s in gb.students}
        for code in codes:
            if code not in existing:
                gb.update_or_create_student(code)
                added.append(code)
                existing.add(code)
    return added


def generate_codes(course: Course, count: int) -> list[str]:
    existing = set(course.learners())
    codes: list[str] = []
    while len(codes) < count:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if code not in existing and code not in codes:
            codes.append(code)
    add_learners(course, codes)
    return codes


# -- release --------------------------------------------------------------------------

def _locked_sources(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            out[meta["grade_id"]] = (cell.cell_type, normalise(cell.source)
                                     if meta.get("locked") else "")
    return out


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def release(course: Course, build: Path, ids: list[str] | None = None, log=print) -> list[str]:
    """Copy exercises from the builder's output into the course and let nbgrader
    generate the learner versions (this registers them in the gradebook)."""
    import nbformat

    build = Path(build)
    manifest_path = build / "exercises.json"
    if not manifest_path.is_file():
        raise CourseError(f"{manifest_path} not found: build the exercises first "
                          "(`python3 -m nox -s build`)")
    manifest = json.loads(manifest_path.read_text())
    known = {e["id"]: e for e in manifest}
    ids = ids or list(known)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise CourseError(f"not in {manifest_path}: {', '.join(unknown)}")
    catalogue = course.catalogue()
    config = {"ClearSolutions.code_stub": {"python": ""}}
    with contextlib.suppress(ImportError):   # the builder's own settings, when present
        from crossings.exercises.build import nbgrader_config as builder_config
        built = builder_config(course.root, course.db_url)
        config = {f"{section}.{name}": value for section in ("ClearSolutions",)
                  for name, value in built[section].items()}
    api = course.api(**config)
    released = []
    for exercise in ids:
        src = build / "source" / exercise / f"{exercise}.ipynb"
        if not src.is_file():
            raise CourseError(f"{src} not found")
        target = course.source_notebook(exercise).parent
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(src.parent, target)
        result = api.generate_assignment(exercise, force=True)
        if not result["success"]:
            raise CourseError(f"nbgrader generate_assignment failed for {exercise}:\n"
                              + (result.get("error") or result.get("log") or "")[-2000:])
        site_copy = build / "release" / exercise / f"{exercise}.ipynb"
        if site_copy.is_file():
            ours = _locked_sources(nbformat.read(course.release_notebook(exercise), 4))
            theirs = _locked_sources(nbformat.read(site_copy, 4))
            if ours != theirs:
                raise CourseError(f"the course's learner version of {exercise} differs from "
                                  f"{site_copy} (the one learners download); rebuild both")
        release_translations(course, build, exercise)
        catalogue[exercise] = known[exercise]
        released.append(exercise)
        log(f"released {exercise}: learners' notebook {course.release_notebook(exercise)}")
    (course.root / "exercises.json").write_text(
        json.dumps(list(catalogue.values()), indent=2) + "\n")
    return released


# -- collect --------------------------------------------------------------------------

NAME_PATTERNS = (
    # <learner>/<exercise>/<exercise>.ipynb (nbgrader's submitted layout)
    re.compile(r"^(?:.*/)?(?P<learner>[^/]+)/(?P<exercise>[^/]+)/(?P=exercise)\.ipynb$"),
    # <learner>/<exercise>.ipynb
    re.compile(r"^(?:.*/)?(?P<learner>[^/]+)/(?P<exercise>[^/]+)\.ipynb$"),
    # <learner>__<exercise>.ipynb (flat)
    re.compile(r"^(?:.*/)?(?P<learner>[^/]+?)__(?P<exercise>[^/]+)\.ipynb$"),
)
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")   # "transitions-ex1 (1).ipynb" from a browser












# -- export -----------------------------------------------------------------------------

EXPORT_COLUMNS = ["learner", "exercise", "module", "status", "score", "max_score",
                  "autograded_score", "needs_manual_grading", "needs_attention", "reasons"]

ATTENTION_FREE = {"graded"}










# -- one learner's data (GDPR) ---------------------------------------------------------------









def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table (monospace, readable by screen readers line by line)."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    out = io.StringIO()
    for i, row in enumerate([header, *rows]):
        out.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        if i == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    return out.getvalue()


TRANSLATIONS = "release-translations"


def release_translations(course: Course, build: Path, exercise: str) -> list[str]:
    """Copy the learners' notebook of every other language (``<build>/<code>/release/``) into
    the course, after checking it has the same cells as the English one: a learner may hand
    in either, and both are graded against the same source notebook and model answers. The
    language's learner texts (feedback pages) come along."""
    import nbformat

    english = nbformat.read(course.release_notebook(exercise), 4)
    shape = [(c.cell_type, (c.metadata.get("nbgrader") or {}).get("grade_id"))
             for c in english.cells]
    codes = []
    for path in sorted(Path(build).glob(f"*/release/{exercise}/{exercise}.ipynb")):
        code = path.parents[2].name
        theirs = nbformat.read(path, 4)
        if [(c.cell_type, (c.metadata.get("nbgrader") or {}).get("grade_id"))
                for c in theirs.cells] != shape:
            raise CourseError(f"{path} does not have the cells of the English notebook of "
                              f"{exercise}: rebuild the exercises")
        target = course.root / TRANSLATIONS / code / exercise
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / path.name)
        texts = path.parents[2] / TEXTS_FILE
        if texts.is_file():
            shutil.copy2(texts, target.parent / texts.name)
        codes.append(code)
    return codes
