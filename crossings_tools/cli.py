"""Command line of the platform's tooling: ``crossings <command>``.

Each command lives in its own module, which exposes ``register(commands)``
adding its sub-parser (with ``set_defaults(func=...)``). Add a command by
adding its module name to COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .project import Project
from .validate import validate

# Modules (inside crossings_tools) that contribute sub-commands.
COMMAND_MODULES: list[str] = ["exercises_cli", "packs_build", "course_cli", "cohort_report"]


def cmd_validate(args) -> int:
    project = Project.find(Path(args.root))
    report = validate(project, check_originality=not args.no_originality)
    for problem in report.problems:
        print(problem.format(project.root))
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(f"crossings validate: {report.modules} module(s), {report.pages} page(s): {status}",
          file=sys.stderr)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossings", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("validate", help="check all content; print file:line: message")
    p.add_argument("--root", default=".", help="repository folder (default: current)")
    p.add_argument("--no-originality", action="store_true",
                   help="skip the comparison with the source documents")
    p.set_defaults(func=cmd_validate)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{name}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
