"""A real browser on the built site: Debian's Chromium driven by Playwright.

Shared by the browser tests (tests/site/test_site_browser.py) and the weight benchmark
(crossings/bench_weight.py). Nothing here downloads a browser: Playwright
drives the Chromium that the nox sessions install with apt-get.

- ``serve(folder)``: a static HTTP server on 127.0.0.1 (random port), in a thread;
  ``serve(folder, precompressed=True)`` also sends the ``.br``/``.gz`` files beside the
  originals to browsers that accept them.
- ``chromium(playwright, ...)``: a fresh, offline-friendly Chromium context.
- ``block_other_hosts(context, log)``: every request is logged; any request to a
  host other than localhost is aborted before it leaves the machine.
- ``run_axe(page)``: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, from the npm
  registry at the version pinned in ``tools/axe/package-lock.json`` (``nox -s tests``
  installs it with ``npm ci``; ``nox -s lock`` moves the pin to the newest release).
- ``site_pages(html)``: every page of a built site.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home on start, which a
# closed network refuses (and which would pollute the request log).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


class BrowserMissing(RuntimeError):
    pass


def require_chromium() -> str:
    if not Path(CHROMIUM).exists():
        raise BrowserMissing(
            f"{CHROMIUM} not found: install Debian's chromium (the nox 'tests' and 'bench' "
            "sessions do this with apt-get when they run as root)")
    return CHROMIUM


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


class _PrecompressedHandler(_QuietHandler):
    """Like a static host configured for precompressed files (nginx ``gzip_static``):
    when ``<file>.br`` or ``<file>.gz`` lies beside the file and the browser accepts that
    encoding, send it with ``Content-Encoding``; otherwise the file as it is."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        accepted = self.headers.get("Accept-Encoding", "")
        if path.is_file():
            for suffix, encoding in ((".br", "br"), (".gz", "gzip")):
                packed = path.with_name(path.name + suffix)
                if encoding in accepted and packed.is_file():
                    body = packed.open("rb")
                    self.send_response(200)
                    self.send_header("Content-Type", self.guess_type(str(path)))
                    self.send_header("Content-Encoding", encoding)
                    self.send_header("Content-Length", str(packed.stat().st_size))
                    self.send_header("Vary", "Accept-Encoding")
                    self.end_headers()
                    return body
        return super().send_head()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a browser that moves on to the next page drops connections: not an error
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path, precompressed: bool = False) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1; yields the base URL ending in '/'.

    With ``precompressed``, ``.br``/``.gz`` files beside the originals are sent to
    browsers that accept them (as a host configured for them would)."""
    handler = functools.partial(_PrecompressedHandler if precompressed else _QuietHandler,
                                directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def chromium(playwright, **context_options) -> Iterator:
    """A Chromium browser context with a fresh user-data dir, closed and removed after."""
    require_chromium()
    profile = tempfile.mkdtemp(prefix="crossings-chromium-")
    context_options.setdefault("viewport", DESKTOP)
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        service_workers="block", **context_options)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


@dataclass
class Request:
    page: str
    url: str
    resource_type: str
    local: bool


@dataclass
class RequestLog:
    """Every request the browser made, by the page that was loading."""

    requests: list[Request] = field(default_factory=list)
    current_page: str = ""
    tool_running: bool = False  # axe reads the stylesheets again with XMLHttpRequest

    def add(self, request) -> None:
        local = is_local(request.url)
        if self.tool_running and local and request.resource_type == "xhr":
            return  # the test tool's own request, not the page's
        self.requests.append(Request(self.current_page, request.url, request.resource_type, local))

    @property
    def external(self) -> list[Request]:
        return [r for r in self.requests if not r.local]

    def summary(self) -> dict:
        by_type: dict[str, int] = {}
        for r in self.requests:
            by_type[r.resource_type] = by_type.get(r.resource_type, 0) + 1
        hosts = sorted({urlparse(r.url).hostname or urlparse(r.url).scheme for r in self.requests})
        return {
            "pages": len({r.page for r in self.requests}),
            "requests": len(self.requests),
            "by_type": dict(sorted(by_type.items())),
            "hosts": hosts,
            "external": [f"{r.page}: {r.url}" for r in self.external],
        }


def block_other_hosts(context, log: RequestLog | None = None) -> None:
    """Log every request of ``context``; abort the ones to other hosts (never sent)."""
    if log is not None:
        context.on("request", log.add)

    def route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", route)


AXE_DIR = Path(__file__).resolve().parents[2] / "tools" / "axe"


class AxeMissing(RuntimeError):
    pass


def axe_pinned_version() -> str:
    """The axe-core version pinned in tools/axe/package-lock.json."""
    lock = json.loads((AXE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


def axe_script() -> str:
    """axe-core as installed by ``npm ci`` in tools/axe (exactly the pinned version)."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        raise AxeMissing(f"{script} is missing: run `npm ci --prefix {AXE_DIR}` "
                         "(the nox 'tests' session does this)")
    installed = json.loads((script.parent / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != axe_pinned_version():
        raise AxeMissing(f"axe-core {installed} is installed but {axe_pinned_version()} is pinned: "
                         f"run `npm ci --prefix {AXE_DIR}`")
    return script.read_text(encoding="utf-8")


def axe_version(page) -> str:
    return page.evaluate("() => window.axe ? axe.version : ''")


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A+AA violations on the loaded page (no rule disabled)."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(axe_script())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def site_pages(html: Path) -> list[str]:
    """Every HTML page of a built site, as paths relative to ``html`` (assets excluded)."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html).as_posix()
        if rel.startswith(("_static/", "_sources/", "_images/")):
            continue
        pages.append(rel)
    return pages


def is_redirect(html: Path, page: str) -> bool:
    """Jupyter Book's root index.html only redirects to the landing page."""
    text = (html / page).read_text(encoding="utf-8", errors="replace")[:2000].lower()
    return 'http-equiv="refresh"' in text
