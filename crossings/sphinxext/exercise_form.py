"""The on-page form of an exercise: one native HTML control per item, generated at build time.

``form_html(item, number)`` writes the controls of one ``exercise-item`` (radio buttons or
checkboxes, one select per classify line or order step, the fields of a plan, a text area,
the ratings of a self-assessment). ``item_spec(item)`` is what ``crossings-exercise.js``
needs to check the answer's form and to write it into the released notebook. Only a
*formative* item carries its answer (the page may say whether it is right); a summative
item carries nothing of its answer, so nothing of it is in the page.

The form is ``hidden`` in the HTML: the script shows it. Without JavaScript the page keeps
the printed questions and the notebook download.
"""

from __future__ import annotations

import html
import json
import re

from crossings.exercises.answers import SECTORS
from crossings.exercises.source import Item

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
SECTOR_LABELS = {"ecec": "early childhood education and care", "school": "school",
                 "social": "social services", "health": "health services",
                 "policy": "local policy and administration", "family": "families",
                 "community": "community organisations"}


def inline(text: str) -> str:
    """A one-line Markdown text (bold, italics, code) as safe HTML."""
    out = html.escape(" ".join(text.split()), quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def attr(value) -> str:
    return html.escape(str(value), quote=True)


def item_spec(item: Item) -> dict:
    """What the script needs for one item; the answer only for a formative item."""
    spec: dict = {"id": item.id, "type": item.type, "check": item.check or "form"}
    if item.type in ("choice", "classify", "order"):
        spec["letters"] = list(item.options)
    if item.type == "choice":
        spec["multiple"] = item.multiple
    elif item.type == "classify":
        spec["count"] = len(item.statements)
    elif item.type == "sector":
        spec["keys"] = list(item.options)
    elif item.type == "plan":
        spec["fields"] = [{"id": f.id, "kind": f.kind, "min_words": f.min_words,
                           "min_count": f.min_count, "label": f.label} for f in item.fields]
    elif item.type == "rating" and item.assessment:
        spec["strands"] = [s for e in item.assessment["elements"] for s in e["strands"]]
        spec["levels"] = len(item.assessment["levels"])
    if item.formative:
        spec["answer"] = item.answer
        spec["explain"] = "letters" if isinstance(item.explain, dict) else (
            "text" if item.explain else "")
    if item.type in ("plan", "reflection"):
        spec["discussion"] = bool(item.discussion)
    return spec


def _radio_list(name: str, kind: str, options: dict[str, str], legend: str,
                show_key: bool = True) -> str:
    rows = []
    for key, text in options.items():
        cid = f"{name}-{key}"
        label = f"{key}: {inline(text)}" if show_key else inline(text)
        rows.append(f'<div class="exercise-option"><input type="{kind}" id="{attr(cid)}" '
                    f'name="{attr(name)}" value="{attr(key)}"><label for="{attr(cid)}">'
                    f"{label}</label></div>")
    return f"<fieldset><legend>{legend}</legend>{''.join(rows)}</fieldset>"


def _select(cid: str, label_html: str, choices: list[tuple[str, str]], blank: str) -> str:
    options = f'<option value="">{attr(blank)}</option>' + "".join(
        f'<option value="{attr(v)}">{attr(t)}</option>' for v, t in choices)
    return (f'<div class="exercise-row"><label for="{attr(cid)}">{label_html}</label>'
            f'<select id="{attr(cid)}">'
            f"{options}</select></div>")


def _textarea(cid: str, label_html: str, rows: int = 6, described: str = "") -> str:
    desc = f' aria-describedby="{attr(described)}"' if described else ""
    return (f'<div class="exercise-row exercise-text"><label for="{attr(cid)}">{label_html}'
            f'</label><textarea id="{attr(cid)}" rows="{rows}"{desc}></textarea>'
            f'<p class="exercise-count" aria-live="off"></p></div>')


def _controls(item: Item, number: int) -> str:
    base = f"x-{item.id}"
    your = f"Your answer to question {number}"
    if item.type == "choice":
        how = "choose all that apply" if item.multiple else "choose one"
        return _radio_list(base, "checkbox" if item.multiple else "radio", item.options,
                           f"{your} ({how})")
    if item.type == "sector":
        return _radio_list(base, "radio", item.options, f"{your} (choose one)", show_key=False)
    if item.type == "classify":
        choices = [(k, f"{k}: {' '.join(v.split())}") for k, v in item.options.items()]
        rows = [_select(f"{base}-{k}", f"{k}. {inline(text)}", choices, "Choose a category")
                for k, text in item.statements.items()]
        return f"<fieldset><legend>{your}: one category for each line</legend>{''.join(rows)}</fieldset>"
    if item.type == "order":
        n = len(item.options)
        choices = [(str(p), f"Step {p}") for p in range(1, n + 1)]
        rows = [_select(f"{base}-{k}", f"{k}: {inline(text)}", choices, "Choose its place")
                for k, text in item.options.items()]
        return (f"<fieldset><legend>{your}: give each step its place, 1 to {n}</legend>"
                f'{"".join(rows)}<p class="exercise-order-preview" aria-live="polite"></p></fieldset>')
    if item.type == "reflection":
        return _textarea(f"{base}-text", your, rows=8)
    if item.type == "plan":
        parts = []
        for fld in item.fields:
            cid = f"{base}-{fld.id}"
            hint_id = f"{cid}-hint"
            if fld.kind == "sectors":
                options = {s: SECTOR_LABELS.get(s, s) for s in SECTORS}
                legend = (f"{inline(fld.label)} (partners from at least {fld.min_count} "
                          f"sectors)")
                parts.append(f'<div class="exercise-sectors" data-field="{attr(fld.id)}">'
                             + _radio_list(cid, "checkbox", options, legend, show_key=False)
                             + "</div>")
            else:
                hint = (f'<p class="exercise-hint" id="{attr(hint_id)}">{inline(fld.hint)}</p>'
                        if fld.hint else "")
                label = f"{inline(fld.label)} (at least {fld.min_words} words)"
                parts.append(hint + _textarea(cid, label, rows=4,
                                              described=hint_id if fld.hint else ""))
        return f"<fieldset><legend>{your}: your plan</legend>{''.join(parts)}</fieldset>"
    if item.type == "rating" and item.assessment:
        return _rating(item, base, your)
    return ""


def _rating(item: Item, base: str, your: str) -> str:
    data = item.assessment
    levels = [lv["label"] for lv in data["levels"]]
    choices = [(str(n), f"{n} {name}") for n, name in enumerate(levels, start=1)]
    parts = []
    for element in data["elements"]:
        rows = []
        for strand_id in element["strands"]:
            strand = data["strands"][strand_id]
            name = f"{strand['number']} {strand['label']}"
            cid = f"{base}-{strand_id}"
            descriptors = "".join(f"<li><strong>{n} {attr(levels[n - 1])}:</strong> "
                                  f"{inline(text)}</li>"
                                  for n, text in enumerate(strand["descriptors"].values(), 1))
            hidden_name = f'<span class="visually-hidden"> for {attr(name)}</span>'
            rows.append(
                f'<div class="exercise-strand" data-strand="{attr(strand_id)}">'
                f'<p class="exercise-strand-title"><strong>{attr(name)}</strong></p>'
                f"<details><summary>The four levels of {attr(name)}</summary><ol>{descriptors}"
                f"</ol></details>"
                + _select(f"{cid}-level", f"Level{hidden_name}", choices, "Choose a level")
                + f'<div class="exercise-row"><label for="{attr(cid)}-evidence">Evidence'
                  f"{hidden_name} (one line)</label>"
                  f'<input type="text" id="{attr(cid)}-evidence" autocomplete="off"></div></div>')
        parts.append(f"<fieldset><legend>{element['number']} {attr(element['label'])}</legend>"
                     f"{''.join(rows)}</fieldset>")
    return f'<div class="exercise-rating">{"".join(parts)}</div>'


def form_html(item: Item, number: int) -> str:
    """The hidden form of one item, with its check button and feedback region."""
    spec = json.dumps(item_spec(item), ensure_ascii=False, separators=(",", ":"))
    discussion = ""
    if item.type in ("plan", "reflection") and item.discussion:
        discussion = (f'<button type="button" class="exercise-discuss" aria-expanded="false" '
                      f'aria-controls="discussion-{attr(item.id)}" disabled>'
                      f"Compare with a discussion</button>")
    return (f'<div class="exercise-form" hidden data-item="{attr(item.id)}" '
            f'data-spec="{attr(spec)}">{_controls(item, number)}'
            f'<div class="exercise-actions"><button type="button" class="exercise-check">'
            f"Check my answer</button>{discussion}</div>"
            f'<div class="exercise-feedback" role="status"></div></div>')


def onpage_intro() -> str:
    return ('<div class="exercise-onpage" hidden><p><strong>Answer right on this page.</strong> '
            "Your answers stay in this browser only: nothing is sent anywhere. Under each "
            "question, <em>Check my answer</em> tells you whether your answer is complete, and "
            "for practice questions whether it is right, and why. When you are done, "
            '<a href="#hand-in">hand in your answers</a>.</p></div>')


def handin_html(exercise: str) -> str:
    return (
        f'<section class="exercise-handin" id="hand-in" hidden aria-labelledby="hand-in-title" '
        f'data-exercise="{attr(exercise)}">'
        '<h2 id="hand-in-title">Hand in your answers</h2>'
        "<p>Download a notebook file with your answers and send it to your facilitator, the "
        "way they asked you to (for example by e-mail or in a shared folder). Your facilitator "
        "grades it like every other notebook. The file name carries your learner code, never "
        "your name.</p>"
        '<div class="exercise-row"><label for="learner-code">Your learner code</label>'
        '<input type="text" id="learner-code" autocomplete="off" autocapitalize="none" '
        'spellcheck="false" aria-describedby="learner-code-help">'
        '<p id="learner-code-help" class="exercise-hint">The code your facilitator gave you, '
        "for example <code>kq7m-3xpt</code>: small letters, digits and hyphens.</p></div>"
        '<div class="exercise-actions"><button type="button" class="exercise-download-answers">'
        "Download my answers for my facilitator</button></div>"
        '<p class="exercise-download-status" role="status"></p>'
        "<p>Your answers are kept in this browser until you clear them. On a shared computer, "
        "clear them when you are done.</p>"
        '<div class="exercise-actions"><button type="button" class="exercise-clear">'
        "Clear my answers</button></div>"
        '<p class="exercise-clear-status" role="status"></p></section>')
