"""The web UI in a real browser: Debian's headless Chromium, driven by Playwright.

The page runs against the real server (the ``server`` fixture of ``conftest.py``), and
every request that does not go to the loopback server is refused and fails the test,
which proves the UI needs no network: no CDN, no fonts, nothing from outside.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from glocal.namespaces import PREFIXES
from tests.conftest import Offline

pytestmark = pytest.mark.browser

# Generous, for loaded CI machines; a passing run takes a few seconds.
expect.set_options(timeout=15_000)
SCREENSHOT = Path(__file__).resolve().parents[1] / "screenshots" / "query-freetown-desktop.png"
RESULTS_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["ttl", "nt", "jsonld", "rdfxml", "trig", "nq"]


@pytest.fixture
def page(browser: Browser, server, offline: Offline) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh page on the server; JavaScript errors and outside requests fail the test."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.route("**/*", offline)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    yield tab
    context.close()
    offline.check()
    assert not errors, f"JavaScript errors: {errors}"


def _editor_text(page: Page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def _type_query(page: Page, text: str) -> None:
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def _hrefs(page: Page) -> dict[str, str]:
    links = page.locator("#download-links a")
    return {
        links.nth(i).get_attribute("data-format"): links.nth(i).get_attribute("href")
        for i in range(links.count())
    }


def test_examples_results_and_resource_pages(page: Page, offline: Offline) -> None:
    page.goto("/")
    expect(page).to_have_title("Query glocal · SPARQL")
    # The editor is CodeMirror with the SPARQL mode: keywords are highlighted.
    keyword = page.locator(".CodeMirror .cm-keyword").first
    expect(keyword).to_be_visible()
    assert keyword.inner_text().upper() in {"SELECT", "DISTINCT", "WHERE", "GRAPH"}
    assert "org:memberOf" in _editor_text(page)

    # A canned query runs with its parameter's default, and loads its text.
    page.get_by_role("button", name="Networks of a city").click()
    city = page.get_by_label("city")
    expect(city).to_have_value("city:bristol")
    expect(page.locator("#output th").first).to_have_text("organisation")
    expect(page.locator("#output table tbody tr").first).to_be_visible()
    assert "org:organization" in _editor_text(page)
    expect(page.locator("#results-meta")).to_contain_text("rows")

    # Another city: edit the parameter and press Enter.
    city.fill("city:freetown")
    city.press("Enter")
    mmc = page.locator("#output a[href='/id/org/mmc']").first
    expect(mmc).to_be_visible()
    expect(page.locator("#output")).to_contain_text("Against this background")
    expect(page.locator("#results-meta")).to_contain_text(" ms")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Result IRIs link to the local resource pages.
    mmc.click()
    page.wait_for_url("**/id/org/mmc")
    expect(page.locator("h1")).to_have_text("Mayors Migration Council")
    expect(page.locator("a[href='/id/city/freetown']").first).to_be_visible()

    # The city page lists the city's networks, each with its source.
    page.goto("/id/city/freetown")
    expect(page.locator("h1")).to_have_text("Freetown")
    member_of = page.locator("li[data-predicate='http://www.w3.org/ns/org#memberOf']")
    expect(member_of.filter(has_text="Mayors Migration Council")).to_have_count(1)
    expect(member_of.locator("a.source").first).to_be_visible()
    offline.check()


def test_typed_queries_errors_ask_and_construct(page: Page, offline: Offline) -> None:
    page.goto("/")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()

    _type_query(page, "SELEC ?city WHERE { ?city a gl:City }")
    page.keyboard.press("Control+Enter")
    error = page.get_by_role("alert")
    expect(error).to_contain_text("HTTP 400")
    expect(error).to_contain_text("SPARQL syntax error")

    _type_query(page, "ASK { city:freetown org:memberOf orgn:mmc }")
    page.get_by_role("button", name="Run query").click()
    expect(page.locator("#output .ask")).to_have_text("true")
    expect(page.get_by_role("alert")).to_have_count(0)

    _type_query(page, "CONSTRUCT { city:freetown ?p ?o } WHERE { city:freetown ?p ?o }")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#output pre.graph")).to_contain_text("city:freetown")
    offline.check()


def test_guide(page: Page, offline: Offline) -> None:
    page.goto("/")
    guide = page.locator("#guide")
    expect(guide.get_by_role("heading", name="How to query glocal")).to_be_visible()
    for term in ["org:Membership", "rdf:Statement", "gl:quote", "prov:wasDerivedFrom"]:
        expect(guide.locator("code", has_text=term).first).to_be_visible()
    expect(guide.locator(".prefixes dt")).to_have_count(len(PREFIXES))
    expect(guide.locator(".prefixes")).to_contain_text(PREFIXES["orgn"])

    # The guide's example (which source says Freetown is in the MMC?) runs from there.
    guide.get_by_role("button", name="Load and run this query").click()
    expect(page.locator("#output th").first).to_have_text("source")
    expect(page.locator("#output a[href='/id/source/stuerner-2020']").first).to_be_visible()
    expect(page.locator("#output")).to_contain_text("the inclusion of Freetown in the MMC")
    assert "orgn:mmc" in _editor_text(page)
    offline.check()


def test_download_links(page: Page, server, offline: Offline) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    expect(page.locator("#download-links a")).to_have_count(len(RESULTS_FORMATS))
    hrefs = _hrefs(page)
    assert list(hrefs) == RESULTS_FORMATS
    for fmt, href in hrefs.items():
        url = urlsplit(href)
        assert url.path == "/sparql"
        assert parse_qs(url.query) == {"query": [_editor_text(page)], "format": [fmt]}
    csv = page.request.get(server.url + hrefs["csv"])
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().startswith("city,cityName,network,networkName,source")

    # A CONSTRUCT query offers the graph formats.
    construct = "CONSTRUCT WHERE { city:freetown ?p ?o }"
    _type_query(page, construct)
    expect(page.locator("#download-links a")).to_have_count(len(GRAPH_FORMATS))
    hrefs = _hrefs(page)
    assert list(hrefs) == GRAPH_FORMATS
    for fmt, href in hrefs.items():
        assert parse_qs(urlsplit(href).query) == {"query": [construct], "format": [fmt]}
    turtle = page.request.get(server.url + hrefs["ttl"])
    assert turtle.ok and turtle.headers["content-type"].startswith("text/turtle")

    # A canned query's links run it by name with its parameters.
    page.get_by_role("button", name="Networks of a city").click()
    page.get_by_label("city").fill("city:freetown")
    hrefs = _hrefs(page)
    assert hrefs["csv"] == "/queries/networks-of-city?city=city%3Afreetown&format=csv"
    assert "Mayors Migration Council" in page.request.get(server.url + hrefs["csv"]).text()
    offline.check()


def test_narrow_screen(browser: Browser, server, offline: Offline) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, viewport={"width": 380, "height": 800})
    context.route("**/*", offline)
    try:
        tab = context.new_page()
        tab.goto("/")
        tab.get_by_role("button", name="Networks of a city").click()
        expect(tab.locator("#output table tbody tr").first).to_be_visible()
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a 380px screen"
    finally:
        context.close()
    offline.check()


# ---------------------------------------------------------------- browser safety

JAVASCRIPT_IRI = "javascript:alert(document.domain)"


@pytest.fixture(scope="module")
def hostile_server(dataset, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The curated graph plus one fact whose object is a javascript: IRI."""
    from pyoxigraph import NamedNode, Quad

    from glocal.dataset import Dataset
    from glocal.store import EmbeddedStore
    from glocal_api.app import Settings, create_app
    from tests.conftest import start_server, stop_server

    graph = NamedNode("https://example.org/hostile")
    quads = [
        *dataset.quads,
        Quad(
            NamedNode("https://w3id.org/glocal/id/city/bristol"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
            NamedNode(JAVASCRIPT_IRI),
            graph,
        ),
    ]
    store = EmbeddedStore.open(
        Dataset(quads, (), dataset.version + "-hostile", {}),
        cache_dir=tmp_path_factory.mktemp("hostile"),
        workers=1,
    )
    live = start_server(create_app(store, Settings(timeout=8.0)))
    yield live
    stop_server(live)
    store.close()


def test_a_stored_javascript_iri_cannot_run(browser: Browser, hostile_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=hostile_server.url)
    dialogs: list[str] = []
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        # The resource page shows the IRI as text, never as a link.
        response = tab.goto("/id/city/bristol")
        assert response is not None
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        expect(tab.locator("h1")).to_have_text("Bristol")
        expect(tab.get_by_text(JAVASCRIPT_IRI).first).to_be_visible()
        assert tab.locator("a[href^='javascript:' i]").count() == 0
        # A query result holding it: shown, not linked.
        tab.goto("/")
        expect(tab.locator(".CodeMirror .cm-keyword").first).to_be_visible()
        _type_query(tab, "SELECT ?x WHERE { city:bristol rdfs:seeAlso ?x }")
        tab.keyboard.press("Control+Enter")
        expect(tab.locator("#output table tbody tr").first).to_be_visible()
        cell = tab.locator("#output td .iri").first
        expect(cell).to_have_attribute("title", JAVASCRIPT_IRI)
        assert tab.locator("a[href^='javascript:' i]").count() == 0
        cell.click()
        tab.wait_for_timeout(300)
        assert not dialogs, dialogs
    finally:
        context.close()
