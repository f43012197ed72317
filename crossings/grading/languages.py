"""The languages of a course: the learners' notebooks of other languages, and the language of
a submission's feedback page.

``crossings exercises`` writes, for every language of ``locales/languages.yml`` other than
English, the learners' notebooks (``<build>/<code>/release/``) and the translated learner texts
(``<build>/<code>/learner-texts.json``, see ``crossings.exercises.learner_texts``);
``course.release_translations`` copies both into ``<course>/release-translations/<code>/``.
These are the languages the course knows. A notebook names its language in ``metadata.language``, which
the learner can change like anything else in the file: the value is only ever compared with
the known codes (never used as a path or written into a page), and anything else, missing or
unknown, gives the English page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crossings.exercises.learner_texts import TEXTS_FILE, Translate, lookup, same
from crossings.grading.course import TRANSLATIONS, Course, read_capped

SOURCE = "en"


@dataclass
class PageLanguage:
    """The language of one feedback page: its code, its texts, and (not English) the learners'
    notebook of that language (question headings)."""

    code: str = SOURCE
    ui: Translate = same
    release: Path | None = None
    texts: dict[str, str] = field(default_factory=dict)


def course_languages(course: Course) -> dict[str, dict[str, str]]:
    """{code: learner texts} of the languages released into the course (English not among
    them: it needs none)."""
    out: dict[str, dict[str, str]] = {}
    folder = course.root / TRANSLATIONS
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob(f"*/{TEXTS_FILE}")):
        data = read_capped(path, limit=1024 * 1024)
        try:
            texts = json.loads(data) if data else None
        except ValueError:
            texts = None
        if isinstance(texts, dict):
            out[path.parent.name] = {k: v for k, v in texts.items()
                                     if isinstance(k, str) and isinstance(v, str)}
    return out


def page_language(course: Course, exercise: str, claimed: object,
                  known: dict[str, dict[str, str]]) -> PageLanguage:
    """The language of a feedback page, from what the notebook claims (``metadata.language``):
    a language of the course, else English."""
    if not isinstance(claimed, str):
        return PageLanguage()
    code = next((c for c in known if c == claimed.strip().lower()), None)
    if code is None or code == SOURCE:
        return PageLanguage()
    release = course.root / TRANSLATIONS / code / exercise / f"{exercise}.ipynb"
    return PageLanguage(code, lookup(known[code]), release if release.is_file() else None,
                        known[code])
