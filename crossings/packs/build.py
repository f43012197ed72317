"""Build the facilitator packs: a tagged PDF per pack, DOCX and ODT handouts, one zip.

    crossings packs [--out _build/packs]

Flow per pack (no LaTeX): the pack page, its generated parts and its handouts become
pandoc Markdown (``packs_render``); pandoc (from PyPI ``pypandoc-binary``) turns it into
Typst markup, which Typst (PyPI ``typst``) compiles into a tagged PDF/UA-1 file with
document title and language; pandoc also writes every handout as DOCX and ODT. Citations
are resolved by pandoc's citeproc from ``book/references.bib``.

Outputs go to ``<out>/<pack>/``; ``manifest.json`` lists each pack's files and pages.
Every other language of ``locales/languages.yml`` gets ``<out>/<code>/<pack>/`` (with its own
manifest and cache) for the packs whose page and handouts are all translated in it
(``packs.language``): the same file names, the text from the pages' catalogs, the words of
this code from the interface catalog, and the language in the PDF (/Lang) and DOCX/ODT.
A pack is rebuilt only when one of its inputs changed: a content-hash cache
(``crossings.content.buildcache``) beside the outputs keys each pack on its own folder,
the packs its timeline names, the facilitator notes of its modules, the titles, labels
and outcomes it may link to, the bibliography, this code and the tool versions (in another
language also the catalogs of its pages and the interface catalog), and
checks the recorded hash of every output file. ``fresh=True`` (``crossings packs
--all``) rebuilds every pack.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crossings.content.buildcache import BuildCache, code_files, inputs_key, tool_versions
from crossings.content.problems import ContentError
from crossings.content.project import Project
from crossings.packs.documents import handout_document, pack_document, pack_files
from crossings.packs.generated import check_generated
from crossings.packs.language import catalog_inputs, localized, other_languages, translated_packs
from crossings.packs.model import Pack
from crossings.packs.printing import TEMPLATE, figure_images, set_row_heights
from crossings.packs.render import Context

LANGUAGE = "en"
AUTHOR = "The Crossings contributors"
MANIFEST = "manifest.json"
CACHE_FILE = ".packs-cache.json"
TOOLS = ("typst", "pypandoc-binary")
CITATION = re.compile(r"(?<![\w.])@[A-Za-z][\w:-]*")
PANDOC_FROM = "markdown+lists_without_preceding_blankline-implicit_figures-auto_identifiers"

PREAMBLE = """\
#set document(title: {title}, author: "{author}", description: {description})
#set text(lang: "{lang}", font: "Libertinus Serif", size: 11.5pt)
#set page(paper: "a4", margin: (x: 2.2cm, y: 2.4cm), numbering: "1 / 1")
#set par(justify: false, leading: 0.75em, spacing: 1.1em)
#set list(indent: 0.4em)
#set table(stroke: 0.6pt + luma(120), inset: 6pt)
#show table.cell.where(y: 0): set text(weight: "bold")
#show heading: set block(above: 1.5em, below: 0.8em)
#show heading.where(level: 1): set text(size: 22pt)
#show heading.where(level: 2): set text(size: 17pt)
#show heading.where(level: 3): set text(size: 14pt)
#show link: underline
#let horizontalrule = line(length: 100%, stroke: 0.6pt + luma(120))
#let notebox(body) = block(width: 100%, inset: 10pt, fill: rgb("#eef3f8"),
  stroke: (left: 3pt + rgb("#1f4e79")), breakable: true, body)

