"""Sphinx extension: each page carries, inline, only the CSS it uses; no render-blocking request.

The theme links about 480 kB of stylesheets from every page (pydata-sphinx-theme's
397 kB bundle includes all of Bootstrap), and they block the first paint: on a phone on
a slow network that was most of the load time. After the build (``build-finished``,
after ``trim``), for every HTML page:

1. The stylesheets it links are read in order (``@import`` followed) and parsed once.
2. A rule is kept when every class and id its selector names occurs in the page or in
   a script the site ships (scripts add classes such as ``show`` or ``scrolled``);
   pseudo-classes and attribute tests are ignored, so a rule is only dropped when it
   certainly cannot match. Bootstrap's script is not read word by word (it names every
   Bootstrap component); the classes it adds at run time are listed in
   ``BOOTSTRAP_RUNTIME``.
3. The kept rules replace the ``<link rel="stylesheet">`` tags as one ``<style>`` in the
   ``<head>`` (``url()`` references rewritten for the page's folder). The files stay in
   ``_static`` for anyone who links them.
4. Scripts: ``documentation_options.js`` (320 bytes, read by inline scripts) is inlined,
   every other script in the ``<head>`` gets ``defer`` (order kept), and the theme's
   ``<link rel="preload" as="script">`` hints go (they competed with the page for the
   first round trips).

``nox -s bench`` (Lighthouse, page weight) measures the effect.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SKIP_DIRS = ("_static", "_sources", "_images")
# classes Bootstrap's script adds at run time (tooltips, dropdowns, collapses, modals)
BOOTSTRAP_RUNTIME = re.compile(r"^(?:tooltip|bs-tooltip|fade|show|showing|hiding|collapse|"
                               r"collapsing|dropdown|modal)")
_LINK = re.compile(r'[ \t]*<link\b[^>]*\brel="stylesheet"[^>]*>\n?')
_HREF = re.compile(r'\bhref="([^"]+)"')
_PRELOAD_SCRIPT = re.compile(r'[ \t]*<link rel="preload" as="script"[^>]*>\n?')
_HEAD_SCRIPT = re.compile(r'<script(?![^>]*\b(?:defer|async|type="application/ld\+json")\b)'
                          r'([^>]*\bsrc="([^"]+)"[^>]*)></script>')
_URL = re.compile(r'url\(\s*(["\']?)([^)"\']+)\1\s*\)')
_IMPORT = re.compile(r'@import\s+(?:url\()?\s*["\']([^"\']+)["\']\s*\)?\s*;')
_TOKEN = re.compile(r"([.#])(-?[_a-zA-Z][\w-]*)")
_PSEUDO = re.compile(r"::?[\w-]+(?:\((?:[^()]|\([^()]*\))*\))?")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`')
_NEWLINES = re.compile(r"\s*\n\s*")  # unminified files (basic.css): one line per rule


class _Names(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.classes: set[str] = set()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for key, value in attrs:
            if key == "class" and value:
                self.classes.update(value.split())
            elif key == "id" and value:
                self.ids.add(value)


def names_in(html: str) -> set[str]:
    parser = _Names()
    parser.feed(html)
    return parser.classes | parser.ids


def script_words(static: Path) -> set[str]:
    """Every word inside the string literals of the site's scripts (the class names and ids
    they add or look for), Bootstrap's excepted."""
    words: set[str] = set()
    for path in static.rglob("*.js"):
        if path.name.startswith(("bootstrap", "fontawesome")):
            continue
        code = path.read_text(encoding="utf-8", errors="ignore")
        for literal in _STRING.findall(code):
            words.update(_WORD.findall(literal))
    return words


def selector_can_match(selector: str, used: set[str], bootstrap: bool = True) -> bool:
    """Whether every class and id the selector names can occur (``bootstrap``: the page
    keeps Bootstrap's script, so the classes it adds at run time can occur too)."""
    bare = _ATTRIBUTE.sub("", _PSEUDO.sub("", selector))
    return all(name in used or (bootstrap and BOOTSTRAP_RUNTIME.match(name))
               for _, name in _TOKEN.findall(bare))


