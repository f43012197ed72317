"""Benchmark: first-visit weight of our pages against a default Jupyter Book 1 page.

    python -m crossings.bench.weight --site _build/html --out _build/bench

Part of ``nox -s bench`` (which builds the site first, as ``nox -s build`` does).
In the same run it creates the ``jupyter-book create`` template book (default
theme, notebook execution off: the measured page has no notebook), builds it,
serves both sites on 127.0.0.1 and loads, each in a fresh browser (empty cache):

- our landing page, the first module page and the first exercise page of the table of
  contents (the exercise page also reports what its on-page form adds: the exercise
  script and styles, target <= 30 kB gzip);
- the template's landing page (``intro.html``).

It adds up what the browser received for each page (HTML, CSS, JS, fonts,
images: response bodies and headers, as sent uncompressed by the local server),
also shows what gzip would make of it, and prints the ratios; target <= 0.4.
Requests to other hosts are blocked and listed (the default book asks a CDN for
MathJax; it counts as 0 bytes here, so the ratio favours the default book).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from crossings.bench.browser import RequestLog, block_other_hosts, chromium, serve
from crossings.content.project import Project
from crossings.content.toc import read_toc

TARGET = 0.4
EXERCISE_ASSETS = ("crossings-exercise.js", "crossings-exercise.css")
EXERCISE_TARGET = 30_000    # bytes, gzip: what the on-page exercise form may add
KINDS = ("document", "stylesheet", "script", "font", "image")


def jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def build_default_book(folder: Path) -> Path:
    """The ``jupyter-book create`` template, built with the default theme."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([jupyter_book(), "create", str(folder)], check=True, capture_output=True)
    config = folder / "_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("execute_notebooks: force", "execute_notebooks: 'off'"),
                      encoding="utf-8")
    subprocess.run([jupyter_book(), "build", str(folder), "--builder", "html"], check=True,
                   capture_output=True)
    return folder / "_build" / "html"


def measure(playwright, base_url: str, path: str) -> dict:
    """Load one page in a fresh browser and add up what it received, by kind."""
    log = RequestLog()
    with chromium(playwright) as context:
        block_other_hosts(context, log)
        finished = []
        context.on("requestfinished", lambda request: finished.append(request))
        page = context.pages[0] if context.pages else context.new_page()
        log.current_page = path
        page.goto(base_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        kinds: dict[str, dict[str, int]] = {}
        total = {"requests": 0, "bytes": 0, "gzip": 0}
        for request in finished:
            response = request.response()
            if response is None:
                continue
            sizes = request.sizes()
            sent = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            try:
                body = response.body()
            except Exception:  # e.g. a redirect has no body
                body = b""
            packed = len(gzip.compress(body, 6)) + sizes["responseHeadersSize"]
            if request.url.split("?")[0].rsplit("/", 1)[-1] in EXERCISE_ASSETS:
                extra = kinds.setdefault("exercise form", {"requests": 0, "bytes": 0, "gzip": 0})
                extra["requests"] += 1
                extra["bytes"] += sent
                extra["gzip"] += min(packed, sent)
            kind = request.resource_type if request.resource_type in KINDS else "other"
            row = kinds.setdefault(kind, {"requests": 0, "bytes": 0, "gzip": 0})
            for bucket in (row, total):
                bucket["requests"] += 1
                bucket["bytes"] += sent
                bucket["gzip"] += min(packed, sent)
    return {"page": path, **total, "by_kind": kinds,
            "blocked": [r.url for r in log.external]}


def first_module_page(root: Path) -> str:
    docnames = [e.docname for e in read_toc(Project(root).toc)]
    return next(f"{d}.html" for d in docnames if d.startswith("modules/") and d.endswith("/index"))


def first_exercise_page(root: Path) -> str:
    docnames = [e.docname for e in read_toc(Project(root).toc)]
    return next(f"{d}.html" for d in docnames
                if d.startswith("exercises/") and not d.endswith("/index"))


def kb(n: int) -> str:
    return f"{n / 1000:8.1f} kB"


def run(site: Path, out: Path, root: Path) -> dict:
    from playwright.sync_api import sync_playwright

    default_html = build_default_book(out / "default-book")
    pages = [("Crossings landing", site, "book/index.html"),
             ("Crossings module", site, first_module_page(root)),
             ("Crossings exercise", site, first_exercise_page(root)),
             ("Jupyter Book default", default_html, "intro.html")]
    results = []
    with sync_playwright() as pw:
        for label, folder, path in pages:
            with serve(folder) as base_url:
                results.append({"label": label, **measure(pw, base_url, path)})
    default = results[-1]
    for row in results[:-1]:
        row["ratio"] = round(row["bytes"] / default["bytes"], 3)
        row["ratio_gzip"] = round(row["gzip"] / default["gzip"], 3)
    report = {"target": TARGET, "exercise_target": EXERCISE_TARGET, "pages": results}
    out.mkdir(parents=True, exist_ok=True)
    (out / "weight.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def print_report(report: dict) -> bool:
    print("\nFirst-visit transfer size (fresh browser, uncompressed as served; gzip estimate)")
    print(f"{'page':22} {'file':42} {'req':>4} {'transfer':>11} {'gzip':>11}  ratio")
    ok = True
    for row in report["pages"]:
        ratio = ""
        if "ratio" in row:
            met = row["ratio"] <= report["target"]
            ok &= met
            ratio = (f"{row['ratio']:.2f}x (gzip {row['ratio_gzip']:.2f}x) "
                     f"{'meets' if met else 'MISSES'} <= {report['target']}x")
        print(f"{row['label']:22} {row['page']:42} {row['requests']:4d} {kb(row['bytes'])} "
              f"{kb(row['gzip'])}  {ratio}")
        form = row["by_kind"].pop("exercise form", None)
        kinds = ", ".join(f"{k} {v['bytes'] / 1000:.1f} kB" for k, v in sorted(row["by_kind"].items()))
        print(f"{'':22} {kinds}")
        if form is not None:
            met = form["gzip"] <= report["exercise_target"]
            ok &= met
            print(f"{'':22} exercise form (script + styles): {form['bytes'] / 1000:.1f} kB, gzip "
                  f"{form['gzip'] / 1000:.1f} kB: {'meets' if met else 'MISSES'} <= "
                  f"{report['exercise_target'] / 1000:g} kB")
            row["exercise_form"] = form
        for url in row["blocked"]:
            print(f"{'':22} blocked request to another host (0 bytes counted): {url}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="_build/html", help="the built site (nox -s build)")
    parser.add_argument("--out", default="_build/bench", help="where the default book and "
                                                              "weight.json go")
    parser.add_argument("--root", default=".", help="repository folder")
    args = parser.parse_args(argv)
    root = Project.find(Path(args.root)).root
    site = Path(args.site)
    if not (site / "book" / "index.html").is_file():
        print(f"bench weight: no built site in {site}: run `nox -s build` first", file=sys.stderr)
        return 2
    report = run(site, Path(args.out), root)
    ok = print_report(report)
    print(f"bench weight: {'target met' if ok else 'TARGET MISSED'}; "
          f"details in {Path(args.out) / 'weight.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
