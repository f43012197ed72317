"""Maintainer sessions for the Crossings platform.

    nox -l                 # list the sessions
    nox -s build           # validate, then build the site into _build/html
    nox -s tests           # the whole test suite (the command CI runs)
    nox -s translations    # extract strings, update locales/<lang>/LC_MESSAGES/*.po

(The README runs them through a `.venv` holding nox and uv.) Every session installs
exact versions from constraints.txt (the one lock file) into its own reused virtualenv,
made with uv when nox finds it (seconds) and virtualenv otherwise, and passes extra
arguments after `--` through.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
BUILD_DIR = ROOT / "_build"
STRICT = ("-W", "-n", "--keep-going")

nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "uv|virtualenv"   # uv: `pip install 'nox[uv]'` (README)
nox.options.sessions = ["build"]
nox.options.error_on_missing_interpreters = True


def install(session: nox.Session, *extras: str) -> None:
    target = f".[{','.join(extras)}]" if extras else "."
    marker = Path(session.virtualenv.location) / ".crossings-installed"
    # what the venv was made from: a change to the pins, the project's metadata or the
    # extras installs again; otherwise the check is skipped (uv takes 1 s even with nothing to do)
    key = hashlib.sha256("\0".join([target, (ROOT / "constraints.txt").read_text(),
                                    (ROOT / "pyproject.toml").read_text()]).encode()).hexdigest()
    if marker.is_file() and marker.read_text().split() == [key, "compiled"]:
        return
    first = not marker.exists()
    if first:
        session.log(f"installing {target} and its pinned dependencies (first run only: "
                    "about 1 min with uv, 3 min with pip) ...")
    started = time.perf_counter()
    session.install(*CONSTRAINTS, "-e", target, silent=True)
    compile_bytecode(session)
    marker.write_text(f"{key}\ncompiled\n")
    session.log(f"installed {target} in {time.perf_counter() - started:.0f} s")


def compile_bytecode(session: nox.Session) -> None:
    """Write the .pyc files of the session's packages once. uv does not compile at install,
    and where PYTHONDONTWRITEBYTECODE is set (as on our CI machines) Python never caches
    them: every command (jupyter-book, crossings) then compiled about 1,200 modules again,
    about 2 s per process, several processes per build."""
    session.run("python", "-m", "compileall", "-q", "-j", "0", "-x", r"/tests?/",
                session.run("python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                            silent=True).strip(), silent=True, success_codes=[0, 1])


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


# Node tools pinned with package.json + package-lock.json, installed with `npm ci`:
# axe-core for the browser tests, Lighthouse for the bench. `nox -s lock` moves the pins to
# the newest release of each spec (Lighthouse 13 needs Node >= 22.19; our machines have 20).
NPM_TOOLS = {"axe": ("axe-core@latest",), "lighthouse": ("lighthouse@12",)}


def npm_ci(session: nox.Session, tool: str) -> None:
    """Install the exact versions pinned in tools/<tool>/package-lock.json."""
    ensure_debian_package(session, "npm", "npm")
    session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(ROOT / "tools" / tool),
                external=True, silent=True)


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

    Only what changed is redone: notebooks and packs are cached by a hash of their inputs,
    Sphinx re-reads only changed pages, and the site build is skipped when no input of it
    changed. `-- --fresh` rebuilds everything. Other extra arguments go to
    `jupyter-book build`, e.g. `-- --path-output /tmp/elsewhere`.
    """
    install(session, "build")
    build_site(session, *session.posargs)


def build_site(session: nox.Session, *args: str) -> None:
    """What `nox -s build` does (also run by `nox -s bench`, which measures the result).

    English (the source language) is built at the root of _build/html, every other
    language of locales/languages.yml into _build/html/<code>/, each strictly."""
    fresh = "--fresh" in args
    args = tuple(a for a in args if a != "--fresh")
    again = ("--all",) if fresh else ()
    validate_content(session)
    session.run("crossings", "exercises", *again)
    session.run("crossings", "packs", *again)  # facilitator packs: PDF, DOCX/ODT, zip in _build/packs
    stamp = BUILD_DIR / "html" / ".crossings-site-inputs"
    key = site_inputs_key(args)
    if not fresh and not args and stamp.is_file() and stamp.read_text() == key:
        session.log("site: up to date (no page, data, code, catalog or notebook changed)")
        return
    if args:  # e.g. --path-output: Jupyter Book's own command line, then each language
        session.run("jupyter-book", "build", ".", "--builder", "html", *STRICT, *again, *args)
        for code in other_languages(session):
            build_language(session, code, *again)
        return
    # every language in one process (crossings/cli/site.py): one Jupyter Book start-up
    session.run("crossings", "site", "build", *again)
    stamp.write_text(key)


