"""Keys of book/references.bib, with the line each entry starts on."""

from __future__ import annotations

import re
from pathlib import Path

ENTRY = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def bib_keys(path: Path) -> dict[str, int]:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    keys: dict[str, int] = {}
    for match in ENTRY.finditer(text):
        if match.group(1).lower() in {"comment", "preamble", "string"}:
            continue
        keys.setdefault(match.group(2), text.count("\n", 0, match.start()) + 1)
    return keys
