"""The query page as a researcher uses it, in Debian's Chromium at desktop and phone widths.

Result views (table with labels, map, network, timeline, bar chart), permalinks, the
share snippets, the history, a syntax error marked in the editor, and completions. Every
request that leaves the loopback server is refused and fails the test. Screenshots go to
``tests/screenshots/`` (ignored by git), one per test and width.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Offline

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _open(browser: Browser, server, offline: Offline, width: int) -> tuple[Page, list[str]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": 900 if width > 500 else 800}
    )
    context.set_default_timeout(15_000)
    context.route("**/*", offline)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    # A script or style the Content-Security-Policy refuses shows as a console error
    # (a 400 for a query with a syntax error is expected, and logged as one too).
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    return tab, errors


@pytest.fixture
def page(browser: Browser, server, offline: Offline, width: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh page at the width of the test's parameter; errors and outside requests fail."""
    tab, errors = _open(browser, server, offline, WIDTHS[width])
    yield tab
    tab.context.close()
    offline.check()
    assert not errors, f"JavaScript errors: {errors}"


def _shot(page: Page, name: str, width: str, part: str = "#results") -> Path:
    """Save a screenshot of one part of the page (the results by default)."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}-{width}.png"
    page.locator(part).screenshot(path=str(path))
    return path


def _type_query(page: Page, text: str) -> None:
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def _editor_text(page: Page) -> str:
    return str(page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def _tab(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("tab", name=name)


def test_table_shows_labels_and_clean_literals(page: Page, width: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="Networks of a city").click()
    page.get_by_label("city").fill("city:freetown")
    page.get_by_label("city").press("Enter")
    expect(page.locator("#view th").first).to_have_text("organisation")
    table = page.locator("#view table")
    # IRIs show their labels, and link to their pages with the compact IRI in the title.
    mmc = table.locator("a[href='/id/org/mmc']").first
    expect(mmc).to_have_text("Mayors Migration Council")
    assert "orgn:mmc" in (mmc.get_attribute("title") or "")
    expect(table).to_contain_text("Against this background")
    assert "^^" not in table.inner_text() and "@en" not in table.inner_text()
    # Years are bare (no ^^xsd:gYear) until the raw toggle shows the terms as they are.
    page.get_by_label("raw RDF terms").check()
    expect(page.locator("#view table")).to_contain_text("orgn:mmc")
    expect(page.locator("#view table .datatype").first).to_be_visible()
    page.get_by_label("raw RDF terms").uncheck()
    expect(page.locator("#view table a[href='/id/org/mmc']").first).to_have_text(
        "Mayors Migration Council"
    )
    # No column is clipped: the table fits its box (the quote column wraps instead).
    wrap = page.locator("#view .table-wrap")
    overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    page_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    _shot(page, "table", width)
    assert overflow <= 0, f"the result table is {overflow}px wider than its box"
    assert page_overflow <= 0, f"the page is {page_overflow}px wider than the screen"


def test_canned_query_as_map_and_network(page: Page, width: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="Members of a network").click()
    expect(page.locator("#view th").first).to_have_text("member")
    expect(_tab(page, "Map")).to_be_visible()
    _tab(page, "Map").click()
    expect(_tab(page, "Map")).to_have_attribute("aria-selected", "true")
    dots = page.locator("#view svg.world circle.dot")
    expect(dots.first).to_be_attached()
    assert dots.count() >= 5
    assert "view=map" in page.url
    _shot(page, "map", width)

    _tab(page, "Network").click()
    network = page.locator("#view .network")
    expect(network).to_be_visible()
    expect(network.locator("canvas").first).to_be_attached()
    page.wait_for_function(
        "document.querySelector('#view .network').cy?.nodes().length > 5", timeout=15_000
    )
    nodes = page.evaluate("document.querySelector('#view .network').cy.nodes().length")
    edges = page.evaluate("document.querySelector('#view .network').cy.edges().length")
    assert nodes > 5 and edges >= nodes - 1
    assert "view=network" in page.url
    # Any two IRI columns: here members and their sources; the reader may pick others.
    assert page.get_by_label("From column").input_value() == "member"
    assert page.get_by_label("To column").input_value() == "source"
    page.get_by_label("From column").select_option("source")
    expect(page.get_by_label("To column")).to_have_value("member")
    _shot(page, "network", width)

    # The tabs are a tab list: arrow keys move between the views.
    _tab(page, "Network").focus()
    page.keyboard.press("ArrowLeft")
    expect(_tab(page, "Map")).to_have_attribute("aria-selected", "true")
    expect(_tab(page, "Map")).to_be_focused()


def test_timeline_and_bar_chart(page: Page, width: str) -> None:
    page.goto("/")
    _type_query(
        page,
        "SELECT ?decl ?year WHERE { ?decl a gl:Declaration ; gl:year ?year }",
    )
    page.keyboard.press("Control+Enter")
    expect(_tab(page, "Timeline")).to_be_visible()
    _tab(page, "Timeline").click()
    expect(page.locator("#view figure.view-plot svg").first).to_be_visible()
    assert page.locator("#view svg circle").count() >= 3
    _shot(page, "timeline", width)

    _type_query(
        page,
        "SELECT ?network (COUNT(?city) AS ?members) WHERE { ?city a gl:City ; org:memberOf ?network }"
        " GROUP BY ?network",
    )
    page.keyboard.press("Control+Enter")
    expect(_tab(page, "Bar chart")).to_be_visible()
    _tab(page, "Bar chart").click()
    expect(page.locator("#view figure.view-plot svg").first).to_be_visible()
    expect(page.locator("#view svg")).to_contain_text("Mayors Migration Council")
    assert page.locator("#view svg rect").count() >= 2
    _shot(page, "chart", width)


def test_permalink_share_snippets_and_history(
    page: Page, browser: Browser, server, offline: Offline, width: str
) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.get_by_role("button", name="Networks of a city").click()
    page.get_by_label("city").fill("city:freetown")
    page.get_by_label("city").press("Enter")
    expect(page.locator("#view th").first).to_have_text("organisation")
    expect(page.locator("#view a[href='/id/org/mmc']").first).to_be_visible()
    _tab(page, "Network").click()
    expect(page.locator("#view .network")).to_be_visible()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"canned": ["networks-of-city"], "city": ["city:freetown"], "view": ["network"]}

    page.get_by_text("Share and reuse").click()
    link = page.locator("#share-link").input_value()
    assert link == page.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#share-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    curl = page.locator("#share-curl").inner_text()
    assert curl.startswith("curl '") and "/queries/networks-of-city?city=city%3Afreetown" in curl
    # A typed query's snippets carry the query itself.
    _type_query(page, "SELECT ?city WHERE { ?city a gl:City } LIMIT 3")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#view tbody tr")).to_have_count(3)
    python = page.locator("#share-python").inner_text()
    assert "from SPARQLWrapper import SPARQLWrapper, JSON" in python
    assert '"""SELECT ?city WHERE { ?city a gl:City } LIMIT 3"""' in python
    assert page.locator("#share-r").inner_text().startswith('rows <- read.csv("')
    curl = page.locator("#share-curl").inner_text()
    assert "--data-urlencode 'query=SELECT ?city" in curl
    # The snippets run as they are: Python with SPARQLWrapper, and curl from a shell.
    ran = subprocess.run(
        [sys.executable, "-c", python], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.count("https://w3id.org/glocal/id/city/") == 3
    if shutil.which("curl"):
        ran = subprocess.run(
            ["sh", "-c", curl], capture_output=True, text=True, timeout=60, check=True
        )
        lines = ran.stdout.lstrip("\ufeff").splitlines()
        assert lines[0] == "city" and len(lines) == 4
    _shot(page, "share", width, ".reuse")

    # The permalink in a new page gives the same results in the same view.
    fresh, errors = _open(browser, server, offline, WIDTHS[width])
    try:
        fresh.goto(link)
        expect(fresh.get_by_label("city")).to_have_value("city:freetown")
        expect(_tab(fresh, "Network")).to_have_attribute("aria-selected", "true")
        _tab(fresh, "Table").click()
        expect(fresh.locator("#view a[href='/id/org/mmc']").first).to_be_visible()
        assert "org:organization" in _editor_text(fresh)
        _shot(fresh, "permalink", width)
    finally:
        fresh.context.close()
    assert not errors

    # This browser's history lists both queries, newest first, and reopens them.
    page.reload()
    page.get_by_text("History", exact=True).click()
    entries = page.locator("#history-list li a")
    expect(entries.first).to_contain_text("SELECT ?city WHERE")
    expect(entries.nth(1)).to_contain_text("networks-of-city (city=city:freetown)")
    entries.nth(1).click()
    expect(page.get_by_label("city")).to_have_value("city:freetown")
    expect(page.locator("#view .network")).to_be_visible()


def test_syntax_errors_are_marked_and_explained(page: Page, width: str) -> None:
    page.goto("/")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()
    _type_query(
        page, "SELECT ?city ?name WHERE {\n  ?city a gl:City\n  ?city rdfs:label ?name .\n}"
    )
    page.keyboard.press("Control+Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("line 3, column 3: found ?city")
    expect(alert).to_contain_text("A '.' seems to be missing")
    mark = page.locator(".CodeMirror .cm-syntax-error")
    expect(mark).to_have_text("?city")
    expect(page.locator(".CodeMirror .cm-error-line")).to_have_count(1)
    _shot(page, "syntax-error", width, ".workspace")
    _shot(page, "syntax-error-message", width)

    _type_query(page, "SELEC ?x WHERE { ?x a gl:City }")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("did you mean SELECT?")
    expect(page.locator(".CodeMirror .cm-syntax-error")).to_have_text("SELEC")
    # Editing the query clears the mark.
    page.keyboard.insert_text(" ")
    expect(page.locator(".CodeMirror .cm-syntax-error")).to_have_count(0)


def test_completion_offers_a_city_by_label(page: Page, width: str) -> None:
    page.goto("/")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()
    _type_query(page, "SELECT ?network WHERE { ")
    page.keyboard.type("Freet")
    hints = page.locator(".CodeMirror-hints")
    expect(hints).to_be_visible()
    expect(hints.locator("li").first).to_contain_text("city:freetown")
    expect(hints.locator("li").first).to_contain_text("Freetown · City")
    _shot(page, "completion", width, ".workspace")
    page.keyboard.press("Enter")
    assert _editor_text(page).endswith("{ city:freetown")

    # A canned query's IRI parameter suggests resources of its class by label.
    page.get_by_role("button", name="Networks of a city").click()
    city = page.get_by_label("city")
    city.fill("")
    city.type("kampa")
    options = page.locator("#param-city-options option")
    expect(options.first).to_have_attribute("value", "city:kampala")


def test_empty_results_point_to_the_coverage_page(page: Page, width: str) -> None:
    page.goto("/")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()
    _type_query(page, "SELECT ?city WHERE { ?city a gl:City ; rdfs:label 'Atlantis' }")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#results-meta")).to_contain_text("0 rows")
    empty = page.locator("#results .empty")
    expect(empty).to_contain_text("The sources may not say this")
    _shot(page, "empty-results", width)
    empty.get_by_role("link", name="coverage page").click()
    expect(page.get_by_role("heading", name="Cities with no tie")).to_be_visible()
