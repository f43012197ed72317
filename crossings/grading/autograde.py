"""Autograde a cohort: robust, isolated, parallel, and never silent.

For every learner of the course and every selected exercise the grader ends with
exactly one status (stored next to nbgrader's tables and shown in the summary):

``graded``          graded; ``reasons`` may still flag something to look at
``missing``         no notebook was collected
``unreadable``      empty, not JSON, or not a valid notebook
``wrong-notebook``  the notebook of another exercise, or not an exercise at all
``no-metadata``     nbgrader's cell metadata is gone and cannot be restored
``timeout``         ran longer than ``--timeout`` (cells after that score 0)
``dead-kernel``     the notebook stopped Python (cells after that score 0)
``output-lost``     output over the limit was dropped (cells after that score 0)
``sandbox-error``   the sandbox could not run it (nothing written; try again)
``error``           an unexpected problem in the grader (nothing written)

The trusted parent process reads and checks each submission, rebuilds the
notebook to run from the course's own source notebook (locked cells and hidden
tests come from the source, only answer cells from the learner), runs it in a
fresh sandboxed kernel (``sandbox.py``), and writes grades through nbgrader's
Gradebook API. Only the parent touches the course directory and the database,
so ``--jobs N`` needs no database locking. Tampered or deleted locked cells are
detected by comparing with the released notebook (nbgrader's checksum warning
alone fires for every test cell that holds hidden tests) and are restored before
running, so tampering never earns points; the facilitator is told. Answer cells are
read as data (``submission.py``): what runs is the course's code and learners' literals.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, field

from crossings.exercises.answers import NotAnAnswer, parse_answer
from crossings.grading.course import MAX_NOTEBOOK_BYTES, Course, CourseError, read_capped, table
from crossings.grading.feedback import MESSAGES_FILE, visible_messages
from crossings.grading.sandbox import INSTALL_HINT, Execution, Limits, Sandbox, SandboxUnavailable, execute
from crossings.grading.sandbox import check as check_sandbox
from crossings.grading.submission import Prepared, Template, grade_id, nbgrader_meta, prepare

FINAL_WITHOUT_GRADES = {"missing", "unreadable", "wrong-notebook", "no-metadata",
                        "sandbox-error", "error"}
EXECUTION_PROBLEMS = {
    "timeout": "ran longer than the time limit ({timeout:g} s); later cells were not run",
    "dead-kernel": "the notebook stopped the Python kernel; later cells were not run",
    "output-lost": "printed more than the output limit; later cells were not run",
}


GUARD = "PLAIN_NBGRADER_AUTOGRADE_IS_SWITCHED_OFF"


def __getattr__(name: str):
    """Every course's config names ``crossings.grading.autograde.<GUARD>`` as nbgrader's
    ``Autograde.pre_convert_hook``. nbgrader looks the hook up while it creates its
    autograder, before it touches any file, so plain `nbgrader autograde` (and
    formgrader's Autograde button), which would run learner code unsandboxed inside
    the course, stop here with this message. (A hook that merely raised when called
    would come too late, and nbgrader ignores errors raised by hooks.)"""
    if name == GUARD:
        raise RuntimeError("this course is graded with `crossings course autograde`, which "
                           "runs each notebook in a sandbox; plain `nbgrader autograde` is "
                           "switched off in nbgrader_config.py (c.Autograde.pre_convert_hook)")
    raise AttributeError(name)


# -- templates: what each exercise's notebook must look like --------------------------









# -- checking and rebuilding one submission -------------------------------------------














# -- writing grades (trusted parent only) -----------------------------------------------

def _unanswered(template: Template, prepared: Prepared, gid: str) -> bool:
    """True when the learner left answer cell ``gid`` as released (nbgrader's "No response")."""
    if gid not in prepared.answers:
        return True
    released = template.rel_cells.get(gid)
    if released is None or released.cell_type != "code":
        return False
    try:
        answered, value = parse_answer(released.source)
    except NotAnAnswer:
        return False
    return answered and value == prepared.answers[gid]


def save_grades(course: Course, gb, learner: str, exercise: str, nb, prepared: Prepared,
                template: Template, timestamp) -> tuple[float, float, bool]:
    """Write the autograder's scores with nbgrader's Gradebook API (as nbgrader's
    SaveAutoGrades does) and the graded notebook for formgrader and feedback."""
    import nbformat
    from nbgrader import utils
    from nbgrader.preprocessors import LimitOutput

    nb, _ = LimitOutput().preprocess(nb, {})
    submission = gb.update_or_create_submission(exercise, learner, timestamp=timestamp)
    for cell in nb.cells:
        if not nbgrader_meta(cell):
            continue
        gid = grade_id(cell)
        if utils.is_grade(cell):
            grade = gb.find_grade(gid, exercise, exercise, learner)
            auto_score, _ = utils.determine_grade(cell)
            grade.auto_score = auto_score
            grade.needs_manual_grade = (grade.manual_score is not None or auto_score is None
                                        or gid in prepared.review)
        if utils.is_solution(cell) or utils.is_task(cell):
            comment = gb.find_comment(gid, exercise, exercise, learner)
            unchanged = utils.is_solution(cell) and _unanswered(template, prepared, gid)
            comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) \
                else None
    gb.db.commit()
    folder = course.autograded_dir(learner, exercise)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{exercise}.ipynb"
    if target.exists():
        target.chmod(0o644)
    nbformat.write(nb, target)
    # the messages of visible form checks, as data for the feedback page
    (folder / MESSAGES_FILE).write_text(json.dumps(visible_messages(nb, template), indent=1))
    stamp = course.submitted_dir(learner, exercise) / "timestamp.txt"
    if stamp.exists():
        (folder / "timestamp.txt").write_text(stamp.read_text())
    submission = gb.find_submission(exercise, learner)
    return float(submission.score), float(submission.max_score), bool(submission.needs_manual_grade)


# -- the run -----------------------------------------------------------------------------

@dataclass
class Outcome:
    learner: str
    exercise: str
    status: str
    reasons: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    manual: bool = False
    seconds: float = 0.0
    reused: bool = False
    digest: str | None = None

    @property
    def attention(self) -> bool:
        return self.status != "graded" or bool(self.reasons)


@dataclass
class Run:
    outcomes: list[Outcome]
    sandbox: str
    seconds: float

    @property
    def attention(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.attention]

    @property
    def exit_code(self) -> int:
        return 1 if self.attention else 0


def _timestamp(course: Course, learner: str, exercise: str):
    from nbgrader.utils import parse_utc

    stamp = course.submitted_dir(learner, exercise) / "timestamp.txt"
    if stamp.is_file():
        try:
            return parse_utc(stamp.read_text().strip())
        except Exception:  # noqa: BLE001 - a bad timestamp is not worth failing for
            return None
    return None


def autograde(course: Course, exercises: list[str] | None = None, jobs: int = 1,
              limits: Limits | None = None, force: bool = False,
              allow_unsandboxed: bool = False, learners: list[str] | None = None,
              log=None) -> Run:
    """Grade every learner of the course (or the ones named) on the selected exercises."""
    limits = limits or Limits()
    sandbox = Sandbox.detect(limits, hide=[course.root], allow_unsandboxed=allow_unsandboxed)
    if sandbox.isolated:
        # prove from inside, once, that the sandbox starts and the course is out of reach
        ok, text = check_sandbox(sandbox, course.root)
        if not ok:
            raise SandboxUnavailable(f"{text}\n{INSTALL_HINT}")
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    known = course.learners()
    if learners:
        unknown = [code for code in learners if code not in known]
        if unknown:
            raise CourseError(f"no such learner(s) in this course: {', '.join(unknown)}")
    chosen = [code for code in known if not learners or code in learners]
    for line in sandbox.limits_in_force():
        log(f"limits: {line}")
    try:
        with warnings.catch_warnings():
            # nbgrader's own update_or_create_submission trips SQLAlchemy autoflush warnings
            warnings.filterwarnings("ignore", message=".*not in session.*")
            return asyncio.run(_autograde(course, course.select(exercises), chosen,
                                          max(1, jobs), sandbox, force, log))
    finally:
        sandbox.close()


class Writer:
    """The one thread that touches the gradebook and the status table. Keeping this
    work off the event loop lets the loop serve the running kernels meanwhile;
    keeping it in one thread means one writer, so no database locks."""

    def __init__(self, course: Course):
        from concurrent.futures import ThreadPoolExecutor

        self.course = course
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradebook")
        self.gb = None
        self.record = None
        self._stack = None

    def _open(self):
        import contextlib

        self._stack = contextlib.ExitStack()
        self.gb = self._stack.enter_context(self.course.gradebook())
        self.record = self._stack.enter_context(self.course.status_recorder())

    def _close(self):
        if self._stack is not None:
            self._stack.close()

    async def run(self, func, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, func, *args)

    async def __aenter__(self):
        await self.run(self._open)
        return self

    async def __aexit__(self, *exc):
        await self.run(self._close)
        self.pool.shutdown()


async def _autograde(course: Course, exercises: list[str], learners: list[str], jobs: int,
                     sandbox: Sandbox, force: bool, log) -> Run:
    started = time.monotonic()
    previous = course.statuses()
    work = [(learner, exercise) for learner in learners for exercise in exercises]
    total = len(work)
    log(f"grading {total} submission(s): {len(learners)} learner(s) x {len(exercises)} "
        f"exercise(s), {jobs} at a time; sandbox: {sandbox.describe()}")
    outcomes: list[Outcome] = []
    done = 0
    semaphore = asyncio.Semaphore(jobs)
    learner_number = {code: i + 1 for i, code in enumerate(learners)}

    async with Writer(course) as writer:
        templates = await writer.run(
            lambda: {ex: Template.load(course, ex, writer.gb) for ex in exercises})

        async def report(outcome: Outcome):
            nonlocal done
            await writer.run(lambda: writer.record(
                outcome.learner, outcome.exercise, outcome.status, outcome.reasons,
                digest=outcome.digest, seconds=outcome.seconds))
            done += 1
            outcomes.append(outcome)
            score = f" {outcome.score:g}/{outcome.max_score:g}" if outcome.score is not None \
                else ""
            flag = " [needs attention]" if outcome.attention else ""
            reused = " (unchanged since last run)" if outcome.reused else ""
            log(f"[{done:>{len(str(total))}}/{total}] learner {outcome.learner} "
                f"({learner_number[outcome.learner]} of {len(learners)}) "
                f"{outcome.exercise}: {outcome.status}{score}{reused}{flag}"
                + (f" ({outcome.seconds:.1f} s)" if outcome.seconds else ""))

        async def one(learner: str, exercise: str):
            path = course.submitted_notebook(learner, exercise)
            if not os.path.lexists(path):
                await report(Outcome(learner, exercise, "missing", ["no notebook collected"]))
                return
            data = read_capped(path)
            if data is None:
                await report(Outcome(learner, exercise, "unreadable", [
                    "the collected file is not a regular file or is larger than "
                    f"{MAX_NOTEBOOK_BYTES // 2**20} MB; it was not read"]))
                return
            digest = hashlib.sha256(data).hexdigest()
            before = previous.get((learner, exercise))
            if (not force and before and before["digest"] == digest
                    and before["status"] not in {"sandbox-error", "error"}):
                outcome = Outcome(learner, exercise, before["status"], before["reasons"],
                                  reused=True, digest=digest)
                await writer.run(_fill_scores, writer.gb, outcome)
                await report(outcome)
                return
            try:
                prepared = prepare(templates[exercise], data)
            except Exception as exc:  # noqa: BLE001 - reported, never fatal for the others
                await report(Outcome(learner, exercise, "error", [f"checking failed: {exc!r}"]))
                return
            if prepared.status != "graded":
                await report(Outcome(learner, exercise, prepared.status, prepared.reasons,
                                     digest=digest))
                return
            async with semaphore:
                try:
                    execution: Execution = await execute(prepared.nb, sandbox)
                except Exception as exc:  # noqa: BLE001
                    await report(Outcome(learner, exercise, "sandbox-error", [f"{exc!r}"]))
                    return
            await report(await writer.run(finish, course, writer.gb, learner, exercise,
                                          prepared, execution, sandbox, digest,
                                          templates[exercise]))

        await asyncio.gather(*(one(learner, exercise) for learner, exercise in work))
    order = {key: i for i, key in enumerate(work)}
    outcomes.sort(key=lambda o: order[(o.learner, o.exercise)])
    return Run(outcomes, sandbox.describe(), time.monotonic() - started)


def _fill_scores(gb, outcome: Outcome) -> None:
    from nbgrader.api import MissingEntry

    if outcome.status in FINAL_WITHOUT_GRADES:
        return
    try:
        sub = gb.find_submission(outcome.exercise, outcome.learner)
    except MissingEntry:
        return
    outcome.score, outcome.max_score = float(sub.score), float(sub.max_score)
    outcome.manual = bool(sub.needs_manual_grade)


def finish(course: Course, gb, learner: str, exercise: str, prepared: Prepared,
           execution: Execution, sandbox: Sandbox, digest: str, template: Template) -> Outcome:
    reasons = list(prepared.reasons)
    status = "graded"
    if execution.status == "sandbox-error":
        return Outcome(learner, exercise, "sandbox-error",   # no digest: try again next time
                       reasons + (execution.notes or ["the sandbox failed"]),
                       seconds=execution.seconds)
    if execution.status in EXECUTION_PROBLEMS:
        status = execution.status
        reasons.append(EXECUTION_PROBLEMS[status].format(timeout=sandbox.limits.timeout))
    reasons += [n for n in execution.notes]
    if any(o.get("ename") == "MemoryError" for c in execution.nb.cells
           for o in c.get("outputs", [])):
        reasons.append(f"a cell ran out of memory (limit {sandbox.limits.memory_mb} MB)")
    try:
        score, max_score, manual = save_grades(course, gb, learner, exercise, execution.nb,
                                               prepared, template,
                                               _timestamp(course, learner, exercise))
    except Exception as exc:  # noqa: BLE001
        gb.db.rollback()
        return Outcome(learner, exercise, "error", reasons + [f"saving grades failed: {exc!r}"])
    return Outcome(learner, exercise, status, reasons, score, max_score, manual,
                   execution.seconds, digest=digest)


# -- the summary ---------------------------------------------------------------------------

def summary(run: Run, catalogue: dict | None = None) -> str:
    catalogue = catalogue or {}
    by_exercise: dict[str, list[Outcome]] = {}
    for o in run.outcomes:
        by_exercise.setdefault(o.exercise, []).append(o)
    rows = []
    for exercise, items in by_exercise.items():
        graded = [o for o in items if o.score is not None]
        mean = (sum(o.score for o in graded) / len(graded)) if graded else None
        max_score = graded[0].max_score if graded else None
        rows.append([exercise, len(items), sum(o.status == "graded" for o in items),
                     sum(o.status == "missing" for o in items),
                     sum(o.attention and o.status != "missing" for o in items),
                     sum(o.manual for o in items),
                     f"{mean:.1f} / {max_score:g}" if mean is not None else "-"])
    text = "\n" + table(rows, ["exercise", "learners", "graded", "missing", "other attention",
                               "manual grading", "mean score"])
    attention = run.attention
    if attention:
        text += f"\nNeeds attention ({len(attention)}):\n" + table(
            [[o.learner, o.exercise, o.status, "; ".join(o.reasons)] for o in attention],
            ["learner", "exercise", "status", "reason"])
    manual = sum(o.manual for o in run.outcomes)
    text += (f"\n{len(run.outcomes)} submission(s) in {run.seconds:.1f} s; "
             f"{len(attention)} need attention; {manual} wait for manual grading "
             "(formgrader).\n")
    return text
