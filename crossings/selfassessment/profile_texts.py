"""The self-assessment notebook's profile code in another language: what the learner reads.

``profile.py`` is copied, as it is, into a locked setup cell of the learner notebook (see
``crossings.exercises.rating_cells``); its messages and labels are English string literals,
and the English notebook keeps them byte for byte. For another language,
``translate_profile_setup`` replaces each of those literals (the exact code in ``CODE``) by
its translation from the interface catalog ``crossings.po`` (the strings are marked
``_("...")`` below, so ``crossings translations interface-pot`` lists them), and ``DATA`` by
its translation (``language.translate_data``: strand names, descriptors, next steps, level
names, short element names; here also the sector names and the pages to read).

Only text changes: strand ids, level numbers, sector keys and the code that decides whether
an answer is complete stay the same, so the grader (which runs the English cell) gives an
answer the same points in every language. The level names a learner may type stay the
English ones (``level["id"]``), as the translated instructions say.
"""

from __future__ import annotations

import ast
import copy
import html
import pprint
from collections.abc import Callable
from pathlib import Path

Translate = Callable[[str], str]
DATA_MARK = "\n\nDATA = "


def same(text: str) -> str:
    return text


def profile_messages(_: Translate = same) -> dict[str, str]:
    return {
        "intro": _("Run this cell too (Shift+Enter). It holds the descriptors of the "
                   "self-assessment and the code that draws your profile. Please do not "
                   "change it."),
        "not_rated_yet": _("not rated yet."),
        "example": _("what you saw or read that shows it"),
        "brackets": _("write the level and your evidence in square brackets, for example "
                      "{example}."),
        "level_number": _("the level is a number from 1 to {count} ({scale}); you wrote "
                          "{wrote}."),
        "evidence_quotes": _("write your evidence between quotes, for example \"Our joint "
                             "plan was signed by three services.\""),
        "min_words": _("add one line of evidence: at least {min_words} words (you wrote "
                       "{words})."),
        "one_sector": _("write one sector between quotes, for example \"{sector}\"."),
        "sector_words": _("use one of these words: {sectors} (you wrote {wrote})."),
        "not_rated": _("not rated"),
        "axis_not_rated": _("{axis} (not rated)"),
        "radar_title": _("Your profile on the six elements"),
        "radar_desc": _("Radar chart of the average level (1 to 4) of each element: "),
        "your_ratings": _("Your ratings"),
        "rated_count": _("You rated {rated} of {total} strands."),
        "best_worst": _("Your strongest element is {best} (average {best_score} of {levels}); "
                        "your weakest is {worst} (average {worst_score})."),
        "unrated_list": _("Not rated yet: "),
        "thin_list": _("Rated but without enough evidence: "),
        "page_section": _("{page}, section “{section}”"),
        "on_site": _("{where} (on the Crossings site: {address})"),
        "heading": _("YOUR PROFILE"),
        "elements": _("Elements (average level):"),
        "element_line": _("{label}: {score} ({rated} of {total} strands rated)"),
        "strands": _("Strands:"),
        "strongest": _("Strongest strands:"),
        "rate_more": _("(rate more strands first)"),
        "weakest": _("Weakest strands, with next steps:"),
        "read": _("Read: {link}"),
        "rate_some": _("(rate some strands first)"),
        "your_profile": _("Your profile"),
        "table_caption": _("The radar chart as a table: average level of each element "
                           "(1 to 4)"),
        "element": _("Element"),
        "average_level": _("Average level"),
        "strands_rated": _("Strands rated"),
        "x_of_y": _("{rated} of {total}"),
        "every_strand": _("Your rating of every strand"),
        "strand": _("Strand"),
        "your_level": _("Your level"),
        "your_evidence": _("Your evidence"),
        "three_strongest": _("Your three strongest strands"),
        "rate_more_p": _("Rate more strands first."),
        "three_weakest": _("Your three weakest strands: next steps"),
        "rate_some_p": _("Rate some strands first."),
        "read_more": _("Read more: "),
        "html_section": _(", section “{section}”"),
        "html_on_site": _("{name} (on the Crossings site: {path})"),
        "rated": _("Thank you: {strand} is rated {level}, with evidence."),
        "not_yet_strand": _("Not yet ({strand}): {problem}"),
        "sector_is": _("Thank you: your sector is {sector}."),
        "not_yet": _("Not yet: {problem}"),
    }


