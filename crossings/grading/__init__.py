"""Grading a cohort: the nbgrader course directory and everything a facilitator runs on it.

Owns: the course directory, learners and release (``course``), collecting submissions
(``collect``), reading and rebuilding a submission before it runs (``submission``),
sandboxed autograding (``sandbox``, ``autograde``), feedback pages (``feedback``),
grade export and one learner's export and erasure (``learner_data``), and sample
cohorts for tests and benchmarks (``samples``).

May import: ``crossings.exercises`` (the exercise build), ``crossings.content``,
nbgrader, nbformat, nbclient and jupyter_client. Never Sphinx.
"""
