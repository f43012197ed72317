"""Measure printed pages: write-in space, headings at a page foot, cards split by a page break.

Used by the visual checks of the facilitator packs and the cohort report. The rules come
from the print convention (crossings/packs/printing.py): write-in cells are boxes filled
with ``WRITE_IN_FILL``, cards are boxes with dashed ``CARD_STROKE`` lines, and the Typst
source names each write-in field (``// write-in <where> height=<n>mm``) and each card
(``// card <handout>: <title>``) in print order. Every failure names the document, the
page and the element.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

from crossings.packs.printing import CARD_STROKE, MIN_LINE_MM, WRITE_IN_FILL

MM = 72 / 25.4
DECLARED = re.compile(r"^// write-in (.+?) height=(\d+)mm\n#(writein-table|writein-field)\((.*)$",
                      re.M)
CARD = re.compile(r"^// card (.+)$", re.M)


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def same_colour(colour, wanted, tolerance=0.01) -> bool:
    return isinstance(colour, tuple) and len(colour) == 3 and all(
        abs(a - b) < tolerance for a, b in zip(colour, wanted, strict=True))


@dataclass
class Field:
    where: str
    height_mm: int
    cells: int


def declared_fields(typ: str) -> list[Field]:
    fields = []
    for match in DECLARED.finditer(typ):
        where, height, kind, rest = match.groups()
        if kind == "writein-field":
            cells = 1
        else:   # count the 'none' cells of the rows argument (the last tuple before height)
            rows = re.sub(r",\s*\d+mm\)\s*$", "", rest)
            cells = len(re.findall(r"(?<![\w\"])none(?![\w\"])", rows))
        fields.append(Field(where, int(height), cells))
    return fields


def render_pngs(pdf: Path, folder: Path, dpi: int = 50) -> list[Path]:
    """Every page as a PNG (pdftoppm), so that the pages can also be looked at."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
                   check=True)
    return sorted(folder.glob("page-*.png"))


HEADER_LABELS = ("Grouping:", "Time:", "Handouts:")   # an activity's header lines
CAPTION = re.compile(r"(Table|Figure|Tabella|Figura) \d+: ")


def lines_of(page) -> list[tuple[float, float, str, bool]]:
    """(top, largest font size, text, all bold) of each text line of a page, top to bottom."""
    rows: dict[int, list] = {}
    for word in page.extract_words(extra_attrs=["size", "fontname"]):
        rows.setdefault(round(word["top"] / 3), []).append(word)
    out = []
    for _, words in sorted(rows.items()):
        out.append((min(w["top"] for w in words), max(w["size"] for w in words),
                    " ".join(w["text"] for w in sorted(words, key=lambda w: w["x0"])),
                    all("Bold" in w["fontname"] for w in words)))
    return out


def heading_like(line, heading_size: float) -> bool:
    """A heading, a bold title line (a box title, a table head) or an activity's header."""
    _, size, text, bold = line
    return (size >= heading_size or (bold and len(text) < 80) or text.startswith(HEADER_LABELS)
            or CAPTION.match(text) is not None)   # a table's caption without its table


def check_pdf(pdf: Path, name: str, heading_size: float, typ: str = "",
              margin_x: float = 22, margin_y: float = 24) -> list[str]:
    """All print failures of one PDF, as 'name: page n: element: what is wrong'."""
    failures = []
    fields = declared_fields(typ)
    cards = CARD.findall(typ)
    boxes, card_boxes = [], []
    fill, stroke = rgb(WRITE_IN_FILL), rgb(CARD_STROKE)
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            text_width = page.width - 2 * margin_x * MM
            lines = [ln for ln in lines_of(page)
                     if not re.fullmatch(r"\d+ / \d+", ln[2])]   # the page number
            below = [r for r in page.rects if lines and r["top"] > lines[-1][0] + 2]
            if lines and heading_like(lines[-1], heading_size) and not below:
                failures.append(f"{name}: page {number}: heading '{lines[-1][2]}' ends the "
                                f"page (it must stay with what follows)")
            rects = sorted(page.rects, key=lambda r: (round(r["top"]), r["x0"]))
            found = [r for r in rects if r.get("fill") and
                     same_colour(r.get("non_stroking_color"), fill)]
            for r in found:
                row = [o for o in found if abs(o["top"] - r["top"]) < 1]
                boxes.append((number, r, sum(o["x1"] - o["x0"] for o in row) / text_width))
            for r in rects:
                if r.get("stroke") and r.get("dash") and \
                        same_colour(r.get("stroking_color"), stroke):
                    inside = [ln for ln in lines if r["top"] - 1 <= ln[0] <= r["bottom"]]
                    card_boxes.append((number, r, inside, page.height))
    expected = [(f.where, f.height_mm) for f in fields for _ in range(f.cells)]
    if len(boxes) != len(expected):
        failures.append(f"{name}: {len(expected)} write-in cells declared, {len(boxes)} printed")
    for (where, height), (number, r, row_width) in zip(expected, boxes, strict=False):
        printed = (r["bottom"] - r["top"]) / MM
        if printed < height - 0.5:
            failures.append(f"{name}: page {number}: write-in '{where}' is {printed:.1f} mm "
                            f"high, {height} mm declared")
        if printed < MIN_LINE_MM - 0.5:
            failures.append(f"{name}: page {number}: write-in '{where}' is lower than one "
                            f"handwritten line ({printed:.1f} mm)")
        if row_width < 0.55:
            failures.append(f"{name}: page {number}: write-in '{where}' uses "
                            f"{row_width:.0%} of the text width")
    if len(card_boxes) != len(cards):
        failures.append(f"{name}: {len(cards)} cards declared, {len(card_boxes)} card boxes "
                        f"printed (a card split across pages prints twice)")
    for title, (number, r, inside, height) in zip(cards, card_boxes, strict=False):
        if r["bottom"] > height - margin_y * MM + 1:
            failures.append(f"{name}: page {number}: card '{title}' runs past the page's "
                            f"bottom margin")
        if not inside or inside[0][1] < heading_size:
            failures.append(f"{name}: page {number}: card '{title}' does not start with its "
                            f"heading (split across pages?)")
    return failures


def page_count(pdf: Path) -> int:
    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


def write_in_summary(typ: str) -> list[str]:
    """'<where>: <cells> rows × <n> mm' for the closing note and the test log."""
    return [f"{f.where}: {f.cells} × {f.height_mm} mm" for f in declared_fields(typ)]
