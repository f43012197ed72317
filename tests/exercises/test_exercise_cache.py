"""The exercise build redoes only what changed (content-hash cache beside the outputs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crossings.content.project import Project
from crossings.exercises.build import CACHE_FILE, build_exercises

pytestmark = pytest.mark.slow
SECOND = """---
title: Second demo exercise
id: demo-ex2
module: demo
minutes: 5
---

One question.

```{exercise-item}
id: second
type: choice
points: 1
outcomes: [demo-lo1]
check: formative
prompt: Which move is a transition?
options:
  A: Moving from preschool to school
  B: Having lunch
answer: A
```
"""
BOTH_NEW = "exercises: building 2 of 2: demo-ex1 (not built before), demo-ex2 (not built before)"


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for kind in ("source", "release") for p in (out / kind).rglob("*.ipynb")}


def build(root: Path, **options) -> list[str]:
    log: list[str] = []
    result = build_exercises(Project(root), root / "_build" / "exercises", log=log.append,
                             **options)
    assert result.problems == []
    return log


def test_only_changed_inputs_rebuild_and_a_broken_cache_is_not_trusted(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "minibook", root)
    (root / "exercises/demo/demo-ex2.md").write_text(SECOND)
    out = root / "_build" / "exercises"

    assert BOTH_NEW in build(root)
    first = mtimes(out)
    assert len(first) == 4

    # nothing changed: nothing is run, nothing is rewritten
    assert build(root) == ["exercises: all 2 up to date (unchanged inputs; --all rebuilds)"]
    assert mtimes(out) == first

    # one source changed: exactly its two notebooks are rewritten
    source = root / "exercises/demo/demo-ex2.md"
    source.write_text(source.read_text().replace("One question.", "One short question."))
    assert "exercises: building 1 of 2: demo-ex2 (inputs changed)" in build(root)
    now = mtimes(out)
    assert {name for name in now if now[name] != first[name]} == {
        "source/demo-ex2/demo-ex2.ipynb", "release/demo-ex2/demo-ex2.ipynb"}
    assert "One short question." in (out / "release/demo-ex2/demo-ex2.ipynb").read_text()

    # an output edited or deleted behind the cache's back is rebuilt
    (out / "release/demo-ex1/demo-ex1.ipynb").write_text("{}")
    assert "exercises: building 1 of 2: demo-ex1 (output release/demo-ex1/demo-ex1.ipynb was " \
           "changed)" in build(root)
    assert json.loads((out / "release/demo-ex1/demo-ex1.ipynb").read_text())["cells"]

    # a corrupted cache file is reported and everything is rebuilt
    (out / CACHE_FILE).write_text('{"format": 1, "groups": [')
    log = build(root)
    assert log[0].startswith(f"exercises: cache {CACHE_FILE} is unreadable (")
    assert BOTH_NEW in log
    assert build(root)[-1].startswith("exercises: all 2 up to date")

    # --all rebuilds everything even when nothing changed
    assert BOTH_NEW in build(root, fresh=True)

    # a deleted exercise takes its outputs with it
    source.unlink()
    assert build(root) == ["exercises: all 1 up to date (unchanged inputs; --all rebuilds)"]
    assert sorted(mtimes(out)) == ["release/demo-ex1/demo-ex1.ipynb", "source/demo-ex1/demo-ex1.ipynb"]
