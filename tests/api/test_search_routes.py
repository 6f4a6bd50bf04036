"""Name search over HTTP, and "did you mean" for canned-query parameters."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("sao paulo", "city:sao-paulo"),
        ("MMC", "orgn:mmc"),
        ("mayors migration", "orgn:mmc"),
        ("orgn:mmc", "orgn:mmc"),
        ("city:kampa", "city:kampala"),
    ],
)
def test_search_json_for_autocompletion(server: LiveServer, typed: str, first: str) -> None:
    with server.client() as client:
        hits = client.get("/search", params={"q": typed, "_format": "json"}).json()
        assert hits[0]["curie"] == first
        assert set(hits[0]) == {"iri", "curie", "label", "matched", "kind", "types", "quoted"}


def test_search_page_kind_and_limit(server: LiveServer) -> None:
    with server.client() as client:
        page = client.get("/search", params={"q": "Sao Paulo"}, headers=HTML)
        assert page.status_code == 200 and 'href="/id/city/sao-paulo"' in page.text
        cities = client.get(
            "/search",
            params={"q": "a", "kind": "city", "limit": 3},
            headers={"Accept": "application/json"},
        ).json()
        assert len(cities) == 3 and {h["kind"] for h in cities} == {"city"}
        assert client.get("/search", params={"q": "x", "kind": "planet"}).status_code == 400
        assert client.get("/search.csv", params={"q": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("param", "wrong", "hint"),
    [("city", "city:kampla", "city:kampala"), ("city", "orgn:UCLG", "orgn:uclg")],
)
def test_an_unknown_iri_gets_did_you_mean(
    server: LiveServer, param: str, wrong: str, hint: str
) -> None:
    with server.client() as client:
        response = client.get("/queries/networks-of-city", params={param: wrong, "format": "json"})
        assert response.status_code == 400
        assert (
            f"no such resource {wrong}" in response.text and f"did you mean {hint}" in response.text
        )
        page = client.get("/queries/networks-of-city", params={param: wrong}, headers=HTML)
        assert page.status_code == 400 and f"did you mean {hint}" in page.text
        known = client.get(
            "/queries/networks-of-city", params={param: "city:freetown", "format": "json"}
        )
        assert known.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/", "/browse", "/id/city", "/id/city/freetown", "/coverage", "/queries", "/reports/pivotal"],
)
def test_every_page_has_the_search_box(server: LiveServer, path: str) -> None:
    with server.client() as client:
        page = client.get(path, headers=HTML).text
    form = page.split('role="search" action="/search" method="get">', 1)[1].split("</form>")[0]
    assert 'name="q" type="search"' in form
