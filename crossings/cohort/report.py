"""``crossings cohort-report``: a group's self-assessments, compared by sector.

    crossings cohort-report COURSE_DIR [--exercise self-assessment] [--out DIR]
                            [--roster FILE] [--min-per-sector 3]

(default ``--out``: ``COURSE_DIR/cohort-report``, beside the data it comes from)

COURSE_DIR is an nbgrader course directory (the collected notebooks are
``submitted/<learner>/<exercise>/<exercise>.ipynb``; the learners of the gradebook
and of ``--roster`` who handed in nothing are listed as missing), or a plain folder
of notebooks named by learner code (``<code>.ipynb``, ``<code>__<exercise>.ipynb`` or
``<code>/<exercise>.ipynb``). Learner code is never run:
the answer cells are read as plain values (``answer = [3, "..."]``).

The report (HTML, tagged PDF, and the same numbers as JSON) shows the spread of the
ratings of every strand, the **shared priorities** (strands the whole group rates
below the middle of the scale with an SD of at most ``SHARED_SD``: natural topics for
joint action) and, the point of a mixed group, where sectors see the same local
system differently. The **gap** of a strand is the highest sector mean minus the
lowest sector mean, counting only sectors with at least ``--min-per-sector`` ratings
of that strand. Strands are ranked by gap, largest first; equal gaps by the standard
deviation of all ratings, then by roadmap order. The top ``TOP`` strands of both lists
come with their level descriptors and next steps from ``book/self-assessment.yml``.

Small groups are protected: no sector figure is shown for fewer than
``MIN_PER_SECTOR`` (3) people, because two people could each work out the other's
rating from the mean. Smaller sectors are shown together as "Other sectors" (``OTHER``)
or, if still fewer than 3, only in the whole group; the report says which. Every
submission that is missing, cannot be read or is incomplete is listed by learner code;
none is dropped silently.

The report is written in one language (``language``): the one asked for, else the
language of the notebooks (their ``language`` metadata, which the translated learner
notebooks carry) when they all agree, else English. Its texts come from the interface
catalog ``crossings.po`` and the self-assessment's data from the page's catalog
(``crossings.selfassessment.language``); the figures are the same in every language.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crossings.content.languages import english, gettext_for, load_languages
from crossings.content.project import Project
from crossings.exercises.answers import answer_cell_problem
from crossings.exercises.catalogue import load_exercises
from crossings.exercises.source import Exercise
from crossings.selfassessment.language import translate_data
from crossings.selfassessment.profile import Profile, Rating, read_answer, read_sector

DEFAULT_EXERCISE = "self-assessment"
MIN_PER_SECTOR = 3      # no sector figure is ever shown for fewer raters (privacy)
OTHER = "other"         # sectors with fewer people than that, taken together
SHARED_SD = 1.0         # "low spread": the group mostly agrees (SD at most one level)
TOP = 3                 # strands of each list shown with descriptors and next steps
INCLUDED, MALFORMED, MISSING = "included", "malformed", "missing"


class ReportError(Exception):
    """A facilitator mistake, explained in plain language."""


@dataclass
class Submission:
    learner: str
    status: str                       # included | malformed | missing
    path: Path | None = None
    sector: str | None = None
    ratings: dict[str, Rating] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # why malformed, or what is incomplete

    def profile(self, data: dict) -> Profile:
        return Profile(self.ratings, data)


@dataclass
class StrandStats:
    strand: str
    counts: list[int]                                  # ratings at level 1..4
    mean: float | None
    sd: float | None
    sectors: dict[str, tuple[int, float]]              # sector -> (ratings, mean), all sectors
    compared: list[str]                                # sectors with enough ratings
    gap: float | None = None
    high: str | None = None
    low: str | None = None

    @property
    def n(self) -> int:
        return sum(self.counts)


@dataclass
class CohortReport:
    exercise: str
    source: Path
    data: dict
    min_per_sector: int
    submissions: list[Submission]
    strands: dict[str, StrandStats] = field(default_factory=dict)
    ranking: list[str] = field(default_factory=list)         # strands with a gap, largest first
    not_compared: list[str] = field(default_factory=list)    # strands with < 2 sectors to compare
    element_means: dict[str, dict[str, float | None]] = field(default_factory=dict)
    shared: list[str] = field(default_factory=list)          # low mean, low spread, lowest first
    small: dict[str, int] = field(default_factory=dict)      # sector -> people, below the minimum
    other_shown: bool = False                                # small sectors shown as OTHER
    language: str = "en"                                     # the language of its texts
    gettext: Callable[[str], str] = field(default=english, repr=False)

    def group_of(self, sector: str | None) -> str | None:
        """The group a participant's ratings are shown in: their sector, OTHER, or none."""
        if sector in self.small:
            return OTHER if self.other_shown else None
        return sector

    def groups(self) -> list[str]:
        """Sector groups with figures: sectors with enough people, then OTHER."""
        counts = self.sector_counts()
        keys = [k for k, n in counts.items() if n >= self.min_per_sector]
        return keys + ([OTHER] if self.other_shown else [])

    @property
    def included(self) -> list[Submission]:
        return [s for s in self.submissions if s.status == INCLUDED]

    def by_status(self, status: str) -> list[Submission]:
        return [s for s in self.submissions if s.status == status]

    @property
    def incomplete(self) -> list[Submission]:
        return [s for s in self.included if s.notes]

    def sector_counts(self) -> dict[str, int]:
        counts = {key: 0 for key in self.data["sectors"]}
        for sub in self.included:
            if sub.sector:
                counts[sub.sector] += 1
        return counts


