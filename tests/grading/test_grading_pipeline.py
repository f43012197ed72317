"""The grading pipeline end to end on a real nbgrader course: every exercise type,
broken and malicious submissions, parallel against serial grading, feedback,
the CSV export and one learner's data. Grades are read through nbgrader's
Gradebook API or the exported CSV."""

from __future__ import annotations

import csv
import json
import shutil
import socket
import threading
import uuid
import zipfile
from pathlib import Path

import grading_fixtures as F
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from crossings.grading import autograde as G
from crossings.grading import collect, learner_data
from crossings.grading import course as C
from crossings.grading.feedback import generate_feedback, page_text
from crossings.grading.sandbox import Limits

pytestmark = pytest.mark.slow
ORDINARY = [f"p{n:02d}" for n in range(1, 21)]
TIMEOUT = 8


class Listener:
    """A TCP server on the grader's loopback that counts connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.hits += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def ordinary_answers(n: int) -> dict[str, object]:
    kinds = ["model", "wrong", "blank"]
    out = {}
    for k, (qid, item) in enumerate(F.ITEMS.items()):
        kind = kinds[(n + k) % 3]
        out[qid] = item[2] if kind == "model" else item[3] if kind == "wrong" else \
            ([] if isinstance(item[2], list) else "")
    return out


def expected_ordinary(n: int) -> float:
    kinds = ["model", "wrong", "blank"]
    total = 0.0
    for k, item in enumerate(F.ITEMS.values()):
        kind = kinds[(n + k) % 3]
        total += item[1] if kind == "model" else item[4] if kind == "wrong" else 0.0
    return total


def attacks(course, port: int, escape_marker: Path) -> dict[str, str]:
    """Hostile code: as an answer cell it is refused and never runs (the first wall); run
    directly in the sandbox it reaches nothing (the second wall)."""
    root = course.root
    return {
        "loop": "while True:\n    pass",
        "dies": "import os\nos._exit(3)",
        "flood": "print('x' * 20_000_000)",
        "hog": "hog = bytearray(6 * 1024 ** 3)",
        "wiper": f"""
import glob, os, shutil
for path in glob.glob({str(root)!r} + '/**', recursive=True):
    shutil.rmtree(path, ignore_errors=True)
for base, dirs, names in os.walk('/'):
    if base.startswith(('/proc', '/sys', '/dev', '/usr')):
        dirs[:] = []
        continue
    for name in names:
        if name.endswith(('.db', '.ipynb')):
            try:
                open(os.path.join(base, name), 'w').close()
            except OSError:
                pass
for target in [{str(root / 'gradebook.db')!r}, {str(root / 'pwned')!r}, {str(escape_marker)!r}]:
    try:
        open(target, 'w').write('pwned')
    except OSError:
        pass
try:
    os.kill(-1, 9)
except OSError:
    pass""",
        "reader": f"""
hidden = ''
for path in [{str(course.source_notebook('fix-ex1'))!r},
             {str(course.submitted_notebook('model', 'fix-ex1'))!r}]:
    try:
        hidden += open(path).read()
    except OSError as exc:
        hidden += type(exc).__name__
print(hidden[:3000])""",
        "caller": f"""
