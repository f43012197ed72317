"""Build the exercises: sources -> nbgrader source notebooks -> learner notebooks.

``build_exercises`` (run by ``nox -s build`` through ``crossings exercises``)

1. parses every ``exercises/<module>/<id>.md`` and reports authoring mistakes
   as ``file:line`` problems (duplicate ids, missing points, unknown outcome ids ...);
2. writes nbgrader source notebooks into a scratch course under
   ``_build/exercises/course`` and runs nbgrader's own ``generate_assignment``;
3. submits every model answer to the real autograder and fails unless it scores
   full marks on every autograded item;
4. writes ``_build/exercises/source/``, ``release/`` and ``exercises.json``;
5. writes the learner notebooks of every other language into ``<code>/release/``
   (``crossings.exercises.translate``).

Steps 2-4 are redone only for the exercises whose inputs changed: a content-hash cache
(``crossings.content.buildcache``) beside the outputs records, per exercise, a hash of
its source, the shared data (vocabulary, module outcomes, self-assessment), the code
and the tool versions, and a hash of each notebook written. ``fresh=True``
(``crossings exercises --all``) rebuilds everything.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.buildcache import BuildCache, code_files, inputs_key, tool_versions
from crossings.content.modules import load_modules
from crossings.content.problems import Problem
from crossings.content.project import Project
from crossings.content.vocabulary import load_vocabulary
from crossings.exercises.catalogue import load_exercises
from crossings.exercises.source import Exercise
from crossings.exercises.translate import translate_release
from crossings.selfassessment.framework import site_url

MODEL_LEARNER = "model-answer"
CACHE_FILE = ".exercises-cache.json"
TOOLS = ("nbgrader", "nbformat", "nbconvert", "nbclient", "ipykernel", "jupyter_client")


@dataclass
class ExerciseBuild:
    exercises: list[Exercise] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    out: Path | None = None


def tools_on_path() -> None:
    """nbgrader runs helper programs (alembic) by name: find them beside this Python."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_config(course: Path, db_url: str | None = None):
    """The nbgrader configuration every Crossings course uses."""
    from traitlets.config import Config

    from crossings.exercises.notebook import TEXT_STUB

    tools_on_path()

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    # Solution regions disappear without a trace: the learner keeps only the
    # stub line written above the region (e.g. `answer = ""`).
    config.ClearSolutions.code_stub = {"python": ""}
    config.ClearSolutions.text_stub = TEXT_STUB
    config.Execute.timeout = 60
    return config


def ipc_kernels(config) -> Path:
    """Talk to the model-answer kernels over local IPC sockets, not TCP on localhost
    (the kernel warns about unencrypted TCP; a socket file in a private folder is
    neither reachable from the network nor readable by other users)."""
    folder = Path(tempfile.mkdtemp(prefix="crossings-kernels-"))
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(folder / "kernel")
    return folder


def load_all(project: Project) -> ExerciseBuild:
    exercises, problems = load_exercises(project)
    return ExerciseBuild(exercises, problems)


def outcome_texts(project: Project) -> dict[str, str]:
    modules = load_modules(project, load_vocabulary(project.vocabulary))
    return {o.id: o.text for m in modules for o in m.outcomes}


def shared_inputs(project: Project) -> str:
    """Hash of what every exercise notebook depends on besides its own source."""
    package = Path(__file__).parents[1]
    files = [project.vocabulary, project.root / "book" / "self-assessment.yml"]
    files += [folder / "index.md" for folder in project.module_dirs()]
    files += code_files(package / "exercises", package / "content", package / "selfassessment")
    return inputs_key(files, project.root, [sys.version.split()[0], *tool_versions(*TOOLS)])


