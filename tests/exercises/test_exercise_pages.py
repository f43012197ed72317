"""Doing the exercises on their pages, in a real browser (Debian's Chromium via Playwright),
and handing them in to the real grading pipeline (`crossings course` CLI, nbgrader, sandbox).

For every exercise page of the real site (built once per session by the ``site`` fixture)
three learners fill the form: ``model`` with the model answers of the exercise source,
``wrong`` with known partly wrong answers, ``blank`` with nothing. Each downloads
"my answers for my facilitator"; the files are collected and autograded by a new course.
Screenshots land in ``<build>/_build/screenshots/``.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from onpage import answers, fill
from playwright.sync_api import sync_playwright

from crossings.bench.browser import (
    DESKTOP,
    PHONE,
    RequestLog,
    block_other_hosts,
    chromium,
    run_axe,
    serve,
)
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.exercises.answers import answer_cell_problem
from crossings.exercises.catalogue import load_exercises

pytestmark = pytest.mark.slow
KINDS = ("model", "wrong", "blank")
CODES = {"model": "web-model", "wrong": "web-wrong", "blank": "web-blank"}


@pytest.fixture(scope="module")
def exercises():
    listed = {e.docname for e in read_toc(Project(REPO).toc)}
    found, problems = load_exercises(Project(REPO))
    assert problems == []
    chosen = [e for e in found
              if e.path.relative_to(REPO).with_suffix("").as_posix() in listed]
    assert len(chosen) >= 10
    return chosen


def page_of(exercise) -> str:
    return exercise.path.relative_to(REPO).with_suffix(".html").as_posix()


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:
        yield pw


def open_page(context, base_url: str, path: str, log: RequestLog | None = None):
    page = context.pages[0] if context.pages else context.new_page()
    if log is not None:
        log.current_page = path
    page.goto(base_url + path, wait_until="load")
    page.wait_for_selector(".exercise-form:not([hidden])")
    return page


def download(page, code: str, folder: Path) -> Path:
    page.fill("#learner-code", code)
    with page.expect_download() as info:
        page.click(".exercise-download-answers")
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


@pytest.fixture(scope="module")
def handed_in(site, base_url, playwright, exercises, tmp_path_factory):
    """Every exercise page filled by the three learners, checked, downloaded."""
    inbox = tmp_path_factory.mktemp("inbox")
    log = RequestLog()
    expected: dict[tuple[str, str], float] = {}
    feedback: dict[tuple[str, str, str], str] = {}
    shown: dict[tuple[str, str], list[str]] = {}
    files: dict[tuple[str, str], Path] = {}
    errors: list[str] = []
    for kind in KINDS:
        with chromium(playwright, accept_downloads=True) as context:
            block_other_hosts(context, log)
            context.on("weberror", lambda e: errors.append(str(e.error)))
            for exercise in exercises:
                page = open_page(context, base_url, page_of(exercise), log)
                total = 0.0
                for item in exercise.items:
                    value, points = answers(item, kind)
                    fill(page, item, value)
                    total += points
                expected[(kind, exercise.id)] = round(total, 2)
                for item in exercise.items:
                    form = page.locator(f".exercise-form[data-item='{item.id}']")
                    form.locator(".exercise-check").click()
                    feedback[(kind, exercise.id, item.id)] = form.locator(
                        ".exercise-feedback").inner_text()
                shown[(kind, exercise.id)] = page.eval_on_selector_all(
                    ".exercise-explain.is-shown", "els => els.map(e => e.id)")
                files[(kind, exercise.id)] = download(page, CODES[kind], inbox)
    assert errors == []
    return {"inbox": inbox, "expected": expected, "feedback": feedback, "shown": shown,
            "files": files, "log": log}


def crossings(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossings", "course", *args],
                          capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope="module")
def graded(site, handed_in, tmp_path_factory):
    """The downloads through the facilitator's CLI: new, learners, release, collect,
    autograde (sandboxed), export."""
    course = tmp_path_factory.mktemp("course") / "course"
    build = site.parent / "exercises"
    steps = [("new", str(course)), ("learners", str(course), "add", *CODES.values()),
             ("release", str(course), "--from", str(build)),
             ("collect", str(course), str(handed_in["inbox"])),
             ("autograde", str(course), "--jobs", "2")]
    outputs = []
    for step in steps:
        result = crossings(*step)
        outputs.append(result.stdout + result.stderr)
        assert result.returncode in (0, 1), "\n".join(outputs)[-4000:]
    print("\n".join(outputs[-2:]))          # the collect and autograde report
    export = course.parent / "grades.csv"
    result = crossings("export", str(course), "--csv", str(export))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    manifest = {e["id"]: e for e in json.loads((build / "exercises.json").read_text())}
    return {(r["learner"], r["exercise"]): r for r in rows}, manifest, outputs


# ----------------------------------------------------------------- graded like JupyterLab

def test_model_answers_typed_into_the_pages_score_full_marks(graded, exercises):
    rows, manifest, _ = graded
    for exercise in exercises:
        row = rows[(CODES["model"], exercise.id)]
        assert row["status"] == "graded", row
        assert float(row["autograded_score"]) == pytest.approx(
            manifest[exercise.id]["autograded_points"]), row


def test_wrong_answers_give_the_expected_partial_scores(graded, handed_in, exercises):
    rows, manifest, _ = graded
    partial = 0
    for exercise in exercises:
        row = rows[(CODES["wrong"], exercise.id)]
        want = handed_in["expected"][("wrong", exercise.id)]
        assert row["status"] == "graded", row
        assert float(row["autograded_score"]) == pytest.approx(want, abs=0.011), (exercise.id, row)
        partial += 0 < want < manifest[exercise.id]["autograded_points"]
    assert partial == len(exercises)   # every exercise: some points, not all


def test_blank_pages_give_zero_and_need_attention(graded, exercises):
    rows, _, _ = graded
    for exercise in exercises:
        row = rows[(CODES["blank"], exercise.id)]
        assert float(row["autograded_score"] or 0) == 0, row
        assert row["needs_attention"] == "yes" and "missing answer" in row["reasons"], row


def test_download_is_the_released_notebook_with_the_answers(site, handed_in, exercises):
    """Same cells, metadata and checksums as the release; only answer cells changed, and each
    holds `answer = <literal>` (or the text of a reflection)."""
    release = site.parent / "exercises" / "release"
    for exercise in exercises:
        path = handed_in["files"][("model", exercise.id)]
        assert path.name == f"{CODES['model']}__{exercise.id}.ipynb"
        ours = nbformat.read(path, 4)
        nbformat.validate(ours)
        original = nbformat.read(release / exercise.id / f"{exercise.id}.ipynb", 4)
        assert ours.metadata == original.metadata
        assert len(ours.cells) == len(original.cells)
        changed = 0
        for mine, theirs in zip(ours.cells, original.cells, strict=True):
            assert mine.metadata == theirs.metadata and mine.cell_type == theirs.cell_type
            if not theirs.metadata.get("nbgrader", {}).get("solution"):
                assert mine.source == theirs.source
                continue
            changed += mine.source != theirs.source
            if mine.cell_type == "code":
                assert answer_cell_problem(mine.source) is None, mine.source
        assert changed >= len(exercise.items) - 1
        blank = nbformat.read(handed_in["files"][("blank", exercise.id)], 4)
        assert [c.source for c in blank.cells] == [c.source for c in original.cells]


# ----------------------------------------------------------------- feedback on the page

def test_feedback_says_right_and_why_only_for_formative_items(handed_in, exercises):
    feedback, shown = handed_in["feedback"], handed_in["shown"]
    for exercise in exercises:
        for item in exercise.items:
            model = feedback[("model", exercise.id, item.id)]
            wrong = feedback[("wrong", exercise.id, item.id)]
            blank = feedback[("blank", exercise.id, item.id)]
            assert blank.startswith("Not yet: you have not answered yet"), (item.id, blank)
            if item.formative:
                assert model == "Right. Well done.", (item.id, model)
                assert wrong.startswith("Not quite"), (item.id, wrong)
                assert any(s.startswith(f"explain-{item.id}") for s in
                           shown[("wrong", exercise.id)]), item.id
            elif item.check == "summative":
                for text in (model, wrong):
                    assert "does not say whether it is right" in text, (item.id, text)
            elif item.type in ("plan", "reflection"):
                assert "complete" in model, (item.id, model)
        explained = {s for s in shown[("model", exercise.id)]}
        assert all(any(s.startswith(f"explain-{i.id}") for s in explained)
                   for i in exercise.items if i.formative and i.explain)


def test_no_request_to_another_host(handed_in):
    log = handed_in["log"]
    assert log.requests and log.external == []


def test_reload_keeps_answers_and_clear_removes_them(base_url, playwright, exercises):
    exercise = next(e for e in exercises if any(i.type == "plan" for i in e.items))
    with chromium(playwright) as context:
        page = open_page(context, base_url, page_of(exercise))
        for item in exercise.items:
            fill(page, item, answers(item, "model")[0])
        page.fill("#learner-code", "abcd-2345")
        before = {i.id: page.locator(f".exercise-form[data-item='{i.id}']")
                  .evaluate("f => [...f.querySelectorAll('input,select,textarea')]"
                            ".map(c => c.type === 'radio' || c.type === 'checkbox' ? "
                            "c.checked : c.value)") for i in exercise.items}
        key = f"crossings-answers:{exercise.id}"
        page.reload()
        page.wait_for_selector(".exercise-form:not([hidden])")
        after = {i.id: page.locator(f".exercise-form[data-item='{i.id}']")
                 .evaluate("f => [...f.querySelectorAll('input,select,textarea')]"
                           ".map(c => c.type === 'radio' || c.type === 'checkbox' ? "
                           "c.checked : c.value)") for i in exercise.items}
        assert after == before and page.input_value("#learner-code") == "abcd-2345"
        assert page.evaluate(f"localStorage.getItem({key!r})")
        page.click(".exercise-clear")
        assert [k for k in page.evaluate("Object.keys(localStorage)")
                if k.startswith("crossings-answers")] == []
        assert "cleared" in page.inner_text(".exercise-clear-status")
        page.reload()
        page.wait_for_selector(".exercise-form:not([hidden])")
        assert page.eval_on_selector_all("textarea, input[type=text], select",
                                         "cs => cs.filter(c => c.value).length") == 0
        assert page.eval_on_selector_all("input:checked", "cs => cs.length") == 0


# ----------------------------------------------------------------- accessibility

@pytest.mark.parametrize("scheme,viewport", [("light", DESKTOP), ("dark", DESKTOP),
                                             ("light", PHONE), ("dark", PHONE)])
def test_axe_finds_no_violation_on_exercise_pages(base_url, playwright, exercises, site,
                                                  scheme, viewport):
    options = {"color_scheme": scheme, "viewport": viewport}
    if viewport is PHONE:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=1)
    found = {}
    with chromium(playwright, **options) as context:
        for exercise in exercises:
            page = open_page(context, base_url, page_of(exercise))
            for item in exercise.items:   # answers, feedback and explanations shown too
                fill(page, item, answers(item, "wrong")[0])
                page.locator(f".exercise-form[data-item='{item.id}'] .exercise-check").click()
            for button in page.locator(".exercise-discuss:enabled").all():
                button.click()
            # at the top, as the site tour sees pages: the theme's "Back to top" pill
            # (shown once the page is scrolled) is checked by tests/site, not here
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(300)
            violations = run_axe(page)
            if violations:
                found[page_of(exercise)] = [(v["id"], [n["html"][:120] for n in v["nodes"]])
                                            for v in violations]
            if viewport is PHONE:
                width = page.evaluate("[document.documentElement.scrollWidth, "
                                      "document.documentElement.clientWidth]")
                assert width[0] <= width[1], (page_of(exercise), width)
        if viewport is PHONE and scheme == "light":
            shots = site.parent / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page = open_page(context, base_url, page_of(exercises[0]))
            page.screenshot(path=shots / "exercise-360.png")
            page.screenshot(path=shots / "exercise-360-full.png", full_page=True)
    assert found == {}


def test_every_control_works_with_the_keyboard_alone(base_url, playwright, exercises):
    """Tab reaches every control (one stop per radio group); Space, arrows and typing answer;
    Enter presses the buttons."""
    kinds_seen = set()
    with chromium(playwright, accept_downloads=True) as context:
        for exercise in exercises:
            page = open_page(context, base_url, page_of(exercise))
            wanted = page.evaluate("""() => {
                const seen = new Set(), out = [];
                for (const c of document.querySelectorAll(
                        '.exercise-form input, .exercise-form select, .exercise-form textarea,'
                        + ' .exercise-form button:not([disabled]), .exercise-handin input,'
                        + ' .exercise-handin button')) {
                    const key = c.type === 'radio' ? 'radio:' + c.name : c.id || c.className;
                    if (!seen.has(key)) { seen.add(key); out.push(key); } }
                return out; }""")
            reached = set()
            page.locator(".exercise-download a").first.focus()
            for _ in range(len(wanted) * 3 + 80):
                page.keyboard.press("Tab")
                info = page.evaluate("""() => { const c = document.activeElement;
                    return c.type === 'radio' ? 'radio:' + c.name : c.id || c.className; }""")
                reached.add(info)
                if info == "exercise-clear":
                    break
            assert set(wanted) <= reached, (page_of(exercise), set(wanted) - reached)
            for item in exercise.items:
                kinds_seen.add(item.type)
                operate(page, item)
            page.focus("#learner-code")
            page.keyboard.type("kbd-only")
            page.keyboard.press("Tab")
            with page.expect_download() as info:
                page.keyboard.press("Enter")
            assert info.value.suggested_filename == f"kbd-only__{exercise.id}.ipynb"
    assert kinds_seen >= {"choice", "classify", "order", "plan", "reflection", "sector", "rating"}


def operate(page, item) -> None:
    """Answer one item with keys only and check it with Enter."""
    form = f".exercise-form[data-item='{item.id}']"
    first = page.locator(f"{form} input, {form} select, {form} textarea").first
    first.focus()
    kind = page.evaluate("() => document.activeElement.tagName + ':' + document.activeElement.type")
    if kind.endswith(("radio", "checkbox")):
        page.keyboard.press("Space")
    elif kind.startswith("SELECT"):
        page.keyboard.press("ArrowDown")
    else:
        page.keyboard.type("Typed with the keyboard only, one word after another.")
    assert page.evaluate("""() => { const c = document.activeElement;
        return c.type === 'radio' || c.type === 'checkbox' ? c.checked : !!c.value; }"""), item.id
    page.focus(f"{form} .exercise-check")
    page.keyboard.press("Enter")
    assert page.inner_text(f"{form} .exercise-feedback").strip(), item.id


def test_without_javascript_the_page_keeps_questions_and_notebook(base_url, playwright,
                                                                   exercises):
    with chromium(playwright, java_script_enabled=False) as context:
        page = context.new_page()
        exercise = exercises[0]
        page.goto(base_url + page_of(exercise))
        assert page.locator(".exercise-download a").first.is_visible()
        assert not page.locator(".exercise-form").first.is_visible()
        assert page.locator(".exercise-static").first.is_visible()
        for item in exercise.items:
            assert page.locator(f"#question-{item.id}").is_visible()


def test_released_notebooks_link_published_pages_only(site):
    for notebook in (site.parent / "exercises" / "release").glob("*/*.ipynb"):
        text = "\n".join(c.source for c in nbformat.read(notebook, 4).cells
                         if c.cell_type == "markdown")
        assert ".md)" not in text, notebook.name


def test_module_pages_lead_to_their_exercises(site, exercises):
    """Overview and last topic page of each module end with "Practise", linking every
    exercise of the module with its time and outcomes; the exercise list has them all."""
    from bs4 import BeautifulSoup

    toc = [e.docname for e in read_toc(Project(REPO).toc)]
    listing = BeautifulSoup((site / "exercises" / "index.html").read_text(), "html.parser")
    for module in {e.module for e in exercises if e.module}:
        pages = [d for d in toc if d.startswith(f"modules/{module}/")]
        own = [e for e in exercises if e.module == module]
        for docname in (f"modules/{module}/index", pages[-1]):
            soup = BeautifulSoup((site / f"{docname}.html").read_text(), "html.parser")
            section = soup.select_one("section#practise")
            assert section is not None, docname
            links = {a["href"].split("/")[-1] for a in section.select("a[href]")}
            text = section.get_text(" ")
            for exercise in own:
                assert f"{exercise.id}.html" in links, (docname, exercise.id)
                assert f"about {exercise.minutes} minutes" in text
                assert all(f"({o})" in text for o in exercise.outcomes)
    listed = {a["href"].split("/")[-1] for a in listing.select("main a[href]")}
    assert {f"{e.id}.html" for e in exercises} <= listed
    how_to = BeautifulSoup((site / "book" / "how-to-use.html").read_text(), "html.parser")
    text = " ".join(how_to.select_one("main").get_text(" ").split())
    for words in ("Check my answer", "Download my answers for my facilitator",
                  "Clear my answers", "learner code"):
        assert words in text
    assert how_to.select_one("main a[href$='how-to-open-a-notebook.html']") is not None


TRICKY = ('She said "yes" \\ then\nleft: café, 学校, 👋\ttab \u2028 end, and enough words '
          "to be complete here")


def test_text_with_quotes_newlines_and_unicode_survives_the_download(base_url, playwright,
                                                                      exercises, tmp_path):
    """What the learner types comes back unchanged from the answer cell (a Python literal)."""
    import ast

    exercise = next(e for e in exercises if any(i.type == "plan" for i in e.items))
    plan = next(i for i in exercise.items if i.type == "plan")
    field = next(f for f in plan.fields if f.kind == "text")
    with chromium(playwright, accept_downloads=True) as context:
        page = open_page(context, base_url, page_of(exercise))
        page.fill(f"#x-{plan.id}-{field.id}", TRICKY)
        path = download(page, "abcd-2345", tmp_path)
    cell = next(c for c in nbformat.read(path, 4).cells
                if c.metadata["nbgrader"]["grade_id"] == f"{plan.id}-{field.id}-answer")
    assert answer_cell_problem(cell.source) is None
    assert ast.literal_eval(cell.source.split("=", 1)[1].strip()) == TRICKY.strip()


# ----------------------------------------------------------------- the Italian pages

def italian_exercises(exercises):
    from crossings.content.languages import load_languages

    langs = load_languages(REPO)
    chosen = [e for e in exercises if langs.is_translated(
        "it", e.path.relative_to(REPO).with_suffix("").as_posix())]
    assert "transitions-ex1" in {e.id for e in chosen}
    return chosen


def self_check(playwright, base_url: str, path: str, exercise, kind: str, folder: Path):
    """One learner fills a page with ``kind`` answers, checks each question, downloads."""
    with chromium(playwright, accept_downloads=True) as context:
        block_other_hosts(context)
        page = open_page(context, base_url, path)
        visible = page.locator("main").inner_text()
        questions = {i.id: page.locator(f"#question-{i.id}").inner_text() for i in exercise.items}
        for item in exercise.items:
            fill(page, item, answers(item, kind)[0])
        states, texts = {}, {}
        for item in exercise.items:
            form = page.locator(f".exercise-form[data-item='{item.id}']")
            form.locator(".exercise-check").click()
            states[item.id] = form.locator(".exercise-feedback").get_attribute("data-state")
            texts[item.id] = form.locator(".exercise-feedback").inner_text()
        shown = page.eval_on_selector_all(".exercise-explain.is-shown",
                                          "els => els.map(e => e.id)")
        file = download(page, CODES[kind], folder)
        status = page.inner_text(".exercise-download-status")
    return {"visible": visible, "questions": questions, "states": states, "texts": texts, "shown": shown,
            "file": file, "status": status}


def test_italian_exercise_pages_answer_in_italian_with_the_same_result(
        site, base_url, playwright, exercises, tmp_path):
    """The form of a translated exercise page is Italian (labels, options once, buttons,
    feedback); the same answers give the same self-check and the same answer cells as on the
    English page, in the Italian release notebook."""
    from crossings.content.languages import translations

    for exercise in italian_exercises(exercises):
        path = page_of(exercise)
        catalog = translations(REPO, "it", path.removesuffix(".html"))
        for kind in ("model", "wrong"):
            en = self_check(playwright, base_url, path, exercise, kind, tmp_path / f"en-{kind}")
            it = self_check(playwright, base_url, f"it/{path}", exercise, kind,
                            tmp_path / f"it-{kind}")
            assert it["states"] == en["states"], (exercise.id, kind, it["texts"])
            assert it["shown"] == en["shown"], (exercise.id, kind)
            ours, theirs = nbformat.read(it["file"], 4), nbformat.read(en["file"], 4)
            assert it["file"].name == en["file"].name
            release = nbformat.read(site.parent / "exercises" / "it" / "release" / exercise.id
                                    / f"{exercise.id}.ipynb", 4)
            assert len(ours.cells) == len(theirs.cells) == len(release.cells)
            for mine, english, original in zip(ours.cells, theirs.cells, release.cells,
                                               strict=True):
                assert mine.metadata == english.metadata == original.metadata
                if (mine.metadata.get("nbgrader") or {}).get("solution"):
                    assert mine.source == english.source, (exercise.id, kind)
                else:   # the Italian notebook, untouched
                    assert mine.source == original.source
            assert "Invialo a chi conduce" in it["status"], it["status"]
            for item in exercise.items:
                text = it["texts"][item.id]
                if kind == "model" and item.formative:
                    assert text == "Giusto. Ben fatto.", (item.id, text)
                elif kind == "wrong" and item.formative:
                    assert text.startswith("Non "), (item.id, text)
                elif item.check == "summative":
                    assert "non dice se è giusta" in text, (item.id, text)
                elif kind == "model" and item.type in ("plan", "reflection"):
                    assert "completa" in text, (item.id, text)
        visible = it["visible"]
        for english in ("Your answer to question", "Check my answer", "Hand in your answers",
                        "Download my answers", "Clear my answers", "Choose a category",
                        "Choose its place"):
            assert english not in visible, (exercise.id, english)
        assert "La tua risposta alla domanda 1" in visible and "Controlla la risposta" in visible
        assert "Consegna le tue risposte" in visible
        for number, item in enumerate(exercise.items, start=1):
            if item.type != "choice":
                continue
            assert f"La tua risposta alla domanda {number} (scegli" in visible
            question = it["questions"][item.id]   # the printed list is hidden by the script
            for key, text in item.options.items():
                italian = catalog[f"**{key}**: {' '.join(text.split())}"]
                italian = italian.removeprefix(f"**{key}**:").strip()
                assert question.count(italian) == 1, (exercise.id, key, italian, question)
                assert text not in question, (exercise.id, key, text)
