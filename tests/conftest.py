"""Shared fixtures: a copy of the fixture book, and the real platform built once per run.

The platform's build starts in the background as soon as the collected tests show that
one of them needs it (``pytest_collection_finish``), so the tests that do not need it run
meanwhile; with pytest-xdist the workers share that one build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import site_build
from site_build import REPO, BuildResult, build_book  # noqa: F401 - used by the tests

FIXTURES = Path(__file__).parent / "fixtures"
RUN_FOLDER = "CROSSINGS_TEST_RUN"   # a folder of this run, shared with the xdist workers
SITE_FIXTURES = {"site", "site_builds"}
SITE_BUILD_MINUTES = 60
_started: list[subprocess.Popen] = []


def pytest_configure(config):
    if not os.environ.get("PYTEST_XDIST_WORKER"):   # the controller, or a run without xdist
        os.environ[RUN_FOLDER] = tempfile.mkdtemp(prefix="crossings-tests-")


def pytest_unconfigure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    folder = Path(os.environ.pop(RUN_FOLDER, ""))
    pid_file = folder / "site.pid"
    if pid_file.is_file():   # a build still running (the run was stopped): stop it all
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
    if folder.name.startswith("crossings-tests-"):
        shutil.rmtree(folder, ignore_errors=True)


def site_folder() -> Path:
    if RUN_FOLDER not in os.environ:   # this conftest was loaded after pytest_configure
        os.environ[RUN_FOLDER] = tempfile.mkdtemp(prefix="crossings-tests-")
    return Path(os.environ[RUN_FOLDER]) / "site"


def start_site_build() -> None:
    """Start the background build unless this run has already started it (the first
    xdist worker to get here creates the folder)."""
    out = site_folder()
    try:
        out.mkdir()
    except FileExistsError:
        return
    log = open(out / "build.log", "w")  # noqa: SIM115 - the child writes it
    proc = subprocess.Popen([sys.executable, str(Path(site_build.__file__)), str(out)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                            start_new_session=True)
    (out / "site.pid").write_text(str(proc.pid))
    _started.append(proc)


def pytest_collection_finish(session):
    if any(SITE_FIXTURES & set(getattr(item, "fixturenames", ()))
           for item in session.items):
        start_site_build()


@pytest.fixture
def minibook(tmp_path) -> Path:
    """A fresh, valid copy of the fixture book; tests break it on purpose."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURES / "minibook", target)
    return target


@contextmanager
def only_one_at_a_time(path: Path):
    """Hold an exclusive lock on ``path`` (xdist workers are separate processes)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_build():
    """``shared_build(name, make)``: run ``make(folder)`` once per test run and return its
    result and the folder; with xdist the first worker makes it and the others wait.
    ``make`` must be safe to run again on its own output (the builds' caches make the
    second run a quick check that returns the same result)."""
    def run(name: str, make):
        folder = site_folder().parent / name
        with only_one_at_a_time(folder.with_suffix(".lock")):
            folder.mkdir(exist_ok=True)
            return make(folder), folder
    return run


@pytest.fixture(scope="session")
def site_builds() -> dict[str, BuildResult]:
    """The real platform in every language, as `nox -s build` makes it: built once per
    run in the background (see ``site_build.py``); this waits for it."""
    start_site_build()   # if collection did not (a test asked for it in another way)
    out = site_folder()
    deadline = time.monotonic() + SITE_BUILD_MINUTES * 60
    while (results := site_build.load(out)) is None:
        for proc in _started:
            if proc.poll() is not None and site_build.load(out) is None:
                log = (out / "build.log").read_text(errors="replace")
                pytest.fail(f"the site build stopped (exit {proc.returncode}): {log[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"the site build took more than {SITE_BUILD_MINUTES} min: {out}")
        time.sleep(1)
    (out / "site.pid").unlink(missing_ok=True)
    return results


@pytest.fixture(scope="session")
def site(site_builds) -> Path:
    """The real English site (other languages under ``<code>/``), built with warnings as errors."""
    english = site_builds["en"]
    assert english.returncode == 0, english.output[-5000:]
    return english.html


@pytest.fixture(autouse=True, scope="module")
def no_event_loop_left_running(request):
    """Fail the module that leaves an asyncio loop running (a Playwright sync API still
    started): with pytest-xdist the next test file on the same worker may run nbclient,
    whose asyncio.run() cannot start inside it."""
    yield
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    pytest.fail(f"{request.module.__name__} left an asyncio event loop running: stop "
                f"Playwright (module- or function-scoped fixture) before the module ends")
