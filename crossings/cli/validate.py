"""``crossings validate``: check all content and print ``file:line: message`` for each problem.

Needs only the base install (PyYAML): no Sphinx, nbgrader or Typst.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.content.project import Project
from crossings.validate import validate


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


def register(commands) -> None:
    p = commands.add_parser("validate", help="check all content; print file:line: message")
    p.add_argument("--root", default=".", help="repository folder (default: current)")
    p.add_argument("--no-originality", action="store_true",
                   help="skip the comparison with the source documents")
    p.set_defaults(func=cmd_validate)
