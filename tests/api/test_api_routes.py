"""Canned-query routes, resource pages and the OpenAPI docs, through the real server."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph

from glocal.namespaces import GL, ID


@pytest.fixture(scope="module")
def client(server):  # type: ignore[no-untyped-def]
    with server.client() as c:
        yield c


def test_list_canned_queries(client: httpx.Client) -> None:
    listing = client.get("/queries").json()
    by_name = {q["name"]: q for q in listing}
    query = by_name["networks-of-city"]
    assert query["title"] == "Networks of a city"
    assert query["parameters"][0]["name"] == "city"
    assert query["url"] == "/queries/networks-of-city"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_canned_query_in_every_format(client: httpx.Client, fmt: str) -> None:
    response = client.get(
        "/queries/networks-of-city", params={"city": "city:freetown", "format": fmt}
    )
    assert response.status_code == 200
    assert "Mayors Migration Council" in response.text


def test_canned_query_answers_the_provenance_question(client: httpx.Client) -> None:
    response = client.get(
        "/queries/networks-of-city", params={"city": f"{ID}city/freetown", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    mmc = [r for r in rows if r["organisation"] == f"{ID}org/mmc"]
    assert mmc and all("Freetown" in r["quote"] for r in mmc)
    assert {r["source"] for r in mmc} >= {f"{ID}source/stuerner-2020"}


@pytest.mark.parametrize(
    "hostile",
    ['"} ; DROP ALL #', "<http://x> } ; DROP ALL #", "city:x> } UNION { ?s ?p ?o", "\u0000"],
)
def test_hostile_parameters_are_refused_not_pasted(client: httpx.Client, hostile: str) -> None:
    response = client.get("/queries/networks-of-city", params={"city": hostile})
    assert response.status_code == 400
    assert "not an IRI" in response.text
    still_there = client.get(
        "/sparql", params={"query": "ASK { city:freetown org:memberOf orgn:mmc }", "format": "json"}
    )
    assert still_there.json()["boolean"] is True


def test_unknown_and_missing_parameters(client: httpx.Client) -> None:
    unknown = client.get("/queries/networks-of-city", params={"town": "city:freetown"})
    assert unknown.status_code == 400 and "unknown parameter" in unknown.text


@pytest.mark.parametrize("name", ["nope", "..%2Fx", "../x", "..%2F..%2Fpyproject.toml"])
def test_unknown_query_names_are_404_not_paths(client: httpx.Client, name: str) -> None:
    response = client.get(f"/queries/{name}")
    assert response.status_code == 404
    assert "[project]" not in response.text


def test_city_page_shows_networks_with_sources(client: httpx.Client) -> None:
    response = client.get("/id/city/freetown", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Freetown" in page
    assert 'href="/id/org/mmc"' in page
    assert "Mayors Migration Council" in page
    assert "<blockquote>" in page


def test_network_page_shows_members(client: httpx.Client) -> None:
    page = client.get("/id/org/mmc", headers={"Accept": "text/html"}).text
    assert 'href="/id/city/freetown"' in page and 'href="/id/city/bristol"' in page


@pytest.mark.parametrize(
    ("path", "accept", "fmt"),
    [
        ("/id/city/freetown", "text/turtle", "turtle"),
        ("/id/city/freetown", "application/ld+json", "json-ld"),
        ("/id/city/freetown.ttl", "*/*", "turtle"),
        ("/id/city/freetown.jsonld", "*/*", "json-ld"),
    ],
)
def test_resource_content_negotiation(
    client: httpx.Client, path: str, accept: str, fmt: str
) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=fmt)
    memberships = graph.query(
        f"ASK {{ <{ID}city/freetown> <http://www.w3.org/ns/org#memberOf> <{ID}org/mmc> }}"
    )
    assert memberships.askAnswer


class _Facts(HTMLParser):
    """The facts a resource page shows (``data-predicate``) and the quotes it cites."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: set[tuple[str, str, str]] = set()
        self.quotes: set[str] = set()
        self._in_quote = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: str(value) for name, value in attrs}
        if "data-predicate" in found:
            self.facts.add((found["data-direction"], found["data-predicate"], found["data-value"]))
        self._in_quote = tag == "blockquote"

    def handle_data(self, data: str) -> None:
        if self._in_quote:
            self.quotes.add(data.strip().removeprefix("“").removesuffix("”"))
            self._in_quote = False


@pytest.mark.parametrize("path", ["/id/city/freetown", "/id/org/mmc", "/id/compact/gcm"])
def test_html_and_turtle_show_the_same_facts(client: httpx.Client, path: str) -> None:
    page = _Facts()
    page.feed(client.get(path, headers={"Accept": "text/html"}).text)
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    this = NamedNode(ID + path.removeprefix("/id/"))
    triples = list(parse(turtle.content, RdfFormat.TURTLE))
    # (predicate, value) of each statement of the resource and about it, in N-Triples
    # form; statement nodes (blank) are not facts but the sources of facts.
    stated = {("out", t.predicate.value, str(t.object)) for t in triples if t.subject == this}
    stated |= {
        ("in", t.predicate.value, str(t.subject))
        for t in triples
        if t.object == this and isinstance(t.subject, NamedNode)
    }
    assert len(page.facts) > 5
    assert page.facts == stated
    # Every quote on the page is in the Turtle, and every quote in the Turtle on the page.
    quoted = {t.object.value for t in triples if t.predicate.value == GL + "quote"}
    assert page.quotes and page.quotes == quoted


@pytest.mark.parametrize(
    "path", ["/id/city/atlantis", "/id/../pyproject.toml", "/id/city/..%2F..%2Fx"]
)
def test_unknown_resources_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "[project]" not in response.text


def test_openapi_documents_every_route(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for route in ["/sparql", "/queries", "/queries/{name}", "/id/{kind}/{slug}"]:
        assert route in paths
    assert "example" in str(paths["/sparql"])
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Offline: the page loads Swagger UI from this server, not from a CDN.
    assert "cdn" not in docs.text and "/static/vendor/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_pivotal_report_by_content_negotiation(client: httpx.Client) -> None:
    as_json = client.get("/reports/pivotal", headers={"Accept": "application/json"})
    assert as_json.status_code == 200
    report = as_json.json()
    first = report["cities"][0]
    assert {"iri", "label", "rank", "score", "measures", "evidence"} <= set(first)
    assert first["rank"] == 1
    evidence = [e for items in first["evidence"].values() for e in items]
    assert evidence and all(e["source"] and e["quote"] for e in evidence)
    as_csv = client.get("/reports/pivotal", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert first["iri"] in as_csv.text
    as_html = client.get("/reports/pivotal", headers={"Accept": "text/html"})
    assert as_html.headers["content-type"].startswith("text/html")
    assert "<svg" in as_html.text and "http://" not in as_html.text.replace(
        "http://www.w3.org/2000/svg", ""
    )
    top3 = client.get("/reports/pivotal", params={"format": "json", "top": 3}).json()
    assert [c["iri"] for c in top3["cities"]] == [c["iri"] for c in report["cities"][:3]]


def test_centrality_report(client: httpx.Client) -> None:
    result = client.get("/reports/centrality", params={"measure": "degree", "top": 5}).json()
    assert result["measure"] == "degree" and len(result["cities"]) == 5
    values = [c["value"] for c in result["cities"]]
    assert values == sorted(values, reverse=True)
    bad = client.get("/reports/centrality", params={"measure": "astrology"})
    assert bad.status_code == 400 and "unknown measure" in bad.text
    bad_layer = client.get("/reports/pivotal", params={"layers": "gossip", "format": "json"})
    assert bad_layer.status_code == 400
