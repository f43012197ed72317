"""Maintainer sessions for the Crossings platform.

    python3 -m nox -l          # list the sessions
    python3 -m nox -s build    # validate, then build the site into _build/html
    python3 -m nox -s tests    # the whole test suite (the command CI runs)
    python3 -m nox -s translations  # extract strings, update locales/<lang>/LC_MESSAGES/*.po

Every session installs exact versions from constraints.txt (the one lock file)
into its own reused virtualenv, and passes extra arguments after `--` through.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
BUILD_DIR = ROOT / "_build"
STRICT = ("-W", "-n", "--keep-going")

nox.options.reuse_venv = "yes"
nox.options.sessions = ["build"]
nox.options.error_on_missing_interpreters = True


def install(session: nox.Session, *extras: str) -> None:
    target = f".[{','.join(extras)}]" if extras else "."
    session.install(*CONSTRAINTS, "-e", target, silent=True)


def ensure_debian_package(session: nox.Session, command: str, package: str) -> None:
    """Install a Debian package the project needs when its command is missing (CI starts
    from a bare machine); without root, stop with a message saying what to install."""
    if shutil.which(command):
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        session.error(f"`{command}` is missing: install the package {package} "
                      f"(Debian/Ubuntu: sudo apt-get install -y {package})")
    session.run("apt-get", "update", "-qq", external=True)
    session.run("apt-get", "install", "-y", "-qq", package, external=True)


def validate_content(session: nox.Session) -> None:
    session.run("crossings", "validate")


@nox.session
def validate(session: nox.Session) -> None:
    """Check all content (front matter, toc, headings, alt text, originality); print file:line."""
    install(session)
    session.run("crossings", "validate", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Validate, build the exercise notebooks and facilitator packs, then the site strictly.

    The site build is strict (-W -n --keep-going).

    Extra arguments go to `jupyter-book build`, e.g. `-- --all` for a full rebuild
    or `-- --path-output /tmp/elsewhere`.
    """
    install(session, "build")
    build_site(session, *session.posargs)


def build_site(session: nox.Session, *args: str) -> None:
    """What `nox -s build` does (also run by `nox -s bench`, which measures the result).

    English (the source language) is built at the root of _build/html, every other
    language of locales/languages.yml into _build/html/<code>/, each strictly."""
    validate_content(session)
    session.run("crossings", "exercises")
    session.run("crossings", "packs")  # facilitator packs: PDF, DOCX/ODT, zip in _build/packs
    session.run("jupyter-book", "build", ".", "--builder", "html", *STRICT, *args)
    for code in other_languages():
        build_language(session, code)


def other_languages() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from crossings.content.languages import load_languages

    langs = load_languages(ROOT)
    return [code for code in langs.languages if code != langs.source]


def sphinx_conf(session: nox.Session) -> Path:
    """Jupyter Book's Sphinx configuration as a conf.py in _build/conf (for sphinx-build)."""
    conf_dir = BUILD_DIR / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    session.run("jupyter-book", "config", "sphinx", ".", silent=True)
    conf = (ROOT / "conf.py").read_text()
    (ROOT / "conf.py").unlink()
    # the generated conf.py sits outside the source folder: make its paths absolute
    conf += (f"\nbibtex_bibfiles = [str(__import__('pathlib').Path({str(ROOT)!r}) / p)"
             " for p in bibtex_bibfiles]\n"
             f"locale_dirs = [str(__import__('pathlib').Path({str(ROOT)!r}) / p)"
             " for p in locale_dirs]\n")
    (conf_dir / "conf.py").write_text(conf)
    return conf_dir


def build_language(session: nox.Session, code: str, *args: str) -> None:
    """One language's site into _build/html/<code>/ (strict; prints "<code>: N of M strings
    translated" and fails if a page listed as translated has a missing or fuzzy string)."""
    session.run("crossings", "translations", "build", "--language", code, *args)


