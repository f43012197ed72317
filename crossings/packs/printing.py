"""The print convention of the handouts: write-in space, card sheets, figure pages.

A handout is a MyST page. Print instructions are MyST comment lines (``%``), which the
site does not show:

``% write-in: 3 lines`` (or ``% write-in: 40mm``)
    Before a table: every empty cell of the table is a write-in cell of that height.
    Before a paragraph that is only a label (``**The practice we review:**``): the label
    gets a full-width write-in box below it. A handwritten line gets ``LINE_MM`` (9 mm,
    at least 8 mm).
``% print: cards``
    A card sheet: every ``##`` section is a card with dashed cut lines; a card is never
    split across pages. Put text for the whole group above the first card.
``% print: figure``
    A figure page: the handout's image fills one A4 page (its heading and one line above).
``% handout: shared``
    Other packs may use this handout (``pack/id`` in their ``handouts``); without it a
    cross-pack use is an error.

In the printed pack (Typst) write-in fields are full-width tables whose write-in cells
have the declared height and dotted writing lines; each handout starts on a new page and
headings stay with what follows. In the DOCX and ODT handouts the same cells are table
rows with that height as their minimum, so a facilitator can also type into them.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

LINE_MM = 9          # one handwritten line
MIN_LINE_MM = 8      # the least a handwritten line may get
COMMENT = re.compile(r"^\s*%(.*)$")
WRITE_IN = re.compile(r"^\s*%\s*write-in:\s*(?:(\d+)\s*lines?|(\d+)\s*mm)\s*$")
PRINT = re.compile(r"^\s*%\s*print:\s*([\w-]+)\s*$")
SHARED = re.compile(r"^\s*%\s*handout:\s*shared\b")
LABEL_ONLY = re.compile(r"^\s*(\*\*[^*]+\*\*|[^|#*].*:)\s*$")
MARKER = "WRITEIN{}MM"
MARKER_RE = re.compile(r"WRITEIN(\d+)MM")
CARD_STROKE = "#4a4a4a"     # the dashed cut lines (the visual test looks for this colour)
WRITE_IN_FILL = "#f3f6f9"   # the write-in boxes (the visual test measures these)

TEMPLATE = f"""\
#show heading: set block(sticky: true)
#show heading.where(level: 4): set text(size: 12.5pt)
#show heading.where(level: 5): set text(size: 12.5pt)
#let writein-box(height) = block(width: 100%, height: height, fill: rgb("{WRITE_IN_FILL}"),
  breakable: false, inset: 0pt, {{
    let n = calc.max(1, calc.floor(height / {LINE_MM}mm))
    for i in range(1, n + 1) {{
      place(top + left, dy: i * height / n - 2mm, line(length: 100%,
        stroke: (paint: luma(165), thickness: 0.5pt, dash: "dotted")))
    }}
  }})
#let writein-table(columns, head, rows, height) = table(
  columns: columns, inset: 6pt,
  table.header(..head.map(h => strong(h))),
  ..rows.flatten().map(c => if c == none {{
    table.cell(inset: 2pt, writein-box(height)) }} else {{ c }}),
)
#let writein-field(label, height) = block(width: 100%, breakable: false, sticky: false,
  above: 1em, below: 1.2em, {{ strong(label); v(0.3em); block(stroke: 0.6pt + luma(120),
  inset: 2pt, writein-box(height)) }})
#let card(body) = block(width: 100%, breakable: false, inset: (x: 7mm, y: 6mm),
  above: 0pt, below: 0pt, stroke: (paint: rgb("{CARD_STROKE}"), thickness: 0.9pt,
  dash: "dashed"), body)
#let figure-page(img) = block(width: 100%, height: 1fr, breakable: false,
  align(center + horizon, img))
"""


@dataclass
class Space:
    """A declared write-in space: ``lines`` handwritten lines or ``mm`` millimetres."""

    lines: int = 0
    mm: int = 0

    @property
    def height_mm(self) -> int:
        return self.mm or self.lines * LINE_MM


def write_in(line: str) -> Space | None:
    match = WRITE_IN.match(line)
    if not match:
        return None
    return Space(lines=int(match.group(1))) if match.group(1) else Space(mm=int(match.group(2)))


def print_kind(text: str) -> str:
    """'cards', 'figure' or '' for a handout's text."""
    for line in text.splitlines():
        match = PRINT.match(line)
        if match:
            return match.group(1)
    return ""


IMAGE = re.compile(r"^\s*!\[[^\]]*\]\(([^)\s]+)\)\s*$", re.M)


def figure_images(path: Path) -> list[Path]:
    """The image files a figure handout prints (inputs of the pack build)."""
    text = path.read_text(encoding="utf-8")
    if print_kind(text) != "figure":
        return []
    return [(path.parent / m.group(1)).resolve() for m in IMAGE.finditer(text)]


def is_shared(text: str) -> bool:
    return any(SHARED.match(line) for line in text.splitlines())


def raw(typst: str) -> list[str]:
    return ["", "```{=typst}", typst, "```", ""]