# key: (the exact code of profile.py (or of the cell's first lines), how the translation is
# written: a str.format of the translated text with these {name}: expression pairs, or
# "html:<tag>" for a literal wrapped in that element, or "comment", or "literal").
_EX = "'[3, \"what you saw or read that shows it\"]'"
CODE: dict[str, tuple[str, object]] = {
    "intro": ("# Run this cell too (Shift+Enter). It holds the descriptors of the self-assessment\n"
              "# and the code that draws your profile. Please do not change it.", "comment"),
    "not_rated_yet": ('"not rated yet."', "literal"),
    "example": (_EX, "example"),
    "brackets": ('f"write the level and your evidence in square brackets, for "\n'
                 '                              f"example {example}."', {"example": "example"}),
    "level_number": ('f"the level is a number from 1 to {count} "\n'
                     '                                  f"({scale_hint(data)}); you wrote '
                     '{raw_level!r}."',
                     {"count": "count", "scale": "scale_hint(data)", "wrote": "repr(raw_level)"}),
    "evidence_quotes": ("'write your evidence between quotes, for example '\n"
                        "                                 '\"Our joint plan was signed by three "
                        "services.\"'", "literal"),
    "min_words": ('f"add one line of evidence: at least {min_words} words "\n'
                  '                                   f"(you wrote {words})."',
                  {"min_words": "min_words", "words": "words"}),
    "one_sector": ("f'write one sector between quotes, for example \"{next(iter(sectors))}\".'",
                   {"sector": "next(iter(sectors))"}),
    "sector_words": ("f\"use one of these words: {', '.join(sectors)} (you wrote {value!r}).\"",
                     {"sectors": "', '.join(sectors)", "wrote": "repr(value)"}),
    "not_rated": ('"not rated"', "literal"),
    "axis_not_rated": ('e["short"] + ("" if scores[e["id"]] is not None else " (not rated)")',
                       "axis"),
    "radar_title": ('title="Your profile on the six elements"', "keyword:title"),
    "radar_desc": ('"Radar chart of the average level (1 to 4) of each element: "', "literal"),
    "your_ratings": ('("Your ratings", values)', "tuple:values"),
    "rated_count": ('f"You rated {len(profile.rated)} of {total} strands."',
                    {"rated": "len(profile.rated)", "total": "total"}),
    "best_worst": ('f"Your strongest element is {short[best]} (average {scores[best]:.1f} of "\n'
                   '                   f"{len(data[\'levels\'])}); your weakest is {short[worst]} "\n'
                   '                   f"(average {scores[worst]:.1f})."',
                   {"best": "short[best]", "best_score": "fmt(scores[best])",
                    "levels": "len(data['levels'])", "worst": "short[worst]",
                    "worst_score": "fmt(scores[worst])"}),
    "unrated_list": ('"Not rated yet: "', "literal"),
    "thin_list": ('"Rated but without enough evidence: "', "literal"),
    "page_section": ('f"{link[\'page\']}, section \\u201c{link[\'section\']}\\u201d"',
                     {"page": "link['page']", "section": "link['section']"}),
    "on_site": ('f"{where} (on the Crossings site: {link[\'url\'] or link[\'path\']})"',
                {"where": "where", "address": "link['url'] or link['path']"}),
    "heading": ('"YOUR PROFILE"', "literal"),
    "elements": ('"Elements (average level):"', "literal"),
    "element_line": ('f"  {e[\'number\']} {e[\'label\']}: {fmt(scores[e[\'id\']])} "\n'
                     '                     f"({rated} of {len(e[\'strands\'])} strands rated)"',
                     {"label": "str(e['number']) + ' ' + e['label']",
                      "score": "fmt(scores[e['id']])", "rated": "rated",
                      "total": "len(e['strands'])"}, "  "),
    "strands": ('"Strands:"', "literal"),
    "strongest": ('"Strongest strands:"', "literal"),
    "rate_more": ('"  (rate more strands first)"', "indent"),
    "weakest": ('"Weakest strands, with next steps:"', "literal"),
    "read": ('f"    Read: {link_text(link)}"', {"link": "link_text(link)"}, "    "),
    "rate_some": ('"  (rate some strands first)"', "indent"),
    "your_profile": ('"<h2>Your profile</h2>"', "html:h2"),
    "table_caption": ('"The radar chart as a table: average level of each element (1 to 4)"',
                      "literal"),
    "element": ('"Element"', "literal"),
    "average_level": ('"Average level"', "literal"),
    "strands_rated": ('"Strands rated"', "literal"),
    "x_of_y": ('f"{sum(profile.levels[s] is not None for s in e[\'strands\'])} of "\n'
               '                        f"{len(e[\'strands\'])}"',
               {"rated": "sum(profile.levels[s] is not None for s in e['strands'])",
                "total": "len(e['strands'])"}),
    "every_strand": ('"Your rating of every strand"', "literal"),
    "strand": ('"Strand"', "literal"),
    "your_level": ('"Your level"', "literal"),
    "your_evidence": ('"Your evidence"', "literal"),
    "three_strongest": ('"<h3>Your three strongest strands</h3>"', "html:h3"),
    "rate_more_p": ('"<p>Rate more strands first.</p>"', "html:p"),
    "three_weakest": ('"<h3>Your three weakest strands: next steps</h3>"', "html:h3"),
    "rate_some_p": ('"<p>Rate some strands first.</p>"', "html:p"),
    "read_more": ('"<p>Read more: "', "html:p-open"),
    "html_section": ('f", section \\u201c{esc(link[\'section\'])}\\u201d"',
                     {"section": "esc(link['section'])"}, "", True),
    "html_on_site": ('f"{name} (on the Crossings site: <code>{esc(link[\'path\'])}</code>)"',
                     {"name": "name", "path": "'<code>' + esc(link['path']) + '</code>'"},
                     "", True),
    "rated": ('f"Thank you: {name} is rated {level_name(DATA, rating.level)}, "  '
              '# noqa: F821\n              "with evidence."',
              {"strand": "name", "level": "level_name(DATA, rating.level)"}),
    "not_yet_strand": ('f"Not yet ({name}): {rating.problem}"',
                       {"strand": "name", "problem": "rating.problem"}),
    "sector_is": ("f\"Thank you: your sector is {DATA['sectors'][sector]}.\"",
                  {"sector": "DATA['sectors'][sector]"}),
    "not_yet": ('f"Not yet: {problem}"', {"problem": "problem"}),
}
# Not text: what changes with the language besides the messages.
FIXED = {
    # the decimal comma (Italian and most languages of the site)
    'else f"{value:.1f}"': 'else f"{value:.1f}".replace(".", ",")',
    # the language of the profile's HTML
    '<div class="self-assessment-profile" lang="en">':
        '<div class="self-assessment-profile" lang="{code}">',
    # a level name a learner types is the English one, as the grader reads it
    'if text in (_norm(level["id"]), _norm(level["label"])):': 'if text == _norm(level["id"]):',
}


