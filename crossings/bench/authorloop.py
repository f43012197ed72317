"""The author's loop, measured in one run (``nox -s bench``).

    python -m crossings.bench.authorloop --nox-python /path/to/python [--root .]

1. ``nox -s build`` cold (its venv reused, ``_build`` removed);
2. ``nox -s build`` again with nothing changed -> ratio to cold (target <= 0.10);
3. one sentence added to one topic page, ``nox -s build`` -> ratio to cold (target <= 0.20);
4. the preview (``python -m crossings.sphinxext.preview``, what ``nox -s serve`` runs):
   seconds from saving a topic page until the served HTML contains the new words
   (target <= 3 s on 2 cores; aim <= 1 s), median of three saves.

Every edited page is restored afterwards (and rebuilt by the next build). Figures go to
stdout and to ``_build/bench/authorloop.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

COLD_TARGET, EDIT_TARGET, LATENCY_TARGET, LATENCY_AIM = 0.10, 0.20, 3.0, 1.0


def topic_page(root: Path) -> Path:
    """The first topic page (not a module's index.md) of the first module."""
    for folder in sorted((root / "modules").iterdir()):
        if folder.is_dir() and folder.name[0] not in "_.":
            pages = sorted(p for p in folder.glob("*.md") if p.name != "index.md")
            if pages:
                return pages[0]
    raise SystemExit("no topic page found under modules/")


def clean_env() -> dict[str, str]:
    """The environment of a user's shell: without the bench session's own venv."""
    env = dict(os.environ)
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not p.startswith(venv))
    return env


def timed_build(nox_python: str, root: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run([nox_python, "-m", "nox", "-s", "build"], cwd=root, env=clean_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode:
        print(proc.stdout[-4000:], file=sys.stderr)
        raise SystemExit("nox -s build failed")
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


def preview_latency(python: str, root: Path, page: Path, saves: int = 3,
                    timeout: float = 120.0) -> tuple[list[float], float]:
    """(seconds from save to visible, per save; seconds until the first page was served)."""
    port = free_port()
    docname = page.relative_to(root).with_suffix("").as_posix()
    url = f"http://127.0.0.1:{port}/{docname}.html"
    started = time.perf_counter()
    proc = subprocess.Popen([python, "-m", "crossings.sphinxext.preview", "--root", str(root),
                             "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    original = page.read_text(encoding="utf-8")
    latencies = []
    try:
        while not fetch(url):
            if proc.poll() is not None or time.perf_counter() - started > timeout:
                raise SystemExit("the preview did not serve the page")
            time.sleep(0.1)
        first = time.perf_counter() - started
        for i in range(saves):
            time.sleep(1.0)  # let the watcher settle between saves
            marker = f"Benchmark sentence {i} {time.time_ns()}."
            page.write_text(original + f"\n{marker}\n", encoding="utf-8")
            saved = time.perf_counter()
            while marker not in fetch(url):
                if time.perf_counter() - saved > timeout:
                    raise SystemExit("the edit never became visible in the preview")
                time.sleep(0.05)
            latencies.append(time.perf_counter() - saved)
    finally:
        page.write_text(original, encoding="utf-8")
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return latencies, first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".")
    parser.add_argument("--nox-python", required=True, help="the Python that runs nox")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    page = topic_page(root)
    original = page.read_text(encoding="utf-8")

    shutil.rmtree(root / "_build", ignore_errors=True)
    print("bench: nox -s build, cold ...", flush=True)
    cold = timed_build(args.nox_python, root)
    print("bench: nox -s build, nothing changed ...", flush=True)
    same = timed_build(args.nox_python, root)
    print(f"bench: nox -s build, one sentence added to {page.relative_to(root)} ...", flush=True)
    page.write_text(original + "\nA sentence added by the benchmark.\n", encoding="utf-8")
    try:
        edited = timed_build(args.nox_python, root)
    finally:
        page.write_text(original, encoding="utf-8")
    print("bench: preview, save -> visible ...", flush=True)
    latencies, first = preview_latency(sys.executable, root, page)
    latency = statistics.median(latencies)

    figures = {"cold_s": round(cold, 2), "no_change_s": round(same, 2),
               "one_page_edit_s": round(edited, 2), "no_change_ratio": round(same / cold, 3),
               "one_page_edit_ratio": round(edited / cold, 3),
               "preview_first_page_s": round(first, 2),
               "preview_latency_s": [round(x, 2) for x in latencies],
               "preview_latency_median_s": round(latency, 2), "cpus": os.cpu_count()}
    out = root / "_build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "authorloop.json").write_text(json.dumps(figures, indent=2) + "\n")

    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER TARGET"

    print(f"""
The author's loop ({os.cpu_count()} CPUs, single samples except the preview)
  nox -s build, cold (venv reused, _build removed)  {cold:7.1f} s
  nox -s build, nothing changed                     {same:7.1f} s   ratio {same / cold:.3f}  (target <= {COLD_TARGET:.2f}) {verdict(same / cold <= COLD_TARGET)}
  nox -s build, one sentence in one topic page      {edited:7.1f} s   ratio {edited / cold:.3f}  (target <= {EDIT_TARGET:.2f}) {verdict(edited / cold <= EDIT_TARGET)}
  preview: first page served after start            {first:7.1f} s
  preview: save -> visible in the served HTML       {latency:7.2f} s   median of {', '.join(f'{x:.2f}' for x in latencies)}  (target <= {LATENCY_TARGET:.0f} s, aim <= {LATENCY_AIM:.0f} s) {verdict(latency <= LATENCY_TARGET)}
""")  # noqa: E501
    return 0


if __name__ == "__main__":
    sys.exit(main())