"""  # ... followed by the handouts' print template, printing.TEMPLATE


@dataclass
class BuiltPack:
    slug: str
    folder: Path
    files: list[str]
    pages: int
    seconds: float


def pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - the build extra installs it
        raise RuntimeError("pandoc is missing: install the 'build' extra (pypandoc-binary)") from exc
    return pypandoc.get_pandoc_path()


def pandoc(markdown: str, to: str, output: Path | None, project: Project, lang: str,
           *extra: str) -> str:
    args = [pandoc_path(), "--from", PANDOC_FROM, "--to", to, "--metadata", f"lang={lang}",
            *extra]
    if CITATION.search(markdown):  # citeproc reads the whole bibliography: only when needed
        args += ["--citeproc", "--bibliography", str(project.bibliography),
                 "--metadata", "link-citations=false"]
    if output is not None:
        args += ["--output", str(output)]
    proc = subprocess.run(args, input=markdown, capture_output=True, text=True)
    if proc.returncode != 0 or "[WARNING]" in proc.stderr:
        raise RuntimeError(f"pandoc ({to}) failed: {proc.stderr.strip()}")
    return proc.stdout


def typst_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def pack_key(pack: Pack, ctx: Context) -> str:
    """Hash of every input of one pack (see the module docstring)."""
    project = ctx.project
    package = Path(__file__).parents[1]
    files = [*_pack_folder_files(pack), project.bibliography]
    for ref in pack.used_handouts():   # shared handouts of other packs, and figure images
        handout = ctx.catalogue.handout(ref, pack)
        if handout is not None:
            files += [handout.path, *figure_images(handout.path)]
    modules = [pack.module] if pack.module else []
    for step in pack.timeline:
        other = ctx.catalogue.pack(step.pack) if step.pack else None
        if other is not None and other is not pack:
            files += _pack_folder_files(other)
            if other.module:
                modules.append(other.module)
    files += code_files(package / "packs", package / "content")
    notes = [(project.docname(n.path), n.body, n.activity)
             for m in modules for n in ctx.catalogue.module_notes.get(m, [])]
    derived = json.dumps([notes, ctx.titles, ctx.labels, ctx.outcomes, ctx.module_titles],
                         sort_keys=True, default=str)
    extra = [derived, *tool_versions(*TOOLS)]
    if ctx.language is not None:   # the pack in another language: its catalogs too
        files += catalog_inputs(pack, ctx)
        extra.append(f"language={ctx.language.code}")
    return inputs_key(files, project.root, extra)


def language_of(ctx: Context) -> str:
    return ctx.language.code if ctx.language is not None else LANGUAGE


def _pack_folder_files(pack: Pack) -> list[Path]:
    folder = pack.data_file.parent
    return sorted(p for p in folder.rglob("*") if p.is_file())


def is_fresh(project: Project, out: Path) -> bool:
    """True when every pack in ``out`` was built from the current inputs and is intact."""
    try:
        ctx = Context.load(project)
    except ContentError:
        return False
    sets = [(out, ctx, ctx.catalogue.packs)]
    for code in other_languages(project.root):
        packs = translated_packs(ctx, code)
        if packs:
            sets.append((out / code, localized(ctx, code), packs))
    for folder, lctx, packs in sets:
        cache = BuildCache(folder, CACHE_FILE)
        if not (folder / MANIFEST).is_file() or not all(
                cache.fresh(pack.slug, pack_key(pack, lctx)) for pack in packs):
            return False
    return True


def build_packs(project: Project, out: Path, log=print, fresh: bool = False,
                ctx: Context | None = None) -> list[BuiltPack]:
    """Build every pack whose inputs changed into ``out``; raises ContentError if any pack
    has a problem. Returns every pack (``seconds`` is 0 for a pack reused from the cache)."""
    ctx = ctx or Context.load(project)
    problems = ctx.catalogue.problems + [p for pack in ctx.catalogue.packs
                                         for p in check_generated(pack, ctx)]
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (str(p.path), p.line)))
    codes = other_languages(project.root)
    built = _build_set(ctx.catalogue.packs, ctx, out, log, fresh, keep=set(codes))
    for code in codes:   # the packs fully translated in another language, into <out>/<code>/
        packs = translated_packs(ctx, code)
        if packs:
            _build_set(packs, localized(ctx, code), out / code, log, fresh)
        elif (out / code).is_dir():
            shutil.rmtree(out / code)
    return built


def _build_set(packs: list[Pack], ctx: Context, out: Path, log, fresh: bool,
               keep: set[str] = frozenset()) -> list[BuiltPack]:
    """Build ``packs`` in ``ctx``'s language into ``out`` (``keep``: folders to leave)."""
    out.mkdir(parents=True, exist_ok=True)
    cache = BuildCache(out, CACHE_FILE)
    if cache.problem:
        log(cache.problem)
    if fresh:
        cache.clear()
    old = _read_manifest(out)
    slugs = {pack.slug for pack in packs}
    for child in out.iterdir():  # packs that were deleted or renamed
        if child.is_dir() and child.name not in slugs | keep:
            shutil.rmtree(child)
    cache.keep_only(slugs)
    built = []
    lang = "" if ctx.language is None else f" ({ctx.language.code})"
    for pack in packs:
        key = pack_key(pack, ctx)
        if pack.slug in old and cache.fresh(pack.slug, key):
            built.append(BuiltPack(pack.slug, out / pack.slug, old[pack.slug]["files"],
                                   old[pack.slug]["pages"], 0.0))
            continue
        built.append(build_one(pack, ctx, out))
        cache.record(pack.slug, key, [p for p in built[-1].folder.rglob("*") if p.is_file()])
        log(f"pack {pack.slug}{lang}: {built[-1].pages} PDF pages, {len(built[-1].files) - 2} handout "
            f"files, {built[-1].seconds:.1f} s")
    reused = [b.slug for b in built if b.seconds == 0.0]
    if reused:
        log(f"packs{lang} up to date (unchanged inputs; --all rebuilds): {', '.join(reused)}")
    manifest = {"packs": {b.slug: {"files": b.files, "pages": b.pages} for b in built}}
    text = json.dumps(manifest, indent=2)
    if _read_manifest(out) != manifest["packs"] or not (out / MANIFEST).is_file():
        (out / MANIFEST).write_text(text, encoding="utf-8")  # unchanged: keep its date
    cache.save()
    return built


