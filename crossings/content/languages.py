"""The languages of the site (``locales/languages.yml``) and reading gettext catalogs.

English is the source language; its site is the root of ``_build/html``. Every other
language is built from the same sources and its catalogs ``locales/<code>/LC_MESSAGES/
<page>.po`` into ``_build/html/<code>/``. ``translated`` lists the pages that claim to be
complete in a language: the build fails if one of them has a fuzzy or missing string.

``read_po`` is a small reader of the PO format (msgctxt, msgid, msgstr, the ``fuzzy``
flag, obsolete ``#~`` entries skipped), enough for the builders outside Sphinx
(exercise notebooks, packs) and for counting; the Sphinx build compiles the catalogs itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.yamlsource import load_yaml_file

LANGUAGES_FILE = Path("locales") / "languages.yml"
INTERFACE_DOMAIN = "crossings"   # locales/<code>/LC_MESSAGES/crossings.po: interface strings


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    translated: tuple[str, ...] = ()
    not_translated_note: str = ""
    home_note: str = ""


@dataclass(frozen=True)
class Languages:
    source: str
    languages: dict[str, Language] = field(default_factory=dict)

    def get(self, code: str | None) -> Language:
        return self.languages.get(code or self.source) or Language(code or self.source,
                                                                   code or self.source)

    def others(self, code: str | None) -> list[Language]:
        return [lang for c, lang in self.languages.items() if c != (code or self.source)]

    def is_translated(self, code: str | None, docname: str) -> bool:
        """Whether ``docname`` is complete in language ``code`` (the source always is)."""
        if not code or code == self.source:
            return True
        return docname in self.get(code).translated

    def prefix(self, code: str) -> str:
        """Folder of a language's site under _build/html ('' for the source language)."""
        return "" if code == self.source else f"{code}/"


def load_languages(root: Path) -> Languages:
    path = root / LANGUAGES_FILE
    if not path.is_file():
        return Languages("en", {"en": Language("en", "English")})
    data = load_yaml_file(path).data or {}
    source = str(data.get("source") or "en")
    langs: dict[str, Language] = {}
    for code, info in (data.get("languages") or {}).items():
        info = info or {}
        langs[str(code)] = Language(
            str(code), str(info.get("name") or code),
            tuple(str(d) for d in info.get("translated") or ()),
            " ".join(str(info.get("not_translated_note") or "").split()),
            " ".join(str(info.get("home_note") or "").split()))
    langs.setdefault(source, Language(source, source))
    return Languages(source, langs)


@dataclass
class Message:
    msgid: str
    msgstr: str = ""
    context: str = ""
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr.strip()) and not self.fuzzy


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def read_po(path: Path) -> list[Message]:
    """Every live entry of a PO file except the header."""
    messages: list[Message] = []
    current: Message | None = None
    key = ""
    fuzzy = False

    def close() -> None:
        if current is not None and current.msgid:
            messages.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt") or (line.startswith("msgid ") and key != "msgctxt"):
            close()
            current, fuzzy_now = Message(""), fuzzy
            current.fuzzy, fuzzy = fuzzy_now, False
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid", "msgstr"):
            key = keyword
            line = rest
        value = _unquote(line)
        if current is None:
            continue
        if key == "msgctxt":
            current.context += value
        elif key == "msgid":
            current.msgid += value
        elif key == "msgstr":
            current.msgstr += value
    close()
    return messages


def catalog_dir(root: Path, code: str) -> Path:
    return root / "locales" / code / "LC_MESSAGES"


def translations(root: Path, code: str, domain: str) -> dict[str, str]:
    """msgid -> msgstr of the complete (non-fuzzy) entries of one catalog ({} if none)."""
    path = catalog_dir(root, code) / f"{domain}.po"
    if not path.is_file():
        return {}
    return {m.msgid: m.msgstr for m in read_po(path) if m.translated}


def translated_text(path: Path) -> str:
    """The translations (msgstr) of a PO file, each at its own line, every other line blank:
    what the originality check reads, with line numbers that point into the file."""
    out, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("msgstr"):
            inside = True
            out.append(_unquote(stripped.partition(" ")[2]))
        elif inside and stripped.startswith('"'):
            out.append(_unquote(stripped))
        else:
            inside = False
            out.append("")
    return "\n".join(out)


def catalog_files(root: Path) -> list[Path]:
    """Every translation catalog of every language (locales/<code>/LC_MESSAGES/**.po)."""
    return sorted((root / "locales").glob("*/LC_MESSAGES/**/*.po"))


def english(message: str) -> str:
    """The English text itself: the ``_`` of output in the source language."""
    return message


def gettext_for(root: Path, code: str | None, domain: str = INTERFACE_DOMAIN):
    """``_`` for output outside Sphinx (reports, notebooks): the complete translations of
    one catalog of language ``code``; the English text where a string has none, and for
    the source language (``english``, so English output is unchanged)."""
    if not code or code == load_languages(root).source:
        return english
    lookup = translations(root, code, domain)

    def _(message: str) -> str:
        return lookup.get(message) or message

    _.language = code
    return _
