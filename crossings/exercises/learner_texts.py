"""The fixed texts a learner reads outside the site's pages, in the language of the notebook.

Three groups, each a function of a gettext-like callable ``_`` (English by default; the
strings are marked ``_("...")`` so ``crossings translations interface-pot`` puts them in the
interface catalog, ``locales/<code>/LC_MESSAGES/crossings.po``):

- ``check_messages``: what the "check my answer" cells print or raise (the setup cell of
  ``notebook.py``), and the first line of each check cell;
- ``refusal_reasons``: why an answer cell is not an answer (``answers.py``);
- ``feedback_labels``: the labels of the feedback page (``crossings.grading.feedback``).

Only text changes. The values a check compares (answer letters, sector keys, numbers) and
the code that computes a score are the same in every language, and the grader always runs
the course's English cells: ``translate_code`` changes the string literals of the released
notebook only, and ``translate_message`` turns a message the grader saved in English into
another language for the feedback page. ``{name}`` in a text is a value the code fills in.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

Translate = Callable[[str], str]
TEXTS_FILE = "learner-texts.json"   # <build>/<code>/ and <course>/release-translations/<code>/


def same(text: str) -> str:
    return text


def check_messages(_: Translate = same) -> dict[str, str]:
    return {
        "not_yet": _("Not yet: {problem}"),
        "not_answered": _("you have not answered yet."),
        "letters_list": _('write a list of letters in square brackets, for example ["A", "C"].'),
        "one_letter": _('write one letter between quotes, for example "B".'),
        "only_letters": _("use only the letters {letters} (you wrote {wrong})."),
        "exactly": _("write exactly {count} letters, one for each line (you wrote {given})."),
        "every_letter": _("use every letter {letters} exactly once."),
        "right_form": _("Your answer has the right form."),
        "text_quotes": _('write your text between the quotes, for example "We will ...".'),
        "min_words": _("write at least {min_words} words (you wrote {words})."),
        "complete": _("Thank you: this part is complete."),
        "sectors_list": _('write a list of sectors, for example ["ecec", "school"].'),
        "only_sectors": _("use only these words: {sectors} (you wrote {unknown})."),
        "min_sectors": _("name partners from at least {min_count} different sectors."),
        "right": _("Well done: this answer is right."),
        "not_right": _("Not quite right yet. Read the question again and try once more."),
        "run_first": _("Run this cell first (click in it, then press Shift+Enter)."),
        "prepares": _('It prepares the "check my answer" cells below. Please do not change it.'),
        "check_cell": _("Check my answer: {title} ({points})."),
        "question": _("question {number}"),
        "point": _("{points} point"),
        "points": _("{points} points"),
    }


# How each message is written in the English setup cell: the expression of each {name}
# (a message without one is a plain literal), or the exact code where it is not a literal.
CODE_VALUES = {
    "only_letters": {"letters": "', '.join(letters)", "wrong": "', '.join(map(str, wrong))"},
    "exactly": {"count": "count", "given": "len(given)"},
    "every_letter": {"letters": "', '.join(letters)"},
    "min_words": {"min_words": "min_words", "words": "words"},
    "only_sectors": {"sectors": "', '.join(SECTORS)", "unknown": "', '.join(unknown)"},
    "min_sectors": {"min_count": "min_count"},
}
COMMENTS = ("run_first", "prepares")
NOT_IN_SETUP = ("check_cell", "question", "point", "points")


def refusal_reasons(_: Translate = same) -> dict[str, str]:
    return {
        "plain_value": _("the answer must be a plain value: text in quotes, or a list of them"),
        "too_long": _("the answer cell is longer than {limit} characters"),
        "ipython": _("the answer cell holds IPython syntax (a magic, shell command or help "
                     "request), not a value"),
        "invalid": _("the answer cell is not valid ({error}, line {line})"),
        "nested": _("the answer cell is not a plain value (too deeply nested, or not text)"),
        "only_answer": _("an answer cell may only contain 'answer = ...'"),
    }


def feedback_labels(_: Translate = same) -> dict[str, str]:
    return {
        "title": _("Feedback: {title}"),
        "learner": _("Learner code {code}. Points so far: {points}."),
        "of": _("{score} of {total}"),
        "your_answer": _("Your answer:"),
        "no_answer": _("You did not answer this part."),
        "refused": _("Your answer cell could not be read: {reason}. Type only the value "
                     "after {code}."),
        "facilitator": _("Your facilitator reads this part and gives the points."),
        "not_graded": _("Not graded."),
        "full": _("Full points: {score} of {total}."),
        "part": _("Part of the points: {score} of {total}."),
        "none": _("No points yet: 0 of {total}."),
        "empty": _("(empty)"),
        "empty_list": _("(empty list)"),
        "comment": _("Your facilitator wrote:"),
    }


def all_texts(_: Translate = same) -> list[str]:
    return [*check_messages(_).values(), *refusal_reasons(_).values(),
            *feedback_labels(_).values()]


def names(text: str) -> set[str]:
    """The ``{name}`` fields of a text (None if it is not a valid format string)."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"\0invalid"}


