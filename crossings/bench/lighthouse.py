"""Benchmark: Lighthouse scores of our pages beside a default Jupyter Book 1 page.

    python -m crossings.bench.lighthouse --site _build/html --out _build/bench

Part of ``nox -s bench`` (after the site build); not a pass/fail test, since
Lighthouse's timings are noisy on a small shared machine. In one run it builds the
``jupyter-book create`` template book (the anchor, as in ``crossings.bench.weight``),
serves both sites on 127.0.0.1 and runs Lighthouse (npm, pinned in
``tools/lighthouse/package-lock.json``) against Debian's chromium, with its default
phone emulation and simulated slow 4G, ``--runs`` times per page; the table shows the
median of each category (performance / accessibility / best practices / SEO).

Our site is measured twice: served as plain files (as a plain static host would) and
with its ``.br``/``.gz`` files (written by the build) sent to the browser, as a host
configured for precompressed files would. The default book ships no such files.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from crossings.bench.browser import CHROMIUM, require_chromium, serve
from crossings.bench.weight import build_default_book, first_module_page
from crossings.content.project import Project

LIGHTHOUSE_DIR = Path(__file__).resolve().parents[2] / "tools" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking " \
               "--disable-component-update --disable-sync --no-first-run"


def lighthouse_cli() -> Path:
    cli = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        raise SystemExit(f"{cli} is missing: run `npm ci --prefix {LIGHTHOUSE_DIR}` "
                         "(the nox 'bench' session does this)")
    return cli


def lighthouse(url: str, out: Path, preset: str | None) -> dict:
    """One Lighthouse run; returns {category: score 0-100} and the failed audits."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["node", str(lighthouse_cli()), url, "--quiet", "--output=json",
           f"--output-path={out}", f"--chrome-flags={CHROME_FLAGS}",
           f"--only-categories={','.join(CATEGORIES)}", "--max-wait-for-load=60000"]
    if preset:
        cmd.append(f"--preset={preset}")
    env = {**os.environ, "CHROME_PATH": require_chromium()}
    subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=300)
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failed = sorted(
        audit_id for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]
        if ref.get("weight") and (audit_id := ref["id"])
        and (report["audits"][audit_id].get("score") is not None)
        and report["audits"][audit_id]["score"] < 0.9)
    metrics = {k: round(report["audits"][k]["numericValue"]) for k in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
               if k in report["audits"] and report["audits"][k].get("numericValue") is not None}
    return {"scores": scores, "failed": failed, "metrics": metrics}


def median_run(url: str, out: Path, runs: int, preset: str | None) -> dict:
    results = [lighthouse(url, out / f"run{i}.json", preset) for i in range(runs)]
    scores = {c: int(statistics.median(r["scores"][c] for r in results)) for c in CATEGORIES}
    metrics = {k: int(statistics.median(r["metrics"][k] for r in results if k in r["metrics"]))
               for k in results[0]["metrics"]}
    failed = sorted({a for r in results for a in r["failed"]})
    return {"scores": scores, "runs": [r["scores"] for r in results], "metrics": metrics,
            "failed": failed}


def run(site: Path, out: Path, root: Path, runs: int, desktop: bool) -> dict:
    default_html = build_default_book(out / "default-book")
    module = first_module_page(root)
    pages = [("Crossings landing", site, "book/index.html", False),
             ("Crossings module", site, module, False),
             ("Crossings landing, .br/.gz", site, "book/index.html", True),
             ("Crossings module, .br/.gz", site, module, True),
             ("Jupyter Book default", default_html, "intro.html", False)]
    forms = [("mobile", None)] + ([("desktop", "desktop")] if desktop else [])
    rows = []
    for label, folder, path, packed in pages:
        row = {"label": label, "page": path, "precompressed": packed}
        with serve(folder, precompressed=packed) as base_url:
            for form, preset in forms:
                slug = label.lower().replace(" ", "-").replace(",", "").replace("/", "")
                row[form] = median_run(base_url + path, out / "lighthouse" / form / slug, runs,
                                       preset)
        rows.append(row)
    report = {"runs": runs, "chromium": CHROMIUM, "target_mobile": TARGET, "pages": rows,
              "lighthouse": json.loads((LIGHTHOUSE_DIR / "node_modules" / "lighthouse" /
                                        "package.json").read_text())["version"]}
    (out / "lighthouse.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def print_report(report: dict) -> bool:
    forms = [f for f in ("mobile", "desktop") if f in report["pages"][0]]
    print(f"\nLighthouse {report['lighthouse']} (median of {report['runs']} run(s); "
          "performance / accessibility / best practices / SEO)")
    print(f"| page | {' | '.join(forms)} | LCP (mobile) |")
    print(f"|---|{'---|' * len(forms)}---|")
    ok = True
    for row in report["pages"]:
        cells = [" / ".join(str(row[f]["scores"][c]) for c in CATEGORIES) for f in forms]
        lcp = row["mobile"]["metrics"].get("largest-contentful-paint", 0)
        print(f"| {row['label']} | {' | '.join(cells)} | {lcp / 1000:.1f} s |")
        if row["label"].startswith("Crossings"):
            ok &= all(row["mobile"]["scores"][c] >= t for c, t in report["target_mobile"].items())
    for row in report["pages"]:
        if row["label"].startswith("Crossings") and row["mobile"]["failed"]:
            print(f"{row['label']}: audits below 0.9 on a phone: {', '.join(row['mobile']['failed'])}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="_build/html", help="the built site (nox -s build)")
    parser.add_argument("--out", default="_build/bench", help="where reports go")
    parser.add_argument("--root", default=".", help="repository folder")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median)")
    parser.add_argument("--desktop", action="store_true", help="also the desktop preset")
    args = parser.parse_args(argv)
    root = Project.find(Path(args.root)).root
    site = Path(args.site)
    if not (site / "book" / "index.html").is_file():
        print(f"bench lighthouse: no built site in {site}: run `nox -s build` first",
              file=sys.stderr)
        return 2
    report = run(site, Path(args.out), root, args.runs, args.desktop)
    ok = print_report(report)
    print(f"bench lighthouse: phone target (performance >= 95, the rest 100) "
          f"{'met' if ok else 'MISSED'}; details in {Path(args.out) / 'lighthouse.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
