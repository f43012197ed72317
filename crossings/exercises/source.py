"""Exercise sources: ``exercises/<module>/<exercise-id>.md``.

One MyST file per exercise is both the learner page of the site and the
source of the nbgrader notebook. Its front matter names the exercise; each
question is a fenced ``exercise-item`` block whose body is YAML::

    ```{exercise-item}
    id: q1
    type: choice            # choice | classify | order | plan | reflection
    points: 2
    outcomes: [transitions-lo2]
    prompt: |
      A short scenario and the question.
    options: {A: ..., B: ..., C: ...}
    answer: B               # the model answer
    check: formative        # formative | summative (choice, classify, order; required)
    explain: |              # formative only: why the answer is right, and why not the others
      ...                   # (a text, or for a choice one text per option letter)
    ```

``check`` records the trust choice of each autograded item. A *formative* item is for
practice: the page and the released notebook may tell the learner whether the answer
is right and show ``explain``, so a determined learner can find its answer (the docs
say so). A *summative* item counts for a grade: nothing of its answer or explanation is
in the site or the released notebook, only a check of the answer's form.

Reflection and plan items may carry ``discussion:``, an author-written discussion the
learner can open after writing their own answer (it never counts as a model answer to
copy: the rubric is what the facilitator grades against).

Self-assessment items (graded for completeness only; see self_assessment.py):
``type: sector`` asks the participant's sector (the audiences of
book/vocabulary.yml; ``answer`` is the model sector); ``type: rating`` with
``framework: roadmap`` asks a level and one line of evidence for every strand,
with the descriptors of book/self-assessment.yml (``points`` split evenly over the
strands). A *tool* exercise (front matter ``kind: tool``) belongs to no module: it
has no ``module`` and lives in ``exercises/<id>/<id>.md``.

``load_exercise`` parses a file and reports every authoring mistake as a
``file:line`` problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossings.content.modules import closest
from crossings.content.problems import ContentError, Problem
from crossings.content.yamlsource import Located, load_mapping_front_matter, parse_yaml
from crossings.exercises.answers import Field, field_problem

FRONT = ("title", "id", "module", "minutes")
OPTIONAL_FRONT = ("kind",)
KINDS = ("module", "tool")        # a tool exercise (the self-assessment) has no module
TYPES = ("choice", "classify", "order", "plan", "reflection", "sector", "rating")
ITEM_START = re.compile(r"^```\{exercise-item\}\s*$")
ITEM_END = re.compile(r"^```\s*$")
LETTER = re.compile(r"^[A-Z]$")
ID = re.compile(r"^[a-z][a-z0-9-]*$")




@dataclass
class Item:
    id: str
    type: str
    line: int
    points: float = 0
    outcomes: list[str] = field(default_factory=list)
    prompt: str = ""
    options: dict[str, str] = field(default_factory=dict)      # choice, classify categories, order steps
    statements: dict[str, str] = field(default_factory=dict)   # classify
    answer: Any = None
    multiple: bool = False
    check: str = ""                                            # formative | summative
    explain: str | dict[str, str] = ""                          # formative items
    discussion: str = ""                                       # reflection, plan
    fields: list[Field] = field(default_factory=list)          # plan
    quality_points: float = 0                                  # plan: facilitator-graded
    rubric: list[dict] = field(default_factory=list)           # plan, reflection
    framework: str = ""                                        # rating
    assessment: dict | None = None                             # rating: self-assessment data
    data: Located | None = None

    @property
    def formative(self) -> bool:
        return self.check == "formative"

    @property
    def autograded_points(self) -> float:
        return 0 if self.type == "reflection" else self.points

    @property
    def manual_points(self) -> float:
        if self.type == "reflection":
            return self.points
        return self.quality_points if self.type == "plan" else 0


@dataclass
class Exercise:
    id: str
    path: Path
    title: str = ""
    module: str = ""
    minutes: int = 0
    kind: str = "module"
    intro: str = ""
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(i.autograded_points + i.manual_points for i in self.items)

    @property
    def autograded_points(self) -> float:
        return sum(i.autograded_points for i in self.items)

    @property
    def outcomes(self) -> list[str]:
        seen: list[str] = []
        for item in self.items:
            seen += [o for o in item.outcomes if o not in seen]
        return seen


def exercise_files(root: Path) -> list[Path]:
    base = root / "exercises"
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*/*.md")
                  if not any(part.startswith(("_", ".")) for part in p.relative_to(base).parts)
                  and p.name.lower() not in {"index.md", "readme.md"})


def load_exercise(path: Path, outcome_ids: set[str], module_slugs: set[str]) -> Exercise:
    exercise = Exercise(path.stem, path)
    report = exercise.problems.append
    front, problems = load_mapping_front_matter(
        path, "exercise needs front matter with: " + ", ".join(FRONT))
    if front is None:
        exercise.problems.extend(problems)
        return exercise
    data = front.data
    exercise.kind = str(data.get("kind") or "module")
    if exercise.kind not in KINDS:
        report(Problem(path, front.line("kind"), f"'kind' is one of {', '.join(KINDS)}"))
    meant: set[str] = set()  # unknown keys first: a misspelt key causes the "missing" one
    for key in data:
        if key not in FRONT + OPTIONAL_FRONT:
            close = closest(str(key), [k for k in FRONT + OPTIONAL_FRONT if k not in data])
            meant.update(close[:1])
            hint = f" — did you mean '{close[0]}'?" if close else ""
            report(Problem(path, front.line(key), f"unknown front-matter key '{key}'{hint}"))
    for key in FRONT:
        if data.get(key) in (None, "") and key not in meant \
                and not (key == "module" and exercise.kind == "tool"):
            report(Problem(path, front.first_line, f"front matter is missing '{key}'"))
    if exercise.kind == "tool":
        if data.get("module"):
            report(Problem(path, front.line("module"), "a tool exercise belongs to no module: "
                                                       "remove 'module'"))
        if path.parent.name != path.stem:
            report(Problem(path, front.first_line, f"a tool exercise lives in "
                                                   f"exercises/{path.stem}/{path.stem}.md"))
    exercise.title = str(data.get("title", ""))
    if data.get("id") is not None and data["id"] != path.stem:
        report(Problem(path, front.line("id"), f"exercise id '{data['id']}' must match the file "
                                               f"name '{path.stem}'"))
    exercise.module = str(data.get("module", "")) if exercise.kind != "tool" else ""
    if exercise.module and exercise.module not in module_slugs:
        report(Problem(path, front.line("module"), f"unknown module '{exercise.module}'"))
    if exercise.module and path.parent.name != exercise.module:
        report(Problem(path, front.line("module"), f"exercise of module '{exercise.module}' must "
                                                   f"live in exercises/{exercise.module}/"))
    if exercise.module and not re.match(rf"^{re.escape(exercise.module)}-ex\d+$", path.stem):
        report(Problem(path, front.line("id"), f"exercise id must look like "
                                               f"'{exercise.module or 'module'}-ex1'"))
    minutes = data.get("minutes")
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
            report(Problem(path, front.line("minutes"), "'minutes' must be a whole number from 1 to 240"))
        else:
            exercise.minutes = minutes

    lines = path.read_text(encoding="utf-8").splitlines()
    intro: list[str] = []
    i, seen_ids = 0, set()
    if lines and lines[0].strip() == "---":
        i = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), 0) + 1
    while i < len(lines):
        if ITEM_START.match(lines[i]):
            start = i + 1
            end = next((n for n in range(start, len(lines)) if ITEM_END.match(lines[n])), None)
            if end is None:
                report(Problem(path, i + 1, "exercise-item block is never closed with ```"))
                break
            item = _load_item(path, "\n".join(lines[start:end]) + "\n", start, outcome_ids, report)
            if item is not None:
                if item.id in seen_ids:
                    report(Problem(path, item.line, f"duplicate item id '{item.id}'"))
                seen_ids.add(item.id)
                exercise.items.append(item)
            i = end + 1
            continue
        if not exercise.items:
            intro.append(lines[i])
        i += 1
    exercise.intro = "\n".join(intro).strip()
    if not exercise.items:
        report(Problem(path, len(lines) or 1, "exercise has no exercise-item block"))
    return exercise


def _load_item(path: Path, text: str, offset: int, outcome_ids: set[str], report) -> Item | None:
    try:
        doc = parse_yaml(text, path, offset=offset)
    except ContentError as exc:
        for problem in exc.problems:
            report(problem)
        return None
    data, line = doc.data, doc.line
    if not isinstance(data, dict):
        report(Problem(path, offset + 1, "an exercise item is a YAML mapping"))
        return None
    item_id = str(data.get("id", ""))
    item = Item(item_id, str(data.get("type", "")), line("id") if "id" in data else offset + 1, data=doc)
    if not ID.match(item_id):
        report(Problem(path, item.line, f"item id '{item_id}' must be lower case letters, digits, '-'"))
    if item.type not in TYPES:
        report(Problem(path, line("type"), f"item type '{item.type}' is not one of {', '.join(TYPES)}"))
        return None
    points = data.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        report(Problem(path, line("points") if "points" in data else item.line,
                       f"item '{item_id}' needs 'points' greater than 0"))
    else:
        item.points = float(points)
    outcomes = data.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        report(Problem(path, line("outcomes") if "outcomes" in data else item.line,
                       f"item '{item_id}' needs 'outcomes': the module outcome ids it assesses"))
    else:
        for k, oid in enumerate(outcomes):
            if oid not in outcome_ids:
                report(Problem(path, line("outcomes", k),
                               f"outcome id '{oid}' is not declared by any module"))
        item.outcomes = [str(o) for o in outcomes]
    item.prompt = str(data.get("prompt", "")).strip()
    if not item.prompt:
        report(Problem(path, item.line, f"item '{item_id}' needs a 'prompt'"))
    _trust(item, data, line, path, report)
    {"choice": _choice, "classify": _classify, "order": _order, "plan": _plan,
     "reflection": _reflection, "sector": _sector, "rating": _rating,
     }[item.type](item, data, line, path, report)
    return item


CHECKS = ("formative", "summative")
CHECKED_TYPES = ("choice", "classify", "order")
DISCUSSED_TYPES = ("reflection", "plan")


def _trust(item, data, line, path, report) -> None:
    """``check`` (formative or summative), ``explain`` and ``discussion``: see the docstring."""
    if "reveal" in data:
        report(Problem(path, line("reveal"), f"item '{item.id}': 'reveal' is replaced by "
                                             "'check: formative' or 'check: summative'"))
    check = data.get("check")
    if item.type in CHECKED_TYPES:
        if check not in CHECKS:
            report(Problem(path, line("check") if "check" in data else item.line,
                           f"item '{item.id}' needs 'check: formative' (practice: the page may "
                           "say whether the answer is right) or 'check: summative' (graded: "
                           "nothing of the answer leaves the grader)"))
        else:
            item.check = check
    elif check is not None:
        report(Problem(path, line("check"), f"item '{item.id}': 'check' applies only to "
                                            f"{', '.join(CHECKED_TYPES)} items"))
    explain = data.get("explain")
    if explain is not None:
        if item.check != "formative":
            report(Problem(path, line("explain"), f"item '{item.id}': 'explain' is shown on the "
                                                  "page, so only a formative item may have it"))
        elif isinstance(explain, dict):
            item.explain = {str(k): str(v).strip() for k, v in explain.items()}
        elif isinstance(explain, str) and explain.strip():
            item.explain = explain.strip()
        else:
            report(Problem(path, line("explain"), f"item '{item.id}': 'explain' is a text, or "
                                                  "one text per option letter"))
    discussion = data.get("discussion")
    if discussion is not None:
        if item.type not in DISCUSSED_TYPES:
            report(Problem(path, line("discussion"), f"item '{item.id}': 'discussion' applies "
                                                     "to reflection and plan items"))
        elif not isinstance(discussion, str) or not discussion.strip():
            report(Problem(path, line("discussion"), f"item '{item.id}': 'discussion' is a text"))
        else:
            item.discussion = discussion.strip()


def _letters(item, data, key, line, path, report) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or len(value) < 2:
        report(Problem(path, line(key) if key in data else item.line,
                       f"item '{item.id}' needs '{key}': at least two entries keyed A, B, C ..."))
        return {}
    out = {}
    for k, v in value.items():
        if not LETTER.match(str(k)):
            report(Problem(path, line(key, k), f"'{key}' keys are capital letters A, B, C ..., not '{k}'"))
        out[str(k)] = str(v).strip()
    return out


def _choice(item, data, line, path, report):
    item.options = _letters(item, data, "options", line, path, report)
    item.multiple = bool(data.get("multiple", False))
    answer = data.get("answer")
    answers = answer if isinstance(answer, list) else [answer]
    where = line("answer") if "answer" in data else item.line
    if answer is None or (not item.multiple and isinstance(answer, list)) \
            or any(str(a) not in item.options for a in answers):
        report(Problem(path, where, f"item '{item.id}': 'answer' must be "
                                    f"{'a list of' if item.multiple else 'one of'} the option letters"))
    item.answer = sorted(str(a) for a in answers) if item.multiple else str(answer)


def _classify(item, data, line, path, report):
    item.options = _letters(item, data, "categories", line, path, report)
    statements = data.get("statements")
    if not isinstance(statements, dict) or len(statements) < 2:
        report(Problem(path, line("statements") if "statements" in data else item.line,
                       f"item '{item.id}' needs 'statements' numbered 1, 2, 3 ..."))
        statements = {}
    item.statements = {str(k): str(v).strip() for k, v in statements.items()}
    if list(item.statements) != [str(n) for n in range(1, len(item.statements) + 1)]:
        report(Problem(path, line("statements"), "statements must be numbered 1, 2, 3 ... in order"))
    answer = data.get("answer")
    if not isinstance(answer, list) or len(answer) != len(item.statements) \
            or any(str(a) not in item.options for a in answer):
        report(Problem(path, line("answer") if "answer" in data else item.line,
                       f"item '{item.id}': 'answer' lists one category letter per statement, in order"))
        answer = []
    item.answer = [str(a) for a in answer]


def _order(item, data, line, path, report):
    item.options = _letters(item, data, "steps", line, path, report)
    answer = data.get("answer")
    if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(item.options):
        report(Problem(path, line("answer") if "answer" in data else item.line,
                       f"item '{item.id}': 'answer' lists every step letter once, in the right order"))
        answer = []
    item.answer = [str(a) for a in answer]


def _rubric(item, data, line, path, report):
    rubric = data.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        report(Problem(path, line("rubric") if "rubric" in data else item.line,
                       f"item '{item.id}' needs a 'rubric': criteria the learner can see"))
        return
    for k, entry in enumerate(rubric):
        if not isinstance(entry, dict) or not entry.get("criterion") or not entry.get("levels"):
            report(Problem(path, line("rubric", k), "each rubric entry needs 'criterion' and 'levels'"))
            continue
        item.rubric.append(entry)


def _plan(item, data, line, path, report):
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        report(Problem(path, line("fields") if "fields" in data else item.line,
                       f"item '{item.id}' needs 'fields'"))
        fields = []
    seen = set()
    for k, entry in enumerate(fields):
        if not isinstance(entry, dict) or not ID.match(str(entry.get("id", ""))) or not entry.get("label"):
            report(Problem(path, line("fields", k), "each field needs an 'id' and a 'label'"))
            continue
        fid = str(entry["id"])
        if fid in seen:
            report(Problem(path, line("fields", k, "id"), f"duplicate field id '{fid}'"))
        seen.add(fid)
        kind = str(entry.get("kind", "text"))
        if kind not in ("text", "sectors"):
            report(Problem(path, line("fields", k, "kind"), "field kind is 'text' or 'sectors'"))
        fld = Field(fid, str(entry["label"]), kind, int(entry.get("min_words", 3)),
                    int(entry.get("min_count", 2)), entry.get("model"), str(entry.get("hint", "")))
        problem = field_problem(fld, fld.model)
        if problem:
            report(Problem(path, line("fields", k, "model") if "model" in entry else line("fields", k),
                           f"model answer of field '{fid}' fails its own check: {problem}"))
        item.fields.append(fld)
    if item.points and item.fields and item.points % len(item.fields):
        report(Problem(path, line("points"), f"plan '{item.id}': points ({item.points:g}) must split "
                                             f"evenly over its {len(item.fields)} fields"))
    quality = data.get("quality_points", 0)
    if isinstance(quality, bool) or not isinstance(quality, (int, float)) or quality < 0:
        report(Problem(path, line("quality_points"), "'quality_points' must be a number >= 0"))
    else:
        item.quality_points = float(quality)
    _rubric(item, data, line, path, report)


def _reflection(item, data, line, path, report):
    _rubric(item, data, line, path, report)


def _sector(item, data, line, path, report):
    """The participant's sector: one of the audiences of book/vocabulary.yml."""
    from crossings.content.project import Project
    from crossings.content.vocabulary import load_vocabulary

    try:
        vocabulary = load_vocabulary(Project.find(path.parent).vocabulary)
    except (FileNotFoundError, ContentError):
        report(Problem(path, item.line, "a 'sector' item needs book/vocabulary.yml"))
        return
    item.options = {key: vocabulary.audience_label(key) for key in vocabulary.audiences}
    item.answer = str(data.get("answer", ""))
    if item.answer not in item.options:
        report(Problem(path, line("answer") if "answer" in data else item.line,
                       f"item '{item.id}': 'answer' (the model answer) is one of "
                       f"{', '.join(item.options)}"))


