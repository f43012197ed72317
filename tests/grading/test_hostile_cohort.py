"""A mixed cohort of honest and hostile learners through `crossings course ...` only, as a
facilitator runs it: one test per finding of the grading review (issue 13).

1 code or IPython syntax in an answer cell    6 limits for the whole notebook
2 hidden tests leaking through feedback       7 collect: links, paths, damaged zips, bombs
3 learner export handing out answer keys      8 (released notebooks: test_grading_exercises)
4 learner text run as markup                  9 (multiple-choice message: same file)
5 a learner's file hanging or exhausting the grader
Honest learners' grades must be byte-identical to a run without the hostile ones.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import grading_fixtures as F
import nbformat
import pytest

pytestmark = pytest.mark.slow
HONEST = {
    "hon-01": (F.model_answers(), "I will invite the families to the school visit."),
    "hon-02": (F.wrong_answers(), None),
    "hon-03": ({"q1": "b", "q2": ["a", "b", "a", "c"], "q3": ["A", "C", "B", "D"],
                "q4": "Parents plan the first school visit together with us."}, "We listen."),
}
XSS = '<img src=x onerror="fetch(\'/api/contents/pwned.txt\',{method:\'PUT\'})">'
SECRET = "root:$6$not-a-real-hash:19000:0:99999:7:::"


def crossings(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossings", "course", *map(str, args)],
                          capture_output=True, text=True)


def hostile(release) -> dict[str, nbformat.NotebookNode]:
    """Hostile hand-ins: every answer is wrong, plus one trick each."""
    out = {}

    def wrong_with(code, qid, source):
        nb = F.fill(release, F.wrong_answers())
        nb.cells[F.cell_index(nb, f"{qid}-answer")].source = source
        out[code] = nb

    wrong_with("h-magic", "q2", "%config InteractiveShell.ast_node_interactivity = 'none'\n"
               "answer = ['A', 'B', 'C', 'C']")
    wrong_with("h-display", "q3", "get_ipython().display_formatter.formatters['text/plain']"
               ".for_type(float, lambda *a: None)\nanswer = ['B', 'A', 'C', 'D']")
    wrong_with("h-force", "q1", "import builtins\nbuiltins.AssertionError = type('X', "
               "(Exception,), {})\nanswer = 'C'")
    wrong_with("h-history", "q1", "print(In, Out)\nprint(str(globals().get('_expected'))[::-1])"
               "\nanswer = 'C'")
    out["h-xss"] = F.fill(release, F.model_answers(), reflection=f"Nice {XSS} <script>x()</script>")
    out["h-xss"].cells[F.cell_index(out["h-xss"], "q4-answer")].source = \
        f"answer = {'Families plan the visit <script>alert(1)</script> with us'!r}"
    out["h-blank"] = release
    return out


def clean_run(base: Path, build: Path, release_only: bool = False):
    course = base / "course"
    assert crossings("new", course).returncode == 0
    assert crossings("release", course, "--from", build).returncode == 0
    return course


def grades(csv_path: Path, learners) -> list[dict]:
    return [row for row in csv.DictReader(csv_path.open()) if row["learner"] in learners]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    build = F.write_build(base / "build")
    # a clean run: the honest learners alone
    clean = clean_run(base / "clean", build)
    release = nbformat.read(clean / "release" / "fix-ex1" / "fix-ex1.ipynb", 4)
    honest = base / "honest"
    for code, (answers, text) in HONEST.items():
        F.save(F.fill(release, answers, text), honest / code / "fix-ex1.ipynb")
    assert crossings("collect", clean, honest, "--add-learners").returncode == 0
    crossings("autograde", clean, "--jobs", "2")
    assert crossings("export", clean, "--csv", base / "clean.csv").returncode == 0

    # the mixed cohort
    course = clean_run(base / "mixed", build)
    inbox = base / "inbox"
    for code, (answers, text) in HONEST.items():
        F.save(F.fill(release, answers, text), inbox / code / "fix-ex1.ipynb")
    for code, nb in hostile(release).items():
        F.save(nb, inbox / code / "fix-ex1.ipynb")
    secret = base / "shadow"
    secret.write_text(SECRET)
    (inbox / "h-link").mkdir()
    (inbox / "h-link" / "fix-ex1.ipynb").symlink_to(secret)
    (inbox / "h-steal").mkdir()
    (inbox / "h-steal" / "fix-ex1.ipynb").symlink_to(inbox / "hon-01" / "fix-ex1.ipynb")
    out = {"collect": crossings("collect", course, inbox, "--add-learners")}
    # files in the course replaced behind the grader's back: a pipe and a link to /dev/zero
    crossings("learners", course, "add", "h-fifo", "h-zero")
    for code in ("h-fifo", "h-zero"):
        (course / "submitted" / code / "fix-ex1").mkdir(parents=True)
    os.mkfifo(course / "submitted" / "h-fifo" / "fix-ex1" / "fix-ex1.ipynb")
    (course / "submitted" / "h-zero" / "fix-ex1" / "fix-ex1.ipynb").symlink_to("/dev/zero")
    started = time.monotonic()
    out["autograde"] = crossings("autograde", course, "--jobs", "2", "fix-ex1")
    out["seconds"] = time.monotonic() - started
    out["export"] = crossings("export", course, "--csv", base / "mixed.csv")
    out["feedback"] = crossings("feedback", course)
    for code in ("h-blank", "h-xss"):
        out[f"learner-{code}"] = crossings("learner", course, "export", code, "--to",
                                           base / f"{code}.zip")
    print(out["autograde"].stderr + out["autograde"].stdout)       # for the closing note
    return {"base": base, "course": course, "out": out, "clean": clean}


def rows(cohort) -> dict[str, dict]:
    return {r["learner"]: r for r in csv.DictReader((cohort["base"] / "mixed.csv").open())
            if r["exercise"] == "fix-ex1"}


def test_honest_grades_are_byte_identical_to_a_clean_run(cohort):
    clean = grades(cohort["base"] / "clean.csv", HONEST)
    mixed = grades(cohort["base"] / "mixed.csv", HONEST)
    assert clean and json.dumps(clean) == json.dumps(mixed)
    assert {r["status"] for r in mixed if r["exercise"] == "fix-ex1"} == {"graded"}


def test_1_code_or_ipython_in_an_answer_scores_0_and_is_flagged(cohort):
    table = rows(cohort)
    wrong = {qid: item[4] for qid, item in F.ITEMS.items()}
    expected = {"h-magic": F.WRONG_SCORE - wrong["q2"], "h-display": F.WRONG_SCORE - wrong["q3"],
                "h-force": F.WRONG_SCORE - wrong["q1"], "h-history": F.WRONG_SCORE - wrong["q1"]}
    for code, score in expected.items():
        row = table[code]
        assert float(row["score"]) == score, row
        assert row["needs_manual_grading"] == "yes" and row["needs_attention"] == "yes", row
        assert "is not an answer" in row["reasons"], row
    assert "IPython syntax" in table["h-magic"]["reasons"]
    assert "only contain 'answer = ...'" in table["h-force"]["reasons"]


def test_2_feedback_pages_hold_nothing_hidden_in_any_direction(cohort):
    course = cohort["course"]
    assert cohort["out"]["feedback"].returncode == 0, cohort["out"]["feedback"].stdout
    source = nbformat.read(course / "source" / "fix-ex1" / "fix-ex1.ipynb", 4)
    hidden = [line.strip() for c in source.cells if "BEGIN HIDDEN" in c.source
              for line in c.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()
              if len(line.strip()) >= 8 and "END HIDDEN" not in line]
    assert hidden
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        text = page.read_text()
        for line in hidden:
            assert line not in text and line[::-1] not in text, (page, line)
        assert "BEGIN HIDDEN" not in text and "_expected" not in text
    history = (course / "feedback" / "h-history" / "fix-ex1" / "fix-ex1.html").read_text()
    assert "could not be read" in history


def test_3_learner_export_holds_no_answer_keys(cohort):
    base, course = cohort["base"], cohort["course"]
    assert cohort["out"]["learner-h-blank"].returncode == 0
    source = nbformat.read(course / "source" / "fix-ex1" / "fix-ex1.ipynb", 4)
    secrets = ["BEGIN HIDDEN", "_expected", "hidden: wrong letter", "BEGIN SOLUTION",
               "I will visit the school with the families"]
    assert all(s in json.dumps(source.dict()) for s in secrets)
    with zipfile.ZipFile(base / "h-blank.zip") as archive:
        names = archive.namelist()
        assert "h-blank/feedback/fix-ex1.html" in names and "h-blank/gradebook.json" in names
        assert not [n for n in names if "autograded" in n]
        for name in names:
            text = archive.read(name).decode()
            assert not [s for s in secrets if s in text], name


def test_4_learner_text_is_never_markup(cohort, tmp_path):
    course = cohort["course"]
    page = (course / "feedback" / "h-xss" / "fix-ex1" / "fix-ex1.html").read_text()
    assert "<img" not in page and "<script>" not in page
    assert "&lt;img src=x onerror=" in page and "default-src 'none'" in page
    graded = nbformat.read(course / "autograded" / "h-xss" / "fix-ex1" / "fix-ex1.ipynb", 4)
    cell = graded.cells[F.cell_index(graded, "q5-reflection")]
    assert cell.source.startswith("```text\n") and XSS in cell.source
    # formgrader, as the facilitator opens it, shows the text and runs nothing
    html = formgrader_page(course, tmp_path, "h-xss")
    assert "onerror=" in html                                  # the text is there ...
    assert '<img src=x onerror' not in html and "<img src=\"x\"" not in html   # ... as text
    assert "&lt;img src=x onerror=" in html


def formgrader_page(course: Path, tmp_path: Path, learner: str) -> str:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "crossings-hostile-token"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "server", "--no-browser",
         f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={course}", "--allow-root"], cwd=course,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
             "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})

    def get(path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()

    try:
        for _ in range(600):           # a loaded machine starts JupyterLab slowly
            try:
                get("/api/status")
                break
            except OSError:
                time.sleep(0.5)
        notebooks = json.loads(get("/formgrader/api/submitted_notebooks/fix-ex1/fix-ex1"))
        mine = next(n for n in notebooks if n["student"] == learner)
        return get(f"/formgrader/submissions/{mine['id']}/?index=0")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_5_files_that_are_not_files_never_hang_the_grader(cohort):
    table = rows(cohort)
    for code in ("h-fifo", "h-zero"):
        assert table[code]["status"] == "unreadable", table[code]
        assert "not a regular file" in table[code]["reasons"]
    assert cohort["out"]["seconds"] < 240


def test_6_course_check_reports_the_limits_in_force(cohort):
    check = crossings("check", cohort["course"])
    assert check.returncode == 0, check.stdout + check.stderr
    assert "limits in force:" in check.stdout
    assert ("per notebook (cgroup v2)" in check.stdout) or ("NOT per notebook: no cgroup v2"
                                                             in check.stdout)
    if os.geteuid() == 0:
        assert "its folder is a 32 MB tmpfs" in check.stdout


def test_7_collect_refuses_links_and_keeps_others_safe(cohort):
    course, collect_out = cohort["course"], cohort["out"]["collect"].stdout
    assert "h-link/fix-ex1.ipynb: a symbolic link; links are not followed" in collect_out
    assert "h-steal/fix-ex1.ipynb: a symbolic link; links are not followed" in collect_out
    assert not (course / "submitted" / "h-link").exists()
    for file in course.rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes(), file
    assert "h-steal" not in rows(cohort) and "h-link" not in rows(cohort)


def test_7_zips_cannot_overwrite_others_crash_or_flood(cohort, tmp_path):
    course = clean_run(tmp_path, cohort["base"] / "build")
    release = (course / "release" / "fix-ex1" / "fix-ex1.ipynb").read_text()
    first = tmp_path / "first.zip"
    with zipfile.ZipFile(first, "w") as z:
        z.writestr("victim/fix-ex1.ipynb", release)
    assert crossings("collect", course, first, "--add-learners").returncode == 0
    victim = course / "submitted" / "victim" / "fix-ex1" / "fix-ex1.ipynb"
    before = victim.read_bytes()

    attack = tmp_path / "attack.zip"
    with zipfile.ZipFile(attack, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("attacker/../victim/fix-ex1.ipynb", release.replace("Exercise", "Pwned"))
        z.writestr("damaged/fix-ex1.ipynb", release)
        z.writestr("bomb/fix-ex1.ipynb", b" " * (50 * 2**20))
        z.writestr("fine/fix-ex1.ipynb", release)
        for n in range(70):
            z.writestr(f"new-{n:02d}/fix-ex2.ipynb", "{}")
    data = bytearray(attack.read_bytes())
    with zipfile.ZipFile(attack) as z:
        info = z.getinfo("damaged/fix-ex1.ipynb")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    data[start:start + 40] = b"\xff" * 40          # damage the compressed bytes of one entry
    attack.write_bytes(bytes(data))
    out = crossings("collect", course, attack, "--add-learners")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    text = out.stdout
    assert "attacker/../victim/fix-ex1.ipynb: refused: the path holds '..'" in text
    assert victim.read_bytes() == before
    assert "damaged/fix-ex1.ipynb: damaged zip entry" in text
    assert "bomb/fix-ex1.ipynb: compressed more than 100:1" in text
    assert "collected fine fix-ex1" in text
    assert text.count("--add-learners adds at most 60 new learners") == 70 - 59
    assert not (course / "submitted" / "bomb").exists()

    # a resubmission keeps the earlier copy, and says which one counts
    again = tmp_path / "again"
    (again / "victim").mkdir(parents=True)
    (again / "victim" / "fix-ex1.ipynb").write_text(release.replace("Exercise", "Second"))
    out = crossings("collect", course, again)
    assert "resubmitted: this copy counts, the earlier one is kept in versions/victim" \
        in out.stdout, out.stdout
    kept = list((course / "versions" / "victim" / "fix-ex1").glob("*.ipynb"))
    assert [k.read_bytes() for k in kept] == [before]
    assert b"Second" in victim.read_bytes()


def test_5_and_6_the_box_is_no_way_out(tmp_path, monkeypatch):
    """The second wall on its own: a kernel that turns its folder into a trap (a pipe and a
    link to /dev/zero where its log and connection file are) and fills it with files."""
    import asyncio
    import tempfile

    from nbformat.v4 import new_code_cell, new_notebook

    from crossings.grading.sandbox import Limits, Sandbox, execute

    # a short folder of its own: the kernel's sockets live in the box (see box_parent_dir)
    boxes = Path(tempfile.mkdtemp(prefix="cx-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(boxes))
    sandbox = Sandbox.detect(Limits(timeout=30), hide=[tmp_path / "course"])
    source = """
