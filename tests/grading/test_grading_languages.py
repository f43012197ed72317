"""An Italian learner notebook is graded by the same course, with the same model answers,
as the English one: same answers, same scores, and no 'changed cell' complaints. Its check
cells speak Italian, and so does its feedback page (`crossings course feedback`); a notebook
that claims an unknown or hostile language gets the English page."""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crossings.content.project import Project
from crossings.grading import autograde as G
from crossings.grading import collect
from crossings.grading import course as C
from crossings.grading.samples import model_submission

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
EXERCISES = ["transitions-ex1", "transitions-ex2", "transitions-ex3"]


def _answer_cells(nb):
    return [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("solution")]


def _partly_wrong(nb):
    """The model answers with the first answer cell emptied (the same change in any language)."""
    nb = copy.deepcopy(nb)
    first = _answer_cells(nb)[0]
    first.source = 'answer = ""' if first.cell_type == "code" else ""
    return nb


def _refused(nb):
    """The model answers with code in the first answer cell (refused, never run)."""
    nb = copy.deepcopy(nb)
    _answer_cells(nb)[0].source = "answer = open('x').read()"
    return nb


HOSTILE = '"><script>alert(1)</script>'
LEARNER_TEXT = "<script>alert(2)</script> & <b>bold</b>"


def _claiming(nb, language, text=False):
    """A notebook claiming ``language``; ``text``: with an HTML-like reflection."""
    nb = copy.deepcopy(nb)
    nb.metadata["language"] = language
    if text:
        [c for c in _answer_cells(nb) if c.cell_type == "markdown"][-1].source = LEARNER_TEXT
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory, shared_build):
    build_module = pytest.importorskip("crossings.exercises.build")
    base = tmp_path_factory.mktemp("languages")
    result, build = shared_build("exercises-unchecked", lambda out: build_module.build_exercises(
        Project(REPO), out, check_models=False, log=lambda *_: None))
    assert not result.problems, [p.format(REPO) for p in result.problems]
    course = C.new_course(base / "course")
    C.release(course, build, ids=EXERCISES, log=lambda *_: None)
    inbox = base / "inbox"
    inbox.mkdir()
    learners = []
    for exercise in EXERCISES:
        source = nbformat.read(build / "source" / exercise / f"{exercise}.ipynb", 4)
        for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
            release = nbformat.read(folder / exercise / f"{exercise}.ipynb", 4)
            model = model_submission(source, release)
            kinds = [("model", model), ("wrong", _partly_wrong(model)), ("blank", release),
                     ("refused", _refused(model))]
            if code == "it" and exercise == EXERCISES[0]:
                kinds += [(name, _claiming(_partly_wrong(model), claim, name == "text"))
                          for name, claim in (("xx", "xx"), ("hostile", HOSTILE),
                                              ("listed", ["it"]), ("text", "it"))]
            for kind, nb in kinds:
                learner = f"{code}-{kind}"
                learners.append(learner)
                nbformat.write(nb, inbox / f"{learner}__{exercise}.ipynb")
    C.add_learners(course, sorted(set(learners)))
    collected, rejected = collect.collect(course, inbox)
    assert not rejected, rejected
    run = G.autograde(course, jobs=2, log=lambda *_: None)
    feedback = subprocess.run([sys.executable, "-m", "crossings", "course", "feedback",
                               str(course.root)], capture_output=True, text=True)
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    return build, course, run