SITE_INPUTS = ("book", "modules", "exercises", "facilitator", "crossings", "locales",
               "_build/exercises/release")
SITE_FILES = ("_config.yml", "_toc.yml", "pyproject.toml", "constraints.txt",
              "_build/packs/manifest.json", "_build/packs/.packs-cache.json")


def site_inputs_key(args: tuple[str, ...]) -> str:
    """SHA-256 of every file the site is built from (a no-change build skips Sphinx)."""
    digest = hashlib.sha256(" ".join(args).encode())
    files = [ROOT / name for name in SITE_FILES]
    for folder in SITE_INPUTS:
        # .mo files are compiled from the .po files by the build itself: hashing them made
        # the first build after a catalog change look changed to the next one
        files += sorted(p for p in (ROOT / folder).rglob("*") if p.is_file()
                        and p.suffix != ".mo" and "__pycache__" not in p.parts
                        and ".pytest_cache" not in p.parts)
    for file in files:
        digest.update(str(file.relative_to(ROOT)).encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"\0missing\0")
    return digest.hexdigest()


def other_languages(session: nox.Session) -> list[str]:
    """The codes of locales/languages.yml other than the source, asked of the session's
    `crossings` (this process has only nox: no PyYAML, no crossings)."""
    listed = session.run("crossings", "translations", "languages", silent=True)
    return (listed or "").split()


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
    for code in other_languages(session):
        session.run("sphinx-intl", "update", "-p", str(pot_dir), "-d", "locales", "-l", code,
                    "-w", "0", silent=True)
        session.run("crossings", "translations", "status", "--language", code, "--fill")


@nox.session
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000: a saved page shows in the browser in seconds.

    One Sphinx application stays in memory and rebuilds only the changed pages into
    _build/preview (seeded from the last `nox -s build`, so a tree built once starts fast;
    kept apart so the strict build still sees every warning). Ctrl-C stops it.
    Extra arguments go to the preview, e.g. `-- --port 8001`.
    """
    install(session, "build")
    session.run("crossings", "exercises")
    session.run("python", "-m", "crossings.sphinxext.preview", "--root", str(ROOT), *session.posargs,
                interrupt_timeout=5.0)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: real builds, the validator on fixture books. Pass pytest args after --."""
    install(session, "build", "test", "grading", "browser")
    ensure_debian_package(session, "bwrap", "bubblewrap")  # sandbox of the grading tests
    ensure_debian_package(session, "chromium", "chromium")  # browser tests (Playwright drives it)
    ensure_debian_package(session, "pg_ctlcluster", "postgresql")  # a real gradebook server
    ensure_debian_package(session, "pdftoppm", "poppler-utils")  # print check: PDF pages as images
    npm_ci(session, "axe")  # axe-core for the browser tests, at the pinned version
    # one pytest-xdist worker per core; a test file stays on one worker, so its fixtures
    # (a course, a cohort, a browser tour) are made once; the site is built once per run
    session.run("pytest", *(session.posargs or ["-q", "--numprocesses", "auto",
                                                 "--dist", "loadfile"]))


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


