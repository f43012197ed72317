"""``crossings cohort-report``: compare a group's self-assessments by sector (HTML and PDF)."""

from __future__ import annotations

import sys
from pathlib import Path

from crossings.cohort.render import summary_text, write_report
from crossings.cohort.report import (
    DEFAULT_EXERCISE,
    MIN_PER_SECTOR,
    ReportError,
    collect,
    read_roster,
)
from crossings.content.project import Project


def cmd_cohort_report(args) -> int:
    project = Project.find(Path(args.root))
    folder = Path(args.course_dir)
    # Default: beside the submissions (outside the repository, like the course itself).
    out = Path(args.out) if args.out else folder / "cohort-report"
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
        report = collect(folder, project, args.exercise, roster, args.min_per_sector,
                         args.language or None)
        if not report.included:
            raise ReportError(f"no readable self-assessment in {folder}: "
                              + "; ".join(f"{s.learner}: {s.notes[0]}" for s in report.submissions)
                              if report.submissions else f"no notebooks found in {folder}")
        files = write_report(report, out)
    except ReportError as exc:
        print(f"crossings cohort-report: {exc}", file=sys.stderr)
        return 2
    print(summary_text(report))
    for path in files:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def register(commands) -> None:
    p = commands.add_parser("cohort-report",
                            help="compare a group's self-assessments by sector (HTML and PDF)")
    p.add_argument("course_dir", help="nbgrader course directory, or a folder of notebooks "
                                      "named <learner-code>.ipynb")
    p.add_argument("--exercise", default=DEFAULT_EXERCISE,
                   help=f"the self-assessment exercise id (default: {DEFAULT_EXERCISE})")
    p.add_argument("--out", default="",
                   help="output folder (default: COURSE_DIR/cohort-report)")
    p.add_argument("--roster", default="", help="file with the expected learner codes, one a "
                                                "line (those without a notebook are listed)")
    p.add_argument("--min-per-sector", type=int, default=MIN_PER_SECTOR,
                   help="people a sector needs for its own figures (at least and default: 3)")
    p.add_argument("--language", default="",
                   help="language of the report, a code of locales/languages.yml (default: the "
                        "language of the notebooks if they all have the same, else English)")
    p.add_argument("--root", default=".", help="repository folder (default: current)")
    p.set_defaults(func=cmd_cohort_report)
