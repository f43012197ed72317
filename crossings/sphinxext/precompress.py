"""Sphinx extension: write ``.gz`` and ``.br`` files beside the text files of the built site.

A host configured for precompressed files (nginx ``gzip_static``/``brotli_static``,
Apache with ``mod_rewrite``, many static hosts) sends them to browsers that accept
them, without compressing on every request; a plain host ignores them. Runs last in
``build-finished``, after ``trim`` and ``styles`` changed the pages. A compressed copy
is written only when it is smaller than the original; stale copies are removed.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SUFFIXES = (".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".ttf")
MIN_BYTES = 512
MAX_BYTES = 1_000_000  # larger files (source maps, fonts) are not worth the build time


def compress_file(path: Path) -> int:
    """Write path.gz and path.br (when smaller); return how many files were written."""
    import brotli

    data = path.read_bytes()
    written = 0
    for suffix, pack in ((".gz", lambda d: gzip.compress(d, 9, mtime=0)),
                         (".br", lambda d: brotli.compress(d, quality=11 if len(d) < 50_000 else 8))):
        target = path.with_name(path.name + suffix)
        packed = pack(data) if MIN_BYTES <= len(data) <= MAX_BYTES else None
        if packed is not None and len(packed) < len(data):
            target.write_bytes(packed)
            written += 1
        else:
            target.unlink(missing_ok=True)
    return written


def is_fresh(path: Path) -> bool:
    """True when the compressed copies of ``path`` are newer than it: an incremental build
    rewrites only the pages it changed, so only those are compressed again (compressing the
    whole site, both languages, took most of a one-page rebuild)."""
    copies = [c for c in (path.with_name(path.name + ".gz"), path.with_name(path.name + ".br"))
              if c.is_file()]
    source = path.stat().st_mtime_ns
    return bool(copies) and all(c.stat().st_mtime_ns >= source for c in copies)


def precompress(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    files = [p for p in outdir.rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    stale = [p for p in files if not is_fresh(p)]
    written = sum(compress_file(p) for p in stale)
    logger.info(f"crossings precompress: {written} .gz/.br file(s) written "
                f"({len(files) - len(stale)} file(s) unchanged)")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", precompress, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
