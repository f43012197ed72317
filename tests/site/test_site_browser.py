"""The built site in a real browser (Debian's Chromium driven by Playwright).

Every page of the real site (built once per session by the ``site`` fixture) is
served on 127.0.0.1 and visited: axe-core WCAG 2.0/2.1 A+AA in light, dark and
phone view, keyboard use, no horizontal scrolling at 360x740, privacy (requests,
cookies, storage), search, and the "Through your role" tab preference.

Reports land beside the built site, in ``<build>/_build/browser/`` (axe results,
request log, summary) and ``<build>/_build/screenshots/`` (phone screenshots).
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO
from playwright.sync_api import sync_playwright

from crossings.bench.browser import (
    AXE_TAGS,
    DESKTOP,
    PHONE,
    RequestLog,
    axe_pinned_version,
    axe_version,
    block_other_hosts,
    chromium,
    is_redirect,
    run_axe,
    serve,
    site_pages,
)
from crossings.content.languages import load_languages
from crossings.content.project import Project
from crossings.content.toc import read_toc
from crossings.sphinxext.a11y import RECORD

pytestmark = pytest.mark.slow
LANGUAGES = load_languages(REPO).languages

EXCEPTIONS_FILE = Path(__file__).parents[1] / "a11y-exceptions.yml"
# Storage the site may use, and why. Anything else fails the privacy test.
ALLOWED_LOCAL_STORAGE = {
    "mode": "theme: the light/dark/auto choice of the colour-mode button",
    "theme": "theme: the resolved colour mode, read before the page paints",
    "sphinx-design-tab-id-role": "the reader's 'Through your role' tab choice",
}
ALLOWED_SESSION_STORAGE = {
    "sidebar-scroll-top": "theme: keeps the navigation sidebar's scroll position between pages",
}
INTERACTIVE = ("a[href], button, input:not([type=hidden]), select, textarea, summary, "
               "[tabindex]:not([tabindex='-1']), [contenteditable='true']")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def pages(site) -> list[str]:
    # the sites of other languages (it/) have their own tests in test_languages.py
    found = [p for p in site_pages(site) if not is_redirect(site, p)
             and not any(p.startswith(f"{code}/") for code in LANGUAGES)]
    assert "book/index.html" in found and len(found) > 10, found
    return found


@pytest.fixture(scope="session")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def playwright():
    """Module-scoped: Playwright's sync API keeps an asyncio loop running until it stops,
    and a later test in the same process (nbclient's asyncio.run in the grading tests, when
    pytest-xdist sends them to this worker) must not find it running."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def report_dir(site) -> Path:
    folder = site.parent / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def toc_pages() -> list[str]:
    return [e.docname for e in read_toc(Project(REPO).toc)]


@pytest.fixture(scope="session")
def module_page(toc_pages) -> str:
    return next(f"{d}.html" for d in toc_pages if d.startswith("modules/") and d.endswith("/index"))


@pytest.fixture(scope="session")
def role_tab_pages(site, toc_pages) -> list[str]:
    """Pages (in reading order) with a 'Through your role' tab set."""
    found = []
    for docname in toc_pages:
        path = site / f"{docname}.html"
        if path.is_file() and 'data-sync-group="role"' in path.read_text(encoding="utf-8"):
            found.append(f"{docname}.html")
    assert len(found) >= 2, "fewer than two pages have a role tab set"
    return found


def new_page(context, base_url: str, path: str, log: RequestLog | None = None):
    page = context.pages[0] if context.pages else context.new_page()
    if log is not None:
        log.current_page = path
    page.goto(base_url + path, wait_until="load")
    return page


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- one tour of every page

def components(html: Path) -> set[str]:
    """What a page's article is made of: its element names and CSS classes."""
    article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one("main")
    found: set[str] = set()
    for el in (article.find_all(True) if article else []):
        found.add(f"<{el.name}>")
        found.update(f".{c}" for c in el.get("class", []))
    return found


def covering_pages(site: Path, pages: list[str], first: list[str]) -> list[str]:
    """Few pages that together contain every component used anywhere on the site."""
    have = {p: components(site / p) for p in pages}
    chosen = list(first)
    covered = set().union(*(have[p] for p in first))
    while True:
        best = max(pages, key=lambda p: len(have[p] - covered))
        if not have[best] - covered:
            return chosen
        chosen.append(best)
        covered |= have[best]


