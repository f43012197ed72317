"""`crossings course ...`: the facilitator's nbgrader workflow for one cohort.

    crossings course new COURSE [--db URL]
    crossings course learners COURSE add CODE... | generate N | list
    crossings course release COURSE --from _build/exercises [IDS...]
    crossings course collect COURSE PATH [--add-learners]
    crossings course autograde COURSE [--jobs N] [--timeout S] [--memory MB] [IDS...]
    crossings course status COURSE [IDS...]
    crossings course feedback COURSE [IDS...]
    crossings course export COURSE --csv FILE
    crossings course learner COURSE export CODE --to FILE
    crossings course learner COURSE erase CODE --yes
    crossings course check COURSE

Exit codes: 0 = done, nothing needs attention; 1 = done, something needs
attention (listed at the end); 2 = nothing done (a mistake in the command or the
course, or no sandbox on this machine).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from crossings.grading import collect, learner_data
from crossings.grading import course as C

HELP = __doc__.split("\n\n")[0]


def _lean_imports():
    """jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax,
    which builds a parser grammar at import: about a second of CPU per command for
    a check no notebook schema uses. Leave it out of this command's process."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _quiet():
    # nbgrader's own update_or_create_submission triggers SQLAlchemy autoflush warnings
    warnings.filterwarnings("ignore", message=".*not in session.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import logging
    logging.getLogger("traitlets").setLevel(logging.ERROR)


def err(message: str) -> None:
    print(f"crossings course: {message}", file=sys.stderr)


def cmd_new(args) -> int:
    course = C.new_course(Path(args.dir), args.db)
    db = course.db_url
    if "@" in db:           # never print a user name or password
        scheme, rest = db.split("://", 1)
        db = f"{scheme}://...@{rest.split('@')[-1]}"
    print(f"created course {course.root}\n  gradebook: {db}\n  next: crossings course learners "
          f"{args.dir} generate N   (or: add CODE...)")
    return 0


def cmd_learners(args) -> int:
    course = C.Course.open(args.dir)
    if args.action == "add":
        added = C.add_learners(course, args.codes)
        print(f"added {len(added)} learner(s); {len(course.learners())} in the course")
        for code in added:
            print(code)
    elif args.action == "generate":
        codes = C.generate_codes(course, args.count)
        print(f"generated {len(codes)} pseudonymous code(s); give one to each learner and keep "
              "the key (who has which code) outside the course directory:", file=sys.stderr)
        for code in codes:
            print(code)
    else:
        for code in course.learners():
            print(code)
    return 0


def cmd_release(args) -> int:
    course = C.Course.open(args.dir)
    released = C.release(course, Path(args.source), args.ids or None)
    print(f"{len(released)} exercise(s) released. Learners download the notebooks from the site "
          "(or get the files under release/); name the returned files "
          "<learner-code>/<exercise-id>.ipynb or <learner-code>__<exercise-id>.ipynb")
    return 0


def cmd_collect(args) -> int:
    course = C.Course.open(args.dir)
    caps = collect.Caps(total_bytes=args.max_total_mb * 2**20,
                        new_learners=args.max_new_learners)
    collected, rejected = collect.collect(course, Path(args.path), add_unknown=args.add_learners,
                                          caps=caps)
    for item in collected:
        note = f" ({item.note})" if item.note else ""
        print(f"collected {item.learner} {item.exercise} <- {item.source}{note}")
    for item in rejected:
        print(f"not collected: {item.source}: {item.reason}")
    print(f"{len(collected)} notebook(s) collected, {len(rejected)} file(s) not collected")
    return 1 if rejected else 0


def cmd_autograde(args) -> int:
    from crossings.grading.autograde import autograde, summary
    from crossings.grading.sandbox import Limits

    course = C.Course.open(args.dir)
    limits = Limits(timeout=args.timeout, memory_mb=args.memory, output_kb=args.output_kb)
    if args.no_sandbox:
        err("WARNING: --no-sandbox: learner code runs with your own rights; use only for "
            "notebooks you trust")
    run = autograde(course, args.ids or None, jobs=args.jobs, limits=limits, force=args.force,
                    allow_unsandboxed=args.no_sandbox, learners=args.learner or None)
    print(summary(run, course.catalogue()), end="")
    return run.exit_code


def cmd_status(args) -> int:
    course = C.Course.open(args.dir)
    rows = learner_data.grade_rows(course, course.select(args.ids or None))
    print(C.table([[r["learner"], r["exercise"], r["status"],
                    f"{r['score']}/{r['max_score']}" if r["score"] != "" else "-",
                    r["needs_manual_grading"] or "-", r["reasons"]] for r in rows],
                  ["learner", "exercise", "status", "score", "manual", "reasons"]), end="")
    attention = [r for r in rows if r["needs_attention"] == "yes"]
    print(f"{len(rows)} row(s); {len(attention)} need attention")
    return 1 if attention else 0


def cmd_feedback(args) -> int:
    from crossings.grading.feedback import generate_feedback

    course = C.Course.open(args.dir)
    run = generate_feedback(course, args.ids or None,
                            log=lambda line: print(line, file=sys.stderr),
                            learners=args.learner or None)
    for learner, exercise, why in run.problems:
        print(f"no feedback for {learner} {exercise}: {why}")
    print(f"{len(run.written)} feedback file(s) under {course.root / 'feedback'}; "
          f"{len(run.problems)} problem(s)")
    return run.exit_code


def cmd_export(args) -> int:
    course = C.Course.open(args.dir)
    count = learner_data.export_csv(course, Path(args.csv), course.select(args.ids or None))
    print(f"wrote {count} row(s) to {args.csv}")
    return 0


def cmd_learner(args) -> int:
    course = C.Course.open(args.dir)
    if args.action == "export":
        names = learner_data.export_learner(course, args.code, Path(args.to))
        print(f"wrote {len(names)} item(s) about {args.code} to {args.to}")
        return 0
    if not args.yes:
        err(f"erasing {args.code} cannot be undone; export first, then add --yes")
        return 2
    for line in learner_data.erase_learner(course, args.code):
        print(f"erased: {line}")
    left = learner_data.mentions(course, args.code)
    if left:
        print("still mentioned in: " + ", ".join(left))
        return 1
    print(f"no file of the course mentions {args.code} any more")
    return 0


def cmd_check(args) -> int:
    from crossings.grading.sandbox import Sandbox, SandboxUnavailable, check

    course = C.Course.open(args.dir)
    try:
        sandbox = Sandbox.detect(hide=[course.root])
    except SandboxUnavailable as exc:
        err(str(exc))
        return 2
    try:
        ok, text = check(sandbox, course.root)
    finally:
        sandbox.close()
    limits = "\n".join(f"  {line}" for line in sandbox.limits_in_force())
    print(f"sandbox: {sandbox.describe()}\nprobe from inside: {text}\nlimits in force:\n"
          f"{limits}\n{'ok' if ok else 'NOT ISOLATED'}")
    return 0 if ok else 1


class _Intermixed(argparse.ArgumentParser):
    """Lets exercise ids follow options (`release DIR --from BUILD ID...`,
    `autograde DIR --jobs 2 ID...`), which plain argparse refuses."""

    _mixing = False

    def parse_known_args(self, args=None, namespace=None):
        if self._subparsers is not None or self._mixing:
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def register(commands) -> None:
    parser = commands.add_parser("course", help="a cohort's nbgrader course: learners, release, "
                                 "collect, sandboxed autograde, feedback, export",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="course_command", required=True, parser_class=_Intermixed)

    p = sub.add_parser("new", help="create a course directory (outside the repository)")
    p.add_argument("dir")
    p.add_argument("--db", help="SQLAlchemy URL of the gradebook (default: SQLite file "
                   "gradebook.db in DIR), e.g. postgresql+psycopg://user@host/dbname")
    p.set_defaults(course_func=cmd_new)

    p = sub.add_parser("learners", help="add, generate or list pseudonymous learner codes")
    p.add_argument("dir")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="add codes you chose")
    a.add_argument("codes", nargs="+", metavar="CODE")
    a = actions.add_parser("generate", help="make N random codes")
    a.add_argument("count", type=int, metavar="N")
    actions.add_parser("list", help="print the codes")
    p.set_defaults(course_func=cmd_learners)

    p = sub.add_parser("release", help="register exercises from the build in the course")
    p.add_argument("dir")
    p.add_argument("--from", dest="source", default="_build/exercises",
                   help="the builder's output (default: _build/exercises)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.set_defaults(course_func=cmd_release)

    p = sub.add_parser("collect", help="copy returned notebooks (folder or zip) into the course")
    p.add_argument("dir")
    p.add_argument("path", help="a folder or a zip file of notebooks named "
                   "<learner>/<exercise>.ipynb or <learner>__<exercise>.ipynb")
    p.add_argument("--add-learners", action="store_true",
                   help="add unknown (valid) learner codes instead of rejecting their files")
    p.add_argument("--max-new-learners", type=int, default=collect.Caps.new_learners,
                   help="most learners --add-learners creates in one collect (default "
                   f"{collect.Caps.new_learners})")
    p.add_argument("--max-total-mb", type=int, default=collect.Caps.total_bytes // 2**20,
                   help="most megabytes read from the folder or zip in all (default "
                   f"{collect.Caps.total_bytes // 2**20})")
    p.set_defaults(course_func=cmd_collect)

    p = sub.add_parser("autograde", help="grade every submission in a sandbox")
    p.add_argument("dir")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--jobs", "-j", type=int, default=1, help="notebooks run at once (default 1)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds one notebook may run (default 60)")
    p.add_argument("--memory", type=int, default=2048, help="memory per notebook, MB")
    p.add_argument("--output-kb", type=int, default=512, help="output kept per notebook, kB")
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument("--learner", action="append", metavar="CODE",
                   help="grade only this learner (repeat for more)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run without bubblewrap (ONLY for notebooks you trust)")
    p.set_defaults(course_func=cmd_autograde)

    p = sub.add_parser("status", help="one line per learner and exercise")
    p.add_argument("dir")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.set_defaults(course_func=cmd_status)

    p = sub.add_parser("feedback", help="write feedback files that reveal nothing hidden")
    p.add_argument("dir")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--learner", action="append", metavar="CODE",
                   help="only this learner (repeat for more)")
    p.set_defaults(course_func=cmd_feedback)

    p = sub.add_parser("export", help="grades as CSV: one row per learner and exercise")
    p.add_argument("dir")
    p.add_argument("--csv", required=True, metavar="FILE")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.set_defaults(course_func=cmd_export)

    p = sub.add_parser("learner", help="export or erase one learner's data (GDPR)")
    p.add_argument("dir")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("export", help="everything about one learner, as a zip file")
    a.add_argument("code")
    a.add_argument("--to", required=True, metavar="FILE")
    a = actions.add_parser("erase", help="remove one learner everywhere")
    a.add_argument("code")
    a.add_argument("--yes", action="store_true", help="really erase")
    p.set_defaults(course_func=cmd_learner)

    p = sub.add_parser("check", help="check from inside that the sandbox isolates")
    p.add_argument("dir")
    p.set_defaults(course_func=cmd_check)

    parser.set_defaults(func=_run)


def _run(args) -> int:
    _lean_imports()
    _quiet()
    try:
        return args.course_func(args)
    except C.CourseError as exc:
        err(str(exc))
        return 2
    except Exception as exc:  # SandboxUnavailable and friends: plain message, exit 2
        from crossings.grading.sandbox import SandboxUnavailable
        if isinstance(exc, SandboxUnavailable):
            err(str(exc))
            return 2
        raise
