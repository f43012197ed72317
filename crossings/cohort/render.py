"""Write a cohort report: one list of blocks, three writers (HTML, Typst -> PDF, text).

``report_blocks`` turns a ``CohortReport`` into headings, paragraphs, tables, a list
and a figure; ``to_html``, ``to_typst`` and ``to_text`` write the same blocks, so the
HTML page, the PDF and the terminal summary cannot disagree. The PDF is compiled by
Typst (PyPI ``typst``, shared with the facilitator packs: ``packs_build.compile_pdf``)
as tagged PDF/UA-1 with title and language; tables have header rows and the radar
chart has alternative text.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crossings.cohort.report import MALFORMED, MISSING, OTHER, SHARED_SD, TOP, CohortReport
from crossings.selfassessment.profile import radar_svg, strand_name

TITLE = "Cohort report: local integration self-assessment"
LANGUAGE = "en"
AUTHOR = "The Crossings contributors"
BASENAME = "cohort-report"
RADAR_FILE = "cohort-radar.svg"
SECTOR_SHORT = {"ecec": "ECEC", OTHER: "Other sectors"}


@dataclass
class Block:
    kind: str                      # h1 h2 h3 p ul table figure
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    svg: str = ""
    widths: list[str] = field(default_factory=list)   # Typst column widths


def short(sector: str | None) -> str:
    if not sector:
        return "no sector"
    return SECTOR_SHORT.get(sector, sector.capitalize())


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def sector_cell(stats, sector: str, minimum: int) -> str:
    if sector not in stats.sectors:
        return "–"
    n, mean = stats.sectors[sector]
    return f"{num(mean)} ({n})" if n >= minimum else f"hidden ({n})"


def gap_definition(report: CohortReport) -> str:
    return (f"The gap of a strand is the highest sector mean minus the lowest sector mean, on "
            f"the scale from 1 to {len(report.data['levels'])}. Only sectors with at least "
            f"{report.min_per_sector} ratings of the strand are compared, so that no single "
            f"person stands for a sector. A gap of 1.00 means that one sector, on average, "
            f"places the strand a whole level higher than another. Strands are sorted by gap, "
            f"largest first; equal gaps are sorted by the spread of all ratings (standard "
            f"deviation), then in roadmap order.")


def strand_details(report: CohortReport, strands: list[str], kind: str) -> list[Block]:
    """The level descriptors and the next steps of ``strands`` (from the self-assessment)."""
    data = report.data
    blocks = []
    for strand in strands:
        info, st = data["strands"][strand], report.strands[strand]
        blocks.append(Block("h3", f"{strand_name(data, strand)} ({kind})"))
        where = f"The group's mean is {num(st.mean)} (SD {num(st.sd)})"
        if st.gap:
            where += (f"; {short(st.high)} rates it {num(st.gap)} levels higher than "
                      f"{short(st.low)}")
        blocks.append(Block("p", where + ". What each level looks like:"))
        blocks.append(Block("ul", items=[f"{i} {lv['label']}: {info['descriptors'][lv['id']]}"
                                         for i, lv in enumerate(data["levels"], start=1)]))
        blocks.append(Block("p", "Next steps to discuss together:"))
        blocks.append(Block("ul", items=list(info["next_steps"])))
    return blocks


def report_blocks(report: CohortReport, today: date | None = None) -> list[Block]:
    data = report.data
    today = today or date.today()
    sectors = report.sector_counts()
    present = [k for k, n in sectors.items() if n]
    missing = report.by_status(MISSING)
    malformed = report.by_status(MALFORMED)
    levels = [lv["label"] for lv in data["levels"]]
    blocks = [Block("h1", TITLE)]
    blocks.append(Block("p", f"Exercise '{report.exercise}', read from the folder "
                             f"'{report.source.name}' on {today.isoformat()}. Learners are "
                             f"shown by their pseudonymous codes only."))
    blocks.append(Block("p", (
        f"{len(report.submissions)} learner(s): {len(report.included)} self-assessment(s) "
        f"included ({len(report.incomplete)} of them incomplete), {len(missing)} missing, "
        f"{len(malformed)} could not be read. Sectors: "
        + ", ".join(f"{short(k)} {sectors[k]}" for k in present)
        + (f"; {sum(1 for s in report.included if not s.sector)} without a sector"
           if any(not s.sector for s in report.included) else "") + ".")))

    if report.small:
        named = ", ".join(f"{short(k)} ({n})" for k, n in report.small.items())
        where = (f"are shown together as \"{short(OTHER)}\"" if report.other_shown else
                 "are counted in the whole group but left out of every sector figure")
        blocks.append(Block("p", f"To protect small groups, no sector figure is shown for "
                                 f"fewer than {report.min_per_sector} people: otherwise each "
                                 f"could work out the others' ratings. These sectors {where}: "
                                 f"{named}."))

    blocks.append(Block("h2", "Shared priorities: what everyone rates low"))
    blocks.append(Block("p", f"Strands with a low mean for the whole group (below the middle "
                             f"of the scale) and a low spread (SD at most {num(SHARED_SD)}), "
                             f"lowest first. When all sectors agree that something is weak, "
                             f"it is a natural topic for joint action."))
    if report.shared:
        blocks.append(Block("table", "Shared priorities: low mean, low spread",
                            ["Rank", "Strand", "Mean", "SD"],
                            [[str(i), strand_name(data, s), num(report.strands[s].mean),
                              num(report.strands[s].sd)]
                             for i, s in enumerate(report.shared, start=1)],
                            widths=["auto", "1fr", "auto", "auto"]))
        blocks += strand_details(report, report.shared[:TOP], "shared priority")
    else:
        blocks.append(Block("p", "No strand has both a low mean and a low spread in this "
                                 "group."))

    blocks.append(Block("h2", "Where sectors see the system differently"))
    blocks.append(Block("p", gap_definition(report)))
    rows = []
    for rank, strand in enumerate(report.ranking, start=1):
        st = report.strands[strand]
        if round(st.gap, 9) == 0:
            same = f"all {len(st.compared)} equal ({num(st.sectors[st.high][1])})"
            rows.append([str(rank), strand_name(data, strand), num(st.gap), same, same])
            continue
        rows.append([str(rank), strand_name(data, strand), num(st.gap),
                     f"{short(st.high)} {num(st.sectors[st.high][1])}",
                     f"{short(st.low)} {num(st.sectors[st.low][1])}"])
    blocks.append(Block("table", "Strands ranked by the gap between sector means",
                        ["Rank", "Strand", "Gap", "Highest sector (mean)",
                         "Lowest sector (mean)"], rows,
                        widths=["auto", "1fr", "auto", "auto", "auto"]))
    if report.not_compared:
        blocks.append(Block("p", "Not compared (fewer than two sectors with enough ratings): "
                            + "; ".join(strand_name(data, s) for s in report.not_compared) + "."))
    blocks += strand_details(report, [s for s in report.ranking if report.strands[s].gap > 0][:TOP],
                             "disagreement")
    if report.ranking:
        top = report.strands[report.ranking[0]]
        blocks.append(Block("p", (
            f"A starting point for discussion: on {strand_name(data, top.strand)}, "
            f"{short(top.high)} rates the local system {num(top.gap)} levels higher on average "
            f"than {short(top.low)}. Ask each sector what they see that the other does not.")))

    blocks.append(Block("h2", "The group's profile by sector"))
    groups = [g for g in ["all", *report.groups()] if g in report.element_means]
    names = {g: "Whole group" if g == "all" else short(g) for g in groups}
    axes = [e["short"] for e in data["elements"]]
    series = [(names[g], [report.element_means[g][e["id"]] for e in data["elements"]])
              for g in groups]
    desc = "Radar chart of the average level (1 to 4) of each element. " + " ".join(
        f"{name}: " + ", ".join(f"{a} {num(v, 1)}" for a, v in zip(axes, values, strict=True)) + "."
        for name, values in series)
    blocks.append(Block("figure", "Average level of each element, for the whole group and "
                        f"for each sector with at least {report.min_per_sector} participants. "
                        "The table below gives the same numbers.",
                        svg=radar_svg(axes, series, len(levels),
                                      "The group's profile on the six elements, by sector", desc)))
    blocks.append(Block("table", "The radar chart as a table: average level of each element",
                        ["Element", *(names[g] for g in groups)],
                        [[f"{e['number']} {e['short']}",
                          *(num(report.element_means[g][e["id"]]) for g in groups)]
                         for e in data["elements"]],
                        widths=["1fr"] + ["auto"] * len(groups)))

    blocks.append(Block("h2", "Spread of ratings per strand"))
    blocks.append(Block("p", "How many people chose each level, the mean and the standard "
                             "deviation (SD: 0 means everyone agreed; above 1 the group is "
                             "split)."))
    blocks.append(Block("table", "Ratings of every strand by the whole group",
                        ["Strand", "Ratings", *levels, "Mean", "SD"],
                        [[strand_name(data, s), str(st.n), *map(str, st.counts), num(st.mean),
                          num(st.sd)] for s, st in report.strands.items()],
                        widths=["1fr"] + ["auto"] * (len(levels) + 3)))
    present = report.groups()
    blocks.append(Block("h3", "Sector means per strand"))
    blocks.append(Block("p", f"The mean rating of each sector, with the number of ratings in "
                             f"brackets. Where fewer than {report.min_per_sector} people of a "
                             f"sector rated a strand, the mean is not shown: it would reveal "
                             f"their own ratings."))
    blocks.append(Block("table", "Mean rating of each strand by sector",
                        ["Strand", *(short(k) for k in present)],
                        [[strand_name(data, s), *(sector_cell(st, k, report.min_per_sector)
                                                  for k in present)]
                         for s, st in report.strands.items()],
                        widths=["1fr"] + ["auto"] * len(present)))

    blocks.append(Block("h2", "Submissions"))
    blocks.append(Block("p", "Included: " + ", ".join(
        f"{s.learner} ({short(s.sector)})" for s in report.included) + "."))
    if report.incomplete:
        blocks.append(Block("h3", "Incomplete self-assessments (included)"))
        blocks.append(Block("ul", items=[f"{s.learner}: " + "; ".join(s.notes)
                                         for s in report.incomplete]))
    if missing or malformed:
        blocks.append(Block("h3", "Not included"))
        blocks.append(Block("ul", items=[f"{s.learner}: missing: {s.notes[0]}" for s in missing]
                            + [f"{s.learner}: could not be read: {'; '.join(s.notes)}"
                               for s in malformed]))
    else:
        blocks.append(Block("p", "Every expected learner handed in a readable notebook."))
    return blocks


# ---------------------------------------------------------------------------- HTML

CSS = """
body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; color: #1b1b1b;
       background: #fff; line-height: 1.5; margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; } h2 { font-size: 1.45rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.95rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #767676; padding: 0.3rem 0.55rem; text-align: left;
         vertical-align: top; }