def tour(base_url: str, targets: list[str], *, scheme: str = "light", phone: bool = False,
         record: bool = False, axe_on: list[str] | None = None,
         screenshots: dict[str, Path] | None = None) -> dict:
    """Visit every target in a fresh browser: axe (on ``axe_on``, default all), and what
    the tests need. Runs its own Playwright instance, so tours can run in parallel threads.
    """
    options = {"color_scheme": scheme, "viewport": PHONE if phone else DESKTOP}
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=1)
    log = RequestLog() if record else None
    out: dict = {"violations": {}, "scroll": {}, "theme": set(), "console": []}
    current = {"path": ""}

    def on_console(message) -> None:
        if message.type == "error":
            out["console"].append(f"{current['path']}: console error: {message.text}")

    def on_error(error) -> None:
        out["console"].append(f"{current['path']}: uncaught exception: {error}")

    with sync_playwright() as pw, chromium(pw, **options) as context:
        block_other_hosts(context, log)
        context.on("console", on_console)
        context.on("weberror", lambda web_error: on_error(web_error.error))
        for path in targets:
            current["path"] = path
            page = new_page(context, base_url, path, log)
            if path.startswith("search.html?"):
                page.wait_for_function(SEARCH_DONE, timeout=20000)
            if phone:
                out["scroll"][path] = page.evaluate("""() => {
                    const before = document.documentElement.scrollWidth;
                    window.scrollTo(100, 0); const x = window.scrollX; window.scrollTo(0, 0);
                    return {scroll: before, client: document.documentElement.clientWidth, x}; }""")
            if axe_on is None or path in axe_on:
                if log is not None:
                    log.tool_running = True
                out["violations"][path] = run_axe(page)
                if log is not None:
                    log.tool_running = False
            out["theme"].add(page.evaluate("document.documentElement.dataset.theme"))
        out["axe_version"] = axe_version(page)
        for name, shot_path in (screenshots or {}).items():
            page = new_page(context, base_url, name)
            page.screenshot(path=shot_path)
            page.screenshot(path=shot_path.with_name(shot_path.stem + "-full.png"), full_page=True)
        if record:
            page.wait_for_load_state("networkidle")
            out["log"] = log
            out["cookies"] = context.cookies()
            out["localStorage"] = page.evaluate("Object.keys(localStorage)")
            out["sessionStorage"] = page.evaluate("Object.keys(sessionStorage)")
    return out


# Sphinx writes its status line ("Search finished, found N page(s)...", or "did not match")
# only once every result is listed (a result's summary may itself hold the word "found")
SEARCH_DONE = ("() => (document.querySelector('#search-results p.search-summary')?.innerText"
               " || '').trim().length > 0")


@pytest.fixture(scope="session")
def search_term() -> str:
    """A glossary term that a module page uses (so the search page has results)."""
    return next(iter(glossary_terms_used_in_modules().values()))[0]