# ---------------------------------------------------------------------------- the exercise

def find_exercise(project: Project, exercise_id: str) -> tuple[Exercise, dict, str, str | None]:
    """The self-assessment exercise: (exercise, DATA, rating item id, sector item id)."""
    exercises, problems = load_exercises(project)
    exercise = next((e for e in exercises if e.id == exercise_id), None)
    if exercise is None:
        known = ", ".join(e.id for e in exercises if any(i.type == "rating" for i in e.items))
        raise ReportError(f"no exercise '{exercise_id}' in {project.root / 'exercises'} "
                          f"(self-assessments: {known or 'none'})")
    own = [p for p in problems if p.path == exercise.path]
    rating = next((i for i in exercise.items if i.type == "rating"), None)
    if own or rating is None or not rating.assessment:
        details = "; ".join(p.format(project.root) for p in own) or "it has no 'rating' item"
        raise ReportError(f"exercise '{exercise_id}' cannot be used: {details}")
    sector = next((i for i in exercise.items if i.type == "sector"), None)
    return exercise, rating.assessment, rating.id, sector.id if sector else None


# ---------------------------------------------------------------------------- reading

def locate(folder: Path, exercise: str, roster: list[str] | None = None
           ) -> tuple[dict[str, Path | None], str]:
    """Learner code -> notebook (None: nothing handed in), and the layout found."""
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    found: dict[str, Path | None] = {}
    submitted = folder / "submitted"
    if submitted.is_dir():
        layout = "course"
        for learner_dir in sorted(p for p in submitted.iterdir() if p.is_dir()):
            notebook = learner_dir / exercise / f"{exercise}.ipynb"
            if notebook.is_file():
                found[learner_dir.name] = notebook
            elif (learner_dir / exercise).is_dir():
                others = sorted((learner_dir / exercise).glob("*.ipynb"))
                found[learner_dir.name] = others[0] if len(others) == 1 else None
        for code in gradebook_learners(folder):
            found.setdefault(code, None)
    else:
        layout = "folder"
        for notebook in sorted(folder.glob("*.ipynb")):
            code = notebook.stem
            for sep in ("__", "-", "_", "."):
                if code.endswith(sep + exercise):
                    code = code[: -len(exercise) - len(sep)]
            found[code] = notebook
        for notebook in sorted(folder.glob(f"*/{exercise}.ipynb")):
            found.setdefault(notebook.parent.name, notebook)
    for code in roster or []:
        found.setdefault(code, None)
    return dict(sorted(found.items())), layout


def gradebook_learners(folder: Path) -> list[str]:
    """Learner codes of an nbgrader course (empty when the folder has no gradebook)."""
    if not (folder / "nbgrader_config.py").is_file():
        return []
    from crossings.grading.course import Course

    return Course.open(folder).learners()


