"""Where things live in a Crossings repository (one place for every path)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIRS = ("book", "modules", "exercises", "facilitator")


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The repository containing ``start`` (the folder holding _toc.yml)."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "_toc.yml").is_file():
                return cls(candidate)
        raise FileNotFoundError(f"no _toc.yml found in {here} or its parents")

    @property
    def toc(self) -> Path:
        return self.root / "_toc.yml"

    @property
    def vocabulary(self) -> Path:
        return self.root / "book" / "vocabulary.yml"

    @property
    def glossary(self) -> Path:
        return self.root / "book" / "glossary.yml"

    @property
    def bibliography(self) -> Path:
        return self.root / "book" / "references.bib"

    @property
    def originality_allowlist(self) -> Path:
        return self.root / "book" / "originality-allowlist.yml"

    @property
    def modules_dir(self) -> Path:
        return self.root / "modules"

    @property
    def seeds(self) -> Path:
        """Source documents: $CROSSINGS_SEEDS, else ../shared/seeds beside the repo."""
        env = os.environ.get("CROSSINGS_SEEDS")
        return Path(env) if env else self.root.parent / "shared" / "seeds"

    def module_dirs(self) -> list[Path]:
        """Real modules: folders of modules/ whose name does not start with '_' or '.'."""
        if not self.modules_dir.is_dir():
            return []
        return sorted(
            p for p in self.modules_dir.iterdir() if p.is_dir() and p.name[0] not in "_."
        )

    def content_pages(self) -> list[Path]:
        """Every Markdown page the book may contain (templates and READMEs excluded)."""
        pages = []
        for folder in CONTENT_DIRS:
            base = self.root / folder
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*.md")):
                rel = path.relative_to(base)
                if any(part.startswith(("_", ".")) for part in rel.parts):
                    continue
                if path.name.lower() == "readme.md":
                    continue
                pages.append(path)
        return pages

    def docname(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).with_suffix("").as_posix()
