"""Benchmarks behind ``nox -s bench``: ratios measured in one run, never timed tests.

Owns: grading speed (``grading``), first-visit page weight (``weight``), and the
headless-browser helpers shared with the browser tests (``browser``).

May import: every capability below it. Nothing imports it except the tests.
"""
