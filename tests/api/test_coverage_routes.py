"""The coverage page: what the graph covers and leaves out, checked against SPARQL."""

from __future__ import annotations

import csv
import io

from pyoxigraph import QuerySolutions

from glocal.analysis.ties import fetch_ties
from glocal.store import EmbeddedStore
from tests.conftest import LiveServer

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_coverage_json_agrees_with_the_graph(server: LiveServer, store: EmbeddedStore) -> None:
    with server.client() as client:
        found = client.get("/coverage.json").json()
    ties = fetch_ties(store)
    tied = {t.city for t in ties.ties}
    assert {iri for iri, _ in found["untied"]} == set(ties.cities) - tied
    assert found["cities"] == len(ties.cities)
    networks = {n["label"]: n for n in found["networks"]}
    # The sources name no member city of these networks, though they give their size.
    assert networks["Eurocities"]["cities"] == 0 and networks["Eurocities"]["stated"]
    rows = store.query(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c org:memberOf orgn:mmc ; a gl:City }"
    )
    assert isinstance(rows, QuerySolutions)
    assert networks["Mayors Migration Council"]["cities"] == int(next(iter(rows))["n"].value)


def test_coverage_page_and_csv(server: LiveServer) -> None:
    with server.client() as client:
        page = client.get("/coverage", headers=HTML)
        assert page.status_code == 200 and "Cities with no tie" in page.text
        assert 'href="/id/org/eurocities"' in page.text
        stated = client.get("/coverage.csv")
        assert stated.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(stated.content.decode("utf-8-sig"))))
        counts = client.get("/coverage.json").json()["counts"]
        assert len(rows) == len(counts) > 0
        assert client.get("/coverage.xml").status_code == 404


def test_an_empty_canned_result_points_to_the_coverage_page(server: LiveServer) -> None:
    with server.client() as client:
        untied = client.get("/coverage.json").json()["untied"]
        assert untied, "the curated graph has cities with no tie"
        iri = untied[0][0]
        empty = client.get("/queries/networks-of-city", params={"city": iri}, headers=HTML)
        tied = client.get(
            "/queries/networks-of-city", params={"city": "city:freetown"}, headers=HTML
        )
    assert empty.status_code == 200
    assert 'see what the graph covers on the <a href="/coverage">coverage page</a>' in empty.text
    assert "No rows." not in tied.text