@nox.session(default=False, venv_backend="virtualenv")  # pip freeze needs pip
def lock(session: nox.Session) -> None:
    """Re-resolve every dependency: rewrite constraints.txt and move the npm pins in tools/
    (axe-core, Lighthouse) to their newest releases (then run the tests)."""
    session.install("-e", ".[build,test,lint,grading,browser]", "nox[uv]")
    frozen = session.run("python", "-m", "pip", "freeze", "--exclude-editable", silent=True)
    header = ("# The one lock file: exact versions of every Python package the project installs.\n"
              "# nox installs everything with -c constraints.txt. Regenerate with: nox -s lock\n")
    lines = [ln for ln in frozen.splitlines() if ln and not ln.startswith("-e")]
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n")
    session.log(f"constraints.txt: {len(lines)} packages ({sys.version.split()[0]}, {os.name})")
    ensure_debian_package(session, "npm", "npm")
    for tool, specs in NPM_TOOLS.items():
        folder = str(ROOT / "tools" / tool)
        # newest release of each, written exactly into package.json and package-lock.json
        session.run("npm", "install", "--no-audit", "--no-fund", "--save-exact", "--prefix", folder,
                    *specs, external=True)
        if pin_moving_tags(Path(folder)):
            session.run("npm", "install", "--package-lock-only", "--no-audit", "--no-fund",
                        "--prefix", folder, external=True)
        names = [spec.rsplit("@", 1)[0] for spec in specs]
        session.log(f"tools/{tool}: " + session.run(
            "npm", "ls", "--prefix", folder, *names, external=True, silent=True).strip())


def pin_moving_tags(folder: Path) -> bool:
    """A dependency asked for at a tag such as "latest" makes `npm ci` fail as soon as the tag
    moves ("package.json and package-lock.json are not in sync"). Pin each one, through
    package.json's "overrides", to the version the lock holds. True if package.json changed."""
    lock = json.loads((folder / "package-lock.json").read_text())
    packages = lock.get("packages", {})
    pins = {}
    for entry in packages.values():
        for name, spec in entry.get("dependencies", {}).items():
            if re.fullmatch(r"[A-Za-z][\w.-]*", spec or "") and spec not in ("x", "X"):  # a tag
                pins[name] = packages.get(f"node_modules/{name}", {}).get("version", spec)
    manifest_file = folder / "package.json"
    manifest = json.loads(manifest_file.read_text())
    if manifest.get("overrides", {}) == pins:
        return False
    manifest["overrides"] = pins
    manifest_file.write_text(json.dumps(manifest, indent=2) + "\n")
    return True


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Performance figures in one run: author's loop, grading speed, page weight, Lighthouse.

    The author's loop: build no-change/cold and one-page-edit/cold ratios, preview latency.
    Lighthouse on a phone: our landing and module pages beside a default Jupyter Book page
    (after `weight`, which builds the site). Ratios and scores, not timed tests.
    `-- authorloop` (or `grading`, `weight`, `lighthouse`) runs only the parts named."""
    parts = {"authorloop": bench_authorloop, "grading": bench_grading, "weight": bench_weight,
             "lighthouse": bench_lighthouse}
    for name in session.posargs or parts:
        if name not in parts:
            session.error(f"unknown bench part {name!r} (known: {', '.join(parts)})")
        parts[name](session)


def bench_authorloop(session: nox.Session) -> None:
    """`nox -s build` cold / nothing changed / one page edited, and save-to-visible preview
    latency (crossings/bench/authorloop.py); runs nox itself with the Python running this file."""
    install(session, "build")
    session.run("python", "-m", "crossings.bench.authorloop", "--root", str(ROOT),
                "--nox-python", sys.executable)


def bench_grading(session: nox.Session) -> None:
    """Grading >= 40 submissions: serial nbgrader vs `crossings course autograde -j 2` vs
    bare nbclient (crossings/bench_grading.py)."""
    install(session, "build", "grading")
    ensure_debian_package(session, "bwrap", "bubblewrap")
    session.run("python", "-m", "crossings.bench.grading")


def bench_weight(session: nox.Session) -> None:
    """First-visit weight of our landing, module and exercise pages vs a default Jupyter Book page."""
    install(session, "build", "browser")
    ensure_debian_package(session, "chromium", "chromium")
    build_site(session)
    session.run("python", "-m", "crossings.bench.weight", "--site", str(BUILD_DIR / "html"),
                "--out", str(BUILD_DIR / "bench"))


def bench_lighthouse(session: nox.Session) -> None:
    """Lighthouse on a phone (npm, against Debian's chromium): our landing and module pages
    beside a default Jupyter Book page, median of 3 runs (on the site bench_weight built)."""
    install(session, "build", "browser")
    ensure_debian_package(session, "chromium", "chromium")
    if not (BUILD_DIR / "html" / "book" / "index.html").is_file():
        build_site(session)
    npm_ci(session, "lighthouse")
    session.run("python", "-m", "crossings.bench.lighthouse", "--site", str(BUILD_DIR / "html"),
                "--out", str(BUILD_DIR / "bench"))
