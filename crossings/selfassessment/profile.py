"""Profile, radar chart and summaries of the local integration self-assessment.

This file is used twice. The tooling imports it (cohort report, tests), and the
exercise builder copies its source into a locked cell of the self-assessment notebook,
so the notebook a learner runs on their own computes exactly what the tests check.
Keep it to the Python standard library, with no imports from crossings and no
``from __future__`` line (the copy is not the start of a file).

DATA is the plain data made by ``crossings.selfassessment.framework.notebook_data``::

    {"title": str, "levels": [{"id", "label"}, ...4],
     "elements": [{"id", "label", "short", "number", "strands": [strand ids]}],
     "strands": {id: {"label", "element", "number", "descriptors": {level id: text},
                      "next_steps": [text], "links": [{"label", "page", "section",
                                                        "path", "url"}]}},
     "sectors": {sector id: label}}

A rating is ``[level, "evidence"]``: the level is 1-4 (or the level's name) and the
evidence is one line of text. A strand is *complete* when it has a level and evidence of
at least MIN_WORDS words.
"""

import html
import math

MIN_WORDS = 3
TOP = 3  # how many strongest and weakest strands the profile names
# Line colours with at least 3:1 contrast on white, told apart by dashes as well.
COLOURS = ("#1f4e79", "#9c3d00", "#2d6a2e", "#6b3a8c", "#6e5600", "#005f66", "#8c1c4a")
DASHES = ("", "9 5", "2 5", "12 5 2 5", "5 5", "14 4 4 4", "1 4")
TEXT = "#1b1b1b"
GRID = "#767676"
PROFILE_CSS = (".self-assessment-profile table{border-collapse:collapse;margin:.8em 0}"
               ".self-assessment-profile th,.self-assessment-profile td{border:1px solid #767676;"
               "padding:3px 8px;text-align:left;vertical-align:top}"
               ".self-assessment-profile caption{text-align:left;font-weight:bold;padding:4px 0}"
               ".self-assessment-profile svg{max-width:100%;height:auto}")


# ---------------------------------------------------------------------------- one rating

class Rating:
    """One strand's answer: level (1-4 or None), evidence, and a problem in plain words."""

    def __init__(self, level=None, evidence="", problem=""):
        self.level = level
        self.evidence = evidence
        self.problem = problem

    @property
    def complete(self):
        return self.level is not None and not self.problem

    def __repr__(self):
        return f"Rating({self.level!r}, {self.evidence!r}, {self.problem!r})"


def level_names(data):
    return [lv["label"] for lv in data["levels"]]


def scale_hint(data):
    return ", ".join(f"{n} = {name.lower()}" for n, name in enumerate(level_names(data), start=1))


def _norm(text):
    return " ".join(str(text).replace("-", " ").replace("_", " ").lower().split())


def level_of(value, data):
    """The level number (1..4) a learner meant, or None if it is not a level."""
    count = len(data["levels"])
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value == int(value) and 1 <= int(value) <= count:
        return int(value)
    if isinstance(value, str):
        text = _norm(value)
        if text.isdigit() and 1 <= int(text) <= count:
            return int(text)
        for number, level in enumerate(data["levels"], start=1):
            if text in (_norm(level["id"]), _norm(level["label"])):
                return number
    return None


def read_answer(value, data, min_words=MIN_WORDS):
    """A learner's answer ``[level, "evidence"]`` as a Rating (never raises)."""
    count = len(data["levels"])
    example = '[3, "what you saw or read that shows it"]'
    if value is None or value is Ellipsis or value == "" or value == [] or value == ():
        return Rating(problem="not rated yet.")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return Rating(problem=f"write the level and your evidence in square brackets, for "
                              f"example {example}.")
    raw_level, evidence = value
    if raw_level in (0, None, "") and (not isinstance(evidence, str) or not evidence.strip()):
        return Rating(problem="not rated yet.")
    level = level_of(raw_level, data)
    text = " ".join(evidence.split()) if isinstance(evidence, str) else ""
    if level is None:
        return Rating(None, text, f"the level is a number from 1 to {count} "
                                  f"({scale_hint(data)}); you wrote {raw_level!r}.")
    if not isinstance(evidence, str):
        return Rating(level, "", 'write your evidence between quotes, for example '
                                 '"Our joint plan was signed by three services."')
    words = len(text.split())
    if words < min_words:
        return Rating(level, text, f"add one line of evidence: at least {min_words} words "
                                   f"(you wrote {words}).")
    return Rating(level, text)


