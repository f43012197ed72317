"""Facilitator packs: the pack model, its checks, rendering, and the PDF/DOCX/ODT build.

Owns: the pack data (``model``), reading ``facilitator/*/pack.md`` and notes (``load``),
pack checks with file:line problems (``checks``), rendering a pack to Markdown for the
site and to pandoc input for the documents (``render``), and building PDF (Typst),
DOCX, ODT and zip files (``build``).

May import: ``crossings.content``, Typst and pypandoc (lazily, at build time). Never
Sphinx: the site's pack pages are made by ``crossings.sphinxext.packs``.
"""
