"""Shared fixtures: a copy of the fixture book, and real Jupyter Book builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
STRICT = ["-W", "-n", "--keep-going"]


@dataclass
class BuildResult:
    returncode: int
    output: str
    html: Path


def jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def build_book(source: Path, output: Path, *extra: str, exercises: bool = False) -> BuildResult:
    """Run a real, strict Jupyter Book build of ``source`` into ``output``.

    With ``exercises=True`` the exercise notebooks are built first (as `nox -s
    build` does), into ``output/_build/exercises``.
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
    proc = subprocess.run(
        [jupyter_book(), "build", str(source), "--builder", "html", *STRICT,
         "--path-output", str(output), *extra],
        capture_output=True, text=True, env=env,
    )
    return BuildResult(proc.returncode, log + proc.stdout + proc.stderr, output / "_build" / "html")


@pytest.fixture
def minibook(tmp_path) -> Path:
    """A fresh, valid copy of the fixture book; tests break it on purpose."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURES / "minibook", target)
    return target


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real platform, built once per test session with warnings as errors."""
    out = tmp_path_factory.mktemp("site")
    # the accessibility statement is built from this record; the browser tests may rewrite
    # it later in the session, so keep the copy the site was built from
    record = REPO / "book" / "accessibility-record.json"
    if record.is_file():
        shutil.copyfile(record, out / "accessibility-record.json")
    result = build_book(REPO, out, exercises=True)
    assert result.returncode == 0, result.output[-5000:]
    return result.html
