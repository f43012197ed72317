"""``crossings site build``: the whole site, every language, strictly, in one process.

    crossings site build [--all] [--language en --language it ...] [--build-dir DIR]

English (the source language) goes to the root of ``_build/html`` exactly as
``jupyter-book build . --builder html -W -n --keep-going`` builds it (the same
configuration, so either can follow the other without Sphinx re-reading the pages);
every other language of ``locales/languages.yml`` goes to ``_build/html/<code>/``
(``crossings translations build`` builds one of them). ``nox -s build`` runs this.

One process, not one per language: starting Jupyter Book costs about 3 s (imports,
and jsonschema compiling the grammars of its optional ``rfc3987-syntax`` checks, which
Jupyter Book's configuration schema does not use), as much as an incremental build
of one changed page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.content.languages import load_languages
from crossings.content.project import Project


def quick_jupyter_book():
    """``jupyter_book.sphinx.build_sphinx``, imported without the 2.4 s that jsonschema
    spends at import compiling 39 grammars of ``rfc3987-syntax`` for its "iri" format
    check. Jupyter Book validates ``_config.yml`` without a format checker, so nothing
    is lost; the package is only kept from loading in this process."""
    sys.modules.setdefault("rfc3987_syntax", None)  # import raises ImportError: skipped
    from jupyter_book.sphinx import build_sphinx

    return build_sphinx


def strict_build(root: Path, out: Path, overrides: dict, fresh: bool,
                 doctrees: Path | None = None) -> int:
    """One strict HTML build with Jupyter Book's configuration plus ``overrides``; 0 if it
    passed. Catalogs a previous build in this process loaded are forgotten first."""
    build_sphinx = quick_jupyter_book()
    fresh_translators()
    result = build_sphinx(root, out, noconfig=True, path_config=str(root / "_config.yml"),
                          confoverrides=overrides, builder="html", warningiserror=True,
                          keep_going=True, freshenv=fresh,
                          doctreedir=None if doctrees is None else str(doctrees))
    return 1 if isinstance(result, Exception) or result else 0


def build_source(root: Path, out: Path, fresh: bool) -> int:
    """The English site, as ``jupyter-book build <root> --builder html -W -n --keep-going``."""
    return strict_build(root, out, {"external_toc_path": (root / "_toc.yml").as_posix(),
                                    "latex_individualpages": False, "nitpicky": True}, fresh)


def build_language(root: Path, code: str, out: Path, packs_dir: Path, exercises_dir: Path,
                   doctrees: Path, fresh: bool) -> int:
    """One other language's site (``language=<code>``, its notebooks and packs)."""
    overrides = {
        "external_toc_path": "_toc.yml", "latex_individualpages": False, "nitpicky": True,
        "language": code,
        # the packs and notebooks that `crossings packs` / `crossings exercises` built
        "crossings_packs_dir": str(packs_dir.resolve()),
        # this language's learner notebooks: <exercises>/<code>/release/
        "crossings_exercises_dir": str((exercises_dir / code).resolve()),
    }
    return strict_build(root, out, overrides, fresh, doctrees)


def fresh_translators() -> None:
    """Forget the message catalogs the last build loaded. Sphinx keeps them in a module
    global and adds a new language's catalogs behind the old ones as fallbacks, so the
    theme's English words would win on the Italian site."""
    locale = sys.modules.get("sphinx.locale")  # loaded by the first build; only Sphinx's
    if locale is not None:                      # extension imports Sphinx (import contract)
        locale.translators.clear()


def cmd_build(args) -> int:
    project = Project.find(Path(args.root))
    root = project.root
    build = Path(args.build_dir).resolve() if args.build_dir else root / "_build"
    langs = load_languages(root)
    codes = args.language or list(langs.languages)
    unknown = [c for c in codes if c not in langs.languages]
    if unknown:
        print(f"crossings site build: unknown language {', '.join(unknown)} "
              f"(locales/languages.yml has {', '.join(langs.languages)})", file=sys.stderr)
        return 2
    for code in sorted(codes, key=lambda c: c != langs.source):  # the source first
        if code == langs.source:
            status = build_source(root, build / "html", args.all)
        else:
            status = build_language(root, code, build / "html" / code, build / "packs",
                                    build / "exercises", build / "doctrees" / code, args.all)
        where = build / "html" / langs.prefix(code)
        if status:
            print(f"crossings site build: the '{code}' site failed", file=sys.stderr)
            return 1
        print(f"crossings site build: '{code}' site in {where}", file=sys.stderr)
    return 0


def register(commands) -> None:
    p = commands.add_parser("site", help="build the site in every language (strict)")
    sub = p.add_subparsers(dest="action", required=True)
    build = sub.add_parser("build", help="English at _build/html, each other language "
                                         "under _build/html/<code>/, in one process")
    build.add_argument("--root", default=".")
    build.add_argument("--language", action="append",
                       help="only this language (repeat for more; default: all)")
    build.add_argument("--all", action="store_true", help="re-read every page")
    build.add_argument("--build-dir", help="instead of <root>/_build (html/, packs/, "
                       "exercises/ and the doctrees inside it), e.g. for the tests")
    build.set_defaults(func=cmd_build)