def usable(english: str, translated: str) -> str:
    """The translation when it has the same ``{name}`` fields as the English, else English."""
    return translated if names(translated) == names(english) else english


def lookup(catalog: dict[str, str]) -> Translate:
    """A callable ``_`` over a {msgid: msgstr} catalog; a bad or missing entry stays English."""
    return lambda text: usable(text, catalog[text]) if catalog.get(text) else text


def _literal(text: str) -> str:
    quote = "'" if '"' in text else '"'
    return f"{quote}{text}{quote}"


def english_code(key: str, text: str) -> str:
    """How message ``key`` is written in the English setup cell."""
    if key in COMMENTS:
        return f"# {text}"
    if key == "not_yet":
        return '"Not yet: " + message'
    values = CODE_VALUES.get(key)
    if not values:
        return _literal(text)
    return "f" + _literal(text.format(**{k: "{" + v + "}" for k, v in values.items()}))


def translated_code(key: str, text: str) -> str:
    if key in COMMENTS:
        return "# " + " ".join(text.split())
    values = {"problem": "message"} if key == "not_yet" else CODE_VALUES.get(key, {})
    if not values:
        return repr(text)
    args = ", ".join(f"{k}={v}" for k, v in values.items())
    return f"{text!r}.format({args})"


def translate_setup(source: str, _: Translate) -> str:
    """The setup cell's code with its messages in another language (nothing else changes)."""
    english, other = check_messages(), check_messages(_)
    for key, text in english.items():
        if key not in NOT_IN_SETUP and other[key] != text:
            source = source.replace(english_code(key, text), translated_code(key, other[key]))
    return source


CHECK_LINE = re.compile(r'^"""Check my answer: (?P<title>.+) \((?P<points>[0-9.]+) points?\)\."""$')
QUESTION = re.compile(r"^question (?P<number>\d+)$")


def translate_check_cell(source: str, _: Translate, titles: dict[str, str] | None = None) -> str:
    """A check cell with its first line (``\"\"\"Check my answer: question 2 (3 points).\"\"\"``)
    in another language; ``titles`` translates a title that is not "question N" (the cell is
    unchanged when its title has no translation)."""
    first, sep, rest = source.partition("\n")
    found = CHECK_LINE.match(first)
    if not found:
        return source
    number = QUESTION.match(found["title"])
    title = _("question {number}").format(number=number["number"]) if number \
        else (titles or {}).get(found["title"])
    if not title:
        return source
    points = found["points"]
    unit = _("{points} point") if points == "1" else _("{points} points")
    line = _("Check my answer: {title} ({points}).").format(
        title=title, points=unit.format(points=points))
    return '"""' + line.replace('"', "'").replace("\\", "") + '"""' + sep + rest


def _pattern(template: str) -> re.Pattern:
    parts, fields = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.*?)" if name not in fields else ".*?")
            fields.add(name)
    return re.compile("".join(parts), re.S)


def translate_message(message: str, english: dict[str, str], other: dict[str, str]) -> str:
    """A message made from one of the ``english`` texts, written with the same key of
    ``other`` and the same values; unchanged if it matches none."""
    for key, template in english.items():
        found = _pattern(template).fullmatch(message)
        if found and other.get(key) and names(other[key]) == names(template):
            return other[key].format(**found.groupdict())
    return message


def translate_check_message(message: str, _: Translate) -> str:
    """A "Not yet: ..." message of a check cell, as the grader saved it, in another language
    (whole, or not at all: English stays English when its problem is not a known text)."""
    english, other = check_messages(), check_messages(_)
    found = _pattern(english["not_yet"]).fullmatch(message)
    if not found:
        return message
    problem = found["problem"]
    texts = {k: v for k, v in english.items() if k != "not_yet"}
    translated = translate_message(problem, texts, other)
    if translated == problem and problem not in texts.values():
        return message
    return other["not_yet"].format(problem=translated)
