"""The on-page form of an exercise: one native HTML control per item, generated at build time.

``form_html(item, number, texts)`` writes the controls of one ``exercise-item`` (radio buttons or
checkboxes, one select per classify line or order step, the fields of a plan, a text area,
the ratings of a self-assessment). ``item_spec(item)`` is what ``crossings-exercise.js``
needs to check the answer's form and to write it into the released notebook. Only a
*formative* item carries its answer (the page may say whether it is right); a summative
item carries nothing of its answer, so nothing of it is in the page.

The form is ``hidden`` in the HTML: the script shows it. Without JavaScript the page keeps
the printed questions and the notebook download.

Every visible text follows the page's language (``texts``, see ``form_texts``): the fixed
strings are written ``_("...")`` with ``_ = texts.ui`` so that ``crossings translations
interface-pot`` extracts them; values (letters, keys) are never translated.
"""

from __future__ import annotations

import html
import json
import re

from crossings.exercises.answers import SECTORS
from crossings.exercises.source import Item
from crossings.sphinxext.form_texts import Texts, script_messages, sector_labels

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
ENGLISH = Texts()


def inline(text: str) -> str:
    """A one-line Markdown text (bold, italics, code) as safe HTML."""
    out = html.escape(" ".join(text.split()), quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def attr(value) -> str:
    return html.escape(str(value), quote=True)


def item_spec(item: Item, texts: Texts = ENGLISH) -> dict:
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
                           "min_count": f.min_count, "label": texts.field_label(f)} for f in item.fields]
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


def _controls(item: Item, number: int, texts: Texts) -> str:
    _ = texts.ui
    base = f"x-{item.id}"
    if item.type in ("choice", "classify", "order"):
        options = {k: texts.option(k, v) for k, v in item.options.items()}
    if item.type == "choice":
        legend = (_("Your answer to question {number} (choose all that apply)") if item.multiple
                  else _("Your answer to question {number} (choose one)"))
        return _radio_list(base, "checkbox" if item.multiple else "radio", options,
                           legend.format(number=number))
    if item.type == "sector":
        options = {k: texts.sector_option(k, v) for k, v in item.options.items()}
        return _radio_list(base, "radio", options,
                           _("Your answer to question {number} (choose one)").format(
                               number=number), show_key=False)
    if item.type == "classify":
        choices = [(k, f"{k}: {' '.join(v.split())}") for k, v in options.items()]
        rows = [_select(f"{base}-{k}", f"{k}. {inline(texts.statement(text))}", choices,
                        _("Choose a category"))
                for k, text in item.statements.items()]
        legend = _("Your answer to question {number}: one category for each line").format(
            number=number)
        return f"<fieldset><legend>{legend}</legend>{''.join(rows)}</fieldset>"
    if item.type == "order":
        n = len(item.options)
        choices = [(str(p), _("Step {number}").format(number=p)) for p in range(1, n + 1)]
        rows = [_select(f"{base}-{k}", f"{k}: {inline(text)}", choices, _("Choose its place"))
                for k, text in options.items()]
        legend = _("Your answer to question {number}: give each step its place, 1 to "
                   "{count}").format(number=number, count=n)
        return (f"<fieldset><legend>{legend}</legend>"
                f'{"".join(rows)}<p class="exercise-order-preview" aria-live="polite"></p></fieldset>')
    if item.type == "reflection":
        return _textarea(f"{base}-text", _("Your answer to question {number}").format(
            number=number), rows=8)
    if item.type == "plan":
        return _plan(item, base, number, texts)
    if item.type == "rating" and item.assessment:
        return _rating(item, base, texts)
    return ""


def _plan(item: Item, base: str, number: int, texts: Texts) -> str:
    _ = texts.ui
    parts = []
    for fld in item.fields:
        cid = f"{base}-{fld.id}"
        hint_id = f"{cid}-hint"
        label = inline(texts.field_label(fld))
        if fld.kind == "sectors":
            names = sector_labels(_)
            options = {s: names.get(s, s) for s in SECTORS}
            legend = _("{label} (partners from at least {count} sectors)").format(
                label=label, count=fld.min_count)
            parts.append(f'<div class="exercise-sectors" data-field="{attr(fld.id)}">'
                         + _radio_list(cid, "checkbox", options, legend, show_key=False)
                         + "</div>")
        else:
            hint = (f'<p class="exercise-hint" id="{attr(hint_id)}">{inline(fld.hint)}</p>'
                    if fld.hint else "")
            text = _("{label} (at least {count} words)").format(label=label,
                                                                 count=fld.min_words)
            parts.append(hint + _textarea(cid, text, rows=4,
                                          described=hint_id if fld.hint else ""))
    legend = _("Your answer to question {number}: your plan").format(number=number)
    return f"<fieldset><legend>{legend}</legend>{''.join(parts)}</fieldset>"


