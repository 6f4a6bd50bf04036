"""Paged canned queries through the real server: ``limit``/``offset``, ``Link`` headers,
the HTML page's links and reason, and a bad page refused naming the parameter."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def csv_rows(response: httpx.Response) -> list[tuple[str, ...]]:
    assert response.status_code == 200, response.text
    return [tuple(r) for r in csv.reader(io.StringIO(response.text))][1:]


def test_link_headers_walk_the_pages_to_the_whole_answer(client: httpx.Client) -> None:
    whole = csv_rows(client.get("/queries/mayors", params={"format": "csv"}))
    assert len(whole) >= 3
    url: str | None = "/queries/mayors?format=csv&limit=2"
    seen: list[tuple[str, ...]] = []
    while url:
        response = client.get(url)
        page = csv_rows(response)
        seen += page
        link = response.headers["link"]
        assert ('rel="prev"' in link) == ("offset=0" not in url and "offset" in url)
        nxt = re.search(r'<([^>]+)>; rel="next"', link)
        url = nxt.group(1) if nxt and len(page) == 2 else None
    assert sorted(seen) == sorted(whole) and len(seen) == len(whole)


def test_a_query_that_pages_by_default_says_why(client: httpx.Client) -> None:
    response = client.get(
        "/queries/network-overlap", params={"limit": "2"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "one row per pair of networks" in response.text
    assert 'id="page-reason"' in response.text
    assert re.search(r'<a rel="next" href="[^"]*offset=2', response.text)
    # Unasked, the query still pages: its answer links the next page.
    api = client.get("/queries/network-overlap", params={"format": "csv"})
    assert 'rel="next"' in api.headers["link"]


def test_the_last_html_page_has_no_next_link(client: httpx.Client) -> None:
    response = client.get(
        "/queries/mayors", params={"limit": "10000", "offset": "1"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert 'rel="prev"' in response.text and 'rel="next"' not in response.text


@pytest.mark.parametrize(
    ("params", "named"), [({"limit": "0"}, "limit"), ({"offset": "x"}, "offset")]
)
@pytest.mark.parametrize("accept", ["text/html", "text/csv"])
def test_a_bad_page_is_refused_naming_the_parameter(
    client: httpx.Client, params: dict[str, str], named: str, accept: str
) -> None:
    response = client.get("/queries/mayors", params=params, headers={"Accept": accept})
    assert response.status_code == 400
    assert f"{named}: not a whole number" in response.text
