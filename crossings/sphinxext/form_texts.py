"""The visible texts of an exercise page's form, in the language of the page.

Two sources, never mixed with the values the form submits or checks (answer letters,
option keys, sector keys stay as they are in every language):

- fixed strings of the form and of ``crossings-exercise.js`` go through the interface
  catalog (``_()``, ``locales/<code>/LC_MESSAGES/crossings.po``);
- the exercise's own data (option texts, classify lines, plan field labels) is looked up in
  the page's catalog (``locales/<code>/LC_MESSAGES/<docname>.po``, compiled by Sphinx to
  ``.mo`` before any page is read), under the very message the learner view of the page
  produced (``**A**: text``), so a string translated on the page is translated in the form
  too. A string without a translation stays English.

On the source (English) site ``Texts()`` changes nothing.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crossings.exercises.answers import SECTORS, Field


def same(text: str) -> str:
    return text


def message(text: str) -> str:
    """The message id Sphinx extracts from a paragraph of ``text`` (lines joined)."""
    return text.replace("\n", " ").strip()


def plan_field_line(fld: Field) -> str:
    """One part of a plan as the learner view lists it (a list item, without ``- ``)."""
    need = (f"partners from at least {fld.min_count} sectors ({', '.join(SECTORS)})"
            if fld.kind == "sectors" else f"at least {fld.min_words} words")
    return f"**{fld.label}**: {need}"


@dataclass(frozen=True)
class Texts:
    """``ui``: an interface string; ``page``: a message of this page's catalog (or itself)."""

    ui: Callable[[str], str] = same
    page: Callable[[str], str] = same
    translated: bool = False   # the page is shown in another language than the source

    def _prefixed(self, msgid: str, prefix: str, english: str) -> str:
        text = self.page(message(msgid))
        if text != message(msgid) and text.startswith(prefix):
            return text[len(prefix):].strip()
        return english

    def option(self, key: str, text: str) -> str:
        """An option's text (``options_markdown`` wrote ``- **A**: text``)."""
        return self._prefixed(f"**{key}**: {text}", f"**{key}**:", text)

    def sector_option(self, key: str, text: str) -> str:
        """A sector item's option (the learner view wrote ``- `key`: text``)."""
        return self._prefixed(f"`{key}`: {text}", f"`{key}`:", text)

    def statement(self, text: str) -> str:
        """A classify line (an item of a numbered list in the learner view)."""
        found = self.page(message(text))
        return found if found != message(text) else text

    def field_label(self, fld: Field) -> str:
        """A plan field's label, taken from the translated ``**label**: need`` line."""
        text = self.page(message(plan_field_line(fld)))
        if text != message(plan_field_line(fld)) and text.startswith("**"):
            end = text.find("**", 2)
            if end > 2:
                return text[2:end]
        return fld.label


def sector_labels(_: Callable[[str], str] = same) -> dict[str, str]:
    return {"ecec": _("early childhood education and care"), "school": _("school"),
            "social": _("social services"), "health": _("health services"),
            "policy": _("local policy and administration"), "family": _("families"),
            "community": _("community organisations")}


def script_messages(_: Callable[[str], str] = same) -> dict[str, str]:
    """The messages of ``crossings-exercise.js`` (its ``MESSAGES`` hold the English ones;
    a translated page passes its own in ``data-messages``). ``{name}``: filled by the script."""
    return {
        "not_answered": _("you have not answered yet."),
        "classify_lines": _("choose a category for every line ({done} of {count} done)."),
        "order_every": _("give every step a place."),
        "order_twice": _("each place can be used once (place {place} is used twice)."),
        "reflection_short": _("write at least a few sentences (you wrote {words} words)."),
        "plan_sectors": _("for “{label}”, choose partners from at least {count} different "
                          "sectors."),
        "plan_words": _("for “{label}”, write at least {count} words (you wrote {words})."),
        "rating_missing": _("rate every strand with a level and one line of evidence ({done} "
                            "of {count} done)."),
        "not_yet": _("Not yet: {problem}"),
        "right": _("Right. Well done."),
        "classify_wrong": _("Not quite: {right} of {count} lines are right. Read why below, "
                            "then try again."),
        "wrong": _("Not quite right yet. Read why below, then try again."),
        "complete_rubric": _("Your answer is complete. Your facilitator reads it with the "
                             "rubric above."),
        "complete_thanks": _("Thank you: your answer is complete."),
        "complete_graded": _("Your answer is complete. This question counts for your grade, "
                             "so the page does not say whether it is right."),
        "word": _("{count} word"),
        "words": _("{count} words"),
        "your_order": _("Your order: {order}"),
        "cleared": _("Your answers are cleared from this browser."),
        "code_invalid": _("This learner code is not valid: use small letters, digits and "
                          "hyphens, with no spaces (not your name)."),
        "code_missing": _("Type your learner code first."),
        "preparing": _("Preparing your notebook…"),
        "saved": _("Saved {name}. Send this file to your facilitator."),
        "open_questions": _(" Not complete yet: question {questions}."),
        "all_answered": _(" Every question is answered."),
        "load_failed": _("The notebook could not be loaded. Check your connection and try "
                         "again, or use the notebook download at the top of the page."),
    }


def page_catalog(locale_dirs: list[Path], language: str, domain: str) -> Callable[[str], str]:
    """``gettext`` of one page's compiled catalog (as Sphinx's Locale transform finds it:
    ``<locale_dir>/<language>/LC_MESSAGES/<domain>.mo``), or ``same`` if there is none."""
    found: gettext.NullTranslations | None = None
    for folder in locale_dirs:
        mo = Path(folder) / language / "LC_MESSAGES" / f"{domain}.mo"
        if not mo.is_file():
            continue
        with mo.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)
        if found is None:
            found = catalog
        else:
            found.add_fallback(catalog)
    return found.gettext if found is not None else same
