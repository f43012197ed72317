"""Loading every exercise of a project, and how the exercises line up with the modules.

``load_exercises`` parses each file (``crossings.exercises.source``) and then checks the
alignment between items and the module contract:

- every outcome of a module that has exercises is assessed by at least one item;
- an outcome whose text uses a *constructed-response verb* (``constructed_verbs`` in
  ``book/vocabulary.yml``, e.g. explain, design) is assessed by at least one reflection or
  plan item with a rubric, not by recognition items (choice, classify, order) alone;
- the ``concepts:`` of an item are concept ids of the vocabulary (a rating item practises
  every concept of its framework; the coverage map reads them).
"""

from __future__ import annotations

import re

from crossings.content.problems import Problem
from crossings.exercises.source import DISCUSSED_TYPES, Exercise, exercise_files, load_exercise


def load_exercises(project) -> tuple[list[Exercise], list[Problem]]:
    """Every exercise of the project, and every authoring and alignment problem in them."""
    from crossings.content.modules import load_modules
    from crossings.content.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(project.vocabulary)
    modules = load_modules(project, vocabulary)
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
        for item in exercise.items:
            for k, cid in enumerate(item.concepts):
                if cid not in vocabulary.concepts:
                    problems.append(Problem(path, item.data.line("concepts", k),
                                            f"item '{item.id}': unknown concept id '{cid}' "
                                            "(see book/vocabulary.yml)"))
            if item.type == "rating" and item.framework:
                item.concepts += [c.id for c in vocabulary.concepts.values()
                                  if c.framework == item.framework and c.id not in item.concepts]
    assessed = {o for e in exercises for o in e.outcomes}
    constructed = {o for e in exercises for item in e.items if item.type in DISCUSSED_TYPES
                   and item.rubric for o in item.outcomes}
    for module in modules:
        if module.problems or not any(e.module == module.slug for e in exercises):
            continue
        for i, outcome in enumerate(module.outcomes):
            if outcome.id not in assessed:
                problems.append(Problem(module.index, module.front.line("outcomes", i, "id"),
                                        f"outcome '{outcome.id}' is not assessed by any exercise item"))
                continue
            verb = constructed_verb(outcome.text, vocabulary.constructed_verbs)
            if verb and outcome.id not in constructed:
                problems.append(Problem(
                    module.index, module.front.line("outcomes", i, "text"),
                    f"outcome '{outcome.id}' asks learners to '{verb}', which needs a constructed "
                    "response, but only recognition items (choice, classify, order) assess it: "
                    "add a reflection or plan item with a rubric"))
    return exercises, problems


def constructed_verb(text: str, verbs: tuple[str, ...]) -> str:
    """The first verb of ``verbs`` (book/vocabulary.yml) that the outcome text uses, or ''."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return next((verb for verb in verbs if verb in words), "")
