"""Originality check: no run of N consecutive words shared with a source document.

Words are lower-cased runs of letters and digits, so punctuation, line breaks
and hyphenation in the PDF extraction of a source do not hide a copied passage.
Phrases listed in the allowlist file (official titles that must be cited
verbatim) are removed from the sources before comparing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from crossings.content.problems import Problem
from crossings.content.yamlsource import load_yaml_file

RUN_LENGTH = 12
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words_with_lines(text: str) -> list[tuple[str, int]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        out.extend((w.lower(), number) for w in WORD.findall(line))
    return out


@dataclass
class SourceIndex:
    """Every run of ``length`` words in the source files, with where it occurs."""

    length: int
    runs: dict[tuple[str, ...], tuple[Path, int]]

    @classmethod
    def build(cls, files: list[Path], allowed: list[str] = (), length: int = RUN_LENGTH):
        allowed_runs = set()
        for phrase in allowed:
            words = [w.lower() for w in WORD.findall(phrase)]
            allowed_runs.update(tuple(words[i:i + length]) for i in range(len(words) - length + 1))
        runs: dict[tuple[str, ...], tuple[Path, int]] = {}
        for path in files:
            words = words_with_lines(path.read_text(encoding="utf-8", errors="replace"))
            for i in range(len(words) - length + 1):
                run = tuple(w for w, _ in words[i:i + length])
                if run not in allowed_runs:
                    runs.setdefault(run, (path, words[i][1]))
        return cls(length, runs)

    def check(self, path: Path, text: str | None = None) -> list[Problem]:
        """One problem per maximal copied passage in ``path`` (or in ``text``, reported at
        the lines of ``path``: e.g. the translations of a catalog)."""
        words = words_with_lines(path.read_text(encoding="utf-8") if text is None else text)
        problems = []
        i, n = 0, self.length
        while i <= len(words) - n:
            hit = self.runs.get(tuple(w for w, _ in words[i:i + n]))
            if hit is None:
                i += 1
                continue
            end = i + n
            while end < len(words) and tuple(w for w, _ in words[end - n + 1:end + 1]) in self.runs:
                end += 1
            passage = " ".join(w for w, _ in words[i:end])
            source, source_line = hit
            problems.append(Problem(
                path, words[i][1],
                f"{end - i} consecutive words are the same as {source.name}:{source_line} "
                f"(\"{_shorten(passage)}\"): rewrite this passage in your own words"))
            i = end
        return problems


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def source_files(seeds: Path) -> list[Path]:
    """The source documents: every text file in the seeds folder except its README."""
    return sorted(p for p in seeds.glob("*.txt") if p.is_file())


def load_allowlist(path: Path) -> list[str]:
    if not path.is_file():
        return []
    data = load_yaml_file(path).data or []
    return [str(item["text"]) for item in data if isinstance(item, dict) and item.get("text")]