def typst_text(text: str) -> str:
    """Inline Markdown of a table cell as a Typst string (emphasis markers removed)."""
    import json
    plain = re.sub(r"\*\*([^*]+)\*\*|\*([^*]+)\*", lambda m: m.group(1) or m.group(2), text)
    return json.dumps(plain.strip(), ensure_ascii=False)


def table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def write_in_table(table: list[str], space: Space, medium: str, where: str) -> list[str]:
    """A Markdown table whose empty cells are write-in cells, for Typst or for DOCX/ODT."""
    head = table_cells(table[0])
    rows = [table_cells(line) for line in table[2:]]
    n = len(head)
    # The first column holds prompts; with prompts it gets a third of the width.
    prompts = any(r[0] for r in rows)
    if medium == "typst":
        if n == 1:
            columns = "(100%,)"
        elif prompts:
            columns = "(" + ", ".join(["34%"] + [f"{66 / (n - 1):.0f}%"] * (n - 1)) + ")"
        else:
            columns = "(" + ", ".join(["22%"] + [f"{78 / (n - 1):.0f}%"] * (n - 1)) + ")"
        cells = ", ".join("(" + ", ".join(typst_text(c) if c else "none" for c in r) + ",)"
                          for r in rows)
        head_t = ", ".join(typst_text(h) for h in head)
        return raw(f"// write-in {where} height={space.height_mm}mm\n"
                   f"#writein-table({columns}, ({head_t},), ({cells},), "
                   f"{space.height_mm}mm)")
    marker = MARKER.format(space.height_mm)
    widths = [20] + [60 // max(1, n - 1)] * (n - 1) if prompts else [14] + [66] * (n - 1)
    out = ["", "| " + " | ".join(head) + " |", "|" + "|".join("-" * w for w in widths) + "|"]
    out += ["| " + " | ".join(c or marker for c in r) + " |" for r in rows]
    return out + [""]


def write_in_field(label: str, space: Space, medium: str, where: str) -> list[str]:
    if medium == "typst":
        return raw(f"// write-in {where} height={space.height_mm}mm\n"
                   f"#writein-field({typst_text(label)}, {space.height_mm}mm)")
    return ["", f"| {label.strip()} |", "|" + "-" * 80 + "|",
            f"| {MARKER.format(space.height_mm)} |", ""]


# ---------------------------------------------------------------------------- DOCX / ODT


def set_row_heights(path: Path) -> int:
    """Give the marked write-in rows of a DOCX or ODT file their height; remove the markers.

    Returns the number of rows changed."""
    member = "word/document.xml" if path.suffix == ".docx" else "content.xml"
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info.filename)) for info in archive.infolist()]
    changed = 0
    out = []
    for info, data in items:
        if info.filename == member:
            text = data.decode("utf-8")
            text, changed = (_docx_rows(text) if path.suffix == ".docx" else _odt_rows(text))
            data = text.encode("utf-8")
        out.append((info, data))
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in out:   # keeps 'mimetype' first and stored, as ODF requires
            archive.writestr(info, data)
    return changed


def _docx_rows(xml: str) -> tuple[str, int]:
    count = 0

    def row(match: re.Match) -> str:
        nonlocal count
        body = match.group(0)
        found = MARKER_RE.search(body)
        if not found:
            return body
        count += 1
        twips = round(int(found.group(1)) * 1440 / 25.4)
        height = f'<w:trHeight w:val="{twips}" w:hRule="atLeast" />'
        body = MARKER_RE.sub("", body)
        if "<w:trPr>" in body[:200]:
            return body.replace("<w:trPr>", "<w:trPr>" + height, 1)
        return re.sub(r"^<w:tr(\s[^>]*)?>", lambda m: m.group(0) + f"<w:trPr>{height}</w:trPr>",
                      body, count=1)

    return re.sub(r"<w:tr[\s>].*?</w:tr>", row, xml, flags=re.S), count


def _odt_rows(xml: str) -> tuple[str, int]:
    count = 0
    heights: set[int] = set()

    def row(match: re.Match) -> str:
        nonlocal count
        body = match.group(0)
        found = MARKER_RE.search(body)
        if not found:
            return body
        count += 1
        mm = int(found.group(1))
        heights.add(mm)
        body = MARKER_RE.sub("", body)
        body = re.sub(r'^<table:table-row( table:style-name="[^"]*")?',
                      f'<table:table-row table:style-name="WriteIn{mm}"', body, count=1)
        return body

    xml = re.sub(r"<table:table-row[\s>].*?</table:table-row>", row, xml, flags=re.S)
    styles = "".join(f'<style:style style:name="WriteIn{mm}" style:family="table-row">'
                     f'<style:table-row-properties style:min-row-height="{mm}mm" '
                     f'style:use-optimal-row-height="false" /></style:style>'
                     for mm in sorted(heights))
    if "<office:automatic-styles>" in xml:
        xml = xml.replace("<office:automatic-styles>", "<office:automatic-styles>" + styles, 1)
    elif "<office:automatic-styles />" in xml:
        xml = xml.replace("<office:automatic-styles />",
                          f"<office:automatic-styles>{styles}</office:automatic-styles>", 1)
    return xml, count
