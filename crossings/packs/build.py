"""Build the facilitator packs: a tagged PDF per pack, DOCX and ODT handouts, one zip.

    crossings packs [--out _build/packs]

Flow per pack (no LaTeX): the pack page, its generated parts and its handouts become
pandoc Markdown (``packs_render``); pandoc (from PyPI ``pypandoc-binary``) turns it into
Typst markup, which Typst (PyPI ``typst``) compiles into a tagged PDF/UA-1 file with
document title and language; pandoc also writes every handout as DOCX and ODT. Citations
are resolved by pandoc's citeproc from ``book/references.bib``.

Outputs go to ``<out>/<pack>/``; ``manifest.json`` records a fingerprint of every input so
the Sphinx extension can tell whether the packs are up to date.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crossings.content.problems import ContentError
from crossings.content.project import Project
from crossings.packs.generated import check_generated
from crossings.packs.model import pack_sources
from crossings.packs.printing import TEMPLATE, set_row_heights
from crossings.packs.render import Context, handout_document, pack_document, pack_files

LANGUAGE = "en"
AUTHOR = "The Crossings contributors"
MANIFEST = "manifest.json"
FORMAT_VERSION = "1"
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


def pandoc(markdown: str, to: str, output: Path | None, project: Project,
           *extra: str) -> str:
    args = [pandoc_path(), "--from", PANDOC_FROM, "--to", to, "--metadata", f"lang={LANGUAGE}",
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


def fingerprint(project: Project) -> str:
    """A hash of every input of the packs (sources, module pages, bibliography, this code)."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    code = Path(__file__).parent
    files = pack_sources(project) + [project.bibliography]
    files += sorted(project.modules_dir.glob("*/*.md")) if project.modules_dir.is_dir() else []
    files += sorted(code.glob("*.py"))
    for file in files:
        if file.is_file():
            digest.update(str(file.relative_to(project.root) if file.is_relative_to(project.root)
                              else file.name).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def is_fresh(project: Project, out: Path) -> bool:
    manifest = out / MANIFEST
    if not manifest.is_file():
        return False
    try:
        data = json.loads(manifest.read_text())
    except ValueError:
        return False
    return data.get("fingerprint") == fingerprint(project) and all(
        (out / slug / name).is_file() for slug, info in data.get("packs", {}).items()
        for name in info.get("files", []))


def build_packs(project: Project, out: Path, log=print) -> list[BuiltPack]:
    """Build every pack into ``out``; raises ContentError if any pack has a problem."""
    ctx = Context.load(project)
    problems = ctx.catalogue.problems + [p for pack in ctx.catalogue.packs
                                         for p in check_generated(pack, ctx)]
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (str(p.path), p.line)))
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for pack in ctx.catalogue.packs:
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
            if handout.kind == "figure":  # printed in the PDF only
                continue
            markdown = handout_document(handout, ctx)
            (source / f"{handout.id}.md").write_text(markdown, encoding="utf-8")
            for fmt in ("docx", "odt"):
                jobs.append((markdown, fmt, folder / "handouts" / f"{handout.id}.{fmt}", project,
                             "--shift-heading-level-by=-1", "--metadata",
                             f"subject={pack.title}", "--metadata", f"author={AUTHOR}"))
        # The printed pack: Markdown -> Typst -> tagged PDF/UA-1.
        markdown = pack_document(pack, ctx)
        (source / f"{pack.slug}-pack.md").write_text(markdown, encoding="utf-8")
        jobs.append((markdown, "typst", None, project))
        with ThreadPoolExecutor(max_workers=4) as pool:  # pandoc runs as separate processes
            results = list(pool.map(lambda job: pandoc(*job), jobs))
        for job in jobs[:-1]:
            set_row_heights(job[2])   # write-in rows get their height (printing)
        for name, image in ctx.assets.items():
            shutil.copyfile(image, source / name)
        body = results[-1]
        description = f"Facilitator pack for joint professional development: {pack.title}"
        typ = PREAMBLE.format(title=typst_string(pack.title), author=AUTHOR, lang=LANGUAGE,
                              description=typst_string(description)) + TEMPLATE + "\n" + body
        typ_file = source / f"{pack.slug}-pack.typ"
        typ_file.write_text(typ, encoding="utf-8")
        pdf = folder / f"{pack.slug}-pack.pdf"
        compile_pdf(typ_file, pdf)
        write_zip(folder, pack.slug, [f for f in files if not f.endswith(".zip")], pack.title)
        pages = pdf_pages(pdf)
        built.append(BuiltPack(pack.slug, folder, files, pages, time.perf_counter() - started))
        log(f"pack {pack.slug}: {pages} PDF pages, {len(files) - 2} handout files, "
            f"{built[-1].seconds:.1f} s")
    manifest = {"fingerprint": fingerprint(project),
                "packs": {b.slug: {"files": b.files, "pages": b.pages} for b in built}}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return built


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


def write_zip(folder: Path, slug: str, files: list[str], title: str) -> None:
    readme = (f"{title}\n\nA facilitator pack of Crossings. Content licensed under CC BY 4.0 "
              f"(attribution: {AUTHOR}).\n\nIn this zip:\n"
              + "".join(f"- {name}\n" for name in files)
              + "\nThe handouts are editable: adapt them to your town and your group.\n")
    with zipfile.ZipFile(folder / f"{slug}-pack.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for name in files:
            archive.write(folder / name, f"{slug}-pack/{name}")


def default_out(project: Project) -> Path:
    return project.root / "_build" / "packs"
