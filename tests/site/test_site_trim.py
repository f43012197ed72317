"""What the build stops shipping (crossings.sphinxext.trim) and the theme's
accessibility fixes (crossings.sphinxext.a11y), on the real site and on small inputs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from conftest import REPO

from crossings.content.languages import load_languages
from crossings.sphinxext.a11y import fix_body, label_summaries
from crossings.sphinxext.trim import keep_asset, trim_html

SEARCH_PAGES = {"search.html"} | {f"{code}/search.html" for code in load_languages(REPO).languages}

SIDEBAR = ('<ul class="nav bd-sidenav"><li class="toctree-l1 has-children">'
           '<a class="reference internal" href="m/index.html">Module <em>one</em></a><details>'
           '<summary><span class="toctree-toggle" role="presentation"><i class="fa-solid '
           'fa-chevron-down"></i></span></summary><ul><li><a href="m/t.html">Topic</a></li>'
           '</ul></details></li></ul>')


def test_sidebar_summaries_get_the_chapter_title_as_their_name():
    html = label_summaries(SIDEBAR)
    summary = BeautifulSoup(html, "html.parser").select_one("summary")
    assert summary.get_text(strip=True) == "Pages under Module one"
    assert summary.select_one("span.visually-hidden") is not None
    assert label_summaries(html) == html  # idempotent (the theme caches its toctree)
    soup = BeautifulSoup(SIDEBAR, "html.parser")
    assert label_summaries(soup) is soup and "Pages under" in str(soup)


def test_bibliography_entries_become_list_items():
    body = '<div role="list" class="citation-list"><div class="citation" id="x" role="doc-biblioentry">'
    assert fix_body(body) == body.replace("doc-biblioentry", "listitem")


def test_trim_removes_the_fontawesome_and_inline_search_scripts():
    page = ('<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
            '<script src="../_static/searchtools.js"></script>\n'
            '<script src="../_static/language_data.js"></script>\n'
            '<script src="../searchindex.js"></script>\n<p>text</p>')
    assert trim_html(page, search_page=False, search_as_you_type=False) == "<p>text</p>"
    kept = trim_html(page, search_page=True, search_as_you_type=False)
    assert "fontawesome" not in kept and "searchindex.js" in kept and "searchtools" in kept
    assert "searchindex.js" in trim_html(page, search_page=False, search_as_you_type=True)


def asset(filename=None, body=""):
    return SimpleNamespace(filename=filename, attributes={"body": body} if body else {})


def test_assets_are_kept_only_where_the_page_uses_them():
    app = SimpleNamespace(config=SimpleNamespace(html_theme_options={"launch_buttons": {}}))
    code = '<div class="highlight-python notranslate"><div class="highlight"><pre>x</pre></div></div>'
    tabs = '<div class="sd-tab-set docutils"><input id="a">'
    assert keep_asset(app, asset("copybutton.js"), code)
    assert not keep_asset(app, asset("copybutton.js"), "<p>no code</p>")
    assert not keep_asset(app, asset("pygments.css"), tabs)
    assert keep_asset(app, asset("design-tabs.js"), tabs)
    assert not keep_asset(app, asset("design-tabs.js"), '<div class="sd-card">')
    assert keep_asset(app, asset("sphinx-design.min.css"), '<div class="sd-card">')
    assert not keep_asset(app, asset(None, "let toggleHintShow = 'x';"), code)
    assert keep_asset(app, asset("togglebutton.js"), '<div class="admonition dropdown">')
    assert not keep_asset(app, asset("sphinx-thebe.js"), code)
    app.config.html_theme_options["launch_buttons"]["thebe"] = True
    assert keep_asset(app, asset("sphinx-thebe.js"), code)
    assert keep_asset(app, asset("documentation_options.js"), "")


def scripts(path) -> list[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return [s.get("src", "") or s.get_text() for s in soup.find_all("script")]


@pytest.mark.slow
def test_built_site_ships_only_what_pages_use(site):
    static = site / "_static"
    assert not (static / "scripts" / "fontawesome.js").exists()
    assert (static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").exists()
    skip = {"_static", "_sources", "_images"}  # theme templates and copies, in every language
    pages = [p for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts)]
    with_tabs = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        if 'http-equiv="Refresh"' in text or 'http-equiv="refresh"' in text:
            continue
        names = " ".join(scripts(path))
        rel = path.relative_to(site).as_posix()
        assert "fontawesome.js" not in names, rel
        assert "sphinx-thebe" not in names and "THEBE_JS_URL" not in names, rel
        assert "sphinx_highlight.js" not in names, rel
        if rel in SEARCH_PAGES:  # English at the root, each other language under <code>/
            assert "searchindex.js" in names and "SPHINX_HIGHLIGHT_ENABLED = false" in names
            continue
        assert "searchindex.js" not in names and "searchtools.js" not in names, rel
        assert ("copybutton.js" in names) == ('class="highlight' in text), rel
        assert ("design-tabs.js" in names) == ("sd-tab-set" in text), rel
        with_tabs += "sd-tab-set" in text
    assert with_tabs >= 2
