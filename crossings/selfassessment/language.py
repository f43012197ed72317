"""The self-assessment's data in another language, from the catalogs the site already uses.

The texts people rate with (element and strand names, level descriptors, next steps) are
strings of the page ``book/self-assessment`` (its directive writes them into the page), so
they are translated once, in ``locales/<code>/LC_MESSAGES/book/self-assessment.po``. The
few texts the page does not show (the level names on their own, the short element names
of the radar chart's axes, the sector names of the reports) are interface strings of
``crossings.po``; ``crossings translations interface-pot`` lists them with the location
``book/self-assessment.yml``.

``translate_data`` returns a copy of the plain data (``framework.notebook_data``) with
those texts translated where the catalogs have them, and English where not. Ids, keys,
level numbers and the order never change: scoring is the same in every language.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from crossings.content.languages import INTERFACE_DOMAIN, gettext_for, load_languages, translations

PAGE = "book/self-assessment"
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>.+?):\*\*\s+(?P<text>.*)$", re.S)


def _numbered(page: dict[str, str], number, label: str) -> str:
    """A heading of the page is '<number> <label>': its translation without the number."""
    found = page.get(f"{number} {label}", "")
    prefix = f"{number} "
    return found[len(prefix):].strip() if found.startswith(prefix) else label


def translate_data(data: dict, root: Path, code: str | None) -> dict:
    """``data`` with its texts in language ``code`` (the same object for the source)."""
    if not code or code == load_languages(root).source:
        return data
    _ = gettext_for(root, code, INTERFACE_DOMAIN)
    page = translations(root, code, PAGE)
    out = copy.deepcopy(data)
    names = {lv["id"]: lv["label"] for lv in data["levels"]}
    for level in out["levels"]:
        label = level["label"]
        level["label"] = _(label)
    for element in out["elements"]:
        element["label"] = _numbered(page, element["number"], element["label"])
        axis = element["short"]
        element["short"] = _(axis)
    for strand in out["strands"].values():
        strand["label"] = _numbered(page, strand["number"], strand["label"])
        for level_id, text in strand["descriptors"].items():
            found = _BOLD_LABEL.match(page.get(f"**{names[level_id]}:** {text}", ""))
            strand["descriptors"][level_id] = found.group("text") if found else text
        strand["next_steps"] = [page.get(step) or step for step in strand["next_steps"]]
    return out
