"""The gradebook on a real PostgreSQL server, as the grading guide offers it.

Debian's PostgreSQL is started in a throwaway cluster (``initdb`` + ``pg_ctl`` under a
temporary folder; as root, the server runs as the ``postgres`` user through ``runuser``),
listening on a Unix socket only. A course on it is graded with ``--jobs 2`` through the
CLI; its grades must equal those of the same course on SQLite, with no lock errors in the
grader's output or the server's log. The noxfile installs the ``postgresql`` package.
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grading_fixtures as F
import nbformat
import pytest

pytestmark = pytest.mark.slow
LEARNERS = {
    "pg-01": (F.model_answers(), "I will invite the families."),
    "pg-02": (F.wrong_answers(), None),
    "pg-03": ({"q1": "B", "q2": ["C", "C", "C", "C"]}, "A short text."),
    "pg-04": ({}, None),
    "pg-05": ({"q3": ["D", "C", "B", "A"], "q4": "We plan the school visit with all parents."},
              None),
}


def crossings(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossings", "course", *map(str, args)],
                          capture_output=True, text=True)


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.fail("PostgreSQL is not installed: `sudo apt-get install postgresql` "
                    "(python3 -m nox -s tests installs it)")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def server():
    """A throwaway PostgreSQL cluster on a Unix socket; yields its SQLAlchemy URL."""
    bindir = pg_bin()
    home = Path(tempfile.mkdtemp(prefix="crossings-pg-"))
    data, sock, log = home / "data", home / "sock", home / "server.log"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        home.chmod(0o755)
        for path in (home, sock):
            shutil.chown(path, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*argv, check=True):
        return subprocess.run([*as_user, *map(str, argv)], capture_output=True, text=True,
                              check=check)

    run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "grader", "--no-instructions")
    port = "54329"
    run(bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-o",
        f"-k {sock} -c listen_addresses='' -p {port}", "start")
    try:
        run(bindir / "createdb", "-h", sock, "-p", port, "-U", "grader", "crossings")
        yield {"url": f"postgresql+psycopg://grader@/crossings?host={sock}&port={port}",
               "log": log}
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(home, ignore_errors=True)


def graded_course(base: Path, build: Path, db: str | None) -> tuple[Path, dict]:
    course = base / "course"
    out = {"new": crossings("new", course, *(["--db", db] if db else []))}
    assert out["new"].returncode == 0, out["new"].stderr
    assert crossings("release", course, "--from", build).returncode == 0
    inbox = base / "inbox"
    for exercise in ("fix-ex1", "fix-ex2"):
        release = nbformat.read(course / "release" / exercise / f"{exercise}.ipynb", 4)
        for code, (answers, text) in LEARNERS.items():
            F.save(F.fill(release, answers, text), inbox / code / f"{exercise}.ipynb")
    out["collect"] = crossings("collect", course, inbox, "--add-learners")
    out["autograde"] = crossings("autograde", course, "--jobs", "2")
    out["export"] = crossings("export", course, "--csv", base / "grades.csv")
    rows = sorted((r for r in csv.DictReader((base / "grades.csv").open())),
                  key=lambda r: (r["learner"], r["exercise"]))
    return course, {"out": out, "rows": rows}


def test_postgresql_gradebook_grades_equal_sqlite_with_no_lock_errors(server, tmp_path):
    build = F.write_build(tmp_path / "build")
    _, sqlite = graded_course(tmp_path / "sqlite", build, None)
    course, pg = graded_course(tmp_path / "pg", build, server["url"])
    assert "gradebook: postgresql+psycopg" in pg["out"]["new"].stdout
    for run in (sqlite, pg):
        assert run["out"]["collect"].returncode == 0, run["out"]["collect"].stdout
        assert run["out"]["autograde"].returncode in (0, 1), run["out"]["autograde"].stderr
    assert len(pg["rows"]) == len(LEARNERS) * 2
    assert pg["rows"] == sqlite["rows"]
    assert {r["status"] for r in pg["rows"]} == {"graded"}
    text = pg["out"]["autograde"].stdout + pg["out"]["autograde"].stderr
    for word in ("lock", "OperationalError", "deadlock", "Traceback"):
        assert word not in text, text
    server_log = server["log"].read_text() if server["log"].exists() else ""
    assert "deadlock" not in server_log and "lock timeout" not in server_log
    assert "ERROR" not in server_log, server_log[-2000:]
    assert not (course / "gradebook.db").exists()
