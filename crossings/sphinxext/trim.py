"""Sphinx extension: stop shipping to the reader what the theme loads but the page never uses.

Part of every build (``nox -s build``, the tests, ``nox -s serve``); ``nox -s bench``
measures the result against a default Jupyter Book page. Two steps:

1. Per page, in ``html-page-context``: drop the CSS/JS files that extensions add to
   every page when the page has nothing that uses them (``ASSET_RULES``): code
   copy buttons and Pygments colours without code, toggle buttons without
   toggles, notebook styles without notebook cells, sphinx-design without
   design components, Thebe when live code is off. Also, for privacy, Sphinx's
   search-word highlighting (``sphinx_highlight.js``): it hands the reader's
   search words to the next page through localStorage, where they stay if the
   reader leaves; the search page gets ``SPHINX_HIGHLIGHT_ENABLED = false``.
2. After the build (``build-finished``): remove script tags the theme writes
   into every page:

   - ``fontawesome.js`` (1.5 MB): Font Awesome's SVG/JS runtime, there "so that
     users can add custom icons". The theme's CSS already draws every ``fa-*``
     icon with the Font Awesome web font, so the icons stay; the file is deleted.
   - ``bootstrap.js`` (81 kB): Bootstrap's runtime, used by the theme for hover
     tooltips (the buttons keep their native ``title`` tooltip), dropdown menus and
     the collapse-sidebar button; this book has neither of the last two (see
     ``_BOOTSTRAP_USERS``: a page that has one keeps the script).
   - ``searchtools.js``, ``language_data.js`` and ``searchindex.js`` on pages other
     than the search page: they serve search-as-you-type, which is off
     (``search_as_you_type``); the search box sends the reader to ``search.html``,
     which keeps them.

If the theme changes so that a rule no longer matches, nothing breaks: the page
just stays heavier, and ``nox -s bench`` shows it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _has_class(body: str, *names: str) -> bool:
    pattern = "|".join(re.escape(n) for n in names)
    return re.search(rf'class="(?:[^"]*\s)?(?:{pattern})[^"\s]*(?:\s[^"]*)?"', body) is not None


def _code(body: str) -> bool:
    return _has_class(body, "highlight")


def _toggles(body: str) -> bool:
    return _has_class(body, "toggle", "dropdown", "tag_hide")


def _notebook(body: str) -> bool:
    return _has_class(body, "cell", "highlight", "pasted-", "output")


def _design(body: str) -> bool:
    return "sd-" in body


def _tabs(body: str) -> bool:
    return "sd-tab-set" in body


# (what the asset's file name or inline body contains, whether the page needs it)
ASSET_RULES = [
    ("copybutton", _code),
    ("clipboard.min.js", _code),
    ("pygments.css", _code),
    ("togglebutton", _toggles),
    ("toggleHint", _toggles),
    ("toggleOpenOnPrint", _toggles),
    ("mystnb.", _notebook),
    ("sphinx-design.min.css", _design),
    ("design-tabs.js", _tabs),
]
THEBE_MARKERS = ("sphinx-thebe", "THEBE_JS_URL")


def _asset_key(asset) -> str:
    filename = getattr(asset, "filename", None) or ""
    body = ""
    attributes = getattr(asset, "attributes", None) or {}
    if isinstance(attributes, dict):
        body = str(attributes.get("body", ""))
    return f"{filename} {body}"


def _thebe_on(app: Sphinx) -> bool:
    options = app.config.html_theme_options or {}
    launch = options.get("launch_buttons") or {}
    return bool(launch.get("thebe")) or bool(options.get("use_thebe"))


def keep_asset(app: Sphinx, asset, body: str) -> bool:
    key = _asset_key(asset)
    if any(marker in key for marker in THEBE_MARKERS):
        return _thebe_on(app)
    for marker, needed in ASSET_RULES:
        if marker in key:
            return needed(body)
    return True


HIGHLIGHT = "sphinx_highlight.js"


def trim_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict,
                     doctree) -> None:
    if app.builder.format != "html":
        return
    if pagename == "search":
        # searchtools.js reads this flag (sphinx_highlight.js would set it to true)
        app.add_js_file(None, body="var SPHINX_HIGHLIGHT_ENABLED = false;", priority=200)
    body = str(context.get("body") or "")
    for name in ("script_files", "css_files"):
        assets = context.get(name)
        if isinstance(assets, list):
            # a new list: the builder's own list is shared by every page
            context[name] = [a for a in assets
                             if HIGHLIGHT not in _asset_key(a) and keep_asset(app, a, body)]


_FONTAWESOME = re.compile(
    r'[ \t]*(?:<!-- So that users can add custom icons -->\s*)?'
    r'<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\n?')
_BOOTSTRAP = re.compile(
    r'[ \t]*<script[^>]*src="[^"]*_static/scripts/bootstrap\.js[^"]*"[^>]*></script>\n?')
_BOOTSTRAP_PRELOAD = re.compile(
    r'[ \t]*<link rel="preload" as="script" href="[^"]*_static/scripts/bootstrap\.js[^"]*" />\n?')
_BOOTSTRAP_USERS = ('data-bs-toggle="dropdown"', 'id="pst-collapse-sidebar-button"',
                    'data-bs-toggle="collapse"', 'data-bs-toggle="modal"')
_SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script[^>]*src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js'
    r'|searchindex\.js)[^"]*"[^>]*></script>\n?')


def _search_as_you_type(app: Sphinx) -> bool:
    value = (app.config.html_theme_options or {}).get("search_as_you_type", False)
    return str(value).lower() == "true"


def trim_html(text: str, search_page: bool, search_as_you_type: bool) -> str:
    # each pattern only where its file name occurs: a page trimmed by an earlier build
    # (the most of them, in an incremental build) costs a few substring tests, no regex scan
    if "fontawesome.js" in text:
        text = _FONTAWESOME.sub("", text)
    if "bootstrap.js" in text and not any(marker in text for marker in _BOOTSTRAP_USERS):
        text = _BOOTSTRAP_PRELOAD.sub("", _BOOTSTRAP.sub("", text))
    if (not search_page and not search_as_you_type
            and any(name in text for name in ("searchtools.js", "language_data.js",
                                              "searchindex.js"))):
        text = _SEARCH_SCRIPTS.sub("", text)
    return text


def trim_output(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    search_page = outdir / app.builder.get_target_uri("search")
    as_you_type = _search_as_you_type(app)
    changed = 0
    for path in outdir.rglob("*.html"):
        if path.relative_to(outdir).parts[0] in ("_static", "_sources", "_images"):
            continue
        text = path.read_text(encoding="utf-8")
        trimmed = trim_html(text, path == search_page, as_you_type)
        if trimmed != text:
            path.write_text(trimmed, encoding="utf-8")
            changed += 1
    # nothing loads Font Awesome's JS runtime any more: do not ship it either
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (outdir / "_static" / "scripts" / name).unlink(missing_ok=True)
    logger.info(f"crossings trim: {changed} page(s) trimmed")


def setup(app: Sphinx) -> dict:
    # late: after the themes and extensions have added their assets (priority 500/501)
    app.connect("html-page-context", trim_page_assets, priority=950)
    app.connect("build-finished", trim_output)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
