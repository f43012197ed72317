"""The printed packs in the other languages of the site: which packs, and their text.

A pack is printed in another language when its page and every handout it uses are listed
as ``translated`` for that language in ``locales/languages.yml`` (``translated_packs``).
Its text then comes from the same Markdown sources with the pages' own catalogs applied
unit by unit (``crossings.content.mdtranslate``, as for the learner notebooks): a page's
catalog holds what Sphinx extracted from the page, the generated parts (agenda totals,
activities, notes) included. The printed pack writes a link as ``*title*`` where the site
has ``{doc}`title <target>```, so each catalog also answers for that printed form. The
words of the code (agenda headers, the downloads list, the cover line) go through the
interface catalog (``crossings.po``), as on the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from crossings.content.languages import (
    INTERFACE_DOMAIN,
    catalog_dir,
    load_languages,
    read_po,
    translations,
)
from crossings.content.mdtranslate import translate_markdown, translate_page
from crossings.packs.model import Pack

_LINK = re.compile(r"\{doc\}`([^`<]*?)\s*<[^`<>]+>`")
_REF = re.compile(r"\{ref\}`([^`<]*?)\s*<[^`<>]+>`")


def print_form(text: str) -> str:
    """``text`` as the printed pack writes it: ``{doc}`t <x>``` -> ``*t*``, ``{ref}`t <x>``` -> t."""
    return _REF.sub(r"\1", _LINK.sub(r"*\1*", text))


@dataclass
class PackLanguage:
    """The catalogs of one language, read once per build."""

    code: str
    root: Path
    interface: dict[str, str] = field(default_factory=dict)
    pages: dict[str, dict[str, str]] = field(default_factory=dict)

    def gettext(self, text: str) -> str:
        return self.interface.get(text, text)

    def catalog(self, docname: str) -> Path:
        return catalog_dir(self.root, self.code) / f"{docname}.po"

    def lookup(self, docname: str) -> dict[str, str]:
        """msgid -> msgstr of a page's catalog, its printed forms included."""
        if docname not in self.pages:
            path = self.catalog(docname)
            found = {m.msgid: m.msgstr for m in read_po(path) if m.translated} \
                if path.is_file() else {}
            for msgid, msgstr in list(found.items()):
                found.setdefault(print_form(msgid), print_form(msgstr))
            self.pages[docname] = found
        return self.pages[docname]

    def translate(self, text: str, docname: str, page: bool) -> str:
        lookup = self.lookup(docname)
        return translate_page(text, lookup) if page else \
            translate_markdown(text, lookup, page=True)


def pack_docnames(pack: Pack, ctx) -> list[str]:
    """The pack's page and the pages of every handout it uses (shared ones too)."""
    names = [pack.docname]
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout is not None:
            names.append(ctx.project.docname(handout.path))
    return names


def other_languages(root: Path) -> list[str]:
    langs = load_languages(root)
    return [code for code in langs.languages if code != langs.source]


def translated_packs(ctx, code: str) -> list[Pack]:
    """The packs whose page and handouts are all listed as translated in ``code``."""
    langs = load_languages(ctx.project.root)
    return [pack for pack in ctx.catalogue.packs
            if all(langs.is_translated(code, d) for d in pack_docnames(pack, ctx))]


def localized(ctx, code: str):
    """A copy of the render context ``ctx`` that writes language ``code``."""
    language = PackLanguage(code, ctx.project.root,
                            translations(ctx.project.root, code, INTERFACE_DOMAIN))
    titles = {docname: language.lookup(docname).get(title, title)
              for docname, title in ctx.titles.items()}
    return replace(ctx, titles=titles, assets={}, language=language, gettext=language.gettext)


def catalog_inputs(pack: Pack, ctx) -> list[Path]:
    """The catalogs a pack in ``ctx``'s language is made from (for the build cache)."""
    language = ctx.language
    interface = catalog_dir(language.root, language.code) / f"{INTERFACE_DOMAIN}.po"
    return [interface, *(language.catalog(d) for d in pack_docnames(pack, ctx))]