def test_italian_notebooks_are_translated_with_the_same_cells(graded):
    build, course, _ = graded
    english = nbformat.read(build / "release" / "transitions-ex1" / "transitions-ex1.ipynb", 4)
    italian = nbformat.read(build / "it" / "release" / "transitions-ex1" / "transitions-ex1.ipynb",
                            4)
    assert len(english.cells) == len(italian.cells)
    changed = 0
    for en, it in zip(english.cells, italian.cells, strict=True):
        assert en.metadata.get("nbgrader") == it.metadata.get("nbgrader")
        if (en.metadata.get("nbgrader") or {}).get("solution"):
            assert en.source == it.source   # answer stubs are untouched
        elif en.cell_type == "code":        # the same code: only its texts are Italian
            assert _code_only(en.source) == _code_only(it.source), it.source
        changed += en.source != it.source
    assert changed >= 5
    text = "\n".join(c.source for c in italian.cells)
    assert "## Domanda 1" in text and "Una transizione orizzontale" in text
    assert '"""Controlla la risposta: domanda 1 (2 punti)."""' in text
    assert "Check my answer" not in text and "Not yet" not in text
    assert course.translated_release_notebooks("transitions-ex1")


def _code_only(source: str) -> str:
    """The code with every text (string literal) blanked, and f-strings and .format() calls
    made alike: what runs, without what it says."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, name, [_plain(v) for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, name, _plain(value))
    return ast.dump(tree)


def _plain(node):
    if isinstance(node, ast.JoinedStr):                           # f"... {x} ..."
        return ast.Constant("")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "format" and isinstance(node.func.value, ast.Constant):
        return ast.Constant("")                                   # "... {x} ...".format(x=x)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return ast.Constant("")                                   # "Not yet: " + message
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.Constant("")
    return node


def test_italian_check_cells_print_italian_and_check_the_same_values(graded):
    build, _, _ = graded
    for exercise in EXERCISES:
        cells = {}
        for code, folder in (("en", build / "release"), ("it", build / "it" / "release")):
            nb = nbformat.read(folder / exercise / f"{exercise}.ipynb", 4)
            setup = next(c.source for c in nb.cells
                         if (c.metadata.get("nbgrader") or {}).get("grade_id") == "setup")
            cells[code] = {}
            exec(compile(setup, "setup", "exec"), cells[code])   # the course's own cell
        calls = [("check_letters", ("", ["A", "B"]), {}),
                 ("check_letters", ("Z", ["A", "B"]), {}),
                 ("check_letters", (["A"], ["A", "B"]), {"count": 2}),
                 ("check_text", ("due parole", 5), {}),
                 ("check_sectors", (["ecec", "moon"], 2), {})]
        said = {}
        for code, ns in cells.items():
            said[code] = []
            for name, args, kwargs in calls:
                with pytest.raises(AssertionError) as raised:
                    ns[name](*args, **kwargs)
                said[code].append(str(raised.value))
        assert said["en"] == ["Not yet: you have not answered yet.",
                              "Not yet: use only the letters A, B (you wrote Z).",
                              "Not yet: write exactly 2 letters, one for each line (you wrote 1).",
                              "Not yet: write at least 5 words (you wrote 2).",
                              "Not yet: use only these words: ecec, school, social, health, "
                              "policy, family, community (you wrote moon)."]
        assert said["it"] == ["Non ancora: non hai ancora risposto.",
                              "Non ancora: usa solo le lettere A, B (hai scritto Z).",
                              "Non ancora: scrivi esattamente 2 lettere, una per ogni riga "
                              "(ne hai scritte 1).",
                              "Non ancora: scrivi almeno 5 parole (ne hai scritte 2).",
                              "Non ancora: usa solo queste parole: ecec, school, social, health, "
                              "policy, family, community (hai scritto moon)."]
        # the values checked are the same
        assert cells["en"]["_canonical"]([" b ", "c"]) == cells["it"]["_canonical"]([" b ", "c"])
        assert cells["en"]["_digest"]("q", "B") == cells["it"]["_digest"]("q", "B")


def test_same_answers_get_the_same_scores_in_both_languages(graded):
    _, _, run = graded
    outcomes = {(o.learner, o.exercise): o for o in run.outcomes}
    for exercise in EXERCISES:
        for kind in ("model", "wrong", "blank", "refused"):
            en, it = outcomes[(f"en-{kind}", exercise)], outcomes[(f"it-{kind}", exercise)]
            assert en.status == it.status == "graded", (en, it)
            assert en.score == it.score, (exercise, kind, en.score, it.score)
            assert it.reasons == en.reasons, (it.reasons, en.reasons)
        assert outcomes[("it-model", exercise)].score > outcomes[("it-wrong", exercise)].score


def _page(course, learner, exercise=EXERCISES[0]) -> str:
    return course.feedback_file(learner, exercise).read_text(encoding="utf-8")


def test_italian_feedback_pages_are_italian(graded):
    from crossings.grading.feedback import page_text

    _, course, _ = graded
    for exercise in EXERCISES:
        markup = _page(course, "it-wrong", exercise)
        text = page_text(markup)
        assert markup.startswith('<!DOCTYPE html>\n<html lang="it">'), markup[:80]
        assert "Feedback: Esercizio:" in text and "Codice personale it-wrong." in text
        assert "Punti finora:" in text and "Domanda 1" in text and "La tua risposta:" in text
        assert "Non ancora: non hai ancora risposto." in text, text
        assert "Ancora nessun punto: 0 su" in text and "Punteggio pieno:" in text
        for english in ("Your answer", "Points so far", "Not yet", "Full points", "Question 1",
                        "No points yet", "Learner code"):
            assert english not in text, (exercise, english)
        refused = page_text(_page(course, "it-refused", exercise))
        assert "Non è stato possibile leggere la tua cella di risposta: la risposta deve " \
               "essere un semplice valore" in refused and "Scrivi solo il valore dopo answer =" \
               in refused, refused
    for learner, exercise in (("it-text", EXERCISES[0]), ("it-model", EXERCISES[2])):
        waiting = page_text(_page(course, learner, exercise))    # a reflection; plan quality
        assert "Chi conduce legge questa parte e assegna i punti." in waiting, waiting


def test_english_feedback_pages_stay_english(graded):
    from crossings.grading.feedback import page_text

    _, course, _ = graded
    for exercise in EXERCISES:
        markup = _page(course, "en-wrong", exercise)
        text = page_text(markup)
        assert markup.startswith('<!DOCTYPE html>\n<html lang="en">')
        assert "Feedback: Exercise:" in text and "Learner code en-wrong. Points so far:" in text
        assert "Not yet: you have not answered yet." in text and "Your answer:" in text
        assert "No points yet: 0 of" in text and "Question 1" in text
        refused = page_text(_page(course, "en-refused", exercise))
        assert "Your answer cell could not be read: the answer must be a plain value: text in " \
               "quotes, or a list of them. Type only the value after answer =." in refused


def test_unknown_or_hostile_languages_get_the_english_page(graded):
    """'xx', a value made to break out of the lang attribute, and a list: the English page,
    exactly as for the same answers in the English notebook; the learner's text is data."""
    _, course, _ = graded
    english = _page(course, "en-wrong")
    for learner in ("it-xx", "it-hostile", "it-listed"):
        markup = _page(course, learner)
        assert "<script" not in markup and "alert(1)" not in markup
        assert markup.replace(f"<strong>{learner}</strong>", "<strong>en-wrong</strong>") \
            == english, learner
    text = _page(course, "it-text")
    assert '<html lang="it">' in text and "<script" not in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text


def test_gradebook_scores_are_the_same_in_both_languages(graded):
    _, course, _ = graded
    with course.gradebook() as gb:
        for exercise in EXERCISES:
            for kind in ("model", "wrong", "blank", "refused"):
                en = gb.find_submission(exercise, f"en-{kind}")
                it = gb.find_submission(exercise, f"it-{kind}")
                assert (en.score, en.max_score) == (it.score, it.max_score), (exercise, kind)
        wrong = gb.find_submission(EXERCISES[0], "it-wrong").score
        for learner in ("it-xx", "it-hostile", "it-listed", "it-text"):
            assert gb.find_submission(EXERCISES[0], learner).score == wrong