def translated_code(key: str, text: str) -> str:
    """The code that replaces ``CODE[key]`` for the translated ``text``."""
    how = CODE[key][1]
    if how == "comment":
        words, lines, line = text.split(), [], "#"
        for word in words:
            if len(line) + len(word) > 90:
                lines.append(line)
                line = "#"
            line += " " + word
        return "\n".join([*lines, line])
    if how == "literal":
        return repr(text)
    if how == "indent":
        return repr(CODE[key][0][1:3] + text)
    if how == "axis":   # the axis label, with the note only where nothing is rated
        return (f'(e["short"] if scores[e["id"]] is not None '
                f'else {text!r}.format(axis=e["short"]))')
    if how == "example":
        return repr(f'[3, "{text}"]')
    if not isinstance(how, dict):   # "keyword:<name>", "tuple:<second>", "html:<tag>"
        kind, _sep, arg = how.partition(":")
        if kind == "keyword":
            return f"{arg}={text!r}"
        if kind == "tuple":
            return f"({text!r}, {arg})"
        if arg == "p-open":
            return repr(f"<p>{html.escape(text)}")
        return repr(f"<{arg}>{html.escape(text)}</{arg}>")
    values = dict(how)
    indent = CODE[key][2] if len(CODE[key]) > 2 else ""
    escaped = len(CODE[key]) > 3 and CODE[key][3]
    template = html.escape(text, quote=False) if escaped else text
    args = ", ".join(f"{k}={v}" for k, v in values.items())
    return f"{indent + template!r}.format({args})"


def translate_links(links: list[dict], root: Path, code: str, prefix: str) -> list[dict]:
    """The pages to read, named and addressed as on the site of language ``code``."""
    from crossings.content.languages import translations

    out = []
    for link in links:
        link = dict(link)
        page = translations(root, code, link["path"].partition(".html")[0]) \
            if link["path"] else {}
        link["page"] = page.get(link["page"]) or link["page"]
        link["section"] = page.get(link["section"]) or link["section"]
        if link["path"]:   # the same page of the language's site (<site>/<code>/...)
            base = link["url"].removesuffix(link["path"])
            link["path"] = prefix + link["path"]
            link["url"] = base + link["path"] if link["url"] else ""
        out.append(link)
    return out


def translate_profile_data(data: dict, root: Path, code: str, _: Translate) -> dict:
    """DATA of the notebook in language ``code`` (ids, keys, numbers and order unchanged)."""
    from crossings.selfassessment.language import translate_data

    out = copy.deepcopy(translate_data(data, root, code))
    out["sectors"] = {key: _(label) for key, label in out.get("sectors", {}).items()}
    for strand in out["strands"].values():
        strand["links"] = translate_links(strand["links"], root, code, f"{code}/")
    return out


def translate_profile_setup(source: str, _: Translate, code: str,
                            data: Callable[[dict], dict] | None = None) -> str:
    """The profile's setup cell with its texts in another language (``_``) and its DATA
    through ``data``; unchanged with the English texts and no ``data``."""
    english, other = profile_messages(), profile_messages(_)
    head, sep, tail = source.rpartition(DATA_MARK)
    code_part = head if sep else source
    for key, text in english.items():
        if other[key] != text:
            code_part = code_part.replace(CODE[key][0], translated_code(key, other[key]))
    if any(other[k] != english[k] for k in english):
        for old, new in FIXED.items():
            code_part = code_part.replace(old, new.replace("{code}", code))
    if sep and data is not None:
        value = data(ast.literal_eval(tail))
        tail = pprint.pformat(value, width=100, sort_dicts=False) + "\n"
    return code_part + sep + tail
