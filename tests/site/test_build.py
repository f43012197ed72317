"""Real strict Jupyter Book builds of the platform and of broken fixture books."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, build_book

from crossings.content.modules import load_modules
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.content.vocabulary import load_vocabulary

pytestmark = pytest.mark.slow


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    """Visible text with Sphinx's typographic quotes turned back into plain ones."""
    text = node.get_text(" ", strip=True)
    return text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))


def test_landing_page_routes_every_audience(site):
    page = soup(site / "book" / "index.html")
    titles = [t.get_text(" ", strip=True) for t in page.select(".audience-routes .sd-card-title")]
    assert titles == ["I work in ECEC", "I teach in primary school",
                      "I work in social services or family support",
                      "I work in health or early intervention", "I shape local policy",
                      "I facilitate a workshop", "I maintain this platform"]
    # every audience card starts with its own page, and the module order differs by card
    firsts, orders = [], set()
    for card in page.select(".audience-routes .sd-card")[:5]:
        links = [a["href"] for a in card.select("a[href*='modules/']")]
        assert links, card.get_text(" ", strip=True)
        assert not links[0].endswith("index.html"), links[0]
        firsts.append(links[0])
        orders.add(tuple(h.split("modules/")[1].split("/")[0] for h in links))
    assert len(set(firsts)) == 5 and len(orders) > 1


def test_coverage_map_page(site):
    page = soup(site / "book" / "coverage.html")
    text = text_of(page.select_one("main") or page)
    assert "The map in figures" in text and "are taught on a module page" in text
    # the generated sections join the page's own sections, so look in the whole article
    assert page.select("article a[href*='exercises/']")
    assert page.select("article a[href*='facilitator/']")


def test_glossary_and_bibliography_are_resolved(site):
    glossary = soup(site / "book" / "glossary.html")
    terms = [dt.get_text(" ", strip=True) for dt in glossary.select("dl.glossary dt")]
    assert "Transition" in " ".join(terms) and len(terms) >= 3
    assert terms == sorted(terms, key=str.lower)
    refs = soup(site / "book" / "references.html")
    entries = refs.select(".citation, [role=doc-biblioentry], dl.citation dt, div.citation")
    assert entries, "the bibliography lists no entry"
    landing = soup(site / "book" / "index.html")
    citations = landing.select("a[href*='references.html']")
    assert citations, "the landing page cites nothing"
    assert all("?" not in a.get_text() for a in citations)


def test_module_overview_comes_from_front_matter(site):
    project = Project(REPO)
    listed = {entry.docname for entry in read_toc(project.toc)}
    modules = [m for m in load_modules(project, load_vocabulary(project.vocabulary))
               if m.docname in listed]
    assert modules
    for module in modules:
        page = soup(site / "modules" / module.slug / "index.html")
        assert page.select_one("h1").get_text(strip=True).rstrip("#") == module.title
        overview = page.select_one(".module-overview")
        assert overview is not None
        assert module.summary in text_of(overview)
        for outcome in module.outcomes:
            item = overview.select_one(f"li#{outcome.id}")
            assert item is not None and outcome.text in text_of(item)


RESOURCE_ATTRS = {"script": "src", "img": "src", "iframe": "src", "source": "src",
                  "audio": "src", "video": "src", "embed": "src", "object": "data"}


