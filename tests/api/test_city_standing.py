"""A city's page shows where the pivotal report ranks it, without waiting for the report.

The figures come from the very report ``/reports/pivotal`` serves (the same cache),
they are marked as computed rather than stated, and they stay out of the RDF formats.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from pyoxigraph import Literal, RdfFormat, parse

from glocal.store import EmbeddedStore
from glocal_api.app import Settings, create_app
from tests.conftest import LiveServer, start_server, stop_server


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def report(client: httpx.Client) -> dict[str, object]:
    """The report as JSON; asking for it also fills the cache the city pages read."""
    found: dict[str, object] = client.get("/reports/pivotal", params={"format": "json"}).json()
    return found


def _section(html: str) -> str:
    found = re.search(r'<section class="standing".*?</section>', html, re.S)
    assert found, "the city page has a report section"
    return found.group(0)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_ranked_city_shows_its_rank_measures_and_interval(
    client: httpx.Client, report: dict[str, object]
) -> None:
    cities = report["cities"]
    assert isinstance(cities, list)
    # The cities with an interval, and the last of them: a page reads its own city.
    with_interval = [c for c in cities if c.get("rank_interval")]
    assert with_interval, "the curated report has rank intervals"
    for city in (with_interval[0], with_interval[-1]):
        page = client.get(city["iri"].replace("https://w3id.org/glocal", ""))
        section = _section(page.text)
        assert 'data-state="ready"' in section
        text = _text(section)
        assert f"Rank {city['rank']} of {len(cities)} ranked cities" in text
        low, high = city["rank_interval"]
        assert f"95 % bootstrap interval {low}–{high}" in text
        if city.get("loso_interval"):
            assert "ranks {}–{} leaving one source out".format(*city["loso_interval"]) in text
        for measure, value in city["measures"].items():
            assert f"{measure.replace('_', ' ')} {value:.4g}" in text
        position = cities.index(city) + 1
        fragment = f"#city-{position}" if position <= 50 else "#ranking"
        assert f'href="/reports/pivotal{fragment}"' in section
        # The anchor it links to is in the report's page.
        if fragment.startswith("#city-"):
            assert f'id="{fragment[1:]}"' in client.get("/reports/pivotal").text


def test_a_city_with_no_tie_says_why_it_is_unranked(
    client: httpx.Client, report: dict[str, object]
) -> None:
    isolates = report["isolates"]
    assert isinstance(isolates, list) and isolates, "the curated graph has cities with no tie"
    section = _section(client.get(isolates[0]["iri"].replace("https://w3id.org/glocal", "")).text)
    assert "Not ranked: no source ties this city" in _text(section)
    assert 'href="/reports/pivotal#unranked"' in section
    assert "Rank " not in _text(section)


def test_report_figures_stay_out_of_the_rdf(
    client: httpx.Client, report: dict[str, object]
) -> None:
    cities = report["cities"]
    assert isinstance(cities, list)
    city = cities[0]
    path = city["iri"].replace("https://w3id.org/glocal", "")
    section = _section(client.get(path).text)
    # No fact markup: the page's facts are compared with the Turtle's elsewhere.
    assert "data-predicate" not in section and "not part of the Turtle" in _text(section)
    for suffix, form in ((".ttl", RdfFormat.TURTLE), (".jsonld", RdfFormat.JSON_LD)):
        triples = list(parse(client.get(path + suffix).content, form))
        assert triples
        literals = {t.object.value for t in triples if isinstance(t.object, Literal)}
        assert f"{city['score']}" not in literals
        assert not any("rank" in t.predicate.value.casefold() for t in triples)


def test_a_cold_server_computes_the_report_in_the_background(store: EmbeddedStore) -> None:
    """A fresh app has no report: the first city page says so at once, and the report
    it started in the background shows on a later load."""
    app = create_app(store, Settings(timeout=8.0))
    live = start_server(app)
    try:
        with live.client() as c:
            first = _section(c.get("/id/city/freetown").text)
            assert 'data-state="computing"' in first
            assert "being computed" in _text(first)
            deadline = time.monotonic() + 120
            while 'data-state="ready"' not in (later := _section(c.get("/id/city/freetown").text)):
                assert time.monotonic() < deadline, "the report was not computed within 2 min"
                time.sleep(0.5)
            ranked = c.get("/reports/pivotal", params={"format": "json"}).json()
            freetown = next(x for x in ranked["cities"] if x["iri"].endswith("/city/freetown"))
            assert f"Rank {freetown['rank']} of" in _text(later)
    finally:
        stop_server(live)
    # Shutting down asks background reports to stop at their next step.
    assert app.state.runtime.stopping.is_set()


def test_only_city_pages_have_the_section(client: httpx.Client) -> None:
    assert 'class="standing"' not in client.get("/id/org/mmc").text
    assert client.get("/id/city/atlantis").status_code == 404
