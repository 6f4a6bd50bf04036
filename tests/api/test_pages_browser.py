"""The site's pages as a researcher uses them, in Debian's headless Chromium.

Browse to a city, then to its network, then to the quote; search "sao paulo"; read a
place's map and a resource's ties; the coverage page; a mistyped canned-query
parameter. Each runs at a desktop (1280 px) and a phone (390 px) width with every
non-loopback request refused, and saves a screenshot to ``tests/screenshots/`` (which
the repository ignores).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer, Offline

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
expect.set_options(timeout=15_000)


@pytest.fixture(params=list(WIDTHS))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, server: LiveServer, device: str) -> Iterator[Page]:
    """A page at the device's width; outside requests and script errors fail the test."""
    offline = Offline(urlsplit(server.url).hostname or "127.0.0.1")
    context = browser.new_context(
        base_url=server.url, viewport={"width": WIDTHS[device], "height": 900}
    )
    context.route("**/*", offline)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    yield tab
    context.close()
    offline.check()
    assert not errors, f"JavaScript errors: {errors}"


def _shot(page: Page, name: str, device: str) -> None:
    """The page's top 2,400 px (long resource pages would be unreadable whole)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    height = min(2400, page.evaluate("document.documentElement.scrollHeight"))
    width = page.viewport_size["width"]  # type: ignore[index]
    clip = {"x": 0, "y": 0, "width": width, "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True, clip=clip)  # type: ignore[arg-type]


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_browse_to_a_city_its_network_and_the_quote(page: Page, device: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Browse").click()
    expect(page.get_by_role("heading", name="Browse the graph")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "browse", device)
    page.get_by_role("link", name="Cities", exact=True).click()
    expect(page.get_by_role("heading", name="Cities")).to_be_visible()
    # Narrow the index by a facet: African cities.
    page.locator("a[data-facet='region'][data-value='Africa']").click()
    expect(page).to_have_url(re.compile(r"region=Africa"))
    expect(page.locator("table.rows")).to_contain_text("Freetown")
    expect(page.locator("table.rows")).not_to_contain_text("Bristol")
    _no_sideways_scroll(page)
    _shot(page, "index-cities", device)

    page.locator("table.rows").get_by_role("link", name="Freetown", exact=True).click()
    expect(page.get_by_role("heading", name="Freetown", level=1)).to_be_visible()
    expect(page.locator("svg.map circle.here")).to_be_visible()
    expect(page.locator("svg.ties")).to_be_visible()
    expect(page.get_by_role("heading", name="Member of")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "city-freetown", device)

    member_of = page.locator("li[data-predicate='http://www.w3.org/ns/org#memberOf']")
    member_of.get_by_role("link", name="Mayors Migration Council").first.click()
    expect(page.get_by_role("heading", name="Mayors Migration Council", level=1)).to_be_visible()
    # The members are on a map, Freetown among them.
    expect(page.locator("svg.map a[href='/id/city/freetown'] circle.linked")).to_be_attached()
    members = page.get_by_role("heading", name="Members")
    expect(members).to_contain_text("(")
    freetown = page.locator(
        "li[data-direction='in'][data-value='<https://w3id.org/glocal/id/city/freetown>']"
    )
    quote = freetown.locator("blockquote").first
    quote.scroll_into_view_if_needed()
    expect(quote).to_contain_text("Freetown")
    expect(freetown.locator(".source").first).to_contain_text("(2020)")
    _no_sideways_scroll(page)
    _shot(page, "network-mmc", device)


def test_search_sao_paulo(page: Page, device: str) -> None:
    page.goto("/browse")
    box = page.get_by_role("searchbox", name="Search names")
    box.fill("sao paulo")
    box.press("Enter")
    first = page.locator("ul.hits li a").first
    expect(first).to_have_text("São Paulo")
    _no_sideways_scroll(page)
    _shot(page, "search-sao-paulo", device)
    first.click()
    expect(page.get_by_role("heading", name="São Paulo", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Map: where São Paulo is")).to_be_visible()


def test_coverage_and_a_mistyped_parameter(page: Page, device: str) -> None:
    page.goto("/coverage")
    expect(page.get_by_role("heading", name="Cities with no tie")).to_be_visible()
    expect(page.locator("#networks")).to_contain_text("Eurocities")
    _no_sideways_scroll(page)
    _shot(page, "coverage", device)
    page.goto("/queries")
    page.get_by_role("link", name="Networks of a city").click()
    field = page.get_by_label("city")
    field.fill("city:kampla")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("did you mean city:kampala")
    _no_sideways_scroll(page)
    _shot(page, "canned-did-you-mean", device)
    # The suggestion runs the query with the right IRI.
    page.get_by_role("link", name="Kampala city:kampala").click()
    expect(page.get_by_label("city")).to_have_value("city:kampala")
    expect(page.locator("table.rows")).to_contain_text("Mayors Migration Council")
    _no_sideways_scroll(page)
    _shot(page, "canned-networks-of-kampala", device)


def test_the_report_has_the_site_navigation(page: Page, device: str) -> None:
    page.goto("/reports/pivotal")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Coverage").click()
    expect(page).to_have_url(re.compile(r"/coverage$"))


def test_a_city_page_shows_its_rank_and_interval(page: Page, device: str) -> None:
    # The report's own page fills the cache the city pages read (a cold city page says
    # the measures are being computed; tests/api/test_city_standing.py checks that).
    page.goto("/reports/pivotal")
    page.locator("table a[title^='The page of']").first.click()
    standing = page.locator("section.standing")
    expect(standing).to_have_attribute("data-state", "ready")
    expect(standing.locator("p.rank")).to_contain_text("Rank 1 of")
    expect(standing.locator(".interval")).to_have_text(re.compile(r"^\d+–\d+$"))
    expect(standing.locator("table.measures tbody tr").first).to_be_visible()
    standing.scroll_into_view_if_needed()
    _no_sideways_scroll(page)
    _shot(page, "city-rank-interval", device)
    standing.get_by_role("link", name="Why it ranks here").click()
    expect(page).to_have_url(re.compile(r"/reports/pivotal#city-1$"))
    expect(page.locator("#city-1")).to_be_in_viewport()
