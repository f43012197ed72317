"""``crossings exercises``: build the exercise notebooks and check the model answers."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from crossings.content.project import Project


def cmd_exercises(args) -> int:
    from crossings.exercises.build import build_exercises

    project = Project.find(Path(args.root))
    out = Path(args.out) if args.out else None
    with warnings.catch_warnings():
        # nbgrader's own SQLAlchemy session warnings are not ours to fix
        warnings.filterwarnings("ignore", module="nbgrader")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        result = build_exercises(project, out, check_models=not args.no_model_check,
                                 log=_log, fresh=args.all)
    for problem in result.problems:
        print(problem.format(project.root))
    if result.problems:
        print(f"crossings exercises: {len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"crossings exercises: {len(result.exercises)} exercise(s) built into {result.out}",
          file=sys.stderr)
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # progress while notebooks run


def register(commands) -> None:
    p = commands.add_parser("exercises", help="build nbgrader notebooks; grade the model answers")
    p.add_argument("--root", default=".", help="repository folder (default: current)")
    p.add_argument("--out", help="output folder (default: _build/exercises)")
    p.add_argument("--no-model-check", action="store_true",
                   help="skip grading the model answers with the real autograder")
    p.add_argument("--all", action="store_true",
                   help="rebuild every exercise, even those whose inputs did not change")
    p.set_defaults(func=cmd_exercises)