@nox.session
def translations(session: nox.Session) -> None:
    """Extract every string to translate and update locales/<lang>/LC_MESSAGES/*.po.

    Page strings come from Sphinx's gettext builder (one catalog per page), interface
    strings from the code and _config.yml (crossings.pot). sphinx-intl then updates the
    catalogs of every language in locales/languages.yml (changed strings become fuzzy),
    and strings already translated elsewhere fill the same empty strings (never fuzzy ones).
    """
    install(session, "build")
    session.run("crossings", "exercises", "--no-model-check")  # notebook strings come from them
    pot_dir = BUILD_DIR / "gettext"
    session.run("jupyter-book", "build", ".", "--builder", "custom", "--custom-builder",
                "gettext", "--path-output", str(BUILD_DIR / "gettext-build"), silent=True)
    shutil.rmtree(pot_dir, ignore_errors=True)
    shutil.copytree(BUILD_DIR / "gettext-build" / "_build" / "gettext", pot_dir)
    session.run("crossings", "translations", "interface-pot", "--out", str(pot_dir))
    for code in other_languages():
        session.run("sphinx-intl", "update", "-p", str(pot_dir), "-d", "locales", "-l", code,
                    "-w", "0", silent=True)
        session.run("crossings", "translations", "status", "--language", code, "--fill")


@nox.session
def serve(session: nox.Session) -> None:
    """Live preview for authors: rebuild on every save and serve on http://127.0.0.1:8000."""
    install(session, "build", "serve")
    validate_content(session)
    session.run("crossings", "exercises")
    conf_dir = sphinx_conf(session)
    session.run(
        "sphinx-autobuild", "-c", str(conf_dir), ".", str(BUILD_DIR / "preview"),
        "--host", "127.0.0.1", "--port", "8000",
        "--ignore", str(BUILD_DIR), "--ignore", str(ROOT / ".nox"),
        *session.posargs,
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: real builds, the validator on fixture books. Pass pytest args after --."""
    install(session, "build", "test", "grading", "browser")
    ensure_debian_package(session, "bwrap", "bubblewrap")  # sandbox of the grading tests
    ensure_debian_package(session, "chromium", "chromium")  # browser tests (Playwright drives it)
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, the import-layer contract, codespell on code and prose, and the content validator."""
    install(session, "lint")
    session.run("ruff", "check", "crossings", "tests", "noxfile.py")
    session.run("lint-imports")  # the layers of [tool.importlinter] in pyproject.toml
    session.run("codespell", "crossings", "tests", "book", "modules", "exercises",
                "facilitator", "README.md", "noxfile.py")
    validate_content(session)


@nox.session(default=False)
def linkcheck(session: nox.Session) -> None:
    """Check external links (needs a network; not part of tests or CI)."""
    install(session, "build")
    session.run("jupyter-book", "build", ".", "--builder", "linkcheck", *session.posargs)


@nox.session(default=False)
def lock(session: nox.Session) -> None:
    """Re-resolve every dependency and rewrite constraints.txt (then run the tests)."""
    session.install("-e", ".[build,serve,test,lint,grading,browser]")
    frozen = session.run("python", "-m", "pip", "freeze", "--exclude-editable", silent=True)
    header = ("# The one lock file: exact versions of every Python package the project installs.\n"
              "# nox installs everything with -c constraints.txt. Regenerate with: nox -s lock\n")
    lines = [ln for ln in frozen.splitlines() if ln and not ln.startswith("-e")]
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n")
    session.log(f"constraints.txt: {len(lines)} packages ({sys.version.split()[0]}, {os.name})")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Performance figures measured in one run (ratios, not timed tests)."""
    bench_grading(session)
    bench_weight(session)


def bench_grading(session: nox.Session) -> None:
    """Grading >= 40 submissions: serial nbgrader vs `crossings course autograde -j 2` vs
    bare nbclient (crossings/bench_grading.py)."""
    install(session, "build", "grading")
    ensure_debian_package(session, "bwrap", "bubblewrap")
    session.run("python", "-m", "crossings.bench.grading")


def bench_weight(session: nox.Session) -> None:
    """First-visit weight of our landing and module pages vs a default Jupyter Book page."""
    install(session, "build", "browser")
    ensure_debian_package(session, "chromium", "chromium")
    build_site(session)
    session.run("python", "-m", "crossings.bench.weight", "--site", str(BUILD_DIR / "html"),
                "--out", str(BUILD_DIR / "bench"))
