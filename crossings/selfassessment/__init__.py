"""The self-assessment of a local system: its framework and a learner's profile.

Owns: the framework data in ``book/self-assessment.yml`` with its checks
(``framework``), and a learner's profile from ratings, with its radar chart
(``profile``). The cohort report over a group lives in ``crossings.cohort``; the
notebook cells of a self-assessment exercise in ``crossings.exercises.rating_cells``.

May import: ``crossings.content`` and the standard library.
"""
