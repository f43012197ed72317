"""A problem found in the content, reported as ``file:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str
    column: int = 0  # 1-based, when known (YAML syntax errors): file:line:col

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        where = f"{self.line}:{self.column}" if self.column else f"{self.line}"
        return f"{path}:{where}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be read at all (carries the problems found)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