thead th { background: #eef3f8; }
td { font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.95rem; }
.table-wrap { overflow-x: auto; }
"""


def to_html(blocks: list[Block]) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", f'<html lang="{LANGUAGE}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(TITLE)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           "<main>"]
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"<{b.kind}>{esc(b.text)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{esc(b.text)}</p>")
        elif b.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "figure":
            out.append(f"<figure>{b.svg}<figcaption>{esc(b.text)}</figcaption></figure>")
        elif b.kind == "table":
            rows = "".join("<tr>" + f'<th scope="row">{esc(r[0])}</th>'
                           + "".join(f"<td>{esc(c)}</td>" for c in r[1:]) + "</tr>"
                           for r in b.rows)
            head = "".join(f'<th scope="col">{esc(h)}</th>' for h in b.head)
            out.append(f'<div class="table-wrap"><table><caption>{esc(b.text)}</caption>'
                       f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- Typst

PREAMBLE = """\
#set document(title: {title}, author: {author}, description: {description})
#set text(lang: "{lang}", size: 10.5pt)
#set page(paper: "a4", margin: (x: 1.8cm, y: 2cm), numbering: "1 / 1")
#set par(justify: false, leading: 0.7em, spacing: 1em)
#set table(stroke: 0.6pt + luma(110), inset: 5pt, align: left)
#show table.cell.where(y: 0): set text(weight: "bold")
#show heading: set block(above: 1.4em, below: 0.8em, sticky: true)
#show heading.where(level: 3): set text(size: 11.5pt)
#show figure.caption: set text(size: 9.5pt)
"""


def to_typst(blocks: list[Block], radar_file: str = RADAR_FILE) -> str:
    from crossings.packs.build import typst_string

    description = "A facilitator's report comparing a group's self-assessments by sector."
    out = [PREAMBLE.format(title=typst_string(TITLE), author=typst_string(AUTHOR),
                           lang=LANGUAGE, description=typst_string(description))]
    tables = 0
    for i, b in enumerate(blocks):
        before_table = i + 1 < len(blocks) and blocks[i + 1].kind == "table"
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"#heading(level: {b.kind[1]}, {typst_string(b.text)})")
        elif b.kind == "p" and before_table:   # an intro stays with its table
            out.append(f"#block(sticky: true, par({typst_string(b.text)}))")
        elif b.kind == "p":
            out.append(f"#par({typst_string(b.text)})")
        elif b.kind == "ul":
            out.append("#list(" + ", ".join(typst_string(i) for i in b.items) + ")")
        elif b.kind == "figure":
            alt = _svg_desc(b.svg)
            out.append(f'#figure(image("{radar_file}", width: 13cm, alt: {typst_string(alt)}), '
                       f"caption: {typst_string(b.text)})")
        elif b.kind == "table":
            widths = ", ".join(b.widths or ["auto"] * len(b.head))
            head = ", ".join(typst_string(h) for h in b.head)
            cells = ",\n  ".join(", ".join(typst_string(c) for c in row) for row in b.rows)
            # Not a figure: a figure's caption stays behind when the table moves on (Typst
            # does not start a table with its header row alone). A sticky caption line moves
            # with it, and so do the sticky heading and intro before it.
            tables += 1
            caption = typst_string(f"Table {tables}: {b.text}")
            out.append(f"#block(sticky: true, text(size: 9.5pt, {caption}))")
            out.append(f"#table(columns: ({widths},), table.header({head}),\n  {cells})")
        out.append("")
    return "\n".join(out)


def _svg_desc(svg: str) -> str:
    start = svg.find("<desc")
    start = svg.find(">", start) + 1
    return html.unescape(svg[start:svg.find("</desc>")])


# ---------------------------------------------------------------------------- text

def to_text(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b.kind == "h1":
            out += [b.text.upper(), ""]
        elif b.kind in ("h2", "h3"):
            out += [b.text, "-" * len(b.text), ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind == "ul":
            out += [f"- {i}" for i in b.items] + [""]
        elif b.kind == "figure":
            out += [f"[Figure: {b.text}]", ""]
        elif b.kind == "table":
            widths = [max(len(str(r[k])) for r in [b.head, *b.rows]) for k in range(len(b.head))]
            out += [b.text + ":", _row(b.head, widths), _row(["-" * w for w in widths], widths)]
            out += [_row(r, widths) for r in b.rows] + [""]
    return "\n".join(out)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def summary_text(report: CohortReport) -> str:
    """The report's first part (counts and ranking) as plain text, for the terminal."""
    blocks = report_blocks(report)
    end = next(i for i, b in enumerate(blocks) if b.kind == "h2" and "profile" in b.text)
    tail = [b for b in blocks if b.kind == "h3" and b.text == "Not included"]
    extra = blocks[blocks.index(tail[0]):blocks.index(tail[0]) + 2] if tail else []
    return to_text(blocks[:end] + extra).rstrip() + "\n"


# ---------------------------------------------------------------------------- files

def write_report(report: CohortReport, out: Path) -> list[Path]:
    """Write cohort-report.html, .pdf (with .typ and the radar SVG) and .json into ``out``."""
    from crossings.packs.build import compile_pdf

    out.mkdir(parents=True, exist_ok=True)
    blocks = report_blocks(report)
    radar = next(b.svg for b in blocks if b.kind == "figure")
    files = {"html": out / f"{BASENAME}.html", "pdf": out / f"{BASENAME}.pdf",
             "typ": out / f"{BASENAME}.typ", "json": out / f"{BASENAME}.json",
             "svg": out / RADAR_FILE}
    files["svg"].write_text(radar, encoding="utf-8")
    files["html"].write_text(to_html(blocks), encoding="utf-8")
    files["typ"].write_text(to_typst(blocks), encoding="utf-8")
    try:
        compile_pdf(files["typ"], files["pdf"])
    except RuntimeError as exc:
        from crossings.cohort.report import ReportError
        raise ReportError(str(exc)) from exc
    files["json"].write_text(json.dumps(report_json(report), indent=2) + "\n", encoding="utf-8")
    return [files[k] for k in ("html", "pdf", "json", "svg")]


def report_json(report: CohortReport) -> dict:
    """The report's numbers for other tools (the facilitator pack, a spreadsheet)."""
    return {
        "exercise": report.exercise,
        "min_per_sector": report.min_per_sector,
        "ranking": [{"strand": s, "gap": round(report.strands[s].gap, 4),
                     "high": report.strands[s].high, "low": report.strands[s].low}
                    for s in report.ranking],
        "strands": {s: {"counts": st.counts, "mean": st.mean, "sd": st.sd,
                        "sectors": {k: {"ratings": n, "mean": m if n >= report.min_per_sector
                                        else None} for k, (n, m) in st.sectors.items()}}
                    for s, st in report.strands.items()},
        "element_means": report.element_means,
        "submissions": [{"learner": s.learner, "status": s.status, "sector": s.sector,
                         "notes": s.notes} for s in report.submissions],
    }