def _rating(item, data, line, path, report):
    """A level and one line of evidence for every strand of a framework."""
    from crossings.selfassessment.framework import load_for_exercise

    item.framework = str(data.get("framework") or "")
    if not item.framework:
        report(Problem(path, item.line, f"item '{item.id}' needs 'framework' (e.g. roadmap)"))
        return
    item.assessment, problem = load_for_exercise(path, item.framework)
    if problem:
        report(Problem(path, line("framework"), problem))
        return
    strands = len(item.assessment["strands"])
    if item.points and item.points % strands:
        report(Problem(path, line("points"), f"rating '{item.id}': points ({item.points:g}) must "
                                             f"split evenly over its {strands} strands"))


def options_markdown(options: dict[str, str]) -> list[str]:
    """Lettered options as Markdown list lines (notebook and learner page alike)."""
    return [f"- **{k}**: {v}" for k, v in options.items()]


def rubric_markdown(item: Item) -> list[str]:
    """The rubric a learner sees, as Markdown lines (notebook and learner page alike)."""
    lines = ["", "**How the facilitator reads your answer (rubric):**", ""]
    for entry in item.rubric:
        levels = entry["levels"]
        if isinstance(levels, dict):
            levels = "; ".join(f"{k}: {v}" for k, v in levels.items())
        elif isinstance(levels, list):
            levels = "; ".join(map(str, levels))
        lines.append(f"- *{entry['criterion']}*: {levels}")
    return lines