def read_sector(value, data):
    """(sector id or None, problem)."""
    sectors = data["sectors"]
    if not isinstance(value, str) or not value.strip():
        return None, f'write one sector between quotes, for example "{next(iter(sectors))}".'
    key = value.strip().lower()
    if key not in sectors:
        return None, f"use one of these words: {', '.join(sectors)} (you wrote {value!r})."
    return key, ""


# ---------------------------------------------------------------------------- the profile

class Profile:
    """What a set of ratings says, element by element and strand by strand."""

    def __init__(self, ratings, data):
        self.data = data
        self.order = [s for e in data["elements"] for s in e["strands"]]
        self.ratings = {s: ratings.get(s) or Rating(problem="not rated yet.") for s in self.order}
        self.levels = {s: r.level for s, r in self.ratings.items()}

    @property
    def rated(self):
        return [s for s in self.order if self.levels[s] is not None]

    @property
    def unrated(self):
        return [s for s in self.order if self.levels[s] is None]

    @property
    def incomplete(self):
        """Strands that are not complete: unrated, or rated without enough evidence."""
        return [s for s in self.order if not self.ratings[s].complete]

    @property
    def complete(self):
        return not self.incomplete

    def element_score(self, element_id):
        """Mean level of the element's rated strands (2 decimals), or None if none is rated."""
        element = next(e for e in self.data["elements"] if e["id"] == element_id)
        values = [self.levels[s] for s in element["strands"] if self.levels[s] is not None]
        return round(sum(values) / len(values), 2) if values else None

    def element_scores(self):
        return {e["id"]: self.element_score(e["id"]) for e in self.data["elements"]}

    def weakest(self, n=TOP):
        """The n lowest-rated strands; ties keep the roadmap order."""
        return sorted(self.rated, key=lambda s: (self.levels[s], self.order.index(s)))[:n]

    def strongest(self, n=TOP):
        """The n highest-rated strands not among the weakest; ties keep the roadmap order."""
        weak = set(self.weakest(n))
        ranked = sorted(self.rated, key=lambda s: (-self.levels[s], self.order.index(s)))
        return [s for s in ranked if s not in weak][:n]


def strand_name(data, strand_id):
    strand = data["strands"][strand_id]
    return f"{strand['number']} {strand['label']}"


def level_name(data, level):
    return "not rated" if level is None else f"{level} {level_names(data)[level - 1]}"


def fmt(value):
    return "not rated" if value is None else f"{value:.1f}"


# ---------------------------------------------------------------------------- radar chart

def radar_points(values, cx, cy, radius, maximum):
    """Vertices of a radar polygon: axis k points at -90 + k*360/n degrees (clockwise
    from the top); a value v sits at distance radius*v/maximum (None counts as 0)."""
    n = len(values)
    points = []
    for k, value in enumerate(values):
        angle = math.radians(-90 + k * 360 / n)
        r = radius * (value or 0) / maximum
        points.append((round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)))
    return points


