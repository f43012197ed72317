"""Content model and validation, the bottom layer.

Owns: project paths (``project``), the table of contents (``toc``), the vocabulary of
outcomes and concepts (``vocabulary``), module front matter (``modules``), Markdown
scanning (``mdscan``), YAML reading with line numbers (``yamlsource``), the content
checks (``checks``), the originality check (``originality``), the bibliography
(``bibliography``) and problem reporting as ``file:line: message`` (``problems``).

May import: the standard library and PyYAML only. No Sphinx, docutils, nbgrader,
nbformat or Typst (checked by import-linter), so ``crossings validate`` runs on the
base install.
"""