# a custom-property declaration; its value may hold strings and (nested) brackets with ";"
# inside, e.g. url("data:image/svg+xml;charset=utf-8,...") or var(--a, var(--b))
_PROPERTY = re.compile(r"""(?<=[{;])\s*(--[\w-]+)\s*:"""
                       r"""(?:"[^"]*"|'[^']*'|\((?:[^()]|\([^()]*\))*\)|[^;{}"'(])*(?:;|(?=\}))""")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def drop_unused_properties(css: str, page: str, words: set[str]) -> str:
    """Remove custom-property declarations (``--x: ...``) that nothing reads: no kept rule,
    no other kept property, no inline style of the page and no script names them. The theme
    and Bootstrap define several hundred, most for components a page does not have."""
    definitions: dict[str, list[str]] = {}
    for match in _PROPERTY.finditer(css):
        definitions.setdefault(match.group(1), []).append(match.group(0))
    needed = set(_VAR.findall(_PROPERTY.sub("", css))) | set(_VAR.findall(page))
    needed |= {name for name in definitions if name[2:] in words}
    todo = list(needed)
    while todo:  # what a needed property's value reads is needed too
        for declaration in definitions.get(todo.pop(), ()):
            for name in _VAR.findall(declaration.split(":", 1)[1]):
                if name not in needed:
                    needed.add(name)
                    todo.append(name)
    return _PROPERTY.sub(lambda m: m.group(0) if m.group(1) in needed else "", css)


class Stylesheet:
    """A parsed CSS file: a list of (selectors, css text) and at-rule blocks."""

    def __init__(self, text: str, base: str) -> None:
        import tinycss2

        self.base = base  # the file's folder, relative to the site root (posix)
        self.rules = self._parse(tinycss2.parse_stylesheet(text, skip_comments=True,
                                                          skip_whitespace=True))

    def _parse(self, rules) -> list:
        import tinycss2

        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = [s.strip() for s in _split_selectors(tinycss2.serialize(rule.prelude))]
                body = _NEWLINES.sub(" ", tinycss2.serialize(rule.content).strip())
                out.append(("rule", selectors, body))
            elif rule.type == "at-rule":
                head = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}".strip()
                if rule.lower_at_keyword in ("media", "supports", "layer") and rule.content:
                    inner = tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                     skip_whitespace=True)
                    out.append(("block", head, self._parse(inner)))
                elif rule.lower_at_keyword != "import":
                    out.append(("raw", tinycss2.serialize([rule]).strip()))
        return out

    def used_css(self, used: set[str], rules=None, bootstrap: bool = True) -> str:
        parts = []
        for item in self.rules if rules is None else rules:
            if item[0] == "rule":
                kept = [s for s in item[1] if selector_can_match(s, used, bootstrap)]
                if kept:
                    parts.append(f"{','.join(kept)}{{{item[2]}}}")
            elif item[0] == "block":
                inner = self.used_css(used, item[2], bootstrap)
                if inner:
                    parts.append(f"{item[1]}{{{inner}}}")
            else:
                parts.append(item[1])
        return "".join(parts)


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list on top-level commas (not those inside :is(...) etc.)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return parts


_PARSED: dict[tuple[str, str], Stylesheet] = {}


def parsed(text: str, base: str) -> Stylesheet:
    """A stylesheet parsed once per process: the preview's application builds again and
    again with the same theme files (about 1 s of parsing per build otherwise)."""
    key = (base, text)
    if key not in _PARSED:
        _PARSED[key] = Stylesheet(text, base)
    return _PARSED[key]


