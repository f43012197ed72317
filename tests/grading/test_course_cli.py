"""`crossings course ...` as a facilitator types it, and JupyterLab's formgrader
(nbgrader's own server extension) grading by hand on the same course folder."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import grading_fixtures as F
import nbformat
import pytest

from crossings.grading import course as C

pytestmark = pytest.mark.slow


def crossings(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossings", "course", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def cli_course(tmp_path_factory):
    """A course driven only through the command line; returns its folder and outputs."""
    base = tmp_path_factory.mktemp("cli")
    build = F.write_build(base / "build")
    course = base / "cohort"
    out = {}
    out["new"] = crossings("new", course)
    out["generate"] = crossings("learners", course, "generate", 2)
    out["add"] = crossings("learners", course, "add", "ana-01", "ben-02")
    out["release"] = crossings("release", course, "--from", build)
    release = nbformat.read(course / "release" / "fix-ex1" / "fix-ex1.ipynb", 4)
    archive = base / "returned.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ana-01/fix-ex1.ipynb",
                   nbformat.writes(F.fill(release, F.model_answers(), "We visit the school.")))
        z.writestr("ben-02__fix-ex1.ipynb", nbformat.writes(F.fill(release, F.wrong_answers())))
        z.writestr("ben-02__fix-ex2.ipynb", "not json")
        z.writestr("README.txt", "hello")
    out["collect"] = crossings("collect", course, archive)
    out["autograde"] = crossings("autograde", course, "--jobs", "2", "--timeout", "30")
    out["status"] = crossings("status", course)
    out["feedback"] = crossings("feedback", course)
    out["export"] = crossings("export", course, "--csv", base / "grades.csv")
    return course, base, out


def test_the_whole_workflow_from_the_command_line(cli_course):
    course, base, out = cli_course
    for step in ("new", "generate", "add", "release", "export"):
        assert out[step].returncode == 0, out[step].stderr
    codes = out["generate"].stdout.split()
    assert len(codes) == 2 and all(C.check_code(c) is None for c in codes)
    assert out["collect"].returncode == 1          # README.txt was not collected ...
    assert "not collected: README.txt: not a notebook" in out["collect"].stdout
    assert "3 notebook(s) collected" in out["collect"].stdout
    grading = out["autograde"]
    assert grading.returncode == 1                 # ... and several notebooks need attention
    assert "/8] learner ana-01 (" in grading.stderr and "(1 of 4)" in grading.stderr
    assert "Needs attention" in grading.stdout and "unreadable" in grading.stdout
    rows = {(r["learner"], r["exercise"]): r
            for r in csv.DictReader((base / "grades.csv").open())}
    assert len(rows) == 8
    assert rows[("ana-01", "fix-ex1")]["score"] == f"{F.AUTOGRADED:g}"
    assert rows[("ben-02", "fix-ex1")]["score"] == f"{F.WRONG_SCORE:g}"
    assert rows[("ben-02", "fix-ex2")]["status"] == "unreadable"
    assert rows[(codes[0], "fix-ex1")]["status"] == "missing"
    assert out["feedback"].returncode == 0
    assert (course / "feedback" / "ben-02" / "fix-ex1" / "fix-ex1.html").is_file()
    assert out["status"].returncode == 1 and "unreadable" in out["status"].stdout


def test_mistakes_stop_with_a_message_and_exit_code_2(cli_course, tmp_path):
    course, _, _ = cli_course
    bad = crossings("learners", course, "add", "jane@example.org")
    assert bad.returncode == 2 and "e-mail" in bad.stderr
    assert crossings("autograde", tmp_path).returncode == 2
    unknown = crossings("autograde", course, "--jobs", "2", "no-such-exercise")  # ids after options
    assert unknown.returncode == 2 and "not released in this course" in unknown.stderr
    assert crossings("learner", course, "erase", "ana-01").returncode == 2   # needs --yes


def test_plain_nbgrader_autograde_is_switched_off(cli_course):
    course, _, _ = cli_course
    before = (course / "submitted" / "ana-01" / "fix-ex1" / "fix-ex1.ipynb").read_bytes()
    graded = (course / "autograded" / "ana-01" / "fix-ex1" / "fix-ex1.ipynb").read_bytes()
    bindir = Path(sys.executable).parent
    proc = subprocess.run([str(bindir / "nbgrader"), "autograde", "fix-ex1", "--force"],
                          cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"})
    assert proc.returncode != 0
    assert "crossings course autograde" in proc.stdout + proc.stderr
    assert (course / "submitted" / "ana-01" / "fix-ex1" / "fix-ex1.ipynb").read_bytes() == before
    assert (course / "autograded" / "ana-01" / "fix-ex1" / "fix-ex1.ipynb").read_bytes() == graded


def test_learner_data_export_and_erase_from_the_command_line(cli_course, tmp_path):
    import shutil

    course, _, _ = cli_course
    copy = tmp_path / "copy"
    shutil.copytree(course, copy)
    exported = crossings("learner", copy, "export", "ben-02", "--to", tmp_path / "ben.zip")
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(tmp_path / "ben.zip") as z:
        assert "ben-02/gradebook.json" in z.namelist()
    erased = crossings("learner", copy, "erase", "ben-02", "--yes")
    assert erased.returncode == 0, erased.stdout + erased.stderr
    assert "no file of the course mentions ben-02" in erased.stdout
    assert "ben-02" not in C.Course.open(copy).learners()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_grades_by_hand_on_the_same_course(cli_course, tmp_path):
    course, base, _ = cli_course
    port, token = _free_port(), "crossings-test-token"
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
         "--allow-root"], cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
             "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})

    def call(path, method="GET", body=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    try:
        for _ in range(600):           # a loaded machine starts JupyterLab slowly
            try:
                call("/api/status")
                break
            except OSError:
                time.sleep(0.5)
        submissions = {s["student"]: s for s in call("/formgrader/api/submissions/fix-ex1")}
        assert submissions["ana-01"]["score"] == F.AUTOGRADED
        assert submissions["ana-01"]["needs_manual_grade"] is True
        notebooks = call("/formgrader/api/submitted_notebooks/fix-ex1/fix-ex1")
        mine = next(n for n in notebooks if n["student"] == "ana-01")
        grades = {g["name"]: g for g in call(
            f"/formgrader/api/grades?submission_id={mine['id']}")}
        call(f"/formgrader/api/grade/{grades['q5-reflection']['id']}", "PUT",
             {"manual_score": 2.5})
        call(f"/formgrader/api/grade/{grades['q4-quality']['id']}", "PUT",
             {"manual_score": 2.0})
        # formgrader's own Autograde button cannot run learner code outside the sandbox
        graded = course / "autograded" / "ana-01" / "fix-ex1" / "fix-ex1.ipynb"
        before = graded.read_bytes()
        try:
            result = call("/formgrader/api/submission/fix-ex1/ana-01/autograde", "POST", {})
        except urllib.error.HTTPError as exc:
            assert exc.code == 500
        else:
            assert result["success"] is False
        assert graded.read_bytes() == before
    finally:
        server.terminate()
        server.wait(timeout=30)
    target = tmp_path / "after.csv"
    assert crossings("export", course, "--csv", target).returncode == 0
    rows = {(r["learner"], r["exercise"]): r for r in csv.DictReader(target.open())}
    assert rows[("ana-01", "fix-ex1")]["score"] == f"{F.AUTOGRADED + 4.5:g}"
    assert rows[("ana-01", "fix-ex1")]["needs_manual_grading"] == "no"
