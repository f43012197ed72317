"""Live preview for authors (``nox -s serve``): a saved page is in the browser in seconds.

    python -m crossings.sphinxext.preview [--root .] [--port 8000]

One Sphinx application, configured exactly as ``jupyter-book build`` configures it,
stays in memory. Every save under ``book/``, ``modules/``, ``exercises/`` or
``facilitator/`` triggers an incremental build of that same application: Sphinx re-reads
only the changed pages (and the pages that truly depend on them) and writes them into
``_build/preview/html``. No interpreter start, no extension set-up, no environment
unpickling per save.

The preview keeps its own output and environment (``_build/preview``): a page the preview
read with a warning must still fail the strict ``nox -s build``, which would not re-read
it if they shared one environment. On start, when ``nox -s build`` has built the site
more recently than the preview, its HTML, environment and packs are copied in, so a tree
built once starts at once.

A change to ``_config.yml`` or ``_toc.yml`` makes a new application (the configuration
and the table of contents are read when an application starts). Served HTML pages carry
a small script that reloads the browser tab after each build. After every build the
content validator (no originality check) prints its ``file:line`` messages.

The process starts no other process (pandoc and Typst run only when a pack changed, and
end with the build). Ctrl-C (SIGINT) or SIGTERM stops the server and the watcher.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

WATCHED_DIRS = ("book", "modules", "exercises", "facilitator")
RESTART_FILES = ("_config.yml", "_toc.yml")
BUILD_URL = "/_preview/build"
RELOAD_SCRIPT = f"""<script>(function(){{var seen=null;function poll(){{
fetch("{BUILD_URL}",{{cache:"no-store"}}).then(function(r){{return r.text()}}).then(function(n){{
if(seen!==null&&n!==seen){{location.reload()}}seen=n}}).catch(function(){{}})
.finally(function(){{setTimeout(poll,400)}})}}poll()}})();</script>"""


class State:
    builds = 0
    read = 0  # pages read by the last build


def _count_read(app, env, docnames) -> None:
    State.read = len(docnames)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every watched file."""
    files = {}
    for name in RESTART_FILES:
        path = root / name
        if path.is_file():
            stat = path.stat()
            files[name] = (stat.st_mtime_ns, stat.st_size)
    for folder in WATCHED_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and not any(part.startswith(".") for part in path.parts[-2:]):
                stat = path.stat()
                files[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return files


def changed_files(old: dict, new: dict) -> list[str]:
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.split("?")[0] == BUILD_URL:
            return self._send(str(State.builds).encode(), "text/plain")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_text(encoding="utf-8")
            html = html.replace("</body>", RELOAD_SCRIPT + "</body>", 1)
            return self._send(html.encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser left (a reload, a closed tab) while a build held the server

    def log_message(self, format, *args):  # noqa: A002 - quiet: one line per build instead
        pass


def _stop(signum, frame):
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM stop the preview. Set again after every new application:
    loading the extensions replaces the SIGINT handler."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def seed_from_build(root: Path, preview: Path, log) -> None:
    """Start from the strict build's output when it is newer than the preview's own."""
    build = root / "_build"
    env, mine = build / ".doctrees" / "environment.pickle", preview / ".doctrees" / "environment.pickle"
    if not env.is_file() or (mine.is_file() and mine.stat().st_mtime >= env.stat().st_mtime):
        return
    started = time.perf_counter()
    for name in (".doctrees", "html", "packs"):
        target = preview / name
        if target.exists():
            shutil.rmtree(target)
        if (build / name).is_dir():
            shutil.copytree(build / name, target, symlinks=True)
    log(f"preview: started from the last `nox -s build` ({time.perf_counter() - started:.1f} s)")


def make_app(root: Path, out: Path, status, warning):
    """A Sphinx application set up as ``jupyter-book build <root> --builder html`` sets it up."""
    # jsonschema (imported by Jupyter Book) compiles the grammars of the optional
    # rfc3987-syntax checks at import, 2.4 s, for a format Jupyter Book's schema never checks
    sys.modules.setdefault("rfc3987_syntax", None)
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx

    # the same overrides as `jupyter-book build --builder html -n` (nox -s build): any
    # difference in configuration would make Sphinx re-read every page
    cli = {"external_toc_path": (root / "_toc.yml").as_posix(), "latex_individualpages": False,
           "nitpicky": True}
    config, _ = get_final_config(user_yaml=root / "_config.yml", cli_config=cli, sourcedir=root,
                                 use_external_toc=True)
    app = Sphinx(srcdir=str(root), confdir=None, outdir=str(out),
                 doctreedir=str(out.parent / ".doctrees"), buildername="html",
                 confoverrides=config, status=status, warning=warning, freshenv=False,
                 warningiserror=False, keep_going=True)
    app.connect("env-before-read-docs", _count_read)
    stop_on_signals()
    return app


def build(app, log) -> bool:
    started = time.perf_counter()
    State.read = 0
    try:
        app.build(False, [])
    except Exception as exc:  # a broken page must not stop the preview
        log(f"preview: the build failed: {type(exc).__name__}: {exc}")
        return False
    State.builds += 1
    log(f"preview: built in {time.perf_counter() - started:.2f} s ({State.read} page(s) read)")
    return True


def validate_quietly(root: Path, log) -> None:
    from crossings.content.project import Project
    from crossings.validate import validate

    try:
        report = validate(Project(root), check_originality=False)
    except Exception as exc:  # the validator itself must not stop the preview
        log(f"preview: validator error: {exc}")
        return
    for problem in report.problems:
        log(problem.format(root))


def serve_forever(root: Path, out: Path, host: str, port: int, poll: float, log) -> None:
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    seed_from_build(root, out.parent, log)
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(Handler, directory=str(out))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    try:
        with patch_docutils(None), docutils_namespace():
            app = make_app(root, out, status=None, warning=sys.stderr)
            seen = snapshot(root)
            build(app, log)
            thread.start()
            log(f"preview: serving {out} on http://{host}:{port}/ (Ctrl-C stops it)")
            validate_quietly(root, log)
            while True:
                time.sleep(poll)
                now = snapshot(root)
                changes = changed_files(seen, now)
                if not changes:
                    continue
                seen = now
                log(f"preview: changed: {', '.join(changes[:5])}"
                    + (f" and {len(changes) - 5} more" if len(changes) > 5 else ""))
                if any(name in RESTART_FILES for name in changes):
                    log("preview: configuration or table of contents changed: new application")
                    app = make_app(root, out, status=None, warning=sys.stderr)
                build(app, log)
                validate_quietly(root, log)
    finally:
        server.shutdown() if thread.is_alive() else None
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="repository folder (default: current)")
    parser.add_argument("--out", help="HTML folder (default: <root>/_build/preview/html)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between file checks")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    out = Path(args.out).resolve() if args.out else root / "_build" / "preview" / "html"

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    stop_on_signals()
    try:
        serve_forever(root, out, args.host, args.port, args.poll, log)
    except KeyboardInterrupt:
        log("preview: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