class Inliner:
    """Replaces the stylesheet links of built pages by the CSS each page uses."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self._words: set[str] | None = None
        self._sheets: dict[str, tuple[Stylesheet, ...]] = {}

    @property
    def words(self) -> set[str]:
        """The scripts' words, read once and only when a page needs its CSS chosen."""
        if self._words is None:
            self._words = script_words(self.outdir / "_static")
        return self._words

    def sheets(self, rel: str) -> tuple[Stylesheet, ...]:
        """The file at ``rel`` (site-relative), preceded by what it @imports (parsed once)."""
        if rel not in self._sheets:
            self._sheets[rel] = self._read(rel)
        return self._sheets[rel]

    def _read(self, rel: str) -> tuple[Stylesheet, ...]:
        path = self.outdir / rel
        if not path.is_file():
            return ()
        text = path.read_text(encoding="utf-8")
        base = posixpath.dirname(rel)
        imported: list[Stylesheet] = []
        for target in _IMPORT.findall(text):
            imported += self.sheets(posixpath.normpath(posixpath.join(base, target)))
        return (*imported, parsed(_IMPORT.sub("", text), base))

    def page(self, path: Path) -> str | None:
        text = path.read_text(encoding="utf-8")
        head_end = text.find("</head>")
        head, rest = text[:head_end], text[head_end:]
        if not _needs_work(head):
            return None  # done by an earlier build (most pages of an incremental build)
        links = list(_LINK.finditer(head))
        page_dir = path.parent.relative_to(self.outdir).as_posix()
        page_dir = "" if page_dir == "." else page_dir
        used = names_in(text) | self.words
        bootstrap = "scripts/bootstrap.js" in head  # trim removed it where nothing uses it
        css = []
        for link in links:
            href = _HREF.search(link.group(0))
            if href is None or "://" in href.group(1):
                continue
            rel = posixpath.normpath(posixpath.join(page_dir, href.group(1).split("?")[0]))
            for sheet in self.sheets(rel):
                css.append(_relocate(sheet.used_css(used, bootstrap=bootstrap), sheet.base,
                                     page_dir))
        if links:
            first = links[0]
            kept = drop_unused_properties("".join(css), text, self.words)
            style = f'<style>{kept}</style>\n'
            head = head[:first.start()] + style + _LINK.sub("", head[first.end():])
        head = _PRELOAD_SCRIPT.sub("", head)
        head = self._scripts(head, page_dir)
        new = head + rest
        return new if new != text else None

    def _scripts(self, head: str, page_dir: str) -> str:
        def fix(match: re.Match) -> str:
            src = match.group(2)
            if src.split("?")[0].endswith("documentation_options.js"):
                rel = posixpath.normpath(posixpath.join(page_dir, src.split("?")[0]))
                body = (self.outdir / rel).read_text(encoding="utf-8").strip()
                return f"<script>{body}</script>"
            return f"<script defer{match.group(1)}></script>"

        return _HEAD_SCRIPT.sub(fix, head)


def _needs_work(head: str) -> bool:
    """Whether a page's head still has what ``Inliner.page`` replaces: a stylesheet link, a
    script preload hint or a script without ``defer`` (substring tests first: cheap)."""
    if 'rel="stylesheet"' in head or 'rel="preload" as="script"' in head:
        return True
    return "<script" in head and _HEAD_SCRIPT.search(head) is not None


def _relocate(css: str, css_dir: str, page_dir: str) -> str:
    """Rewrite relative url()s of a stylesheet in ``css_dir`` for a page in ``page_dir``."""

    def fix(match: re.Match) -> str:
        url = match.group(2)
        if url.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(css_dir, url))
        return f'url("{posixpath.relpath(target, page_dir or ".")}")'

    return _URL.sub(fix, css)


def inline_styles(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    inliner = Inliner(outdir)
    changed = 0
    for path in outdir.rglob("*.html"):
        if path.relative_to(outdir).parts[0] in SKIP_DIRS:
            continue
        new = inliner.page(path)
        if new is not None:
            path.write_text(new, encoding="utf-8")
            changed += 1
    logger.info(f"crossings styles: used CSS inlined in {changed} page(s)")


def setup(app: Sphinx) -> dict:
    # after trim's build-finished step (priority 500)
    app.connect("build-finished", inline_styles, priority=600)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