def _points_attr(points):
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def radar_svg(axes, series, maximum=4, title="Radar chart", desc="", size=560):
    """An accessible SVG radar chart.

    ``axes``: axis labels; ``series``: [(name, [value or None per axis])]. Text is at least
    14px and dark on white; every series has its own colour *and* dash pattern; title and
    desc name the chart and state every value.
    """
    n = len(axes)
    legend_rows = len(series) if len(series) > 1 else 0
    cx, cy, radius = size / 2, 250, 165
    height = 500 + 28 * legend_rows
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:g} {height:g}" '
             f'width="{size:g}" height="{height:g}" role="img" '
             f'aria-labelledby="radar-title radar-desc" '
             f'font-family="DejaVu Sans, Verdana, Arial, sans-serif">',
             f'<title id="radar-title">{esc(title)}</title>',
             f'<desc id="radar-desc">{esc(desc)}</desc>',
             f'<rect width="{size:g}" height="{height:g}" fill="#ffffff"/>']
    for level in range(1, maximum + 1):
        ring = radar_points([level] * n, cx, cy, radius, maximum)
        parts.append(f'<polygon points="{_points_attr(ring)}" fill="none" stroke="{GRID}" '
                     f'stroke-width="1"/>')
    for k, (x, y) in enumerate(radar_points([maximum] * n, cx, cy, radius, maximum)):
        parts.append(f'<line x1="{cx:g}" y1="{cy:g}" x2="{x:g}" y2="{y:g}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        lx, ly = radar_points([maximum * 1.13] * n, cx, cy, radius, maximum)[k]
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        ly += 6 if abs(ly - cy) < radius else (0 if ly < cy else 12)
        parts.append(f'<text x="{lx:g}" y="{ly:g}" font-size="16" text-anchor="{anchor}" '
                     f'fill="{TEXT}">{esc(axes[k])}</text>')
    for i, (name, values) in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        points = radar_points(values, cx, cy, radius, maximum)
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        fill = f'fill="{colour}" fill-opacity="0.12"' if len(series) == 1 else 'fill="none"'
        parts.append(f'<polygon class="series" data-name="{esc(name)}" '
                     f'points="{_points_attr(points)}" {fill} '
                     f'stroke="{colour}" stroke-width="3"{dashing}/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="4.5" fill="{colour}"/>')
    # Level numbers along the top axis, on a white halo so no line hides them.
    for level in range(1, maximum + 1):
        x, y = radar_points([level] * n, cx, cy, radius, maximum)[0]
        parts.append(f'<text x="{x + 8:g}" y="{y + 5:g}" font-size="14" fill="{TEXT}" '
                     f'stroke="#ffffff" stroke-width="4" paint-order="stroke">{level}</text>')
    for i, (name, _) in enumerate(series if legend_rows else []):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        y = 500 + 28 * i
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="40" y1="{y - 5}" x2="90" y2="{y - 5}" stroke="{colour}" '
                     f'stroke-width="3"{dashing}/>')
        parts.append(f'<text x="100" y="{y}" font-size="15" fill="{TEXT}">{esc(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def profile_radar(profile, title="Your profile on the six elements"):
    data = profile.data
    scores = profile.element_scores()
    axes = [e["short"] + ("" if scores[e["id"]] is not None else " (not rated)")
            for e in data["elements"]]
    values = [scores[e["id"]] for e in data["elements"]]
    desc = ("Radar chart of the average level (1 to 4) of each element: " + "; ".join(
        f"{e['short']} {fmt(scores[e['id']])}" for e in data["elements"]) + ".")
    return radar_svg(axes, [("Your ratings", values)], len(data["levels"]), title, desc)


# ---------------------------------------------------------------------------- text and HTML

def summary_sentences(profile):
    data = profile.data
    scores = {k: v for k, v in profile.element_scores().items() if v is not None}
    short = {e["id"]: e["short"] for e in data["elements"]}
    total = len(profile.order)
    out = [f"You rated {len(profile.rated)} of {total} strands."]
    if scores:
        best = max(scores, key=lambda k: scores[k])
        worst = min(scores, key=lambda k: scores[k])
        out.append(f"Your strongest element is {short[best]} (average {scores[best]:.1f} of "
                   f"{len(data['levels'])}); your weakest is {short[worst]} "
                   f"(average {scores[worst]:.1f}).")
    if profile.unrated:
        out.append("Not rated yet: " + "; ".join(strand_name(data, s) for s in profile.unrated)
                   + ".")
    missing = [s for s in profile.incomplete if s not in profile.unrated]
    if missing:
        out.append("Rated but without enough evidence: "
                   + "; ".join(strand_name(data, s) for s in missing) + ".")
    return out


def link_text(link):
    where = f"{link['page']}, section \u201c{link['section']}\u201d" \
        if link["section"] and link["section"] != link["page"] else link["page"]
    return f"{where} (on the Crossings site: {link['url'] or link['path']})"


def profile_text(profile):
    """The whole profile as plain text (also the text/plain form of the notebook output)."""
    data = profile.data
    lines = ["YOUR PROFILE", ""] + summary_sentences(profile) + ["", "Elements (average level):"]
    scores = profile.element_scores()
    for e in data["elements"]:
        rated = sum(profile.levels[s] is not None for s in e["strands"])
        lines.append(f"  {e['number']} {e['label']}: {fmt(scores[e['id']])} "
                     f"({rated} of {len(e['strands'])} strands rated)")
    lines += ["", "Strands:"]
    for s in profile.order:
        rating = profile.ratings[s]
        note = f" - {rating.problem}" if rating.problem else ""
        lines.append(f"  {strand_name(data, s)}: {level_name(data, rating.level)}{note}")
    lines += ["", "Strongest strands:"]
    lines += [f"  {strand_name(data, s)} ({level_name(data, profile.levels[s])})"
              for s in profile.strongest()] or ["  (rate more strands first)"]
    lines += ["", "Weakest strands, with next steps:"]
    for s in profile.weakest():
        strand = data["strands"][s]
        lines.append(f"  {strand_name(data, s)} ({level_name(data, profile.levels[s])})")
        lines += [f"    - {step}" for step in strand["next_steps"]]
        lines += [f"    Read: {link_text(link)}" for link in strand["links"]]
    if not profile.weakest():
        lines.append("  (rate some strands first)")
    return "\n".join(lines)


def _table(caption, head, rows):
    esc = html.escape
    out = [f'<table class="sa-table"><caption>{esc(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{esc(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + f'<th scope="row">{esc(str(row[0]))}</th>'
                   + "".join(f"<td>{esc(str(c))}</td>" for c in row[1:]) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _link_html(link):
    esc = html.escape
    name = esc(link["page"])
    if link["section"] and link["section"] != link["page"]:
        name += f", section \u201c{esc(link['section'])}\u201d"
    if link["url"]:
        return f'<a href="{esc(link["url"])}">{name}</a>'
    return f"{name} (on the Crossings site: <code>{esc(link['path'])}</code>)"


def profile_html(profile):
    """The whole profile as one HTML fragment: summary, radar (SVG), tables, next steps."""
    data = profile.data
    esc = html.escape
    scores = profile.element_scores()
    out = ['<div class="self-assessment-profile" lang="en">', f"<style>{PROFILE_CSS}</style>",
           "<h2>Your profile</h2>"]
    out += [f"<p>{esc(s)}</p>" for s in summary_sentences(profile)]
    out.append(profile_radar(profile))
    out.append(_table("The radar chart as a table: average level of each element (1 to 4)",
                      ["Element", "Average level", "Strands rated"],
                      [(f"{e['number']} {e['label']}", fmt(scores[e["id"]]),
                        f"{sum(profile.levels[s] is not None for s in e['strands'])} of "
                        f"{len(e['strands'])}") for e in data["elements"]]))
    out.append(_table("Your rating of every strand",
                      ["Strand", "Your level", "Your evidence"],
                      [(strand_name(data, s), level_name(data, profile.ratings[s].level),
                        profile.ratings[s].evidence or profile.ratings[s].problem)
                       for s in profile.order]))
    out.append("<h3>Your three strongest strands</h3>")
    strong = profile.strongest()
    out.append("<ul>" + "".join(f"<li>{esc(strand_name(data, s))} "
                                f"({esc(level_name(data, profile.levels[s]))})</li>"
                                for s in strong) + "</ul>" if strong
               else "<p>Rate more strands first.</p>")
    out.append("<h3>Your three weakest strands: next steps</h3>")
    weak = profile.weakest()
    if not weak:
        out.append("<p>Rate some strands first.</p>")
    for s in weak:
        strand = data["strands"][s]
        out.append(f"<h4>{esc(strand_name(data, s))} "
                   f"({esc(level_name(data, profile.levels[s]))})</h4>")
        out.append("<ul>" + "".join(f"<li>{esc(step)}</li>" for step in strand["next_steps"])
                   + "</ul>")
        out.append("<p>Read more: " + "; ".join(_link_html(k) for k in strand["links"]) + "</p>")
    out.append("</div>")
    return "\n".join(out)


# ---------------------------------------------------------------------------- in the notebook

_RATINGS = {}
_SECTOR = {}


def rate(strand_id, answer):
    """Check-cell helper: record one strand's answer and say, in plain words, what is missing."""
    rating = read_answer(answer, DATA)  # noqa: F821 - DATA is defined in the notebook
    _RATINGS[strand_id] = rating
    name = strand_name(DATA, strand_id)  # noqa: F821
    if rating.complete:
        print(f"Thank you: {name} is rated {level_name(DATA, rating.level)}, "  # noqa: F821
              "with evidence.")
    else:
        print(f"Not yet ({name}): {rating.problem}")


def rating_points(strand_id, points):
    """Hidden check: full points for a complete strand, none otherwise."""
    rating = _RATINGS.get(strand_id)
    return float(points) if rating is not None and rating.complete else 0.0


def choose_sector(answer):
    sector, problem = read_sector(answer, DATA)  # noqa: F821
    _SECTOR["sector"] = sector
    if sector:
        print(f"Thank you: your sector is {DATA['sectors'][sector]}.")  # noqa: F821
    else:
        print(f"Not yet: {problem}")


def sector_points(points):
    return float(points) if _SECTOR.get("sector") else 0.0


def show_profile():
    """Show the profile: HTML (summary, radar, tables, next steps) with a plain-text twin."""
    profile = Profile(_RATINGS, DATA)  # noqa: F821
    text = profile_text(profile)
    try:
        from IPython.display import display
    except ImportError:
        print(text)
        return
    display({"text/html": profile_html(profile), "text/plain": text}, raw=True)
