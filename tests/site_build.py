"""Real, strict builds for the tests: a fixture book, or the whole platform.

The whole platform (every language, as `nox -s build` makes it) is built once per test
run, in the background, while the tests that do not need it run. ``conftest.py`` starts
it as soon as the collected tests show that one of them needs the site, and its
``site_builds`` fixture waits for the result. Run as a script, this module is that
background build: ``python tests/site_build.py OUT`` writes ``OUT/builds.json``, whatever
happens (a crash is written as a failed build with its traceback).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STRICT = ["-W", "-n", "--keep-going"]
RESULTS = "builds.json"
RECORD = REPO / "book" / "accessibility-record.json"


@dataclass
class BuildResult:
    returncode: int
    output: str
    html: Path


def jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def build_book(source: Path, output: Path, *extra: str, exercises: bool = False,
               site: bool = False) -> BuildResult:
    """Run a real, strict Jupyter Book build of ``source`` into ``output``.

    With ``exercises=True`` the exercise notebooks are built first (as `nox -s
    build` does), into ``output/_build/exercises``. With ``site=True`` the book is built
    by `crossings site build` (what `nox -s build` runs: every language, one process),
    otherwise by `jupyter-book build`.
    """
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "CROSSINGS_EXERCISES_DIR": str(output / "_build" / "exercises")}
    log = ""
    if exercises:
        proc = subprocess.run([sys.executable, "-m", "crossings", "exercises", "--root",
                               str(source), "--out", env["CROSSINGS_EXERCISES_DIR"]],
                              capture_output=True, text=True, env=env)
        log = proc.stdout + proc.stderr
        if proc.returncode:
            return BuildResult(proc.returncode, log, output / "_build" / "html")
    if site:
        command = [sys.executable, "-m", "crossings", "site", "build", "--root", str(source),
                   "--build-dir", str(output / "_build"), *extra]
    else:
        command = [jupyter_book(), "build", str(source), "--builder", "html", *STRICT,
                   "--path-output", str(output), *extra]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    return BuildResult(proc.returncode, log + proc.stdout + proc.stderr, output / "_build" / "html")


def other_languages() -> list[str]:
    sys.path.insert(0, str(REPO))
    from crossings.content.languages import load_languages

    langs = load_languages(REPO)
    return [code for code in langs.languages if code != langs.source]


def build_site(out: Path) -> dict[str, BuildResult]:
    """What `nox -s build` makes: the English site at the root of ``out/_build/html`` and
    every other language under ``<code>/``, each strictly. Stops at the first failure."""
    # the accessibility statement is built from this record; the browser tests may rewrite
    # it later in the run, so keep the copy the site was built from
    if RECORD.is_file():
        shutil.copyfile(RECORD, out / RECORD.name)
    # as `nox -s build`: the exercises, then `crossings site build` (every language, one
    # process); the log holds each language's lines, in order
    english = build_book(REPO, out, exercises=True, site=True)
    results = {"en": english}
    for code in other_languages():
        results[code] = BuildResult(english.returncode, english.output, english.html / code)
    return results


def save(out: Path, results: dict[str, BuildResult]) -> None:
    data = {code: [r.returncode, r.output, str(r.html)] for code, r in results.items()}
    partial = out / (RESULTS + ".part")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(out / RESULTS)  # readers never see half a file


def load(out: Path) -> dict[str, BuildResult] | None:
    """The results of the build in ``out``, or None while it is still running."""
    path = out / RESULTS
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: BuildResult(rc, output, Path(html)) for code, (rc, output, html) in data.items()}


def main(out: Path) -> None:
    try:
        results = build_site(out)
    except BaseException:  # noqa: BLE001 - written down for the waiting tests, then re-raised
        save(out, {"en": BuildResult(1, "the site build crashed:\n" + traceback.format_exc(),
                                     out / "_build" / "html")})
        raise
    save(out, results)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