def read_roster(path: Path) -> list[str]:
    codes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            codes.append(line)
    return codes


def answer_value(source: str):
    """(value, None) for a value-only answer cell, else (None, plain-language problem)."""
    problem = answer_cell_problem(source)
    if problem:
        return None, problem
    tree = ast.parse(source)
    if not tree.body:
        return None, "the answer cell is empty"
    return ast.literal_eval(tree.body[-1].value), None


def notebook_language(path: Path | None) -> str | None:
    """The ``language`` of a notebook's metadata (None if unreadable or not said)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata") or {}
    except (AttributeError, OSError, ValueError):
        return None
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) and language else None


def report_language(root: Path, notebooks: list[Path | None], asked: str | None = None) -> str:
    """The language asked for; else the notebooks' own if they agree; else the source."""
    langs = load_languages(root)
    if asked:
        if asked not in langs.languages:
            raise ReportError(f"--language {asked}: not a language of locales/languages.yml "
                              f"(languages: {', '.join(langs.languages)})")
        return asked
    found = {notebook_language(p) or langs.source for p in notebooks if p is not None}
    return found.pop() if len(found) == 1 and next(iter(found)) in langs.languages \
        else langs.source


def read_submission(learner: str, path: Path | None, exercise: str, data: dict,
                    rating_id: str, sector_id: str | None, _=english) -> Submission:
    if path is None:
        return Submission(learner, MISSING, notes=[_("no notebook was handed in")])
    from crossings.grading.submission import read_notebook

    nb, why = read_notebook(path.read_bytes())
    if nb is None:
        return Submission(learner, MALFORMED, path, notes=[why])
    claimed = (nb.metadata.get("crossings") or {}).get("exercise")
    if claimed and claimed != exercise:
        return Submission(learner, MALFORMED, path, notes=[
            _("this is the notebook of exercise '{claimed}', not '{exercise}'").format(
                claimed=claimed, exercise=exercise)])
    cells = {}                                # grade id -> source; the last copy counts
    for cell in nb.cells:
        gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
        if gid and cell.cell_type == "code":
            source = cell.source              # a list of lines in some writers' JSON
            cells[gid] = source if isinstance(source, str) else "".join(source or [])
    wanted = {f"{rating_id}-{s}-answer": s for s in data["strands"]}
    if not set(wanted) & set(cells):
        return Submission(learner, MALFORMED, path,
                          notes=[_("the notebook has none of the self-assessment's answer "
                                   "cells (another notebook, or its cell metadata was "
                                   "removed)")])
    sub = Submission(learner, INCLUDED, path)
    for gid, strand in wanted.items():
        if gid not in cells:
            sub.ratings[strand] = Rating(problem=_("the answer cell was deleted"))
            continue
        value, problem = answer_value(cells[gid])
        sub.ratings[strand] = (Rating(problem=_("the answer cell cannot be read: {problem}")
                                      .format(problem=problem))
                               if problem else read_answer(value, data))
    if sector_id:
        source = cells.get(f"{sector_id}-answer")
        value, problem = answer_value(source) if source is not None else (None, "deleted")
        sub.sector, sector_problem = read_sector(value, data) if not problem else (None, problem)
        if not sub.sector:
            sub.notes.append(_("sector not given ({problem}): counted in the whole group, "
                               "not in the sector comparison").format(
                problem=sector_problem.rstrip(".")))
    unrated = [s for s, r in sub.ratings.items() if r.level is None]
    thin = [s for s, r in sub.ratings.items() if r.level is not None and not r.complete]
    numbers = {s: data["strands"][s]["number"] for s in data["strands"]}
    if unrated:
        sub.notes.append(_("{count} strand(s) not rated: {strands}").format(
            count=len(unrated), strands=", ".join(numbers[s] for s in unrated)))
    if thin:
        sub.notes.append(_("{count} rating(s) without enough evidence (still counted): "
                           "{strands}").format(count=len(thin),
                                               strands=", ".join(numbers[s] for s in thin)))
    return sub


# ---------------------------------------------------------------------------- statistics

def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sd(values: list[float]) -> float | None:
    """Population standard deviation (the spread of this group, not an estimate)."""
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values)) if values else None


