"""``crossings packs``: build the facilitator packs (PDF, DOCX, ODT, zip) into _build/packs."""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.content.problems import ContentError
from crossings.content.project import Project
from crossings.packs.build import build_packs, default_out


def cmd_packs(args) -> int:
    project = Project.find(Path(args.root))
    out = Path(args.out) if args.out else default_out(project)
    try:
        built = build_packs(project, out, fresh=args.all, log=_log)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(project.root))
        print(f"crossings packs: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"crossings packs: {len(built)} pack(s) in {out}", file=sys.stderr)
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def register(commands) -> None:
    p = commands.add_parser("packs", help="build the facilitator packs (PDF, DOCX, ODT, zip)")
    p.add_argument("--root", default=".", help="repository folder (default: current)")
    p.add_argument("--out", default="", help="output folder (default: _build/packs)")
    p.add_argument("--all", action="store_true",
                   help="rebuild every pack, even those whose inputs did not change")
    p.set_defaults(func=cmd_packs)
