"""Exercises: the MyST exercise source format, the nbgrader notebook writer, the build.

Owns: reading ``exercises/**/*.md`` into items with file:line problems (``source``),
nbgrader cell building blocks (``cells``), the notebook of an exercise (``notebook``)
with its self-assessment cells (``rating_cells``), and ``crossings exercises``, which
writes the notebooks and checks every model answer in nbgrader (``build``).

May import: ``crossings.content``, ``crossings.selfassessment``, nbformat and nbgrader.
Never Sphinx (the learner pages are made by ``crossings.sphinxext.exercises``).
"""