def strand_stats(strand: str, included: list[Submission], levels: int,
                 min_per_sector: int, group_of=lambda sector: sector) -> StrandStats:
    values = [s.ratings[strand].level for s in included if s.ratings[strand].level is not None]
    counts = [values.count(k) for k in range(1, levels + 1)]
    per_sector: dict[str, list[int]] = {}
    for sub in included:
        level = sub.ratings[strand].level
        group = group_of(sub.sector) if sub.sector else None
        if group and level is not None:
            per_sector.setdefault(group, []).append(level)
    sectors = {k: (len(v), mean(v)) for k, v in sorted(per_sector.items())}
    stats = StrandStats(strand, counts, mean(values), sd(values), sectors,
                        [k for k, (n, _) in sectors.items() if n >= min_per_sector])
    if len(stats.compared) >= 2:
        means = {k: sectors[k][1] for k in stats.compared}
        stats.high = max(means, key=lambda k: (means[k], k))
        stats.low = min(means, key=lambda k: (means[k], k))
        stats.gap = means[stats.high] - means[stats.low]
    return stats


def build_report(source: Path, exercise: str, data: dict, submissions: list[Submission],
                 min_per_sector: int = MIN_PER_SECTOR) -> CohortReport:
    if min_per_sector < MIN_PER_SECTOR:
        raise ReportError(f"--min-per-sector must be at least {MIN_PER_SECTOR}: with fewer "
                          f"people, each can work out the others' ratings from the mean")
    report = CohortReport(exercise, source, data, min_per_sector, submissions)
    order = [s for e in data["elements"] for s in e["strands"]]
    levels = len(data["levels"])
    # Small sectors are folded into OTHER, or left out of sector figures if still too small.
    report.small = {k: n for k, n in report.sector_counts().items() if 0 < n < min_per_sector}
    report.other_shown = sum(report.small.values()) >= min_per_sector
    for strand in order:
        report.strands[strand] = strand_stats(strand, report.included, levels, min_per_sector,
                                              report.group_of)
    with_gap = [s for s in order if report.strands[s].gap is not None]
    report.ranking = sorted(with_gap, key=lambda s: (-round(report.strands[s].gap, 9),
                                                     -round(report.strands[s].sd or 0, 9),
                                                     order.index(s)))
    report.not_compared = [s for s in order if report.strands[s].gap is None]
    # Shared priorities: strands the whole group rates low and mostly agrees on.
    middle = (levels + 1) / 2
    low = [s for s in order if report.strands[s].mean is not None
           and report.strands[s].mean < middle and (report.strands[s].sd or 0) <= SHARED_SD]
    report.shared = sorted(low, key=lambda s: (round(report.strands[s].mean, 9),
                                               round(report.strands[s].sd or 0, 9),
                                               order.index(s)))
    # Element means: each participant's element score, averaged per sector and overall.
    groups: dict[str, list[Submission]] = {"all": report.included}
    for sub in report.included:
        group = report.group_of(sub.sector) if sub.sector else None
        if group:
            groups.setdefault(group, []).append(sub)
    for group, members in groups.items():
        if group != "all" and len(members) < min_per_sector:
            continue
        profiles = [m.profile(data) for m in members]
        report.element_means[group] = {
            e["id"]: mean([v for p in profiles if (v := p.element_score(e["id"])) is not None])
            for e in data["elements"]}
    return report


def collect(folder: Path, project: Project, exercise_id: str = DEFAULT_EXERCISE,
            roster: list[str] | None = None, min_per_sector: int = MIN_PER_SECTOR,
            language: str | None = None) -> CohortReport:
    """The report of a folder, in ``language`` (default: see ``report_language``)."""
    exercise, data, rating_id, sector_id = find_exercise(project, exercise_id)
    located, _layout = locate(folder, exercise.id, roster)
    code = report_language(project.root, list(located.values()), language)
    _ = gettext_for(project.root, code)
    data = translate_data(data, project.root, code)
    submissions = [read_submission(learner, path, exercise.id, data, rating_id, sector_id, _)
                   for learner, path in located.items()]
    report = build_report(folder, exercise.id, data, submissions, min_per_sector)
    report.language, report.gettext = code, _
    return report