def _read_manifest(out: Path) -> dict:
    try:
        packs = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["packs"]
        return {slug: info for slug, info in packs.items()
                if isinstance(info.get("files"), list) and isinstance(info.get("pages"), int)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def build_one(pack: Pack, ctx: Context, out: Path) -> BuiltPack:
    project, lang, _ = ctx.project, language_of(ctx), ctx.gettext
    title = ctx.titles.get(pack.docname, pack.title)
    started = time.perf_counter()
    folder = out / pack.slug
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "handouts").mkdir(parents=True)
    source = folder / "source"
    source.mkdir()
    files = list(pack_files(pack, ctx))
    jobs = []
    # Handouts: DOCX and ODT for participants (facilitator notes removed).
    for ref in pack.used_handouts():
        handout = ctx.catalogue.handout(ref, pack)
        if handout.kind == "figure":  # printed in the PDF only (printing: '% print: figure')
            continue
        markdown = handout_document(handout, ctx)
        (source / f"{handout.id}.md").write_text(markdown, encoding="utf-8")
        for fmt in ("docx", "odt"):
            jobs.append((markdown, fmt, folder / "handouts" / f"{handout.id}.{fmt}", project,
                         lang, "--shift-heading-level-by=-1", "--metadata",
                         f"subject={title}", "--metadata", f"author={AUTHOR}"))
    # The printed pack: Markdown -> Typst -> tagged PDF/UA-1.
    markdown = pack_document(pack, ctx)
    (source / f"{pack.slug}-pack.md").write_text(markdown, encoding="utf-8")
    jobs.append((markdown, "typst", None, project, lang))
    with ThreadPoolExecutor(max_workers=4) as pool:  # pandoc runs as separate processes
        results = list(pool.map(lambda job: pandoc(*job), jobs))
    for job in jobs[:-1]:
        set_row_heights(job[2])   # write-in rows get their height (printing)
    for name, image in ctx.assets.items():
        shutil.copyfile(image, source / name)
    body = results[-1]
    description = _("Facilitator pack for joint professional development: {title}").format(
        title=title)
    typ = PREAMBLE.format(title=typst_string(title), author=AUTHOR, lang=lang,
                          description=typst_string(description)) + TEMPLATE + "\n" + body
    typ_file = source / f"{pack.slug}-pack.typ"
    typ_file.write_text(typ, encoding="utf-8")
    pdf = folder / f"{pack.slug}-pack.pdf"
    compile_pdf(typ_file, pdf)
    write_zip(folder, pack.slug, [f for f in files if not f.endswith(".zip")], title, _)
    return BuiltPack(pack.slug, folder, files, pdf_pages(pdf), time.perf_counter() - started)


def compile_pdf(typ_file: Path, pdf: Path) -> None:
    import typst
    try:
        typst.compile(str(typ_file), output=str(pdf), root=str(typ_file.parent),
                      ignore_system_fonts=True, pdf_standards=["ua-1"])
    except Exception as exc:  # typst raises its own error type with the diagnostics
        raise RuntimeError(f"typst could not compile {typ_file}: {exc}") from exc


def pdf_pages(pdf: Path) -> int:
    """Page count, read from the page tree (no PDF library needed at build time)."""
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf.read_bytes())
    return max((int(c) for c in counts), default=0)


def write_zip(folder: Path, slug: str, files: list[str], title: str, _=str) -> None:
    readme = (f"{title}\n\n"
              + _("A facilitator pack of Crossings. Content licensed under CC BY 4.0 "
                  "(attribution: {author}).").format(author=AUTHOR) + "\n\n"
              + _("In this zip:") + "\n"
              + "".join(f"- {name}\n" for name in files)
              + "\n" + _("The handouts are editable: adapt them to your town and your group.")
              + "\n")
    with zipfile.ZipFile(folder / f"{slug}-pack.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for name in files:
            archive.write(folder / name, f"{slug}-pack/{name}")


def default_out(project: Project) -> Path:
    return project.root / "_build" / "packs"
