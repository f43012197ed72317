"""Pack data that the site shows through the interface catalog (``crossings.po``), and
the agenda table (``agenda_table``), which translates it.

Most of a pack page's text is generated MyST that Sphinx translates with the page's own
catalog. The cells of the agenda tables and the labels of the download links are not
strings of the page (Sphinx does not extract them), so the site looks them up in the
interface catalog instead: ``crossings translations interface-pot`` adds the texts
listed by ``interface_texts`` to ``crossings.pot``, as it does for the config texts, and
the Sphinx extension translates them with ``_()`` on a page of another language. The
printed pack of another language (``packs.language``) uses the same catalog for them.
"""

from __future__ import annotations

from collections.abc import Callable

from crossings.content.modules import format_minutes
from crossings.packs.model import BREAK, Activity, Catalogue, Variant

Gettext = Callable[[str], str]


def same(text: str) -> str:
    """No translation: the English text (the printed pack, the English site)."""
    return text


def short_grouping(activity: Activity) -> str:
    """'mixed trios' for 'Mixed trios (three sectors)': the grouping in an agenda row."""
    return activity.grouping_label.split(" (")[0].lower()


def interface_texts(catalogue: Catalogue, packs: list | None = None) -> list[str]:
    """Activity titles (the break too), short groupings and handout titles of ``packs``
    (default: every pack), in order and without repeats."""
    out: list[str] = []

    def add(text: str) -> None:
        text = " ".join(text.split())
        if text and text not in out:
            out.append(text)

    for pack in catalogue.packs if packs is None else packs:
        activities = [row.activity for v in pack.variants for row in v.rows]
        for activity in activities + list(pack.activities.values()):
            add(activity.title)
            add(short_grouping(activity))
        for ref in pack.used_handouts():
            handout = catalogue.handout(ref, pack)
            if handout:
                add(handout.title)
    return out


def agenda_table(variant: Variant, _: Gettext = same) -> str:
    """The agenda as a MyST table; ``_`` translates its words and activity titles."""
    clock = _("Time") if variant.clock else _("Start")
    activity, minutes, end = _("Activity"), _("Minutes"), _("End")
    # Dash counts set the relative column widths in the printed pack (pandoc).
    lines = [f"| {clock} | {activity} | {minutes} |",
             f"| :{'-' * 10} | :{'-' * 56} | {'-' * 10}: |"]
    for row in variant.rows:
        title = _(row.activity.title)
        if row.activity.id != BREAK:
            title = _("{activity} ({grouping})").format(
                activity=title, grouping=_(short_grouping(row.activity)))
        lines.append(f"| {variant.time(row.start)} | {title} | {row.minutes} |")
    lines.append(f"| {variant.time(variant.total)} | {end} | |")
    spare = variant.slot - variant.total
    summary = f"**Total: {format_minutes(variant.total)}** of a {format_minutes(variant.slot)} slot"
    summary += f" ({spare} min to spare)." if spare else "."
    return "\n".join(lines) + "\n\n" + summary
