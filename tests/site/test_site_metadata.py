"""Machine-readable metadata of the built site: schema.org JSON-LD, Dublin Core, Open Graph.

Expected values are read from the sources (module front matter, vocabulary,
_config.yml), never typed here.
"""

from __future__ import annotations

import json

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO

from crossings.content.modules import load_modules
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.content.vocabulary import load_vocabulary
from crossings.sphinxext.metadata import LICENSE_URL, iso_duration, shorten


def test_iso_duration():
    assert iso_duration(120) == "PT2H"
    assert iso_duration(90) == "PT1H30M"
    assert iso_duration(45) == "PT45M"


def test_shorten_cuts_at_a_word():
    text = "word " * 100
    short = shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…") and "wor…" not in short
    assert shorten("  a  short\n text ") == "a short text"


def head(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head


def json_ld(page) -> list[dict]:
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


def meta(page, name: str, attr: str = "name") -> list[str]:
    return [m["content"] for m in page.find_all("meta", attrs={attr: name})]


@pytest.fixture(scope="module")
def sources():
    project = Project(REPO)
    vocabulary = load_vocabulary(project.vocabulary)
    docnames = [e.docname for e in read_toc(project.toc)]
    modules = {m.slug: m for m in load_modules(project, vocabulary) if m.docname in docnames}
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    roles = {a: info.get("role") or info["label"] for a, info in vocabulary.audiences.items()}
    return docnames, modules, config, roles


@pytest.mark.slow
def test_every_content_page_is_a_learning_resource(site, sources):
    docnames, modules, config, roles = sources
    assert len(docnames) > 10
    for docname in docnames:
        page = head(site / f"{docname}.html")
        blocks = json_ld(page)
        assert len(blocks) == 1, docname
        data = blocks[0]
        assert data["@context"] == "https://schema.org" and data["@type"] == "LearningResource"
        assert data["name"] and data["description"], docname
        assert data["description"] == meta(page, "description")[0]
        assert data["inLanguage"] == config["language"]
        assert data["license"] == LICENSE_URL
        assert data["author"]["name"] == config["author"]
        audience = [a["educationalRole"] for a in data["audience"]]
        assert audience and set(audience) <= set(roles.values()), docname
        parts = docname.split("/")
        module = modules.get(parts[1]) if parts[0] in ("modules", "exercises") else None
        if module is not None and docname != module.docname:
            part = data["isPartOf"]
            assert part["name"] == module.title
            assert part["timeRequired"] == iso_duration(module.minutes)
            assert [t["termCode"] for t in part["teaches"]] == [o.id for o in module.outcomes]
            assert audience == [roles[a] for a in module.audiences]
        elif module is None:
            assert audience == list(roles.values())  # general pages speak to everyone
            assert data["isPartOf"] == {"@type": "WebSite", "name": config["title"]}


@pytest.mark.slow
def test_module_page_metadata_comes_from_its_front_matter(site, sources):
    _, modules, _, roles = sources
    assert modules
    for module in modules.values():
        page = head(site / f"{module.docname}.html")
        data = json_ld(page)[0]
        assert data["name"] == module.title
        assert data["description"] == shorten(module.summary)
        assert data["timeRequired"] == iso_duration(module.minutes)
        assert data["learningResourceType"] == "module"
        assert [(t["termCode"], t["name"]) for t in data["teaches"]] == \
            [(o.id, o.text) for o in module.outcomes]
        assert [a["educationalRole"] for a in data["audience"]] == \
            [roles[a] for a in module.audiences]
        assert meta(page, "DCTERMS.extent") == [iso_duration(module.minutes)]
        assert meta(page, "DCTERMS.audience") == [roles[a] for a in module.audiences]
        assert len(meta(page, "DC.subject")) == len(module.concepts)


@pytest.mark.slow
def test_dublin_core_open_graph_and_description_on_every_page(site, sources):
    docnames, _, config, _ = sources
    pages = [f"{d}.html" for d in docnames] + ["search.html", "genindex.html"]
    for name in pages:
        page = head(site / name)
        description = meta(page, "description")
        assert len(description) == 1 and 20 < len(description[0]) <= 200, name
        title = meta(page, "og:title", "property")
        assert title and title == meta(page, "DC.title"), name
        assert meta(page, "og:description", "property") == description
        assert meta(page, "og:site_name", "property") == [config["title"]]
        assert meta(page, "og:type", "property")[0] in ("website", "article")
        assert meta(page, "DC.language") == [config["language"]]
        assert meta(page, "DCTERMS.license") == [LICENSE_URL]
        assert meta(page, "DC.creator") == [config["author"]]
        assert page.find("link", rel="schema.DC") is not None
    landing = head(site / "book" / "index.html")
    assert meta(landing, "og:type", "property") == ["website"]