import os
box = os.environ["JUPYTER_RUNTIME_DIR"]
for name in ("kernel.log", "kernel.json"):
    try:
        os.unlink(os.path.join(box, name))
    except OSError:
        pass
os.mkfifo(os.path.join(box, "kernel.log"))
os.symlink("/dev/zero", os.path.join(box, "kernel.json"))
written = 0
for n in range(96):
    try:
        with open(os.path.join(box, f"fill-{n}"), "wb") as f:
            f.write(b"x" * 16 * 2**20)
        written += 16
    except OSError as exc:
        print("stopped:", exc.strerror)
        break
print("written MB", written)
"""
    nb = new_notebook(cells=[new_code_cell(source)])
    started = time.monotonic()
    try:
        result = asyncio.run(execute(nb, sandbox))
    finally:
        sandbox.close()
    assert time.monotonic() - started < 60
    assert result.status == "ok", result
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    if sandbox.tmpfs_box is None:
        assert "stopped: No space left on device" in printed, printed
        assert int(printed.split("written MB")[1]) <= sandbox.limits.box_mb
    left = list(boxes.iterdir())
    if not left:
        boxes.rmdir()
    assert left == []          # nothing left behind


def test_a_long_temporary_folder_does_not_break_the_kernel_sockets(tmp_path, monkeypatch):
    """A TMPDIR too long for a Unix socket address: boxes go to /tmp, and grading works."""
    import asyncio
    import tempfile

    from nbformat.v4 import new_code_cell, new_notebook

    from crossings.grading.sandbox import Limits, Sandbox, box_parent_dir, execute

    long = tmp_path / ("t" * 80)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    assert box_parent_dir() == "/tmp"
    sandbox = Sandbox.detect(Limits(timeout=30), hide=[tmp_path / "course"])
    nb = new_notebook(cells=[new_code_cell("answer = 6 * 7\nprint(answer)")])
    try:
        result = asyncio.run(execute(nb, sandbox))
    finally:
        sandbox.close()
    assert result.status == "ok", result
    assert "42" in "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert list(long.iterdir()) == []   # nothing was made in the long folder
