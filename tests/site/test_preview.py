"""The live preview (`nox -s serve`): a saved page shows up, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(predicate, seconds: float, proc: subprocess.Popen) -> float:
    started = time.monotonic()
    while not predicate():
        assert proc.poll() is None, "the preview stopped on its own"
        assert time.monotonic() - started < seconds, "timed out"
        time.sleep(0.1)
    return time.monotonic() - started


def processes_in_group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_preview_shows_a_saved_edit_and_stops_cleanly(minibook, stop):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "crossings.sphinxext.preview", "--root",
                             str(minibook), "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # its own process group, as under nox
    url = f"http://127.0.0.1:{port}/modules/demo/topic.html"
    try:
        wait_for(lambda: fetch(url), 240, proc)
        assert "/_preview/build" in fetch(url)  # the page reloads itself after a build
        topic = minibook / "modules/demo/topic.md"
        topic.write_text(topic.read_text() + "\nA freshly saved sentence.\n")
        wait_for(lambda: "A freshly saved sentence." in fetch(url), 120, proc)
        # a broken reference is named by the validator the preview runs after each build
        topic.write_text(topic.read_text() + "\nSee {doc}`topik`.\n")
        wait_for(lambda: "See" in fetch(url) and "topik" in fetch(url), 120, proc)
    finally:
        os.kill(proc.pid, stop)  # to the process only, as nox does after Ctrl-C
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "preview: stopped" in output
    assert "modules/demo/topic.md:" in output and "unknown target 'topik' ({doc}) — did you " \
           "mean 'topic'?" in output
    assert processes_in_group(proc.pid) == []
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):  # nothing listens
        sock.connect(("127.0.0.1", port))