def points_text(points: float) -> str:
    """'1 point', '2 points', '1.5 points'."""
    return f"{points:g} point" + ("" if points == 1 else "s")






def load_exercises(project) -> tuple[list[Exercise], list[Problem]]:
    """Every exercise of the project, and every authoring problem in them.

    Besides each file's own problems: item ids must be unique within an
    exercise, and every outcome of a module that has exercises must be
    assessed by at least one item.
    """
    from crossings.content.modules import load_modules
    from crossings.content.vocabulary import load_vocabulary

    modules = load_modules(project, load_vocabulary(project.vocabulary))
    outcome_ids = {o.id for m in modules for o in m.outcomes}
    slugs = {m.slug for m in modules}
    # A module whose front matter is broken is reported by the module checks;
    # do not repeat that as "unknown outcome" problems in its exercises.
    broken = tuple(f"{m.slug}-" for m in modules if m.problems)
    exercises, problems = [], []
    for path in exercise_files(project.root):
        exercise = load_exercise(path, outcome_ids, slugs)
        exercises.append(exercise)
        problems += [p for p in exercise.problems
                     if not (broken and "is not declared by any module" in p.message
                             and p.message.split("'")[1].startswith(broken))]
    assessed = {o for e in exercises for o in e.outcomes}
    for module in modules:
        if module.problems or not any(e.module == module.slug for e in exercises):
            continue
        for i, outcome in enumerate(module.outcomes):
            if outcome.id not in assessed:
                problems.append(Problem(module.index, module.front.line("outcomes", i, "id"),
                                        f"outcome '{outcome.id}' is not assessed by any exercise item"))
    return exercises, problems
