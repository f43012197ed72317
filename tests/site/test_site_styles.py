"""What the built pages load first: inlined used CSS, deferred scripts, precompressed copies,
the identity (favicon, name mark), search ranking and snippets, and the pack page order."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup

from crossings.sphinxext.a11y import RECORD
from crossings.sphinxext.precompress import compress_file
from crossings.sphinxext.styles import (
    Inliner,
    Stylesheet,
    _relocate,
    drop_unused_properties,
    selector_can_match,
)
from crossings.sphinxext.trim import trim_html

CSS = ("@font-face{font-family:X;src:url(../vendor/x.woff2)}"
       ".used{color:red}.unused{color:blue}.used .unused,.used:hover{margin:0}"
       "@media (max-width:10px){.unused{top:0}.used>a{top:1px}}"
       "h1{font-size:2rem}#main-content{padding:0}#gone{padding:1px}"
       ".x:not(.unused){left:0}[data-theme=dark] .used{color:#fff}")


def test_a_rule_is_kept_only_if_its_classes_and_ids_can_occur():
    used = {"used", "main-content", "x"}
    assert selector_can_match(".used:hover", used)
    assert selector_can_match("h1", used)
    assert selector_can_match(".x:not(.unused)", used)  # what :not() names is ignored
    assert selector_can_match("[data-theme=dark] .used", used)
    assert not selector_can_match(".used .unused", used)
    assert not selector_can_match("#gone", used)
    assert selector_can_match(".show", set())  # Bootstrap adds it at run time
    css = Stylesheet(CSS, "_static/styles").used_css(used)
    assert ".unused{" not in css and "#gone" not in css and ".used .unused" not in css
    assert ".used{color:red}" in css and ".used:hover{margin:0}" in css
    assert "@media (max-width:10px){.used>a{top:1px}}" in css
    assert "@font-face" in css and "h1{" in css and "#main-content{" in css


def test_bootstrap_runtime_classes_only_where_its_script_stays():
    assert selector_can_match(".tooltip .arrow", {"arrow"}, bootstrap=True)
    assert not selector_can_match(".tooltip .arrow", {"arrow"}, bootstrap=False)
    assert not selector_can_match(".modal", set(), bootstrap=False)


def test_custom_properties_nothing_reads_are_dropped():
    css = (':root{--a:1px;--b:var(--c, var(--d));--c:red;--d:blue;'
           '--e:url("data:image/svg+xml;charset=utf-8,x");--f:"a;b";--unused:0}'
           '.x{margin:var(--a);color:var(--b)}@media (min-width:1px){.y{--g:url("data:a;b")}}')
    out = drop_unused_properties(css, '<p style="width:var(--f)">', {"pst-e", "e"})
    assert out == (':root{--a:1px;--b:var(--c, var(--d));--c:red;--d:blue;'
                   '--e:url("data:image/svg+xml;charset=utf-8,x");--f:"a;b";}'
                   '.x{margin:var(--a);color:var(--b)}@media (min-width:1px){.y{}}')


def test_urls_are_rewritten_for_the_page_folder():
    css = "a{background:url(../vendor/x.woff2)}b{background:url('data:image/svg+xml,1')}"
    out = _relocate(css, "_static/styles", "modules/transitions")
    assert 'url("../../_static/vendor/x.woff2")' in out
    assert "url('data:image/svg+xml,1')" in out
    assert 'url("_static/vendor/x.woff2")' in _relocate(css, "_static/styles", "")


def test_a_page_done_by_an_earlier_build_is_left_as_it_is(tmp_path):
    """An incremental build rewrites a few pages; the after-build passes must finish those
    and leave the others byte for byte (and cheaply: no CSS parsing, no regex scan)."""
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "site.css").write_text(CSS, encoding="utf-8")
    (tmp_path / "_static" / "documentation_options.js").write_text("var D={};")
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><link rel="stylesheet" href="_static/site.css" />\n'
        '<script src="_static/documentation_options.js"></script>\n'
        '<script src="_static/scripts/fontawesome.js"></script>\n'
        '<script src="_static/searchtools.js"></script>\n'
        '</head><body><p class="used" id="main-content">x</p></body></html>', encoding="utf-8")
    first = trim_html(page.read_text(encoding="utf-8"), False, False)
    assert "fontawesome.js" not in first and "searchtools.js" not in first
    page.write_text(first, encoding="utf-8")
    inliner = Inliner(tmp_path)
    done = inliner.page(page)
    assert done is not None and ".used{color:red}" in done and 'rel="stylesheet"' not in done
    assert "<script>var D={};</script>" in done
    page.write_text(done, encoding="utf-8")
    again = Inliner(tmp_path)
    assert again.page(page) is None and again._sheets == {} and again._words is None
    assert trim_html(done, False, False) == done


def test_precompressed_copies_hold_the_same_bytes(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>Crossings</p>\n" * 200, encoding="utf-8")
    assert compress_file(page) == 2
    data = page.read_bytes()
    assert gzip.decompress((tmp_path / "page.html.gz").read_bytes()) == data
    assert brotli.decompress((tmp_path / "page.html.br").read_bytes()) == data
    page.write_text("<p>tiny</p>", encoding="utf-8")  # too small: stale copies go
    assert compress_file(page) == 0
    assert not (tmp_path / "page.html.gz").exists() and not (tmp_path / "page.html.br").exists()


def test_only_pages_changed_since_their_copies_are_compressed_again(tmp_path):
    import os

    from crossings.sphinxext.precompress import is_fresh

    page = tmp_path / "page.html"
    page.write_text("<p>Crossings</p>\n" * 200, encoding="utf-8")
    assert not is_fresh(page)                      # no copies yet
    compress_file(page)
    assert is_fresh(page)
    later = page.stat().st_mtime_ns + 2_000_000_000
    os.utime(page, ns=(later, later))              # the build rewrote the page
    assert not is_fresh(page)


def pages_of(site):
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if {"_static", "_sources", "_images"} & set(path.relative_to(site).parts):
            continue
        text = path.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text.lower()[:2000]:
            continue
        yield rel, path, text


@pytest.mark.slow
def test_pages_inline_their_css_and_block_on_no_script(site):
    for rel, path, text in pages_of(site):
        head = text[:text.index("</head>")]
        assert 'rel="stylesheet"' not in head, f"{rel}: a render-blocking stylesheet is linked"
        assert head.count("<style>") >= 1, rel
        for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head):
            assert re.search(r"\b(defer|async)\b", tag), f"{rel}: blocking script {tag}"
        assert "bootstrap.js" not in text, rel
        assert '<link rel="icon" href="' in head and "crossings-mark.svg" in head, rel
        for suffix, unpack in ((".gz", gzip.decompress), (".br", brotli.decompress)):
            packed = path.with_name(path.name + suffix)
            assert packed.is_file() and unpack(packed.read_bytes()) == path.read_bytes(), rel
    assert (site / "_static" / "crossings-mark.svg").is_file()


@pytest.mark.slow
def test_theme_mode_search_button_and_menu_fallback(site):
    page = BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(page.select("button.search-button-field")) == 1  # one search box
    button = page.select_one("button.search-button-field")
    assert button is not None and not button.has_attr("aria-label")  # named by its text
    assert button.get("aria-keyshortcuts") == "Control+K"
    assert page.select_one("body")["data-default-mode"] == "auto"
    assert any('s.getItem("mode")' in str(script) for script in page.select("head script"))
    menu = page.select_one("a.crossings-menu-link")
    assert menu is not None and menu["href"] == "#pst-primary-sidebar"
    assert page.select_one("#pst-primary-sidebar") is not None
    assert page.select_one(".navbar-brand img.logo__image")["alt"] == ""
    assert page.select_one(".navbar-brand .logo__title").get_text(strip=True) == "Crossings"


@pytest.mark.slow
def test_search_page_ranks_and_summarises_with_our_scripts(site):
    text = (site / "search.html").read_text(encoding="utf-8")
    scripts = re.findall(r'src="([^"]+)"', text)
    names = [s.split("?")[0].rsplit("/", 1)[-1] for s in scripts]
    assert names.index("crossings-search.js") > names.index("searchtools.js")
    assert "book/glossary" in (site / "_static" / "language_data.js").read_text(encoding="utf-8")


@pytest.mark.slow
def test_pack_pages_put_downloads_first_then_agendas_then_folding_details(site):
    for path in sorted((site / "facilitator").glob("*/index.html")):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        sections = page.select("article section > section")
        if not page.select_one("ul.pack-downloads"):
            continue
        top = [s for s in sections if s.parent == sections[0].parent]
        kinds = ["downloads" if s.select_one("ul.pack-downloads") else
                 "agenda" if s.select_one(".pack-agenda") else "details" for s in top]
        assert kinds[0] == "downloads", (path, kinds)
        assert kinds == sorted(kinds, key=["downloads", "agenda", "details"].index), (path, kinds)
        toc = [a["href"].lstrip("#") for a in page.select("nav.page-toc > ul > li > a")]
        assert toc[:len(top)] == [s["id"] for s in top], (path, toc)  # the page TOC follows
        for section in top:
            folded = "pack-fold" in section.get("class", [])
            assert folded == (section not in top[:kinds.count("downloads") + kinds.count("agenda")])
            if folded:
                assert section.select_one(":scope > details.pack-fold-body[open] > summary")


@pytest.mark.slow
def test_accessibility_statement_shows_the_recorded_run(site):
    """The statement's figures come from the browser tests' record, not from typing."""
    # the record as it was when the site was built (the browser tests may have rewritten it)
    record = json.loads((site.parents[1] / Path(RECORD).name).read_text(encoding="utf-8"))
    page = BeautifulSoup((site / "book" / "accessibility.html").read_text(encoding="utf-8"),
                         "html.parser")
    text = page.select_one(".accessibility-record").get_text(" ", strip=True)
    assert f"on {record['date']}, with axe-core {record['axe']}" in text
    for view in record["views"].values():
        assert f"{view['pages']} {view['violations']}" in text
