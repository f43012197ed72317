"""Command line of the platform: ``crossings <command>``.

Each command lives in its own module of this package, which exposes
``register(commands)`` adding its sub-parser (with ``set_defaults(func=...)``).
Only the module of the command being run is imported, so each install extra needs
only what its own commands use: ``crossings validate`` runs on the base install,
``crossings course`` on ``[grading]``, ``crossings exercises`` and ``packs`` on
``[build]``. Add a command by adding a row to ``COMMANDS``.

Layering: the CLI sits on top and may import every capability; nothing imports it.
"""

from __future__ import annotations

import argparse
import importlib

# command name -> (module inside crossings.cli, one-line help shown by `crossings --help`,
#                  the install extra it needs); EXTRAS: the packages that prove an extra is there
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate", "check all content; print file:line: message", ""),
    "exercises": ("exercises", "build the exercise notebooks and check the model answers",
                  "build"),
    "packs": ("packs", "build the facilitator packs (PDF, DOCX, ODT, zip)", "build"),
    "site": ("site", "build the site: English and every other language, strictly", "build"),
    "translations": ("translations", "interface catalog; 'N of M strings translated'",
                     "build"),
    "course": ("course", "run a course: learners, release, collect, autograde, feedback, "
                         "export", "grading"),
    "cohort-report": ("cohort", "compare a group's self-assessments by sector (HTML and PDF)",
                      "grading"),
}


EXTRAS: dict[str, tuple[str, ...]] = {
    "": ("yaml",),
    "build": ("nbgrader", "nbformat", "typst", "pypandoc", "sphinx"),
    "grading": ("nbgrader", "nbformat", "nbclient", "jupyter_client", "typst"),
}


def missing_packages(extra: str) -> list[str]:
    import importlib.util

    return [name for name in EXTRAS[extra] if importlib.util.find_spec(name) is None]


def install_hint(extra: str) -> str:
    return f'pip install -c constraints.txt ".[{extra}]"' if extra else "pip install ."


def _chosen(argv: list[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported (all of them when
    ``argv`` is None, e.g. for documentation)."""
    parser = argparse.ArgumentParser(prog="crossings", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _chosen(argv) if argv is not None else None
    for name, (module, help_text, extra) in COMMANDS.items():
        if argv is None or name == chosen:
            try:
                loaded = importlib.import_module(f"{__name__}.{module}")
            except ModuleNotFoundError as exc:
                parser.exit(2, f"crossings {name}: needs the package '{exc.name}', which is not "
                               f"installed. Install this command's extra: {install_hint(extra)}\n")
            loaded.register(commands)
        else:
            commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    extra = COMMANDS[args.command][2]
    if missing := missing_packages(extra):
        parser.exit(2, f"crossings {args.command}: needs {', '.join(missing)}, which "
                       f"{'is' if len(missing) == 1 else 'are'} not installed. Install this "
                       f"command's extra: {install_hint(extra)}\n")
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