def build_exercises(project: Project, out: Path | None = None, check_models: bool = True,
                    log=print, fresh: bool = False) -> ExerciseBuild:
    result = load_all(project)
    out = out or project.root / "_build" / "exercises"
    result.out = out
    if result.problems or not result.exercises:
        return result
    cache = BuildCache(out, CACHE_FILE)
    if cache.problem:
        log(f"exercises: {cache.problem}")
    if fresh:
        cache.clear()
    shared = shared_inputs(project) + ("" if check_models else "-unchecked")
    keys = {e.id: inputs_key([e.path], project.root, [shared]) for e in result.exercises}
    why = {e.id: cache.why_stale(e.id, keys[e.id]) for e in result.exercises}
    stale = [e for e in result.exercises if why[e.id]]
    cache.keep_only(keys)
    _remove_gone(out, set(keys))
    if not stale:
        log(f"exercises: all {len(keys)} up to date (unchanged inputs; --all rebuilds)")
        write_manifest(project, out, result.exercises, log)
        cache.save()
        return result
    log(f"exercises: building {len(stale)} of {len(keys)}: "
        + ", ".join(f"{e.id} ({why[e.id]})" for e in stale))
    import nbformat  # slow imports (seconds): only when something is to be built
    from nbgrader.apps import NbGraderAPI

    from crossings.exercises.notebook import source_notebook

    course = out / "course"
    if course.exists():
        shutil.rmtree(course)  # a scratch course: only the stale exercises go in
    course.mkdir(parents=True)
    texts = outcome_texts(project)
    for exercise in stale:
        folder = course / "source" / exercise.id
        folder.mkdir(parents=True)
        nbformat.write(source_notebook(exercise, texts, project.root, site_url(project)),
                       folder / f"{exercise.id}.ipynb")

    config = nbgrader_config(course)
    sockets = ipc_kernels(config)
    try:
        return _generate_and_check(project, out, result, cache, keys, stale,
                                   NbGraderAPI(config=config), check_models, log)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def _generate_and_check(project, out, result, cache, keys, stale, api, check_models,
                        log) -> ExerciseBuild:
    course = Path(api.coursedir.root)
    for exercise in stale:
        log(f"exercises: {exercise.id}: generating the learner notebook")
        outcome = api.generate_assignment(exercise.id)
        if not outcome["success"]:
            result.problems.append(Problem(exercise.path, 1, "nbgrader generate_assignment failed: "
                                           + _last_line(outcome.get("error") or outcome.get("log"))))
    if result.problems:
        return result
    if check_models:
        result.problems += check_model_answers(api, course, stale, log)
    if result.problems:
        return result

    for exercise in stale:
        written = []
        for kind in ("source", "release"):
            target = out / kind / exercise.id
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(course / kind / exercise.id, target)
            written += [p for p in target.rglob("*") if p.is_file()]
        cache.record(exercise.id, keys[exercise.id], written)
    write_manifest(project, out, result.exercises, log)
    cache.save()
    return result


def _remove_gone(out: Path, ids: set[str]) -> None:
    """Outputs of exercises whose source was deleted or renamed."""
    for kind in ("source", "release"):
        folder = out / kind
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and child.name not in ids:
                    shutil.rmtree(child)


def write_manifest(project: Project, out: Path, exercises: list[Exercise], log=print) -> None:
    manifest = [{"id": e.id, "module": e.module, "title": e.title, "minutes": e.minutes,
                 "points": e.points, "autograded_points": e.autograded_points,
                 "outcomes": e.outcomes, "source": str(e.path.relative_to(project.root))}
                for e in exercises]
    text = json.dumps(manifest, indent=2) + "\n"
    target = out / "exercises.json"
    if not target.is_file() or target.read_text() != text:  # keep its mtime when unchanged
        target.write_text(text)
    # the learner notebooks of the other languages: <out>/<code>/release/ (same cells and ids)
    for code, (done, total) in translate_release(project, out).items():
        log(f"exercises: {code}: {done} of {total} notebook strings translated")


def check_model_answers(api, course: Path, exercises: list[Exercise], log) -> list[Problem]:
    """Grade each source notebook (it holds the model answers) with the real autograder."""
    from nbgrader.api import Gradebook

    problems = []
    with Gradebook(api.coursedir.db_url) as gb:
        gb.update_or_create_student(MODEL_LEARNER)
    for exercise in exercises:
        submitted = course / "submitted" / MODEL_LEARNER / exercise.id
        submitted.mkdir(parents=True, exist_ok=True)
        shutil.copy(course / "source" / exercise.id / f"{exercise.id}.ipynb", submitted)
        outcome = api.autograde(exercise.id, MODEL_LEARNER)
        if not outcome["success"]:
            problems.append(Problem(exercise.path, 1, "the model answers could not be autograded: "
                                    + _last_line(outcome.get("error") or outcome.get("log"))))
            continue
        with Gradebook(api.coursedir.db_url) as gb:
            notebook = gb.find_submission_notebook(exercise.id, exercise.id, MODEL_LEARNER)
            scores = {g.name: (g.score, g.max_score) for g in notebook.grades
                      if g.auto_score is not None or g.cell.cell_type == "code"}
        for item in exercise.items:
            for name, (score, max_score) in scores.items():
                if name.startswith(f"{item.id}-") and name.endswith("-check") \
                        and (score is None or score < max_score):
                    problems.append(Problem(exercise.path, item.line,
                                            f"the model answer of '{item.id}' scores {score} of "
                                            f"{max_score:g} in check '{name}'"))
        log(f"exercises: {exercise.id}: model answers score full marks "
            f"({exercise.autograded_points:g} autograded points)")
    return problems


def _last_line(text: str | None) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "no details"
