"""The cohort report: what a mixed group's self-assessments say together.

Owns: reading a group's self-assessment notebooks into sector statistics (``report``)
and writing the HTML and tagged PDF report (``render``).

May import: ``crossings.grading`` (reading notebooks and course learners),
``crossings.exercises``, ``crossings.packs`` (the Typst compile), ``crossings.selfassessment``
and ``crossings.content``.
"""
