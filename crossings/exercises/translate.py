"""Learner notebooks in other languages: the same cells, ids and answer values, translated text.

The text of a notebook's Markdown cells is cut into units (a heading, a paragraph, a list
item); every unit is a gettext message. ``notebook_pot`` writes them to
``_build/gettext/notebooks/<exercise>.pot`` for ``nox -s translations``; most units are the
same sentences as on the exercise page and are filled in from its catalog automatically.
``translate_release`` writes ``<out>/<code>/release/<exercise>/<exercise>.ipynb`` for every
language of ``locales/languages.yml``: Markdown units with a translation are replaced, all
else (code cells, answer stubs, answer letters and values, cell ids) stays as in English, so
the course grades an Italian notebook with the same model answers as an English one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from crossings.content.languages import (
    INTERFACE_DOMAIN,
    catalog_dir,
    load_languages,
    read_po,
    translations,
)
from crossings.content.mdtranslate import messages, translate_markdown
from crossings.content.project import Project
from crossings.exercises.learner_texts import (
    TEXTS_FILE,
    Translate,
    all_texts,
    lookup,
    translate_check_cell,
    translate_setup,
)
from crossings.exercises.rating_cells import SETUP_ID
from crossings.selfassessment.profile_texts import translate_profile_data, translate_profile_setup

NOTEBOOK_DOMAIN = "notebooks"


def _is_answer(cell) -> bool:
    """An answer cell (a reflection's text cell): its stub stays as released, so the grader
    can tell an untouched cell from an answer in every language."""
    return bool((cell.get("metadata", {}).get("nbgrader") or {}).get("solution"))


def notebook_messages(notebook) -> list[str]:
    seen: dict[str, None] = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not _is_answer(cell):
            seen.update(dict.fromkeys(messages(cell.source)))
    return list(seen)


def _pot_entry(text: str) -> str:
    return f"msgid {json.dumps(text, ensure_ascii=False)}\nmsgstr \"\"\n"


def notebook_pot(release: Path, out: Path) -> list[Path]:
    """One .pot per learner notebook of ``release`` into ``out/notebooks/``."""
    import nbformat

    written = []
    target = out / NOTEBOOK_DOMAIN
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(release.glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        body = "\n".join(_pot_entry(m) for m in notebook_messages(notebook))
        pot = target / f"{path.stem}.pot"
        pot.write_text(header + "\n" + body, encoding="utf-8")
        written.append(pot)
    return written


def catalog(root: Path, code: str, exercise: str) -> dict[str, str]:
    path = catalog_dir(root, code) / NOTEBOOK_DOMAIN / f"{exercise}.po"
    if not path.is_file():
        return {}
    return {m.msgid: m.msgstr for m in read_po(path) if m.translated}


def _heading(markdown: str) -> str:
    first = next((line for line in markdown.splitlines() if line.strip()), "")
    return re.sub(r"[#*_`]", "", first).strip()


def _titles(question: str, page: dict[str, str]) -> dict[str, str]:
    """{English title: translated title} of the headings of an instruction cell: a plan
    field's check names its field in lower case, a strand's check as its heading does."""
    lines = [ln.strip() for ln in question.splitlines() if ln.strip()]
    titles = {}
    for n, line in enumerate(lines):
        found = page.get(line) or (page.get(line.lstrip("#").strip()) if line[0] == "#" else None)
        if found and (n == 0 or line[0] == "#"):
            titles[_heading(line)] = _heading(found)
            titles.setdefault(_heading(line).lower(), _heading(found).lower())
    first = lines[0] if lines else ""
    if page.get(first):   # the first line wins, as before
        titles[_heading(first).lower()] = _heading(page[first]).lower()
    return titles


def translate_code(notebook, _: Translate, page: dict[str, str], code: str = "",
                   root: Path | None = None) -> None:
    """The setup cells' messages (and the self-assessment's DATA) and each check cell's first
    line in another language (before the Markdown is translated): a check names what it
    checks as its instruction cell does, in the notebook's catalog ``page``."""
    cells = {(c.metadata.get("nbgrader") or {}).get("grade_id"): c for c in notebook.cells}
    for gid, cell in cells.items():
        if cell.cell_type != "code" or _is_answer(cell) or not gid:
            continue
        if gid == "setup":
            cell.source = translate_setup(cell.source, _)
        elif gid == SETUP_ID and code:
            cell.source = translate_profile_setup(
                cell.source, _, code,
                (lambda data: translate_profile_data(data, root, code, _)) if root else None)
        elif (cell.metadata.get("nbgrader") or {}).get("grade") and gid.endswith("-check"):
            question = cells.get(gid.removesuffix("-check") + "-question")
            titles = _titles(question.source if question else "", page)
            cell.source = translate_check_cell(cell.source, _, titles)


def write_texts(root: Path, code: str, target: Path) -> None:
    """The translated learner texts of one language (what its feedback pages say)."""
    catalog = translations(root, code, INTERFACE_DOMAIN)
    texts = {t: catalog[t] for t in all_texts() if catalog.get(t)}
    target.mkdir(parents=True, exist_ok=True)
    (target / TEXTS_FILE).write_text(json.dumps(texts, indent=1, ensure_ascii=False,
                                                sort_keys=True) + "\n", encoding="utf-8")


def translate_release(project: Project, out: Path) -> dict[str, tuple[int, int]]:
    """Translated learner notebooks of every other language; returns {code: (done, total)}."""
    import nbformat  # slow import: only when notebooks are written

    langs = load_languages(project.root)
    counts = {}
    for code in (c for c in langs.languages if c != langs.source):
        done = total = 0
        ui = lookup(translations(project.root, code, INTERFACE_DOMAIN))
        write_texts(project.root, code, out / code)
        for path in sorted((out / "release").glob("*/*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            page = catalog(project.root, code, path.stem)
            units = notebook_messages(notebook)
            total += len(units)
            done += sum(1 for u in units if u in page)
            translate_code(notebook, ui, page, code, project.root)
            for cell in notebook.cells:
                if cell.cell_type == "markdown" and not _is_answer(cell):
                    cell.source = translate_markdown(cell.source, page)
            notebook.metadata["language"] = code
            target = out / code / "release" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
        counts[code] = (done, total)
    return counts
