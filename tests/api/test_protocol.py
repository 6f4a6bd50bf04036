"""The SPARQL 1.1 Protocol against the real server: every case the endpoint promises."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from pyoxigraph import RdfFormat, parse
from rdflib import Graph, URIRef

from glocal.namespaces import ID
from glocal.store import EmbeddedStore
from tests.conftest import LiveServer

COUNT_CITIES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a gl:City }"
FREETOWN_MMC = "ASK { city:freetown org:memberOf orgn:mmc }"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
STUERNER = ID + "source/stuerner-2020"
VAN_HAASEN = ID + "source/van-haasen-2021"
SD = "http://www.w3.org/ns/sparql-service-description#"


def _count(response: httpx.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def client(server):  # type: ignore[no-untyped-def]
    with server.client() as c:
        yield c


# ---------------------------------------------------------------- request forms


def test_get_post_form_and_post_direct_agree(client: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", params={"query": COUNT_CITIES}, headers=accept)
    by_form = client.post("/sparql", data={"query": COUNT_CITIES}, headers=accept)
    by_body = client.post(
        "/sparql",
        content=COUNT_CITIES,
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert _count(by_get) == _count(by_form) == _count(by_body) > 40


def test_ask_answers_the_provenance_question(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": FREETOWN_MMC, "format": "json"})
    assert response.json()["boolean"] is True


# ---------------------------------------------------------------- result formats


def test_select_in_every_results_format(client: httpx.Client) -> None:
    query = "SELECT ?c ?label WHERE { ?c a gl:City ; rdfs:label ?label } ORDER BY ?c LIMIT 5"
    as_json = client.get("/sparql", params={"query": query, "format": "json"})
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    rows = as_json.json()["results"]["bindings"]
    assert len(rows) == 5

    as_xml = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}
    )
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(as_xml.content).findall(".//r:result", ns)) == 5

    as_csv = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    table = list(csv.reader(io.StringIO(as_csv.text)))
    assert table[0] == ["c", "label"] and len(table) == 6
    assert table[1][0] == rows[0]["c"]["value"]

    as_tsv = client.get("/sparql", params={"query": query, "format": "tsv"})
    assert as_tsv.headers["content-type"].startswith("text/tab-separated-values")
    lines = as_tsv.text.strip().split("\n")
    assert lines[0] == "?c\t?label" and len(lines) == 6


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("application/trig", RdfFormat.TRIG),
        ("application/n-quads", RdfFormat.N_QUADS),
    ],
)
def test_construct_in_every_rdf_format(client: httpx.Client, media: str, fmt: RdfFormat) -> None:
    query = "CONSTRUCT { ?m org:memberOf orgn:mmc } WHERE { ?m org:memberOf orgn:mmc }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    triples = list(parse(response.content, fmt))
    assert any(t.subject.value == ID + "city/freetown" for t in triples)


def test_describe_gives_triples(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE city:freetown", "format": "nt"})
    assert response.status_code == 200
    assert ID + "city/freetown" in response.text


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params={"query": COUNT_CITIES, "format": "csv"},
        headers={"Accept": "application/json"},
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_application_json_alias_for_common_clients(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": COUNT_CITIES}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("application/sparql-results+json")


# ---------------------------------------------------------------- datasets


def test_default_graph_is_the_union_and_can_be_restricted(client: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s gl:quote ?q }"
    union = _count(client.get("/sparql", params={"query": query, "format": "json"}))
    one = _count(
        client.get(
            "/sparql", params={"query": query, "format": "json", "default-graph-uri": STUERNER}
        )
    )
    two = _count(
        client.get(
            "/sparql",
            params=[
                ("query", query),
                ("format", "json"),
                ("default-graph-uri", STUERNER),
                ("default-graph-uri", VAN_HAASEN),
            ],
        )
    )
    assert 0 < one < two < union


def test_named_graph_uri_restricts_graph_patterns(client: httpx.Client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get(
        "/sparql", params={"query": query, "format": "json", "named-graph-uri": VAN_HAASEN}
    )
    graphs = {row["g"]["value"] for row in response.json()["results"]["bindings"]}
    assert graphs == {VAN_HAASEN}


# ---------------------------------------------------------------- errors


def test_syntax_error_is_400_with_position(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    # The place, and what was found there (glocal.store.syntax_hints).
    assert response.text.startswith("SPARQL syntax error: line 1, column 24: found }")


def test_two_query_parameters_is_400(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400
    assert "one 'query'" in response.text


def test_wrong_media_type_is_415(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client: httpx.Client, method: str) -> None:
    assert client.request(method, "/sparql").status_code == 405


def test_no_acceptable_format_is_406(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": COUNT_CITIES}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    # format= and Accept both name only Turtle, which cannot carry SELECT results.
    select_as_turtle = client.get(
        "/sparql",
        params={"query": COUNT_CITIES, "format": "ttl"},
        headers={"Accept": "text/turtle"},
    )
    assert select_as_turtle.status_code == 406
    # A format= that does not fit, from a client that reads anything: what it can read.
    fallback = client.get(
        "/sparql", params={"query": COUNT_CITIES, "format": "ttl"}, headers={"Accept": "*/*"}
    )
    assert fallback.status_code == 200


def test_a_syntax_error_is_400_whatever_the_accepted_formats(client: httpx.Client) -> None:
    # The form is found as the query is parsed: no format fitting it cannot come first.
    response = client.get("/sparql", params={"query": "SELEKT *"}, headers={"Accept": "image/png"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("text/n3", None, "text/turtle"),
        ("application/x-turtle", None, "text/turtle"),
        ("application/turtle", None, "text/turtle"),
        ("application/json", None, "application/ld+json"),
        ("application/rdf+xml", "xml", "application/rdf+xml"),
        ("application/rdf+xml", "rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "json", "application/ld+json"),
        ("text/turtle", "turtle", "text/turtle"),
    ],
)
def test_construct_aliases_and_client_formats(
    client: httpx.Client, accept: str, fmt: str | None, expected: str
) -> None:
    params = {"query": "CONSTRUCT WHERE { city:freetown rdfs:label ?l }"}
    if fmt:
        params["format"] = fmt
    response = client.get("/sparql", params=params, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(expected)


def test_oversized_query_is_413(client: httpx.Client) -> None:
    padding = "# " + "x" * 120_000 + "\n"
    post = client.post(
        "/sparql", content=padding + "ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert post.status_code == 413
    form = client.post("/sparql", data={"query": padding + "ASK {}"})
    assert form.status_code == 413


def test_invalid_utf8_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=b'ASK { ?s ?p "\xff" }',
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_updates_are_refused_and_change_nothing(client: httpx.Client) -> None:
    before = _count(client.get("/sparql", params={"query": COUNT_CITIES, "format": "json"}))
    drop = "DROP ALL"
    form = client.post("/sparql", data={"update": drop})
    direct = client.post(
        "/sparql", content=drop, headers={"Content-Type": "application/sparql-update"}
    )
    as_query = client.post("/sparql", data={"query": drop})
    assert form.status_code == direct.status_code == 403
    assert "--enable-update" in form.text
    assert as_query.status_code == 400
    after = _count(client.get("/sparql", params={"query": COUNT_CITIES, "format": "json"}))
    assert before == after


def test_service_federation_is_off_by_default(client: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.text


# ---------------------------------------------------------------- timeout


def test_runaway_query_is_stopped_while_others_are_answered(client: httpx.Client, server) -> None:  # type: ignore[no-untyped-def]
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        with server.client() as own:
            response = own.get("/sparql", params={"query": CROSS_PRODUCT, "format": "json"})
        outcome["status"] = response.status_code
        outcome["text"] = response.text
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    latencies = []
    for _ in range(5):
        started = time.monotonic()
        ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
        latencies.append(time.monotonic() - started)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
    thread.join(timeout=60)
    assert outcome["status"] == 503
    assert "time limit" in str(outcome["text"])
    # The server's limit is 8 s: the runaway was cut there, not run to completion.
    assert float(outcome["seconds"]) < 30  # type: ignore[arg-type]
    assert max(latencies) < float(outcome["seconds"])  # type: ignore[arg-type]


# ---------------------------------------------------------------- caching


def test_etag_and_304(client: httpx.Client) -> None:
    first = client.get("/sparql", params={"query": COUNT_CITIES, "format": "json"})
    etag = first.headers["etag"]
    again = client.get(
        "/sparql", params={"query": COUNT_CITIES, "format": "json"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    other_format = client.get(
        "/sparql", params={"query": COUNT_CITIES, "format": "csv"}, headers={"If-None-Match": etag}
    )
    assert other_format.status_code == 200 and other_format.headers["etag"] != etag


def test_repeated_query_is_served_from_the_result_cache(client: httpx.Client) -> None:
    query = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
    first = client.get("/sparql", params={"query": query, "format": "json"})
    second = client.get("/sparql", params={"query": query, "format": "json"})
    assert "x-cache" not in first.headers
    assert second.headers.get("x-cache") == "hit"
    assert first.content == second.content


def test_a_cached_repeat_sends_the_bytes_compressed_when_cached(client: httpx.Client) -> None:
    """The cache keeps gzip bytes: a repeat is not compressed again; a client that
    does not take gzip gets the same body plain."""
    query = "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p LIMIT 500"
    first = client.get("/sparql", params={"query": query, "format": "csv"})
    again = client.get(
        "/sparql", params={"query": query, "format": "csv"}, headers={"Accept-Encoding": "gzip"}
    )
    plain = client.get(
        "/sparql", params={"query": query, "format": "csv"}, headers={"Accept-Encoding": "identity"}
    )
    assert again.headers.get("x-cache") == "hit" and again.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers and plain.headers.get("x-cache") == "hit"
    assert first.content == again.content == plain.content  # httpx decodes gzip


def test_large_responses_are_gzipped(server) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 2000"
    with httpx.Client(base_url=server.url, timeout=60) as raw:
        response = raw.get(
            "/sparql", params={"query": query, "format": "csv"}, headers={"Accept-Encoding": "gzip"}
        )
        assert response.headers.get("content-encoding") == "gzip"
        assert len(response.content.split(b"\n")) > 1000  # httpx decoded it
    plain = gzip.decompress(gzip.compress(b"x"))
    assert plain == b"x"


def test_cors(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200


# ---------------------------------------------------------------- service description


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_service_description(client: httpx.Client, media: str, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": media})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=rdflib_format)
    rows = list(
        graph.query(
            """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
            PREFIX void: <http://rdfs.org/ns/void#>
            SELECT ?name ?triples WHERE {
              ?service a sd:Service ; sd:defaultDataset/sd:namedGraph ?ng .
              ?ng sd:name ?name . ?name void:triples ?triples }"""
        )
    )
    names = {str(r[0]) for r in rows}
    assert STUERNER in names and VAN_HAASEN in names
    assert all(int(r[1]) > 0 for r in rows)
    formats = set(graph.objects(None, URIRef(SD + "resultFormat")))
    assert len(formats) == 10
    entities = {
        str(c): int(n)
        for c, n in graph.query(
            """PREFIX void: <http://rdfs.org/ns/void#>
            SELECT ?c ?n WHERE { ?d void:classPartition [ void:class ?c ; void:entities ?n ] }"""
        )
    }
    assert entities["https://w3id.org/glocal/ontology#Objective"] == 27


def test_browser_without_query_goes_to_the_ui(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


# ---------------------------------------------------------------- real clients


def test_sparqlwrapper_client(server) -> None:  # type: ignore[no-untyped-def]
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(
        "SELECT ?label WHERE { ?m org:member city:freetown ; org:organization ?o . ?o rdfs:label ?label }"
    )
    client.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in client.query().convert()["results"]["bindings"]}  # type: ignore[index]
    assert "Mayors Migration Council" in labels


def test_rdflib_sparqlstore_client(server) -> None:  # type: ignore[no-untyped-def]
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = SPARQLStore(server.url + "/sparql", returnFormat="json")
    graph = Graph(store=remote)
    rows = list(
        graph.query(
            "PREFIX gl: <https://w3id.org/glocal/ontology#> SELECT ?o WHERE { ?o a gl:Objective } "
        )
    )
    assert len(rows) == 27
    assert bool(graph.query(f"ASK {{ <{ID}city/freetown> ?p ?o }}").askAnswer)


def test_json_results_parse_as_json(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": COUNT_CITIES, "format": "json"})
    assert json.loads(response.text)["head"]["vars"] == ["n"]


def test_update_endpoint_is_off_by_default(client: httpx.Client) -> None:
    response = client.post(
        "/update", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 403 and "--enable-update" in response.text


def test_update_with_token_swaps_versions(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from glocal_api.app import Settings, create_app
    from tests.conftest import start_server, stop_server
    from tests.store.test_isolation import Listener

    # Its own handle on the same store: swapping closes the old handle, and the
    # session's shared store must stay open for the other tests.
    own = EmbeddedStore(store.path, store.version, workers=2)
    live = start_server(create_app(own, Settings(update_token="s3cret")))
    try:
        with live.client() as c:
            insert = "INSERT DATA { GRAPH <urn:test> { city:atlantis rdfs:label 'Atlantis' } }"
            headers = {"Content-Type": "application/sparql-update"}
            wrong = c.post(
                "/update", content=insert, headers={**headers, "Authorization": "Bearer no"}
            )
            assert wrong.status_code == 403
            bad = c.post(
                "/update", content="INSERT {", headers={**headers, "Authorization": "Bearer s3cret"}
            )
            assert bad.status_code == 400
            ok = c.post(
                "/update", content=insert, headers={**headers, "Authorization": "Bearer s3cret"}
            )
            assert ok.status_code == 200, ok.text
            ask = c.get(
                "/sparql", params={"query": "ASK { city:atlantis rdfs:label ?l }", "format": "json"}
            )
            assert ask.json()["boolean"] is True
            # LOAD fetched any URL from the server's process; now it is refused.
            listener = Listener()
            try:
                load = c.post(
                    "/update",
                    content=f"LOAD <{listener.url}> INTO GRAPH <urn:loaded>",
                    headers={**headers, "Authorization": "Bearer s3cret"},
                )
                assert load.status_code == 403 and "--federation-allow" in load.text
                assert listener.hits == 0
            finally:
                listener.close()
            # The default graph is the merge of the named graphs: writing into it is a 400.
            direct = c.post(
                "/update",
                content="INSERT DATA { city:atlantis rdfs:label 'Atlantide' }",
                headers={**headers, "Authorization": "Bearer s3cret"},
            )
            assert direct.status_code == 400 and "named graph" in direct.text
    finally:
        stop_server(live)
    # The shared store (the old version) was not changed.
    assert not bool(store.query("ASK { city:atlantis rdfs:label ?l }"))


SPARQLWRAPPER_FORMATS = ["json", "xml", "turtle", "n3", "rdf", "rdf+xml", "json-ld", "csv", "tsv"]


@pytest.mark.parametrize("return_format", SPARQLWRAPPER_FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT WHERE { <https://w3id.org/glocal/id/city/freetown> ?p ?o }",
        "DESCRIBE <https://w3id.org/glocal/id/city/freetown>",
        "ASK { <https://w3id.org/glocal/id/city/freetown> ?p ?o }",
    ],
    ids=["construct", "describe", "ask"],
)
def test_sparqlwrapper_reads_every_form_in_every_return_format(
    server: LiveServer, query: str, return_format: str
) -> None:
    """SPARQLWrapper sends format= beside Accept; the answer must be one it can read."""
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    result = client.query()
    converted = result.convert()
    assert converted is not None
    if query.startswith("ASK"):
        if isinstance(converted, dict):
            assert converted["boolean"] is True
    else:
        assert len(converted) if hasattr(converted, "__len__") else converted