@pytest.fixture(scope="session")
def tours(base_url, pages, search_term, site, module_page, role_tab_pages) -> dict[str, dict]:
    """Three tours in parallel. Light desktop: axe and the request log on every page.
    Dark desktop and phone: axe on pages that together hold every component of the
    site (the chrome is the same on all pages); the phone also checks every page's width.
    """
    shots = site.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    search = f"search.html?q={quote(search_term)}"
    targets = [*pages, search]
    sample = [*covering_pages(site, pages, ["book/index.html", module_page, role_tab_pages[0]]),
              search]
    jobs = {
        "light": dict(scheme="light", record=True),
        "dark": dict(scheme="dark", axe_on=sample),
        "phone": dict(phone=True, axe_on=sample,
                      screenshots={"book/index.html": shots / "phone-landing.png",
                                   module_page: shots / "phone-module.png"}),
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(tour, base_url, targets, **kw) for name, kw in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


# ---------------------------------------------------------------- accessibility (axe-core)

def load_exceptions() -> list[dict]:
    data = yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8")) or {}
    exceptions = data.get("exceptions") or []
    for entry in exceptions:
        assert entry.get("rule") and entry.get("reason"), f"{EXCEPTIONS_FILE}: {entry}"
    return exceptions


def excused(exceptions, page: str, rule: str, target: str) -> dict | None:
    for entry in exceptions:
        if entry["rule"] == rule and fnmatch.fnmatch(page, entry.get("pages", "*")) \
                and entry.get("target", "") in target:
            return entry
    return None


def unexcused(result: dict, label: str, used: set[int] | None = None) -> tuple[list[str], dict]:
    exceptions = load_exceptions()
    failures, counts = [], {}
    for path, violations in result["violations"].items():
        counts[path] = 0
        for violation in violations:
            for node in violation["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                entry = excused(exceptions, path, violation["id"], target)
                if entry is not None:
                    if used is not None:
                        used.add(id(entry))
                    continue
                counts[path] += 1
                failures.append(f"[{label}] {path}: {violation['id']} ({violation['impact']}) "
                                f"{target}: {violation['help']}")
    return failures, counts


@pytest.mark.parametrize("view", ["light", "dark", "phone"])
def test_axe_finds_no_wcag_violation_on_any_page(tours, view, pages, report_dir):
    """axe-core WCAG 2.0/2.1/2.2 A+AA on every page: light and dark desktop, and a phone."""
    result = tours[view]
    if view == "light":  # every page, and the search results
        assert len(result["violations"]) == len(pages) + 1
    if view in ("light", "dark"):
        assert result["theme"] == {view}, "the theme did not follow prefers-color-scheme"
    failures, counts = unexcused(result, view)
    write_json(report_dir / f"axe-{view}.json",
               {"axe": result["axe_version"], "pages": len(counts), "violations": counts})
    assert not failures, "\n".join(failures)


def test_axe_is_the_pinned_version(tours):
    """The browser ran the axe-core installed by `npm ci` from tools/axe (the pinned one)."""
    for view, result in tours.items():
        assert result["axe_version"] == axe_pinned_version(), (view, result["axe_version"])


def test_no_console_error_on_any_page(tours):
    """No page writes an error to the browser console or throws, in any view."""
    errors = [e for result in tours.values() for e in result["console"]]
    assert not errors, "\n".join(sorted(set(errors)))


def test_every_accessibility_exception_is_still_needed(tours):
    used: set[int] = set()
    for view, result in tours.items():
        unexcused(result, view, used)
    stale = [e for e in load_exceptions() if id(e) not in used]
    assert not stale, f"exceptions in {EXCEPTIONS_FILE.name} no longer needed: {stale}"


def test_phone_viewport_never_scrolls_sideways(tours, site, module_page):
    """At 360x740 no page is wider than the screen; screenshots are kept for review."""
    problems = []
    for path, width in tours["phone"]["scroll"].items():
        assert width["client"] == PHONE["width"], width
        if width["scroll"] > width["client"] or width["x"] != 0:
            problems.append(f"{path}: scrolls sideways ({width['scroll']} px of content "
                            f"in a {width['client']} px viewport)")
    assert not problems, "\n".join(problems)
    for name in ("phone-landing", "phone-module"):
        assert (site.parent / "screenshots" / f"{name}.png").stat().st_size > 5000


def test_clean_runs_write_the_accessibility_record(tours, pages):
    """When every view passes, write the record the accessibility statement is built from
    (book/accessibility-record.json; commit it). It changes only when a figure changes."""
    views, failures = {}, []
    for view, result in tours.items():
        found, counts = unexcused(result, view)
        failures += found
        views[view] = {"pages": len(counts), "violations": sum(counts.values())}
    sideways = sum(1 for w in tours["phone"]["scroll"].values()
                   if w["scroll"] > w["client"] or w["x"] != 0)
    console = sum(len(result["console"]) for result in tours.values())
    assert not failures and not sideways and not console, "the record is written only when clean"
    record = {"date": datetime.date.today().strftime("%-d %B %Y"), "axe": axe_pinned_version(),
              "tags": AXE_TAGS, "pages": len(pages), "views": views, "sideways": sideways,
              "console_errors": console}
    path = REPO / RECORD
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if {k: v for k, v in old.items() if k != "date"} != {k: v for k, v in record.items()
                                                          if k != "date"}:
        write_json(path, record)
    assert json.loads(path.read_text(encoding="utf-8"))["axe"] == axe_pinned_version()


# ---------------------------------------------------------------- keyboard

def focus_info(page) -> dict | None:
    """The focused element and the box where its focus indicator can show (it, its
    descendants and its labels: a visually hidden radio shows focus on its label)."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body || el === document.documentElement) return null;
        if (!el.dataset.kbdId) el.dataset.kbdId = 'new-' + Math.random().toString(36).slice(2);
        const boxes = [el, ...el.querySelectorAll('*'), ...(el.labels || [])]
            .flatMap(e => [...e.getClientRects()]).filter(b => b.width > 0 || b.height > 0);
        if (!boxes.length) boxes.push(el.getBoundingClientRect());
        return {id: el.dataset.kbdId, tag: el.tagName.toLowerCase(), type: el.type || '',
                name: el.name || '', text: (el.innerText || el.value || el.getAttribute('aria-label')
                || '').trim().slice(0, 60),
                left: Math.min(...boxes.map(b => b.left)), top: Math.min(...boxes.map(b => b.top)),
                right: Math.max(...boxes.map(b => b.right)),
                bottom: Math.max(...boxes.map(b => b.bottom)),
                vw: window.innerWidth, vh: window.innerHeight};
    }""")


SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"


def clip_of(info: dict, pad: int = 6) -> dict | None:
    left, top = max(0, info["left"] - pad), max(0, info["top"] - pad)
    right, bottom = min(info["vw"], info["right"] + pad), min(info["vh"], info["bottom"] + pad)
    if right - left < 2 or bottom - top < 2:
        return None
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def mark_interactive(page) -> list[dict]:
    """Tag every visible, enabled, keyboard-focusable element; return them."""
    return page.evaluate("""selector => {
        const out = [];
        document.querySelectorAll(selector).forEach((el, i) => {
            if (el.disabled || el.closest('[inert], dialog:not([open])')) return;
            const details = el.closest('details:not([open])');
            if (details && el.parentElement !== details) return;  // inside a closed details
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            const hiddenInput = el.tagName === 'INPUT' && style.opacity === '0';
            if (style.visibility === 'hidden' || (!hiddenInput && (box.width === 0 || box.height === 0))
                || el.getClientRects().length === 0) return;
            el.dataset.kbdId = 'k' + i;
            out.push({id: el.dataset.kbdId, tag: el.tagName.toLowerCase(), type: el.type || '',
                      name: el.name || '', text: (el.innerText || el.getAttribute('aria-label')
                      || el.getAttribute('href') || '').trim().slice(0, 60)});
        });
        return out;
    }""", INTERACTIVE)


def tab_walk(page, limit: int = 600) -> tuple[list[dict], list[str]]:
    """Press Tab through the whole page; check each stop shows a visible focus indicator."""
    stops, invisible, seen = [], [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_function(SETTLED, timeout=3000)  # e.g. the skip link slides in
        info = focus_info(page)
        if info is None:
            if stops:
                break  # focus left the document: the walk is complete
            continue
        if info["id"] in seen:
            break
        seen.add(info["id"])
        stops.append(info)
        clip = clip_of(info)
        if clip is None:
            invisible.append(f"{info['tag']} '{info['text']}' is focused but off screen")
            continue
        focused = page.screenshot(clip=clip, animations="disabled")
        page.evaluate("document.activeElement.blur()")
        page.wait_for_function(SETTLED, timeout=3000)
        blurred = page.screenshot(clip=clip, animations="disabled")
        page.evaluate("id => document.querySelector(`[data-kbd-id='${id}']`).focus()", info["id"])
        if focused == blurred:
            invisible.append(f"{info['tag']} '{info['text']}' shows no visible focus")
    else:
        raise AssertionError(f"Tab never left the page after {limit} stops")
    return stops, invisible


@pytest.fixture(scope="session")
def keyboard_pages(module_page, role_tab_pages, search_term) -> list[str]:
    return ["book/index.html", module_page, role_tab_pages[0],
            f"search.html?q={quote(search_term)}"]


def test_skip_link_is_first_and_jumps_to_the_content(playwright, base_url, module_page):
    with chromium(playwright) as context:
        block_other_hosts(context)
        for path in ("book/index.html", module_page):
            page = new_page(context, base_url, path)
            page.keyboard.press("Tab")
            link = page.evaluate("""() => ({text: document.activeElement.innerText.trim(),
                                           href: document.activeElement.getAttribute('href')})""")
            assert link["text"].lower().startswith("skip to"), (path, link)
            # it slides into view when focused (a short CSS transition)
            page.wait_for_function("""() => { const r = document.activeElement.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""",
                                   timeout=3000)
            page.keyboard.press("Enter")
            assert page.url.endswith(link["href"])
            target = link["href"].lstrip("#")
            page.keyboard.press("Tab")
            inside = page.evaluate("id => document.getElementById(id).contains(document.activeElement)",
                                   target)
            assert inside, f"{path}: Tab after the skip link does not land in #{target}"


def test_keyboard_reaches_every_control_with_visible_focus(playwright, base_url, keyboard_pages,
                                                           report_dir):
    problems, report = [], {}
    with chromium(playwright) as context:
        block_other_hosts(context)
        for path in keyboard_pages:
            page = new_page(context, base_url, path)
            if path.startswith("search.html?"):
                page.wait_for_selector("#search-results li a", timeout=15000)
            expected = mark_interactive(page)
            stops, invisible = tab_walk(page)
            report[path] = {"tab_stops": len(stops), "controls": len(expected)}
            problems += [f"{path}: {msg}" for msg in invisible]
            reached = {s["id"] for s in stops}
            radio_groups = {s["name"] for s in stops if s["type"] == "radio"}
            for el in expected:
                if el["id"] in reached:
                    continue
                if el["type"] == "radio" and el["name"] in radio_groups:
                    continue  # one Tab stop per radio group; arrows move inside (tested below)
                problems.append(f"{path}: {el['tag']} '{el['text']}' cannot be reached with Tab")
    write_json(report_dir / "keyboard.json", report)
    assert not problems, "\n".join(problems)


def test_keyboard_operates_tabs_and_disclosures(playwright, base_url, role_tab_pages):
    with chromium(playwright) as context:
        block_other_hosts(context)
        page = new_page(context, base_url, role_tab_pages[0])
        # Tab to the first role tab, then the arrow key selects and shows the next tab
        for _ in range(400):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('.sd-tab-set > input')"):
                break
        else:
            raise AssertionError("Tab never reaches the role tabs")
        before = page.evaluate("document.activeElement.id")
        page.keyboard.press("ArrowRight")
        after = page.evaluate("""() => { const i = document.activeElement;
            const panel = i.nextElementSibling.nextElementSibling;
            return {id: i.id, checked: i.checked, shown: getComputedStyle(panel).display !== 'none'}; }""")
        assert after["id"] != before and after["checked"] and after["shown"], after
        # every disclosure (sidebar chapters, dropdowns) opens and closes with Enter
        count = page.evaluate("document.querySelectorAll('details > summary').length")
        assert count > 0
        for i in range(count):
            visible = page.evaluate("""i => { const s = document.querySelectorAll('details > summary')[i];
                if (s.getClientRects().length === 0) return false; s.focus(); return true; }""", i)
            if not visible:
                continue
            was_open = page.evaluate("document.activeElement.parentElement.open")
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.parentElement.open") != was_open
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.parentElement.open") == was_open


def press_tab_until(page, test_js: str, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test_js):
            return
    raise AssertionError(f"Tab never reaches: {test_js}")


def test_keyboard_search_and_phone_navigation(playwright, base_url, module_page, search_term):
    with chromium(playwright) as context:
        block_other_hosts(context)
        page = new_page(context, base_url, "book/index.html")
        press_tab_until(page, "document.activeElement.matches('button.search-button__button')")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.matches('#pst-search-dialog input[name=q]')")
        page.keyboard.type(search_term)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "search.html" in page.url
        page.wait_for_selector("#search-results li a", timeout=15000)
        press_tab_until(page, "document.activeElement.matches('#search-results li a')")
        href = page.evaluate("document.activeElement.href")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0].split("#")[0] == href.split("?")[0].split("#")[0]
    with chromium(playwright, viewport=PHONE, is_mobile=True, has_touch=True) as context:
        block_other_hosts(context)
        page = new_page(context, base_url, "book/index.html")
        press_tab_until(page, "document.activeElement.matches('button.primary-toggle')")
        page.keyboard.press("Enter")
        page.wait_for_selector("dialog#pst-primary-sidebar-modal[open], .bd-sidebar-primary.show",
                               timeout=5000)
        module_href = module_page.split("/")[-2]
        press_tab_until(page, f"document.activeElement.matches('a[href*=\"{module_href}/index\"]')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(module_page)


# ---------------------------------------------------------------- privacy

def test_privacy_no_request_to_another_host_and_no_cookie(tours, pages, report_dir):
    """The light tour logged every request of every page: all to 127.0.0.1, no cookie."""
    light = tours["light"]
    log: RequestLog = light["log"]
    summary = {**log.summary(), "cookies": light["cookies"],
               "localStorage": sorted(light["localStorage"]),
               "sessionStorage": sorted(light["sessionStorage"])}
    write_json(report_dir / "requests.json", [r.__dict__ for r in log.requests])
    write_json(report_dir / "privacy-summary.json", summary)
    assert summary["pages"] == len(pages) + 1, "the request log misses pages"
    assert summary["requests"] > summary["pages"]
    assert summary["external"] == [], "requests to other hosts:\n" + "\n".join(summary["external"])
    assert set(summary["hosts"]) == {"127.0.0.1"}, summary["hosts"]
    assert light["cookies"] == []
    assert set(light["localStorage"]) <= set(ALLOWED_LOCAL_STORAGE), light["localStorage"]
    assert set(light["sessionStorage"]) <= set(ALLOWED_SESSION_STORAGE), light["sessionStorage"]


def test_privacy_storage_holds_only_the_theme_and_role_choices(playwright, base_url,
                                                               role_tab_pages, report_dir):
    """Use everything that stores something; only the allowed keys appear, no cookie."""
    log = RequestLog()
    with chromium(playwright) as context:
        block_other_hosts(context, log)
        page = new_page(context, base_url, role_tab_pages[0], log)
        page.locator('label.sd-tab-label[data-sync-group="role"]').nth(1).click()
        page.locator("button.theme-switch-button").first.click()
        page.keyboard.press("Control+k")
        page.keyboard.type("family")
        page.keyboard.press("Escape")
        page.locator("button.primary-toggle:visible").first.click()
        page = new_page(context, base_url, role_tab_pages[-1], log)
        page.wait_for_load_state("networkidle")
        cookies = context.cookies()
        local = page.evaluate("Object.fromEntries(Object.entries(localStorage))")
        session = page.evaluate("Object.keys(sessionStorage)")
    write_json(report_dir / "storage.json", {"localStorage": local, "sessionStorage": session,
                                              "cookies": cookies})
    assert log.external == []
    assert cookies == []
    assert set(local) <= set(ALLOWED_LOCAL_STORAGE), f"unexpected localStorage: {local}"
    assert "sphinx-design-tab-id-role" in local and "mode" in local  # what we did was stored
    assert set(session) <= set(ALLOWED_SESSION_STORAGE), f"unexpected sessionStorage: {session}"


def test_theme_icons_render_without_the_fontawesome_script(playwright, base_url):
    """The trimmed site still draws its icons (with the theme's icon font)."""
    log = RequestLog()
    with chromium(playwright) as context:
        block_other_hosts(context, log)
        page = new_page(context, base_url, "book/index.html", log)
        page.evaluate("document.fonts.ready")
        icons = page.evaluate("""() => [...document.querySelectorAll('i.fa-solid')]
            .filter(i => i.getClientRects().length)
            .map(i => ({cls: i.className, w: i.getBoundingClientRect().width,
                        glyph: getComputedStyle(i, '::before').content}))""")
        loaded = page.evaluate("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    assert icons and all(i["w"] > 0 and i["glyph"] not in ("none", "normal", "") for i in icons), icons
    assert loaded
    names = [urlparse(r.url).path for r in log.requests]
    assert not any(n.endswith(("fontawesome.js", "searchindex.js", "sphinx-thebe.js"))
                   for n in names), names


# ---------------------------------------------------------------- search and role tabs

def glossary_terms_used_in_modules() -> dict[str, tuple[str, str]]:
    """{module slug: (term, page)}: the first glossary term each module uses as {term}`Term`."""
    project = Project(REPO)
    terms = [str(e["term"]).strip() for e in yaml.safe_load(project.glossary.read_text()) or []]
    used: dict[str, tuple[str, str]] = {}
    for page in sorted(project.modules_dir.glob("*/*.md")):
        slug = page.parent.name
        if slug.startswith(("_", ".")) or slug in used:
            continue
        text = page.read_text(encoding="utf-8")
        for term in terms:
            if re.search(r"\{term\}`" + re.escape(term) + "`", text, re.I):
                used[slug] = (term, project.docname(page) + ".html")
                break
    assert used, "no module page uses a glossary term"
    return used


def test_search_for_a_glossary_term_finds_the_module_page_using_it(playwright, base_url):
    """From the landing page, search each module's first glossary term: its page is listed."""
    missing = []
    with chromium(playwright) as context:
        block_other_hosts(context)
        for term, module_page in glossary_terms_used_in_modules().values():
            page = new_page(context, base_url, "book/index.html")
            page.locator("button.search-button__button:visible").first.click()
            page.locator("#pst-search-dialog input[name=q]").fill(term)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            wanted = (f"#search-results li a[href$='{module_page}'], "
                      f"#search-results li a[href*='{module_page}?']")
            page.wait_for_function(f"() => document.querySelector(`{wanted}`) || ({SEARCH_DONE})()",
                                   timeout=20000)
            if page.query_selector(wanted) is None:
                hrefs = page.evaluate("[...document.querySelectorAll('#search-results li a')]"
                                      ".map(a => a.getAttribute('href'))")
                missing.append(f"search for '{term}' does not list {module_page}: {hrefs[:10]}")
    assert not missing, "\n".join(missing)


def test_role_tab_choice_persists_from_page_to_page(playwright, base_url, role_tab_pages):
    first = role_tab_pages[0]
    with chromium(playwright) as context:
        block_other_hosts(context)
        page = new_page(context, base_url, first)
        labels = page.locator('label.sd-tab-label[data-sync-group="role"]')
        default = labels.first.get_attribute("data-sync-id")
        chosen = labels.nth(1)
        choice = chosen.get_attribute("data-sync-id")
        assert choice != default
        chosen.click()
        assert page.evaluate("localStorage.getItem('sphinx-design-tab-id-role')") == choice
        for path in role_tab_pages[1:]:
            page = new_page(context, base_url, path)
            state = page.evaluate("""choice => [...document.querySelectorAll(
                    'label.sd-tab-label[data-sync-group="role"]')].map(l => {
                    const input = document.getElementById(l.getAttribute('for'));
                    return {id: l.dataset.syncId, checked: input.checked,
                            shown: getComputedStyle(l.nextElementSibling).display !== 'none'}; })
                    .filter(t => t.id === choice)""", choice)
            assert state, f"{path} has no '{choice}' role tab"
            assert all(t["checked"] and t["shown"] for t in state), (path, state)


def test_search_ranks_the_explaining_page_first_and_shows_the_sentence(playwright, base_url):
    """For each module's glossary term, the glossary or a module page comes before any
    exercise or handout; each snippet is a sentence with the word marked."""
    problems = []
    with chromium(playwright) as context:
        block_other_hosts(context)
        for term, _ in glossary_terms_used_in_modules().values():
            page = new_page(context, base_url, f"search.html?q={quote(term)}")
            page.wait_for_function(SEARCH_DONE, timeout=20000)
            page.wait_for_function("() => [...document.querySelectorAll('#search-results li')]"
                                   ".slice(0, 5).every(li => li.querySelector('p.context'))",
                                   timeout=20000)
            hrefs = page.evaluate("[...document.querySelectorAll('#search-results li > a')]"
                                  ".map(a => a.getAttribute('href'))")
            kinds = ["explains" if ("glossary" in h or h.startswith("modules/")) else
                     "uses" if (h.startswith("exercises/") or "/handouts/" in h) else "other"
                     for h in hrefs]
            if "explains" not in kinds or ("uses" in kinds and
                                           kinds.index("uses") < kinds.index("explains")):
                problems.append(f"'{term}': {hrefs[:8]}")
            snippets = page.evaluate("[...document.querySelectorAll('#search-results p.context')]"
                                     ".slice(0, 5).map(p => ({text: p.innerText, "
                                     "marks: p.querySelectorAll('mark').length}))")
            for snippet in snippets:
                if snippet["marks"] == 0 or snippet["text"].startswith("..."):
                    problems.append(f"'{term}': weak snippet {snippet}")
    assert not problems, "\n".join(problems)


def test_phone_menu_works_without_javascript(playwright, base_url, module_page):
    with chromium(playwright, viewport=PHONE, is_mobile=True, has_touch=True,
                  java_script_enabled=False) as context:
        block_other_hosts(context)
        page = new_page(context, base_url, "book/index.html")
        assert page.locator("button.primary-toggle").first.is_hidden()
        page.locator("a.crossings-menu-link").first.click()
        module_href = module_page.split("/")[-2]
        link = page.locator(f"#pst-primary-sidebar a[href*='{module_href}/index']").first
        link.wait_for(state="visible", timeout=5000)
        with page.expect_navigation():
            link.click()
        assert page.url.endswith(module_page)
