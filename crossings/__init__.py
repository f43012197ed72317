"""Crossings: the tooling of the joint CPD platform (``crossings`` on the command line).

One subpackage per capability; layers point one way (checked by import-linter, see
``[tool.importlinter]`` in pyproject.toml):

- ``cli``, ``sphinxext``, ``bench`` and ``validate`` (top): commands, the Sphinx
  extension, the benchmarks and the whole-project validation; nothing imports them;
- ``cohort``: the cohort report over a group's graded self-assessments;
- ``grading``: courses, collect, sandboxed autograde, feedback, learner data (nbgrader);
- ``exercises`` and ``packs``: exercise notebooks and facilitator packs, side by side;
- ``selfassessment``: the self-assessment framework and a learner's profile;
- ``content`` (bottom): project paths, toc, vocabulary, modules, Markdown and YAML
  reading, the content checks, originality, bibliography, problem reporting. It imports
  no Sphinx, nbgrader or Typst.
"""