def test_built_site_loads_nothing_from_other_hosts(site):
    offenders = []
    for html in site.rglob("*.html"):
        page = soup(html)
        urls = [(tag.name, tag.get(attr)) for tag_name, attr in RESOURCE_ATTRS.items()
                for tag in page.find_all(tag_name) if tag.get(attr)]
        urls += [("link", tag.get("href")) for tag in page.find_all("link")
                 if tag.get("href") and set(tag.get("rel", [])) & {"stylesheet", "preload", "icon",
                                                                  "modulepreload", "prefetch", "preconnect",
                                                                  "dns-prefetch", "manifest"}]
        for style in page.find_all("style"):
            urls += [("style", u) for u in re.findall(r"url\(['\"]?([^)'\"]+)", style.get_text())]
        for name, url in urls:
            if urlparse(url).netloc or url.startswith("//"):
                offenders.append(f"{html.relative_to(site)}: <{name}> {url}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"(?:url\(|@import\s+)['\"]?([^)'\"\s;]+)", css.read_text(errors="replace")):
            if urlparse(url).netloc or url.startswith("//"):
                offenders.append(f"{css.relative_to(site)}: {url}")
    assert offenders == []


def test_fixture_book_builds(minibook, tmp_path):
    result = build_book(minibook, tmp_path / "out", exercises=True)
    assert result.returncode == 0, result.output[-3000:]
    page = soup(result.html / "modules" / "demo" / "index.html")
    assert page.select_one("li#demo-lo2") is not None
    # the {ref} to an outcome id resolves to its list item
    assert page.select_one("a[href='#demo-lo2']") is not None
    # the exercise page shows the questions and links the learner notebook that exists
    exercise = soup(result.html / "exercises" / "demo" / "demo-ex1.html")
    assert len(exercise.select(".exercise-item")) == 5
    link = exercise.select_one(".exercise-download a")["href"]
    assert (result.html / "exercises" / "demo" / link).resolve().is_file()
    text = exercise.get_text(" ")
    assert "Children visit the school" not in text and "B, A, C" not in text and "model" not in text
    # the saved environment carries the code version (a code change starts Sphinx afresh)
    import pickle

    from crossings.sphinxext import code_version

    with (result.html.parent / ".doctrees" / "environment.pickle").open("rb") as handle:
        env = pickle.load(handle)   # noqa: S301 - our own build's file
    assert env.version["crossings.sphinxext"] == code_version()


def test_broken_cross_reference_fails_the_build(minibook, tmp_path):
    topic = minibook / "modules" / "demo" / "topic.md"
    topic.write_text(topic.read_text() + "\nSee {doc}`no-such-page` and {ref}`no-such-label`.\n")
    result = build_book(minibook, tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"modules/demo/topic\.md:\d+: WARNING: unknown document: 'no-such-page'",
                     result.output), result.output[-3000:]
    assert "undefined label: 'no-such-label'" in result.output


def test_unknown_glossary_term_fails_the_build(minibook, tmp_path):
    topic = minibook / "modules" / "demo" / "topic.md"
    topic.write_text(topic.read_text().replace("{term}`transition`", "{term}`translation`"))
    result = build_book(minibook, tmp_path / "out")
    assert result.returncode != 0
    assert "term not in glossary: 'translation'" in result.output


def test_a_change_to_the_rendering_code_starts_sphinx_afresh(tmp_path):
    """The extension's env_version is a hash of the package's code: Sphinx keeps no page
    read by older code (it compares env_version with the saved environment's)."""
    from crossings.sphinxext import code_version

    package = tmp_path / "crossings"
    (package / "sphinxext" / "static").mkdir(parents=True)
    module = package / "sphinxext" / "form.py"
    module.write_text("LABEL = 'Your answer'\n")
    (package / "sphinxext" / "static" / "form.js").write_text("let a = 1;\n")
    first = code_version(package)
    assert code_version(package) == first                    # stable
    (package / "notes.txt").write_text("not code")
    (package / "sphinxext" / "__pycache__").mkdir()
    (package / "sphinxext" / "__pycache__" / "form.cpython-311.pyc").write_bytes(b"\0")
    assert code_version(package) == first                    # only code counts
    module.write_text("LABEL = _('Your answer')\n")
    assert code_version(package) != first                    # a code change
    module.write_text("LABEL = 'Your answer'\n")
    (package / "sphinxext" / "static" / "form.js").write_text("let a = 2;\n")
    assert code_version(package) != first                    # a script change
