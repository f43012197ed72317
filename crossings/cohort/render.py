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
from crossings.content.languages import english
from crossings.selfassessment.profile import radar_svg, strand_name

TITLE = "Cohort report: local integration self-assessment"
LANGUAGE = "en"
AUTHOR = "The Crossings contributors"
BASENAME = "cohort-report"
RADAR_FILE = "cohort-radar.svg"


def report_title(_=english) -> str:
    return _("Cohort report: local integration self-assessment")


def sector_names(_=english) -> dict[str, str]:
    """Short sector names (the audiences of book/vocabulary.yml) in the report's language."""
    return {"ecec": _("ECEC"), "school": _("School"), "social": _("Social"),
            "health": _("Health"), "policy": _("Policy"), OTHER: _("Other sectors")}


SECTOR_SHORT = sector_names()


@dataclass
class Block:
    kind: str                      # h1 h2 h3 p ul table figure
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    svg: str = ""
    widths: list[str] = field(default_factory=list)   # Typst column widths


def short(sector: str | None, _=english) -> str:
    if not sector:
        return _("no sector")
    return sector_names(_).get(sector, sector.capitalize())


def num(value: float | None, digits: int = 2, _=english) -> str:
    """A figure with ``digits`` decimals, with the decimal sign of the report's language."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    code = getattr(_, "language", None)   # set by gettext_for for a language other than English
    if code:
        from babel.numbers import get_decimal_symbol

        text = text.replace(".", get_decimal_symbol(code))
    return text


def sector_cell(stats, sector: str, minimum: int, _=english) -> str:
    if sector not in stats.sectors:
        return "–"
    n, mean = stats.sectors[sector]
    return f"{num(mean, _=_)} ({n})" if n >= minimum else _("hidden ({n})").format(n=n)


def gap_definition(report: CohortReport) -> str:
    _ = report.gettext
    return _("The gap of a strand is the highest sector mean minus the lowest sector mean, on "
             "the scale from 1 to {levels}. Only sectors with at least {minimum} ratings of "
             "the strand are compared, so that no single person stands for a sector. A gap of "
             "1.00 means that one sector, on average, places the strand a whole level higher "
             "than another. Strands are sorted by gap, largest first; equal gaps are sorted by "
             "the spread of all ratings (standard deviation), then in roadmap order.").format(
        levels=len(report.data["levels"]), minimum=report.min_per_sector)


def strand_details(report: CohortReport, strands: list[str], kind: str) -> list[Block]:
    """The level descriptors and the next steps of ``strands`` (from the self-assessment)."""
    data, _ = report.data, report.gettext
    blocks = []
    for strand in strands:
        info, st = data["strands"][strand], report.strands[strand]
        blocks.append(Block("h3", f"{strand_name(data, strand)} ({kind})"))
        where = _("The group's mean is {mean} (SD {sd})").format(mean=num(st.mean, _=_),
                                                                  sd=num(st.sd, _=_))
        if st.gap:
            where += _("; {high} rates it {gap} levels higher than {low}").format(
                high=short(st.high, _), gap=num(st.gap, _=_), low=short(st.low, _))
        blocks.append(Block("p", where + _(". What each level looks like:")))
        blocks.append(Block("ul", items=[f"{i} {lv['label']}: {info['descriptors'][lv['id']]}"
                                         for i, lv in enumerate(data["levels"], start=1)]))
        blocks.append(Block("p", _("Next steps to discuss together:")))
        blocks.append(Block("ul", items=list(info["next_steps"])))
    return blocks


def report_blocks(report: CohortReport, today: date | None = None) -> list[Block]:
    data, _ = report.data, report.gettext
    today = today or date.today()
    sectors = report.sector_counts()
    present = [k for k, n in sectors.items() if n]
    missing = report.by_status(MISSING)
    malformed = report.by_status(MALFORMED)
    levels = [lv["label"] for lv in data["levels"]]
    blocks = [Block("h1", report_title(_))]
    blocks.append(Block("p", _("Exercise '{exercise}', read from the folder '{folder}' on "
                               "{date}. Learners are shown by their pseudonymous codes "
                               "only.").format(exercise=report.exercise,
                                               folder=report.source.name,
                                               date=today.isoformat())))
    no_sector = sum(1 for s in report.included if not s.sector)
    blocks.append(Block("p", _(
        "{total} learner(s): {included} self-assessment(s) included ({incomplete} of them "
        "incomplete), {missing} missing, {malformed} could not be read. Sectors: "
        "{sectors}").format(total=len(report.submissions), included=len(report.included),
                            incomplete=len(report.incomplete), missing=len(missing),
                            malformed=len(malformed),
                            sectors=", ".join(f"{short(k, _)} {sectors[k]}" for k in present))
        + (_("; {count} without a sector").format(count=no_sector) if no_sector else "")
        + "."))

    if report.small:
        named = ", ".join(f"{short(k, _)} ({n})" for k, n in report.small.items())
        where = (_("are shown together as \"{other}\"").format(other=short(OTHER, _))
                 if report.other_shown else
                 _("are counted in the whole group but left out of every sector figure"))
        blocks.append(Block("p", _("To protect small groups, no sector figure is shown for "
                                   "fewer than {minimum} people: otherwise each could work out "
                                   "the others' ratings. These sectors {where}: {named}.").format(
            minimum=report.min_per_sector, where=where, named=named)))

    blocks.append(Block("h2", _("Shared priorities: what everyone rates low")))
    blocks.append(Block("p", _("Strands with a low mean for the whole group (below the middle "
                               "of the scale) and a low spread (SD at most {sd}), lowest first. "
                               "When all sectors agree that something is weak, it is a natural "
                               "topic for joint action.").format(sd=num(SHARED_SD, _=_))))
    if report.shared:
        blocks.append(Block("table", _("Shared priorities: low mean, low spread"),
                            [_("Rank"), _("Strand"), _("Mean"), _("SD")],
                            [[str(i), strand_name(data, s), num(report.strands[s].mean, _=_),
                              num(report.strands[s].sd, _=_)]
                             for i, s in enumerate(report.shared, start=1)],
                            widths=["auto", "1fr", "auto", "auto"]))
        blocks += strand_details(report, report.shared[:TOP], _("shared priority"))
    else:
        blocks.append(Block("p", _("No strand has both a low mean and a low spread in this "
                                   "group.")))

    blocks.append(Block("h2", _("Where sectors see the system differently")))
    blocks.append(Block("p", gap_definition(report)))
    rows = []
    for rank, strand in enumerate(report.ranking, start=1):
        st = report.strands[strand]
        if round(st.gap, 9) == 0:
            same = _("all {count} equal ({mean})").format(
                count=len(st.compared), mean=num(st.sectors[st.high][1], _=_))
            rows.append([str(rank), strand_name(data, strand), num(st.gap, _=_), same, same])
            continue
        rows.append([str(rank), strand_name(data, strand), num(st.gap, _=_),
                     f"{short(st.high, _)} {num(st.sectors[st.high][1], _=_)}",
                     f"{short(st.low, _)} {num(st.sectors[st.low][1], _=_)}"])
    blocks.append(Block("table", _("Strands ranked by the gap between sector means"),
                        [_("Rank"), _("Strand"), _("Gap"), _("Highest sector (mean)"),
                         _("Lowest sector (mean)")], rows,
                        widths=["auto", "1fr", "auto", "auto", "auto"]))
    if report.not_compared:
        blocks.append(Block("p", _("Not compared (fewer than two sectors with enough "
                                   "ratings): ")
                            + "; ".join(strand_name(data, s) for s in report.not_compared) + "."))
    blocks += strand_details(report, [s for s in report.ranking if report.strands[s].gap > 0][:TOP],
                             _("disagreement"))
    if report.ranking:
        top = report.strands[report.ranking[0]]
        blocks.append(Block("p", _(
            "A starting point for discussion: on {strand}, {high} rates the local system {gap} "
            "levels higher on average than {low}. Ask each sector what they see that the other "
            "does not.").format(strand=strand_name(data, top.strand), high=short(top.high, _),
                                gap=num(top.gap, _=_), low=short(top.low, _))))

    blocks.append(Block("h2", _("The group's profile by sector")))
    groups = [g for g in ["all", *report.groups()] if g in report.element_means]
    names = {g: _("Whole group") if g == "all" else short(g, _) for g in groups}
    axes = [e["short"] for e in data["elements"]]
    series = [(names[g], [report.element_means[g][e["id"]] for e in data["elements"]])
              for g in groups]
    desc = _("Radar chart of the average level (1 to 4) of each element.") + " " + " ".join(
        f"{name}: " + ", ".join(f"{a} {num(v, 1, _)}" for a, v in zip(axes, values, strict=True))
        + "." for name, values in series)
    blocks.append(Block("figure", _("Average level of each element, for the whole group and "
                                    "for each sector with at least {minimum} participants. The "
                                    "table below gives the same numbers.").format(
                            minimum=report.min_per_sector),
                        svg=radar_svg(axes, series, len(levels),
                                      _("The group's profile on the six elements, by sector"),
                                      desc)))
    blocks.append(Block("table", _("The radar chart as a table: average level of each element"),
                        [_("Element"), *(names[g] for g in groups)],
                        [[f"{e['number']} {e['short']}",
                          *(num(report.element_means[g][e["id"]], _=_) for g in groups)]
                         for e in data["elements"]],
                        widths=["1fr"] + ["auto"] * len(groups)))

    blocks.append(Block("h2", _("Spread of ratings per strand")))
    blocks.append(Block("p", _("How many people chose each level, the mean and the standard "
                               "deviation (SD: 0 means everyone agreed; above 1 the group is "
                               "split).")))
    blocks.append(Block("table", _("Ratings of every strand by the whole group"),
                        [_("Strand"), _("Ratings"), *levels, _("Mean"), _("SD")],
                        [[strand_name(data, s), str(st.n), *map(str, st.counts),
                          num(st.mean, _=_), num(st.sd, _=_)] for s, st in report.strands.items()],
                        widths=["1fr"] + ["auto"] * (len(levels) + 3)))
    present = report.groups()
    blocks.append(Block("h3", _("Sector means per strand")))
    blocks.append(Block("p", _("The mean rating of each sector, with the number of ratings in "
                               "brackets. Where fewer than {minimum} people of a sector rated a "
                               "strand, the mean is not shown: it would reveal their own "
                               "ratings.").format(minimum=report.min_per_sector)))
    blocks.append(Block("table", _("Mean rating of each strand by sector"),
                        [_("Strand"), *(short(k, _) for k in present)],
                        [[strand_name(data, s), *(sector_cell(st, k, report.min_per_sector, _)
                                                  for k in present)]
                         for s, st in report.strands.items()],
                        widths=["1fr"] + ["auto"] * len(present)))

    blocks.append(Block("h2", _("Submissions")))
    blocks.append(Block("p", _("Included: ") + ", ".join(
        f"{s.learner} ({short(s.sector, _)})" for s in report.included) + "."))
    if report.incomplete:
        blocks.append(Block("h3", _("Incomplete self-assessments (included)")))
        blocks.append(Block("ul", items=[f"{s.learner}: " + "; ".join(s.notes)
                                         for s in report.incomplete]))
    if missing or malformed:
        blocks.append(Block("h3", _("Not included")))
        blocks.append(Block("ul", items=[
            _("{learner}: missing: {why}").format(learner=s.learner, why=s.notes[0])
            for s in missing] + [
            _("{learner}: could not be read: {why}").format(learner=s.learner,
                                                           why="; ".join(s.notes))
            for s in malformed]))
    else:
        blocks.append(Block("p", _("Every expected learner handed in a readable notebook.")))
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


def to_html(blocks: list[Block], language: str = LANGUAGE, title: str = TITLE) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", f'<html lang="{esc(language)}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
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


def to_typst(blocks: list[Block], radar_file: str = RADAR_FILE, _=english,
             language: str = LANGUAGE) -> str:
    from crossings.packs.build import typst_string

    description = _("A facilitator's report comparing a group's self-assessments by sector.")
    out = [PREAMBLE.format(title=typst_string(report_title(_)), author=typst_string(AUTHOR),
                           lang=language, description=typst_string(description))]
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
            caption = typst_string(_("Table {number}: {caption}").format(number=tables,
                                                                          caption=b.text))
            out.append(f"#block(sticky: true, text(size: 9.5pt, {caption}))")
            out.append(f"#table(columns: ({widths},), table.header({head}),\n  {cells})")
        out.append("")
    return "\n".join(out)


def _svg_desc(svg: str) -> str:
    start = svg.find("<desc")
    start = svg.find(">", start) + 1
    return html.unescape(svg[start:svg.find("</desc>")])


# ---------------------------------------------------------------------------- text

def to_text(blocks: list[Block], _=english) -> str:
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
            out += [_("[Figure: {caption}]").format(caption=b.text), ""]
        elif b.kind == "table":
            widths = [max(len(str(r[k])) for r in [b.head, *b.rows]) for k in range(len(b.head))]
            out += [b.text + ":", _row(b.head, widths), _row(["-" * w for w in widths], widths)]
            out += [_row(r, widths) for r in b.rows] + [""]
    return "\n".join(out)


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def summary_text(report: CohortReport) -> str:
    """The report's first part (counts and ranking) as plain text, for the terminal."""
    _ = report.gettext
    blocks = report_blocks(report)
    end = next(i for i, b in enumerate(blocks)
               if b.kind == "h2" and b.text == _("The group's profile by sector"))
    tail = [b for b in blocks if b.kind == "h3" and b.text == _("Not included")]
    extra = blocks[blocks.index(tail[0]):blocks.index(tail[0]) + 2] if tail else []
    return to_text(blocks[:end] + extra, _).rstrip() + "\n"


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
    _ = report.gettext
    files["html"].write_text(to_html(blocks, report.language, report_title(_)), encoding="utf-8")
    files["typ"].write_text(to_typst(blocks, RADAR_FILE, _, report.language), encoding="utf-8")
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
