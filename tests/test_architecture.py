"""The package's architecture, enforced: layers, no import cycles, small modules, and
each install extra's commands starting in a fresh virtual environment."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "crossings"
MAX_LINES = 520  # "no module over ~500 lines without a good reason"


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(pythonpath)})


def test_import_contract_is_kept():
    proc = lint_imports(REPO, REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_a_broken_layer_fails_and_names_the_import(tmp_path):
    """The contract really bites: content importing grading is reported with the line."""
    shutil.copytree(PACKAGE, tmp_path / "crossings", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    toc = tmp_path / "crossings" / "content" / "toc.py"
    toc.write_text(toc.read_text() + "\nfrom crossings.grading import course  # noqa\n")
    proc = lint_imports(tmp_path, tmp_path)
    assert proc.returncode != 0
    assert "crossings.content.toc -> crossings.grading.course" in proc.stdout, proc.stdout


def test_no_import_cycles_between_modules():
    # imports under `if TYPE_CHECKING:` only name types and never run: not a cycle
    graph = grimp.build_graph("crossings", cache_dir=None, exclude_type_checking_imports=True)
    modules = sorted(graph.modules)
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m)
                 if i.startswith("crossings.") and not m.startswith(i + ".")}
             for m in modules}
    cycles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                cycles.append(path[path.index(target):] + [target] if target in path
                              else [module, target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in modules:
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_subpackage_says_what_it_owns_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = init.read_text().split('"""')[1] if '"""' in init.read_text() else ""
        assert doc.strip(), f"{init.relative_to(REPO)} has no module docstring"
        assert "import" in doc.lower(), f"{init.relative_to(REPO)}: say what it may import"


def test_modules_stay_small():
    big = [f"{p.relative_to(REPO)}: {n} lines" for p in sorted(PACKAGE.rglob("*.py"))
           if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not big, "split these modules: " + ", ".join(big)


# -- each audience's install, in a fresh virtual environment --------------------------

def fresh_venv(tmp_path: Path, extra: str) -> Path:
    """A new venv with only ``.[extra]`` installed from constraints.txt; its bin folder."""
    folder = tmp_path / (extra or "base")
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    bin_dir = folder / "bin"
    target = f"{REPO}[{extra}]" if extra else str(REPO)
    proc = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", "-c", str(REPO / "constraints.txt"),
                           target], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return bin_dir


def run(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "crossings"), *args], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})


@pytest.mark.slow
def test_base_install_runs_validate(tmp_path):
    bin_dir = fresh_venv(tmp_path, "")
    proc = run(bin_dir, "validate", "--no-originality")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "module(s)" in proc.stderr and ": ok" in proc.stderr
    # a command of another extra says which extra to install, not a traceback
    proc = run(bin_dir, "course", "new", str(tmp_path / "course"))
    assert proc.returncode == 2 and ".[grading]" in proc.stderr, proc.stderr
    assert not (tmp_path / "course").exists()
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_grading_install_runs_the_course_commands(tmp_path):
    bin_dir = fresh_venv(tmp_path, "grading")
    for args in (["course", "--help"], ["course", "new", "--help"], ["course", "check", "--help"],
                 ["cohort-report", "--help"], ["validate", "--no-originality"]):
        proc = run(bin_dir, *args)
        assert proc.returncode == 0, f"crossings {' '.join(args)}: {proc.stderr[-2000:]}"
    course = tmp_path / "course"
    proc = run(bin_dir, "course", "new", str(course))
    assert proc.returncode == 0, proc.stderr
    assert (course / "nbgrader_config.py").is_file()


@pytest.mark.slow
def test_build_install_runs_the_build_commands(tmp_path):
    bin_dir = fresh_venv(tmp_path, "build")
    for args in (["exercises", "--help"], ["packs", "--help"], ["validate", "--no-originality"]):
        proc = run(bin_dir, *args)
        assert proc.returncode == 0, f"crossings {' '.join(args)}: {proc.stderr[-2000:]}"
    proc = subprocess.run([str(bin_dir / "python"), "-c", "import crossings.sphinxext"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_noxfile_needs_nothing_but_nox():
    """The README installs only nox into .venv and runs the sessions from there: an import of
    PyYAML or of crossings in the noxfile (even inside a function) breaks `nox -s build` on a
    fresh machine after the English site, as it once did. Ask the session's tools instead."""
    tree = ast.parse((REPO / "noxfile.py").read_text(encoding="utf-8"))
    allowed = set(sys.stdlib_module_names) | {"nox", "__future__"}
    found = []
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                 else [])
        found += [f"noxfile.py:{node.lineno}: import {n}" for n in names
                  if n.split(".")[0] not in allowed]
    assert not found, "\n".join(found)
