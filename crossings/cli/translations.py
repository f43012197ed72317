"""``crossings translations``: the interface catalog and the state of each language.

    crossings translations interface-pot --out _build/gettext
        write crossings.pot: the strings of the code marked ``_("...")`` and the config texts
        shown on every page (search box, footer);
    crossings translations status --language it [--fill]
        print "it: N of M strings translated" over locales/it/LC_MESSAGES/*.po and which pages
        listed as translated are incomplete; --fill first copies a translation to every empty
        (not fuzzy) entry whose English text is translated in another catalog.

``nox -s translations`` runs both after Sphinx's gettext builder and ``sphinx-intl update``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.content.languages import INTERFACE_DOMAIN, catalog_dir, load_languages
from crossings.content.project import Project
from crossings.content.yamlsource import load_yaml_file

CONFIG_TEXTS = (("html", "extra_footer"),
                ("sphinx", "config", "html_theme_options", "search_bar_text"))


def _config_texts(root: Path) -> list[str]:
    data = load_yaml_file(root / "_config.yml").data or {}
    out = []
    for path in CONFIG_TEXTS:
        value = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            out.append(" ".join(value.split()))
    return out


def cmd_interface_pot(args) -> int:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    project = Project.find(Path(args.root))
    package = Path(__file__).resolve().parents[1]
    catalog = Catalog(project="Crossings", domain=INTERFACE_DOMAIN)
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords={"_": None}):
        catalog.add(message, locations=[(f"crossings/{filename}", lineno)])
    for text in _config_texts(project.root):
        catalog.add(text, locations=[("_config.yml", 0)])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"{INTERFACE_DOMAIN}.pot").open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    print(f"crossings translations: {len(catalog)} interface string(s) in "
          f"{out / (INTERFACE_DOMAIN + '.pot')}", file=sys.stderr)
    return 0


def _catalogs(directory: Path):
    from babel.messages.pofile import read_po

    for path in sorted(directory.rglob("*.po")):
        with path.open("rb") as handle:
            yield path, read_po(handle)


def fill_from_memory(directory: Path) -> int:
    """Copy translations to empty entries with the same English text; returns how many."""
    from babel.messages.pofile import write_po

    catalogs = list(_catalogs(directory))
    memory = {m.id: m.string for _, cat in catalogs for m in cat
              if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}
    filled = 0
    for path, catalog in catalogs:
        changed = 0
        for message in catalog:
            if message.id and not message.string and not message.fuzzy and message.id in memory:
                message.string = memory[message.id]
                changed += 1
        if changed:
            with path.open("wb") as handle:
                write_po(handle, catalog, width=0)
            filled += changed
    return filled


def cmd_status(args) -> int:
    project = Project.find(Path(args.root))
    langs = load_languages(project.root)
    code = args.language
    directory = catalog_dir(project.root, code)
    if not directory.is_dir():
        print(f"crossings translations: no catalogs in {directory}: run `nox -s translations`",
              file=sys.stderr)
        return 1
    if args.fill:
        print(f"{code}: {fill_from_memory(directory)} empty string(s) filled from other catalogs")
    total = done = 0
    incomplete = []
    claimed = set(langs.get(code).translated)
    for path, catalog in _catalogs(directory):
        messages = [m for m in catalog if m.id]
        ok = sum(1 for m in messages if m.string and not m.fuzzy)
        total, done = total + len(messages), done + ok
        docname = path.relative_to(directory).with_suffix("").as_posix()
        if docname in claimed and ok < len(messages):
            incomplete.append(f"{docname}: {len(messages) - ok} missing or fuzzy")
    print(f"{code}: {done} of {total} strings translated (all catalogs in {directory})")
    for line in incomplete:
        print(f"  listed as translated but incomplete: {line}")
    return 1 if incomplete and args.strict else 0


def register(commands) -> None:
    p = commands.add_parser("translations", help="interface catalog; translation status")
    sub = p.add_subparsers(dest="action", required=True)
    pot = sub.add_parser("interface-pot", help="write crossings.pot (interface strings)")
    pot.add_argument("--root", default=".")
    pot.add_argument("--out", default="_build/gettext")
    pot.set_defaults(func=cmd_interface_pot)
    status = sub.add_parser("status", help="print 'N of M strings translated' for a language")
    status.add_argument("--root", default=".")
    status.add_argument("--language", required=True)
    status.add_argument("--fill", action="store_true",
                        help="first fill empty strings translated elsewhere")
    status.add_argument("--strict", action="store_true",
                        help="exit 1 if a page listed as translated is incomplete")
    status.set_defaults(func=cmd_status)
