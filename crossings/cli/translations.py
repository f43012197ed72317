"""``crossings translations``: the interface catalog and the state of each language.

    crossings translations interface-pot --out _build/gettext
        write crossings.pot: the strings of the code marked ``_("...")``, the config texts
        shown on every page (search box, footer) and the pack data the site shows outside
        the pages' own catalogs (activity and handout titles in agendas and download links,
        ``crossings.packs.interface``) and the self-assessment's level and element names
        that only the cohort report shows (``crossings.selfassessment.language``); and
        notebooks/<exercise>.pot: the text of each learner notebook
        (``crossings.exercises.translate``);
    crossings translations status --language it [--fill]
        print "it: N of M strings translated" over locales/it/LC_MESSAGES/*.po and which pages
        listed as translated are incomplete; --fill first copies a translation to every empty
        (not fuzzy) entry whose English text is translated in another catalog.

    crossings translations build --language it --out _build/html/it
        build one language's site with Jupyter Book's own configuration plus
        ``language=<code>``, strictly (-W -n --keep-going); ``nox -s build`` runs it for every
        language of locales/languages.yml after the English site.

``nox -s translations`` runs the first two after Sphinx's gettext builder and
``sphinx-intl update``.
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


def _pack_texts(project: Project) -> list[tuple[str, str]]:
    """(text, file) of the pack data shown through the interface catalog."""
    from crossings.packs.interface import interface_texts
    from crossings.packs.render import Context

    catalogue = Context.load(project).catalogue
    out = []
    for pack in catalogue.packs:
        location = pack.data_file.relative_to(project.root).as_posix()
        out += [(text, location) for text in interface_texts(catalogue, [pack])]
    return out


def _self_assessment_texts(project: Project) -> list[tuple[str, str]]:
    """(text, file) of the self-assessment data that its page does not show (level names,
    the radar chart's axes): the cohort report translates them (selfassessment.language)."""
    from crossings.content.vocabulary import load_vocabulary
    from crossings.selfassessment.framework import DATA_FILE, data_file, load_self_assessment

    if not data_file(project).is_file():
        return []
    assessment = load_self_assessment(project)
    texts = [lv.label for lv in assessment.levels] + [e.short for e in assessment.elements]
    vocabulary = load_vocabulary(project.vocabulary)   # the sectors a learner chooses from
    sectors = [str(info.get("label", key)) for key, info in vocabulary.audiences.items()]
    return [(text, "/".join(DATA_FILE)) for text in texts] + [
        (text, "book/vocabulary.yml") for text in sectors]


def cmd_interface_pot(args) -> int:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    project = Project.find(Path(args.root))
    package = Path(__file__).resolve().parents[1]
    catalog = Catalog(project="Crossings", domain=INTERFACE_DOMAIN)
    for filename, lineno, message, comments, _context in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords={"_": None},
            comment_tags=("Translators:",), strip_comment_tags=True):
        catalog.add(message, locations=[(f"crossings/{filename}", lineno)],
                    auto_comments=comments)
    for text in _config_texts(project.root):
        catalog.add(text, locations=[("_config.yml", 0)])
    for text, location in _pack_texts(project) + _self_assessment_texts(project):
        if text in catalog:   # a title in two packs, or a word of the code: one entry
            catalog[text].locations.append((location, 0))
        else:
            catalog.add(text, locations=[(location, 0)])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"{INTERFACE_DOMAIN}.pot").open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    print(f"crossings translations: {len(catalog)} interface string(s) in "
          f"{out / (INTERFACE_DOMAIN + '.pot')}", file=sys.stderr)
    release = Path(args.exercises or project.root / "_build" / "exercises") / "release"
    if release.is_dir():
        from crossings.exercises.translate import notebook_pot

        written = notebook_pot(release, out)
        print(f"crossings translations: {len(written)} notebook catalog(s) in "
              f"{out / 'notebooks'}", file=sys.stderr)
    else:
        print(f"crossings translations: no learner notebooks in {release}: run "
              "`crossings exercises` first to extract their strings", file=sys.stderr)
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


def cmd_languages(args) -> int:
    """Print the code of every language other than the source, one a line (what
    `nox -s build` loops over: the nox process itself has nothing but nox installed)."""
    langs = load_languages(Project.find(Path(args.root)).root)
    for code in langs.languages:
        if code != langs.source:
            print(code)
    return 0


def cmd_build(args) -> int:
    from crossings.cli.site import build_language

    project = Project.find(Path(args.root))
    build = project.root / "_build"
    out = Path(args.out) if args.out else build / "html" / args.language
    status = build_language(project.root, args.language, out,
                            Path(args.packs_dir or build / "packs"),
                            Path(args.exercises_dir or build / "exercises"),
                            Path(args.doctrees or build / "doctrees" / args.language), args.all)
    if status:
        print(f"crossings translations build: the '{args.language}' site failed", file=sys.stderr)
        return 1
    print(f"crossings translations build: '{args.language}' site in {out}", file=sys.stderr)
    return 0


def register(commands) -> None:
    p = commands.add_parser("translations", help="interface catalog; translation status")
    sub = p.add_subparsers(dest="action", required=True)
    pot = sub.add_parser("interface-pot",
                         help="write crossings.pot (interface) and notebooks/<exercise>.pot")
    pot.add_argument("--root", default=".")
    pot.add_argument("--out", default="_build/gettext")
    pot.add_argument("--exercises", help="built exercises (default: _build/exercises)")
    pot.set_defaults(func=cmd_interface_pot)
    status = sub.add_parser("status", help="print 'N of M strings translated' for a language")
    status.add_argument("--root", default=".")
    status.add_argument("--language", required=True)
    status.add_argument("--fill", action="store_true",
                        help="first fill empty strings translated elsewhere")
    status.add_argument("--strict", action="store_true",
                        help="exit 1 if a page listed as translated is incomplete")
    status.set_defaults(func=cmd_status)
    languages = sub.add_parser("languages", help="print the codes of the translated languages")
    languages.add_argument("--root", default=".")
    languages.set_defaults(func=cmd_languages)
    build = sub.add_parser("build", help="build one language's site (strict)")
    build.add_argument("--root", default=".")
    build.add_argument("--language", required=True)
    build.add_argument("--out", help="default: _build/html/<language>")
    build.add_argument("--packs-dir", help="built packs (default: _build/packs)")
    build.add_argument("--exercises-dir", help="built exercises (default: _build/exercises); "
                       "the notebooks of the language are in its <language>/release/")
    build.add_argument("--doctrees", help="default: _build/doctrees/<language>")
    build.add_argument("--all", action="store_true", help="re-read every page")
    build.set_defaults(func=cmd_build)
