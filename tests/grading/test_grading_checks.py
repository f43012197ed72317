"""The grader's checks on real nbgrader course directories, without running kernels:
reading, matching and rebuilding submissions, learner codes, collecting, feedback
scrubbing, and the sandbox's isolation probe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import grading_fixtures as F
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from crossings.grading import autograde as G
from crossings.grading import collect
from crossings.grading import course as C
from crossings.grading import submission as S
from crossings.grading.feedback import leaks
from crossings.grading.sandbox import Sandbox, check


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """A course with two fixture exercises released through nbgrader (no grading)."""
    base = tmp_path_factory.mktemp("released")
    build = F.write_build(base / "build")
    course = C.new_course(base / "course")
    C.release(course, build, log=lambda *_: None)
    C.add_learners(course, ["ana-01", "ben-02"])
    return course


@pytest.fixture(scope="session")
def template(released):
    with released.gradebook() as gb:
        return S.Template.load(released, "fix-ex1", gb)


@pytest.fixture
def release_nb(released):
    return nbformat.read(released.release_notebook("fix-ex1"), 4)


def as_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


def test_model_answers_pass_the_checks_and_keep_hidden_tests(template, release_nb):
    prepared = S.prepare(template, as_bytes(F.fill(release_nb, F.model_answers())))
    assert prepared.status == "graded" and prepared.reasons == []
    sources = "\n".join(c.source for c in prepared.nb.cells)
    assert "BEGIN HIDDEN TESTS" in sources           # the real tests run
    assert "answer = 'B'" in sources                  # the learner's answer is kept
    assert "### BEGIN SOLUTION" not in sources        # never the model answer


def test_edited_test_cell_is_flagged_and_restored(template, release_nb):
    nb = F.fill(release_nb, F.wrong_answers())
    nb.cells[F.cell_index(nb, "q1-check")].source = "pass  # no checks"
    prepared = S.prepare(template, as_bytes(nb))
    assert prepared.status == "graded"
    assert "q1-check" in prepared.review
    assert any("test cell 'q1-check' was changed" in r for r in prepared.reasons)
    restored = prepared.nb.cells[F.cell_index(prepared.nb, "q1-check")].source
    assert "BEGIN HIDDEN TESTS" in restored and "pass  # no checks" not in restored


def test_deleted_test_cell_is_restored_in_place(template, release_nb):
    nb = F.fill(release_nb, F.wrong_answers())
    del nb.cells[F.cell_index(nb, "q2-check")]
    prepared = S.prepare(template, as_bytes(nb))
    assert prepared.status == "graded"
    assert any("'q2-check' was deleted" in r for r in prepared.reasons)
    ids = [S.grade_id(c) for c in prepared.nb.cells]
    assert ids.index("q2-answer") + 1 == ids.index("q2-check")


def test_moved_cells_are_put_back_in_the_exercise_order(template, release_nb):
    nb = F.fill(release_nb, F.model_answers())
    check = nb.cells.pop(F.cell_index(nb, "q1-check"))
    nb.cells.insert(F.cell_index(nb, "q2-answer") + 1, check)   # would test q2's answer
    nb.cells.insert(F.cell_index(nb, "q3-answer") + 1, new_code_cell("note = 'mine'"))
    prepared = S.prepare(template, as_bytes(nb))
    ids = [S.grade_id(c) for c in prepared.nb.cells]
    assert ids.index("q1-answer") + 1 == ids.index("q1-check") < ids.index("q2-answer")
    assert "note = 'mine'" not in [c.source for c in prepared.nb.cells]   # added: never run
    assert any("were moved" in r for r in prepared.reasons)
    assert any("cells the learner added" in r for r in prepared.reasons)


def test_stripped_metadata_is_recovered_when_unambiguous(template, release_nb):
    nb = F.fill(release_nb, F.model_answers())
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    prepared = S.prepare(template, as_bytes(nb))
    assert prepared.status == "graded"
    assert any("metadata was missing" in r for r in prepared.reasons)
    answer = prepared.nb.cells[F.cell_index(prepared.nb, "q1-answer")]
    assert answer.source == "answer = 'B'"


@pytest.mark.parametrize("data, status, words", [
    (b"", "unreadable", "empty"),
    (b'{"cells": [', "unreadable", "not valid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "unreadable", "not text"),
    (b'{"just": "json"}', "unreadable", "not a Jupyter notebook"),
    (as_bytes(new_notebook(cells=[new_code_cell("print(1)")])), "no-metadata", "no nbgrader"),
])
def test_unusable_files_are_reported_with_a_reason(template, data, status, words):
    prepared = S.prepare(template, data)
    assert prepared.status == status and prepared.nb is None
    assert words in prepared.reasons[0]


def test_notebook_of_another_exercise_is_a_wrong_notebook(released, template):
    other = nbformat.read(released.release_notebook("fix-ex2"), 4)
    assert S.prepare(template, as_bytes(other)).status == "wrong-notebook"
    other.metadata.pop("crossings")          # even without the platform's own metadata
    for cell in other.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("fix-ex2", "something else")
    prepared = S.prepare(template, as_bytes(other))
    assert prepared.status in {"graded", "wrong-notebook"}
    # its locked cells are identical apart from the title: the grader rebuilds it safely
    assert prepared.status == "wrong-notebook" or "BEGIN HIDDEN TESTS" in "".join(
        c.source for c in prepared.nb.cells)


def test_program_code_in_answers_is_refused_and_never_run(template, release_nb):
    nb = F.fill(release_nb, F.model_answers())
    nb.cells[F.cell_index(nb, "q1-answer")].source = (
        "import builtins\nbuiltins.AssertionError = Exception\nanswer = 'B'")
    nb.cells[F.cell_index(nb, "q2-answer")].source = (
        "%config InteractiveShell.ast_node_interactivity = 'none'\nanswer = ['A', 'B', 'A', 'C']")
    nb.cells.insert(3, new_code_cell("get_ipython().set_custom_exc((Exception,), print)"))
    prepared = S.prepare(template, as_bytes(nb))
    assert any("'q1-answer' is not an answer (an answer cell may only contain" in r
               for r in prepared.reasons)
    assert any("'q2-answer' is not an answer (the answer cell holds IPython syntax" in r
               for r in prepared.reasons)
    assert any("cells the learner added (4) were not run" in r for r in prepared.reasons)
    assert {"q1-check", "q2-check"} <= prepared.review
    sources = "\n".join(c.source for c in prepared.nb.cells)
    for never in ("builtins", "%config", "set_custom_exc"):
        assert never not in sources
    q1 = prepared.nb.cells[F.cell_index(prepared.nb, "q1-answer")].source
    assert q1 == release_nb.cells[F.cell_index(release_nb, "q1-answer")].source   # unanswered
    q3 = prepared.nb.cells[F.cell_index(prepared.nb, "q3-answer")].source
    assert q3 == "answer = ['A', 'B', 'C', 'D']"                                     # canonical


def test_reflection_text_goes_in_as_a_code_block(template, release_nb):
    text = 'I <img src=x onerror="alert(1)"> will ```` try\n<script>x()</script>'
    prepared = S.prepare(template, as_bytes(F.fill(release_nb, {}, text)))
    cell = prepared.nb.cells[F.cell_index(prepared.nb, "q5-reflection")]
    assert prepared.answers["q5-reflection"] == text
    assert cell.source == f"`````text\n{text}\n`````"


def test_learner_codes_are_pseudonymous(released):
    with pytest.raises(C.CourseError, match="e-mail"):
        C.add_learners(released, ["jane.doe@example.org"])
    with pytest.raises(C.CourseError, match="spaces"):
        C.add_learners(released, ["Jane Doe"])
    codes = C.generate_codes(released, 3)
    assert len(set(codes)) == 3 and all(C.check_code(c) is None for c in codes)
    assert set(codes) <= set(released.learners())


def test_collect_from_a_zip_with_documented_names(released, tmp_path, release_nb):
    archive = tmp_path / "downloads.zip"
    text = nbformat.writes(F.fill(release_nb, F.model_answers()))
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ana-01/fix-ex1.ipynb", text)                 # folder per learner
        z.writestr("ben-02__fix-ex1 (1).ipynb", text)            # flat, browser copy suffix
        z.writestr("cohort/ana-01/fix-ex2/fix-ex2.ipynb", "{broken")   # nbgrader layout
        z.writestr("notes.txt", "hello")
        z.writestr("fix-ex1.ipynb", text)                         # no learner
        z.writestr("zed-99__fix-ex1.ipynb", text)                 # not in the course
        z.writestr("__MACOSX/._ana-01", "")
    collected, rejected = collect.collect(released, archive)
    assert {(c.learner, c.exercise) for c in collected} == {
        ("ana-01", "fix-ex1"), ("ben-02", "fix-ex1"), ("ana-01", "fix-ex2")}
    assert released.submitted_notebook("ana-01", "fix-ex2").read_bytes() == b"{broken"
    reasons = {r.source: r.reason for r in rejected}
    assert set(reasons) == {"notes.txt", "fix-ex1.ipynb", "zed-99__fix-ex1.ipynb"}
    assert "not a learner of this course" in reasons["zed-99__fix-ex1.ipynb"]
    assert (released.submitted_dir("ana-01", "fix-ex1") / "timestamp.txt").is_file()


def test_course_refuses_to_live_in_the_repository(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    with pytest.raises(C.CourseError, match="inside the repository"):
        C.new_course(repo / "cohort-data")
    assert not (repo / "cohort-data").exists()


def test_leak_scan_finds_hidden_lines_in_a_page(template):
    page = ("<html><body><span>_expected</span> <span>=</span> "
            "<span>[&#39;A&#39;, &#39;B&#39;, &#39;A&#39;, &#39;C&#39;]</span></body></html>")
    assert leaks(page, template)
    assert leaks("<p>Your answer has the right form.</p>", template) == []


def test_sandbox_hides_the_course_and_the_network(released):
    sandbox = Sandbox.detect(hide=[released.root])
    ok, text = check(sandbox, released.root)
    assert ok, text
    assert ("uid 65534" in text) == (os.geteuid() == 0)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to try the unprivileged (user namespace) mode")
def test_sandbox_works_for_an_unprivileged_facilitator():
    import tempfile

    # a folder `nobody` can read, wherever the repository and pytest's folders are
    shared = Path(tempfile.mkdtemp(prefix="crossings-userns-"))
    try:
        shared.chmod(0o755)
        package = shared / "crossings" / "grading"     # the sandbox's modules, stdlib only
        package.mkdir(parents=True)
        for name in ("sandbox.py", "limits.py", "kernel.py"):
            shutil.copy(Path(C.__file__).with_name(name), package / name)
        (shared / "crossings" / "__init__.py").touch()
        (package / "__init__.py").touch()
        for folder in (shared / "crossings", package):
            folder.chmod(0o755)
        course = shared / "course"
        course.mkdir()
        code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
                "from crossings.grading.sandbox import Sandbox, check;"
                "s = Sandbox.detect(hide=[sys.argv[2]]); ok, text = check(s, Path(sys.argv[2]));"
                "print(s.mode, ok, text); sys.exit(0 if ok and s.mode == 'bwrap-user' else 1)")
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "/usr/bin/python3", "-c", code, str(shared), str(course)],
                              capture_output=True, text=True, cwd=shared,
                              env={"PATH": os.environ["PATH"], "HOME": str(shared)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "uid 65534 found: nothing" in proc.stdout
    finally:
        shutil.rmtree(shared)


def test_any_sqlalchemy_url_holds_the_gradebook(tmp_path, monkeypatch):
    elsewhere = tmp_path / "server" / "grades.db"
    elsewhere.parent.mkdir()
    course = C.new_course(tmp_path / "course", db_url=f"sqlite:///{elsewhere}")
    assert course.db_url == f"sqlite:///{elsewhere}"
    C.add_learners(course, ["ana-01"])
    course.record_status("ana-01", "fix-ex1", "missing", ["no notebook collected"])
    assert elsewhere.is_file() and not (course.root / "gradebook.db").exists()
    assert C.Course.open(course.root).learners() == ["ana-01"]
    assert course.statuses()[("ana-01", "fix-ex1")]["status"] == "missing"
    # the password-free way for servers: the environment variable wins over the file
    other = tmp_path / "env.db"
    monkeypatch.setenv("CROSSINGS_DB_URL", f"sqlite:///{other}")
    assert C.Course.open(course.root).db_url == f"sqlite:///{other}"


def test_without_bubblewrap_grading_stops_unless_asked(released, monkeypatch, tmp_path,
                                                        release_nb):
    import sys

    from crossings.grading.sandbox import SandboxUnavailable

    copy_dir = tmp_path / "course"
    shutil.copytree(released.root, copy_dir)
    course = C.Course.open(copy_dir)
    nb = F.fill(release_nb, F.model_answers())
    nb.cells[F.cell_index(nb, "q1-answer")].source = "import os\nprint(os.getcwd())\nanswer = 'B'"
    F.save(nb, course.submitted_notebook("ana-01", "fix-ex1"))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))      # no bwrap on PATH
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        G.autograde(course, ["fix-ex1"], learners=["ana-01"], log=lambda *_: None)
    run = G.autograde(course, ["fix-ex1"], learners=["ana-01"], allow_unsandboxed=True,
                      log=lambda *_: None)
    # answers are data even without a sandbox: the program in q1's cell never ran
    assert run.outcomes[0].score == F.AUTOGRADED - F.ITEMS["q1"][1]
    graded = nbformat.read(course.autograded_dir("ana-01", "fix-ex1") / "fix-ex1.ipynb", 4)
    assert graded.cells[F.cell_index(graded, "q1-answer")].outputs == []
    assert "os.getcwd" not in json.dumps(graded)