def _rating(item: Item, base: str, texts: Texts) -> str:
    _ = texts.ui
    data = item.assessment
    levels = [lv["label"] for lv in data["levels"]]
    choices = [(str(n), f"{n} {name}") for n, name in enumerate(levels, start=1)]
    level, evidence, one_line = attr(_("Level")), attr(_("Evidence")), attr(_("(one line)"))
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
            for_name = attr(_("for {name}").format(name=name))
            hidden_name = f'<span class="visually-hidden"> {for_name}</span>'
            summary = attr(_("The four levels of {name}").format(name=name))
            rows.append(
                f'<div class="exercise-strand" data-strand="{attr(strand_id)}">'
                f'<p class="exercise-strand-title"><strong>{attr(name)}</strong></p>'
                f"<details><summary>{summary}</summary><ol>{descriptors}"
                f"</ol></details>"
                + _select(f"{cid}-level", f"{level}{hidden_name}", choices,
                          _("Choose a level"))
                + f'<div class="exercise-row"><label for="{attr(cid)}-evidence">'
                  f"{evidence}{hidden_name} {one_line}</label>"
                  f'<input type="text" id="{attr(cid)}-evidence" autocomplete="off"></div></div>')
        parts.append(f"<fieldset><legend>{element['number']} {attr(element['label'])}</legend>"
                     f"{''.join(rows)}</fieldset>")
    return f'<div class="exercise-rating">{"".join(parts)}</div>'


def form_html(item: Item, number: int, texts: Texts = ENGLISH) -> str:
    """The hidden form of one item, with its check button and feedback region."""
    _ = texts.ui
    spec = json.dumps(item_spec(item, texts), ensure_ascii=False, separators=(",", ":"))
    discussion, check = "", attr(_("Check my answer"))
    if item.type in ("plan", "reflection") and item.discussion:
        compare = attr(_("Compare with a discussion"))
        discussion = (f'<button type="button" class="exercise-discuss" aria-expanded="false" '
                      f'aria-controls="discussion-{attr(item.id)}" disabled>{compare}</button>')
    return (f'<div class="exercise-form" hidden data-item="{attr(item.id)}" '
            f'data-spec="{attr(spec)}">{_controls(item, number, texts)}'
            f'<div class="exercise-actions"><button type="button" class="exercise-check">'
            f"{check}</button>{discussion}</div>"
            f'<div class="exercise-feedback" role="status"></div></div>')


def onpage_intro(texts: Texts = ENGLISH) -> str:
    _ = texts.ui
    # our own markup, kept in the message so a translator can move it with the words
    return ('<div class="exercise-onpage" hidden><p>'
            + _("<strong>Answer right on this page.</strong> Your answers stay in this browser "
                "only: nothing is sent anywhere. Under each question, <em>Check my "
                "answer</em> tells you whether your answer is complete, and for practice "
                "questions whether it is right, and why. When you are done, <a "
                'href="#hand-in">hand in your answers</a>.')
            + "</p></div>")


def handin_html(exercise: str, texts: Texts = ENGLISH) -> str:
    _ = texts.ui
    title, code = attr(_("Hand in your answers")), attr(_("Your learner code"))
    download, clear = attr(_("Download my answers for my facilitator")), attr(_("Clear my answers"))
    messages = ""
    if texts.translated:   # the script holds the English ones
        data = json.dumps(script_messages(_), ensure_ascii=False, separators=(",", ":"))
        messages = f' data-messages="{attr(data)}"'
    return (
        f'<section class="exercise-handin" id="hand-in" hidden aria-labelledby="hand-in-title" '
        f'data-exercise="{attr(exercise)}"{messages}>'
        f'<h2 id="hand-in-title">{title}</h2>'
        + "<p>" + attr(_("Download a notebook file with your answers and send it to your "
                         "facilitator, the way they asked you to (for example by e-mail or in "
                         "a shared folder). Your facilitator grades it like every other "
                         "notebook. The file name carries your learner code, never your "
                         "name.")) + "</p>"
        f'<div class="exercise-row"><label for="learner-code">{code}'
        "</label>"
        '<input type="text" id="learner-code" autocomplete="off" autocapitalize="none" '
        'spellcheck="false" aria-describedby="learner-code-help">'
        '<p id="learner-code-help" class="exercise-hint">'
        + _("The code your facilitator gave you, for example <code>kq7m-3xpt</code>: small "
            "letters, digits and hyphens.") + "</p></div>"
        '<div class="exercise-actions"><button type="button" class="exercise-download-answers">'
        f'{download}</button></div>'
        '<p class="exercise-download-status" role="status"></p>'
        "<p>" + attr(_("Your answers are kept in this browser until you clear them. On a "
                       "shared computer, clear them when you are done.")) + "</p>"
        '<div class="exercise-actions"><button type="button" class="exercise-clear">'
        f'{clear}</button></div>'
        '<p class="exercise-clear-status" role="status"></p></section>')