import socket
for host in ['127.0.0.1', 'localhost']:
    try:
        socket.create_connection((host, {port}), timeout=2).send(b'hi')
    except OSError:
        pass""",
    }


@pytest.fixture(scope="session")
def cohort(tmp_path_factory):
    """A course where 20 ordinary learners and one learner per awkward case hand in
    fix-ex1, graded once with --jobs 2."""
    base = tmp_path_factory.mktemp("cohort")
    build = F.write_build(base / "build")
    course = C.new_course(base / "course")
    C.release(course, build, log=lambda *_: None)
    release = nbformat.read(course.release_notebook("fix-ex1"), 4)
    other = nbformat.read(course.release_notebook("fix-ex2"), 4)
    inbox = base / "inbox"
    listener = Listener()
    escape_marker = Path("/tmp") / f"crossings-escape-{uuid.uuid4().hex}"
    files: dict[str, bytes] = {}

    def put(code, nb_or_bytes):
        files[code] = nb_or_bytes if isinstance(nb_or_bytes, bytes) else \
            nbformat.writes(nb_or_bytes).encode()

    for n, code in enumerate(ORDINARY):
        put(code, F.fill(release, ordinary_answers(n), reflection="We will visit the school."))
    put("model", F.fill(release, F.model_answers(), reflection="I will invite the families."))
    put("wrong", F.fill(release, F.wrong_answers()))
    tamper = F.fill(release, F.wrong_answers())
    tamper.cells[F.cell_index(tamper, "q1-check")].source = "pass  # checks removed"
    tamper.cells[F.cell_index(tamper, "q2-check")].source = "3.0  # full marks please"
    put("tamper", tamper)
    deleter = F.fill(release, F.wrong_answers())
    for gid in ("q2-check", "q3-check"):
        del deleter.cells[F.cell_index(deleter, gid)]
    put("deleter", deleter)
    stripped = F.fill(release, F.model_answers())
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    put("stripped", stripped)
    put("corrupt", nbformat.writes(F.fill(release, F.model_answers())).encode()[:700])
    put("empty", b"")
    put("other", F.fill(other, F.model_answers()))
    put("random", new_notebook(cells=[new_code_cell("print('hello')")]))

    def attack(code, source):
        nb = F.fill(release, F.model_answers())
        nb.cells[F.cell_index(nb, "q1-answer")].source = source + "\nanswer = 'B'"
        put(code, nb)

    for code, source in attacks(course, listener.port, escape_marker).items():
        attack(code, source)

    inbox.mkdir()
    for code, data in files.items():
        (inbox / f"{code}__fix-ex1.ipynb").write_bytes(data)
    C.add_learners(course, [*files, "missing"])
    collected, rejected = collect.collect(course, inbox)
    assert not rejected and len(collected) == len(files)
    lines: list[str] = []
    run = G.autograde(course, ["fix-ex1"], jobs=2, limits=Limits(timeout=TIMEOUT),
                      log=lines.append)
    listener.close()
    yield {"course": course, "run": run, "listener": listener, "escape": escape_marker,
           "files": files, "log": lines, "base": base}
    escape_marker.unlink(missing_ok=True)


def scores(course, learners=None) -> dict[str, dict[str, tuple]]:
    """learner -> grade id -> (auto_score, needs_manual_grade), from the gradebook."""
    from nbgrader.api import MissingEntry

    out = {}
    with course.gradebook() as gb:
        for student in gb.students:
            if learners and student.id not in learners:
                continue
            try:
                nb = gb.find_submission_notebook("fix-ex1", "fix-ex1", student.id)
            except MissingEntry:
                continue
            out[student.id] = {g.name: (g.auto_score, g.needs_manual_grade) for g in nb.grades}
    return out


def submission(course, learner):
    with course.gradebook() as gb:
        sub = gb.find_submission("fix-ex1", learner)
        return float(sub.score), bool(sub.needs_manual_grade)


def outcome(cohort, learner) -> G.Outcome:
    return next(o for o in cohort["run"].outcomes if o.learner == learner)


def test_every_submission_ends_with_one_reported_status(cohort):
    run = cohort["run"]
    learners = cohort["course"].learners()
    assert sorted(o.learner for o in run.outcomes) == sorted(learners)
    assert run.exit_code == 1
    expected = {"corrupt": "unreadable", "empty": "unreadable", "other": "wrong-notebook",
                "random": "no-metadata", "missing": "missing", "loop": "graded",
                "dies": "graded", "flood": "graded"}
    for learner, status in expected.items():
        assert outcome(cohort, learner).status == status, outcome(cohort, learner)
        assert outcome(cohort, learner).reasons
    # progress: n of N and the current learner, one line per submission
    total = len(learners)
    assert sum(f"/{total}] learner " in line for line in cohort["log"]) == total


def test_each_exercise_type_round_trips(cohort):
    course = cohort["course"]
    model = scores(course)["model"]
    for qid, item in F.ITEMS.items():
        assert model[f"{qid}-check"] == (item[1], False)
    assert model["q5-reflection"] == (None, True)      # the facilitator reads it
    assert submission(course, "model") == (F.AUTOGRADED, True)
    wrong = scores(course)["wrong"]
    for qid, item in F.ITEMS.items():
        assert wrong[f"{qid}-check"][0] == item[4]     # partial credit where designed
    assert submission(course, "wrong")[0] == F.WRONG_SCORE
    assert wrong["q5-reflection"] == (0, False)        # untouched stub: "No response"


def test_tampering_is_flagged_and_not_rewarded(cohort):
    course = cohort["course"]
    tamper = scores(course)["tamper"]
    assert submission(course, "tamper")[0] == F.WRONG_SCORE
    assert tamper["q1-check"] == (0, True) and tamper["q2-check"] == (2.25, True)
    assert outcome(cohort, "tamper").attention
    deleter = scores(course)["deleter"]
    assert submission(course, "deleter")[0] == F.WRONG_SCORE
    assert deleter["q2-check"] == (2.25, True) and deleter["q3-check"] == (2.5, True)
    stripped = outcome(cohort, "stripped")
    assert stripped.status == "graded" and stripped.attention
    assert submission(course, "stripped")[0] == F.AUTOGRADED


def test_code_in_answer_cells_never_runs_and_others_keep_their_grades(cohort):
    course = cohort["course"]
    for code in cohort["files"]:
        assert course.submitted_notebook(code, "fix-ex1").read_bytes() == cohort["files"][code]
    for n, code in enumerate(ORDINARY):
        assert submission(course, code)[0] == expected_ordinary(n), code
    for code in ("loop", "dies", "flood", "hog", "wiper", "reader", "caller"):
        result = outcome(cohort, code)
        assert result.status == "graded" and result.seconds < TIMEOUT, result
        assert any("'q1-answer' is not an answer" in r for r in result.reasons)
        # the refused answer scores 0 and waits for a human look; the rest counts
        assert submission(course, code) == (F.AUTOGRADED - F.ITEMS["q1"][1], True), code
        graded = nbformat.read(course.autograded_dir(code, "fix-ex1") / "fix-ex1.ipynb", 4)
        assert graded.cells[F.cell_index(graded, "q1-answer")].outputs == []


@pytest.fixture(scope="session")
def second_wall(cohort, tmp_path_factory):
    """The sandbox on its own: each attack runs as code, as if it had got past the reader."""
    import asyncio

    from crossings.grading.sandbox import Sandbox, execute

    course = cohort["course"]
    listener = Listener()
    escape = Path("/tmp") / f"crossings-escape-{uuid.uuid4().hex}"
    before = {p: p.read_bytes() for p in course.root.rglob("*") if p.is_file()}
    sandbox = Sandbox.detect(Limits(timeout=TIMEOUT), hide=[course.root])

    async def run_all():
        out = {}
        for code, source in attacks(course, listener.port, escape).items():
            nb = new_notebook(cells=[new_code_cell(source), new_code_cell("print('after')")])
            out[code] = await execute(nb, sandbox)
        return out

    try:
        results = asyncio.run(run_all())
    finally:
        sandbox.close()
        listener.close()
    yield {"results": results, "listener": listener, "escape": escape, "before": before,
           "course": course}
    escape.unlink(missing_ok=True)


def test_the_sandbox_still_holds_as_the_second_wall(second_wall):
    results = second_wall["results"]
    assert results["loop"].status == "timeout"
    assert results["dies"].status == "dead-kernel"
    assert results["flood"].status == "output-lost"
    hog = json.dumps(results["hog"].nb.cells[0].outputs)
    assert "MemoryError" in hog
    printed = json.dumps(results["reader"].nb.cells[0].outputs)
    assert "FileNotFoundError" in printed and "BEGIN HIDDEN" not in printed
    assert second_wall["listener"].hits == 0
    root = second_wall["course"].root
    assert not (root / "pwned").exists() and not second_wall["escape"].exists()
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == second_wall["before"]


def test_parallel_grading_gives_the_same_grades_as_serial(cohort, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(cohort["course"].root, copy)
    serial_course = C.Course.open(copy)
    parallel = scores(serial_course, ORDINARY)
    run = G.autograde(serial_course, ["fix-ex1"], jobs=1, force=True, learners=ORDINARY,
                      log=lambda *_: None)
    assert [o.status for o in run.outcomes] == ["graded"] * len(ORDINARY)
    assert scores(serial_course, ORDINARY) == parallel
    assert len(parallel) == 20


def test_unchanged_submissions_are_not_regraded_but_still_reported(cohort, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(cohort["course"].root, copy)
    again = G.autograde(C.Course.open(copy), ["fix-ex1"], jobs=2,
                        limits=Limits(timeout=TIMEOUT), log=lambda *_: None)
    assert {(o.learner, o.status) for o in again.outcomes} == \
        {(o.learner, o.status) for o in cohort["run"].outcomes}
    assert all(o.reused for o in again.outcomes if o.status != "missing")
    assert again.exit_code == 1


def test_export_has_one_row_per_learner_and_exercise(cohort, tmp_path):
    course = cohort["course"]
    target = tmp_path / "grades.csv"
    learner_data.export_csv(course, target)
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == len(course.learners()) * 2
    by = {(r["learner"], r["exercise"]): r for r in rows}
    assert by[("model", "fix-ex1")]["score"] == f"{F.AUTOGRADED:g}"
    assert by[("model", "fix-ex1")]["needs_manual_grading"] == "yes"
    assert by[("model", "fix-ex1")]["needs_attention"] == "no"
    assert by[("corrupt", "fix-ex1")]["status"] == "unreadable"
    assert by[("corrupt", "fix-ex1")]["score"] == ""             # no silent zero
    assert by[("tamper", "fix-ex1")]["needs_attention"] == "yes"
    assert by[("p01", "fix-ex2")]["status"] == "missing"


def test_feedback_reveals_nothing_hidden(cohort, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(cohort["course"].root, copy)
    course = C.Course.open(copy)
    chosen = ["model", "wrong", "tamper", "deleter", "stripped", "reader", "hog", "loop",
              "dies", "flood", "corrupt", "other", "missing"]
    run = generate_feedback(course, ["fix-ex1"], log=lambda *_: None, learners=chosen)
    assert run.problems == []
    graded = {o.learner for o in cohort["run"].outcomes
              if o.status not in G.FINAL_WITHOUT_GRADES and o.learner in chosen}
    assert {learner for learner, _, _ in run.written} == graded
    assert not {"corrupt", "other", "missing"} & graded
    secrets = ["_expected", "hidden: wrong letter", "BEGIN HIDDEN", "_pairs", "_position",
               "round("]
    for _, _, path in run.written:
        text = page_text(path.read_text())
        assert not [s for s in secrets if s in text], path
    wrong = page_text(course.feedback_file("wrong", "fix-ex1").read_text())
    assert "Not yet: write at least 5 words" in wrong and "No points yet: 0 of 2" in wrong


def test_one_learner_can_be_exported_and_erased(cohort, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(cohort["course"].root, copy)
    course = C.Course.open(copy)
    before = scores(course)
    code = "p07"      # a code that no other learner's notebook happens to contain
    names = learner_data.export_learner(course, code, tmp_path / "one.zip")
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        record = json.loads(archive.read(f"{code}/gradebook.json"))
        assert f"{code}/submitted/fix-ex1/fix-ex1.ipynb" in archive.namelist()
        assert f"{code}/feedback/fix-ex1.html" in archive.namelist()
        assert not [n for n in archive.namelist() if "/autograded/" in n]   # hidden tests
    assert record["submissions"][0]["score"] == expected_ordinary(6) and len(names) >= 3
    assert record["grading"][0]["status"] == "graded"
    learner_data.erase_learner(course, code)
    assert code not in course.learners()
    assert learner_data.mentions(course, code) == []
    after = scores(course)
    del before[code]
    assert after == before
