"""A content-hash cache stored beside build outputs: redo only what changed.

The exercise notebooks and the facilitator packs are slow to make (real nbgrader and
Typst runs). Each output group (one exercise, one pack) has a *key*: a SHA-256 of every
input that shapes it (its source files, the shared data files, the code that renders it
and the versions of the tools). The cache file records, per group, that key and a
SHA-256 of every file the group wrote. A group is reused only when

- its key is unchanged, and
- every output file it recorded is still there with the same content.

Anything else (a changed input, a missing or edited output, an unreadable or
foreign cache file) rebuilds the group: the cache is checked, never trusted blindly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

CACHE_FORMAT = 1


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_key(files: Iterable[Path], root: Path | None = None, extra: Iterable[str] = ()) -> str:
    """SHA-256 over the names and bytes of ``files`` (missing files count as missing)
    and the ``extra`` strings (tool versions, options)."""
    digest = hashlib.sha256(f"crossings-cache-{CACHE_FORMAT}".encode())
    for text in extra:
        digest.update(b"\0extra\0" + text.encode())
    for file in sorted(set(files)):
        name = file.relative_to(root).as_posix() if root and file.is_relative_to(root) else file.name
        digest.update(b"\0file\0" + name.encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"\0missing\0")
    return digest.hexdigest()


def tool_versions(*distributions: str) -> list[str]:
    """``name==version`` of each installed distribution (``name==none`` if absent)."""
    versions = []
    for name in distributions:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}==none")
    return versions


def code_files(*folders: Path) -> list[Path]:
    """The Python files of the code that renders an output (a change there rebuilds)."""
    return [p for folder in folders for p in sorted(folder.glob("*.py"))]


class BuildCache:
    """``<out>/<name>``: per group, the inputs key and the digest of each output file."""

    def __init__(self, out: Path, name: str = ".crossings-cache.json"):
        self.out = out
        self.file = out / name
        self.problem = ""  # why a cache file present on disk was not used
        self.groups: dict[str, dict] = {}
        if not self.file.exists():
            return
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or not isinstance(data.get("groups"), dict):
                raise ValueError("unknown format")
            for group, entry in data["groups"].items():
                if not isinstance(entry.get("key"), str) or not isinstance(entry.get("files"), dict):
                    raise ValueError(f"bad entry {group!r}")
            self.groups = data["groups"]
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            self.problem = f"cache {self.file.name} is unreadable ({exc}): rebuilding everything"
            self.groups = {}

    def fresh(self, group: str, key: str) -> bool:
        """True when ``group`` was built from ``key`` and its outputs are intact."""
        return not self.why_stale(group, key)

    def why_stale(self, group: str, key: str) -> str:
        """Why ``group`` must be rebuilt ("" when it need not be)."""
        entry = self.groups.get(group)
        if entry is None:
            return "not built before"
        if entry["key"] != key:
            return "inputs changed"
        for name, digest in entry["files"].items():
            path = self.out / name
            if not path.is_file():
                return f"output {name} is missing"
            if file_digest(path) != digest:
                return f"output {name} was changed"
        return ""

    def record(self, group: str, key: str, files: Iterable[Path]) -> None:
        self.groups[group] = {
            "key": key,
            "files": {f.relative_to(self.out).as_posix(): file_digest(f) for f in sorted(files)},
        }

    def keep_only(self, groups: Iterable[str]) -> None:
        wanted = set(groups)
        self.groups = {g: e for g, e in self.groups.items() if g in wanted}

    def save(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"format": CACHE_FORMAT, "groups": self.groups}, indent=1,
                                  sort_keys=True), encoding="utf-8")
        tmp.replace(self.file)

    def clear(self) -> None:
        self.groups = {}
        if self.file.exists():
            self.file.unlink()
