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
from pathlib import Path

from crossings.content.languages import catalog_dir, load_languages, read_po
from crossings.content.mdtranslate import messages, translate_markdown
from crossings.content.project import Project

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


def translate_release(project: Project, out: Path) -> dict[str, tuple[int, int]]:
    """Translated learner notebooks of every other language; returns {code: (done, total)}."""
    import nbformat  # slow import: only when notebooks are written

    langs = load_languages(project.root)
    counts = {}
    for code in (c for c in langs.languages if c != langs.source):
        done = total = 0
        for path in sorted((out / "release").glob("*/*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            lookup = catalog(project.root, code, path.stem)
            units = notebook_messages(notebook)
            total += len(units)
            done += sum(1 for u in units if u in lookup)
            for cell in notebook.cells:
                if cell.cell_type == "markdown" and not _is_answer(cell):
                    cell.source = translate_markdown(cell.source, lookup)
            notebook.metadata["language"] = code
            target = out / code / "release" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
        counts[code] = (done, total)
    return counts
