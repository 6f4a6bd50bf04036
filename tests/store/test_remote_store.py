"""RemoteStore against a real Virtuoso server: the same answers as the embedded store,
the same errors, and reloads that readers see whole or not at all."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)
from pyoxigraph import Dataset as RdfDataset

from glocal.canned import QUERIES_DIR
from glocal.dataset import Dataset, curated_files, load_files
from glocal.namespaces import ID, XSD
from glocal.store import EmbeddedStore, ParsedQuery, QueryResult, parse_query
from glocal.store.errors import QuerySyntaxError, QueryTimeout, StoreUnavailable
from glocal.store.http import ResponseBody
from glocal.store.remote import META_GRAPH, RemoteStore
from glocal.store.virtuoso import VirtuosoServer

pytestmark = pytest.mark.virtuoso

NETWORK_SIZES = """
SELECT ?org (COUNT(?m) AS ?n) WHERE { ?m <http://www.w3.org/ns/org#memberOf> ?org }
GROUP BY ?org ORDER BY DESC(?n)
"""
INTEGER_SUBTYPES = {
    XSD + name
    for name in [
        "positiveInteger",
        "nonNegativeInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

# Queries whose answers are fully defined by SPARQL (no SAMPLE, no GROUP_CONCAT order):
# both engines must give exactly the same rows.
SELECTS = [
    NETWORK_SIZES,
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class",
    "SELECT ?city ?label WHERE { ?city a gl:City ; rdfs:label ?label }",
    """SELECT ?source ?city ?org ?quote WHERE {
         GRAPH ?source { ?m org:member ?city ; org:organization ?org ; gl:quote ?quote } }""",
    """SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(CONTAINS(STR(?label), "ü")) }""",
    """SELECT ?d ?y WHERE { ?d gl:year ?y FILTER(?y >= "2019"^^xsd:gYear) }""",
    """SELECT ?city (COUNT(DISTINCT ?org) AS ?n) WHERE {
         ?city a gl:City OPTIONAL { ?city org:memberOf ?org } }
       GROUP BY ?city HAVING (COUNT(DISTINCT ?org) > 1)""",
    # A prefix of the query's own, and blank nodes (the memberships) in the results.
    "PREFIX o: <http://www.w3.org/ns/org#> SELECT ?m ?city WHERE { ?m o:member ?city }",
]
CONSTRUCTS = [
    "CONSTRUCT { ?city rdfs:label ?label } WHERE { ?city a gl:City ; rdfs:label ?label }",
    # Reified statements: blank nodes, compared up to their labels.
    """CONSTRUCT { ?st ?p ?o } WHERE {
         GRAPH <https://w3id.org/glocal/id/source/stuerner-2020> { ?st rdf:subject ?s ; ?p ?o } }""",
]


@pytest.fixture
def remote(virtuoso: VirtuosoServer, dataset: Dataset) -> Iterator[RemoteStore]:
    """The curated graph in Virtuoso, loaded again if an earlier test changed it."""
    store = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    yield store
    store.close()


def _term(term: object) -> str:
    # Blank node labels are the engine's own; only their place in a row is compared.
    return "_:" if isinstance(term, BlankNode) else str(term)


def _rows(result: QueryResult) -> list[tuple[str, ...]]:
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted(tuple(_term(row[name]) for name in names) for row in result)


def _canonical(statements: Iterable[Triple | Quad]) -> set[Quad]:
    """Quads with blank nodes relabelled canonically: equal sets mean isomorphic data."""
    dataset = RdfDataset(
        s if isinstance(s, Quad) else Quad(s.subject, s.predicate, s.object) for s in statements
    )
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.mark.parametrize("sparql", SELECTS)
def test_select_gives_the_embedded_answers(
    sparql: str, remote: RemoteStore, store: EmbeddedStore
) -> None:
    expected = _rows(store.query(sparql))
    assert expected, "a comparison on no rows proves nothing"
    assert _rows(remote.query(sparql)) == expected


@pytest.mark.parametrize("sparql", CONSTRUCTS)
def test_construct_gives_the_embedded_triples(
    sparql: str, remote: RemoteStore, store: EmbeddedStore
) -> None:
    expected = _canonical(store.query(sparql))
    assert expected
    assert _canonical(remote.query(sparql)) == expected


def test_ask(remote: RemoteStore) -> None:
    assert isinstance(remote.query("ASK { ?c a gl:City }"), QueryBoolean)
    assert bool(remote.query("ASK { ?c a gl:City }"))
    assert not bool(remote.query("ASK { ?c a gl:NoSuchClass }"))


def test_the_engine_holds_exactly_the_dataset(remote: RemoteStore, dataset: Dataset) -> None:
    got = []
    for graph in remote.named_graphs():
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        triples = remote.query(construct)
        got += [Quad(t.subject, t.predicate, t.object, NamedNode(graph)) for t in triples]
    assert _canonical(got) == _canonical(_as_virtuoso_stores(q) for q in dataset.quads)


def _as_virtuoso_stores(quad: Quad) -> Quad:
    """Virtuoso keeps the value of an xsd:integer subtype but not its datatype."""
    term = quad.object
    if isinstance(term, Literal) and term.datatype.value in INTEGER_SUBTYPES:
        term = Literal(term.value, datatype=NamedNode(XSD + "integer"))
    return Quad(quad.subject, quad.predicate, term, quad.graph_name)


def test_engine_and_bookkeeping_graphs_stay_hidden(
    virtuoso: VirtuosoServer, remote: RemoteStore, store: EmbeddedStore
) -> None:
    # Without a dataset in the request, Virtuoso's default graph holds its system graphs.
    system = "ASK { ?s a <http://www.openlinksw.com/schemas/virtrdf#QuadMap> }"
    answer = httpx.post(virtuoso.endpoint, data={"query": system}, headers={"Accept": "text/csv"})
    assert answer.text.split()[-1] == "1"  # true, in Virtuoso's CSV
    assert not bool(remote.query(system))
    assert not bool(remote.query(f"ASK {{ <{META_GRAPH}> ?p ?o }}"))
    assert remote.named_graphs() == store.named_graphs()


def test_dataset_restriction(remote: RemoteStore, store: EmbeddedStore) -> None:
    graphs = store.named_graphs()
    one, two = graphs[0], graphs[-1]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for options in (
        {"default_graphs": [one]},
        {"default_graphs": [one, two]},
        {"named_graphs": [two]},
        {"default_graphs": [two], "named_graphs": [one]},
    ):
        assert _rows(remote.query(count, **options)) == _rows(store.query(count, **options))
        assert _rows(remote.query(per_graph, **options)) == _rows(store.query(per_graph, **options))


def test_every_canned_query_runs_with_as_many_rows(
    remote: RemoteStore, store: EmbeddedStore
) -> None:
    # Canned queries use SAMPLE and GROUP_CONCAT, whose values engines may choose
    # differently; the rows themselves must be the same in number.
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert files
    for path in files:
        sparql = path.read_text()
        assert len(_rows(remote.query(sparql))) == len(_rows(store.query(sparql))), path.name


def _stream(store: RemoteStore | EmbeddedStore, sparql: str, media_type: str) -> bytes:
    return b"".join(store.stream(parse_query(sparql), media_type=media_type, timeout=30))


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_stream_results(
    media_type: str, fmt: QueryResultsFormat, remote: RemoteStore, store: EmbeddedStore
) -> None:
    sparql = SELECTS[5]  # language-tagged and non-ASCII literals, several graphs
    got = _rows(parse_query_results(_stream(remote, sparql, media_type), fmt))
    assert got == _rows(parse_query_results(_stream(store, sparql, media_type), fmt))
    ask = "ASK { ?c a gl:City }"
    assert _stream(remote, ask, media_type) == _stream(store, ask, media_type)


def test_stream_many_blank_nodes(remote: RemoteStore, store: EmbeddedStore) -> None:
    # A response of many network reads, with Virtuoso's blank node labels on the way.
    sparql = "SELECT ?statement ?p ?o WHERE { ?statement rdf:subject ?s ; ?p ?o }"
    media_type = "application/sparql-results+json"
    got = _stream(remote, sparql, media_type)
    expected = _stream(store, sparql, media_type)
    assert len(got) > 500_000
    fmt = QueryResultsFormat.JSON
    assert _rows(parse_query_results(got, fmt)) == _rows(parse_query_results(expected, fmt))


def test_blank_node_labels_split_across_reads() -> None:
    xml = (
        b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
        b'</head><results><result><binding name="x"><bnode>nodeID://b1</bnode></binding>'
        b"</result></results></sparql>"
    )
    for cut in range(1, len(xml)):
        response = httpx.Response(200, content=iter([xml[:cut], xml[cut:]]))
        body = ResponseBody(response, virtuoso_bnodes=True)
        (row,) = list(parse_query_results(body, QueryResultsFormat.XML))
        assert row["x"] == BlankNode("b1")


def test_stream_csv(remote: RemoteStore, store: EmbeddedStore) -> None:
    # The same serializer writes both: the bytes are the same up to the order of rows.
    sparql = SELECTS[5]
    got = _stream(remote, sparql, "text/csv").split(b"\r\n")
    expected = _stream(store, sparql, "text/csv").split(b"\r\n")
    assert got[0] == expected[0] == b"source,city,org,quote"
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [("text/turtle", RdfFormat.TURTLE), ("application/n-triples", RdfFormat.N_TRIPLES)],
)
def test_stream_graphs(
    media_type: str, fmt: RdfFormat, remote: RemoteStore, store: EmbeddedStore
) -> None:
    for sparql in CONSTRUCTS:
        got = _canonical(parse(_stream(remote, sparql, media_type), fmt))
        expected = _canonical(parse(_stream(store, sparql, media_type), fmt))
        assert got == expected
    turtle = _stream(remote, CONSTRUCTS[0], "text/turtle")
    assert b"@prefix gl: <https://w3id.org/glocal/ontology#>" in turtle


def test_syntax_errors(remote: RemoteStore) -> None:
    # query() parses locally (Oxigraph's messages); stream() reports the engine's, here
    # for a query that did not go through parse_query (as if Oxigraph had accepted it).
    with pytest.raises(QuerySyntaxError):
        remote.query("SELEKT * WHERE { ?s ?p ?o }")
    # The prefixes glocal declares for the engine leave the line numbers alone.
    malformed = ParsedQuery("SELECT *\nWHERE\n{ ?s ?p }", "SELECT")
    with pytest.raises(QuerySyntaxError, match="line 3"):
        remote.stream(malformed, media_type="text/csv", timeout=10)
    assert bool(remote.query("ASK {}"))


def test_runaway_query_is_stopped(remote: RemoteStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        remote.stream(
            parse_query(RUNAWAY), media_type="application/sparql-results+json", timeout=1.0
        )
    assert time.monotonic() - started < 3
    # The engine stopped it too: the next queries are answered at once.
    started = time.monotonic()
    assert bool(remote.query("ASK {}"))
    assert _rows(remote.query(NETWORK_SIZES))
    assert time.monotonic() - started < 5


def test_a_query_gets_a_limit_of_its_own(
    virtuoso: VirtuosoServer, dataset: Dataset, store: EmbeddedStore
) -> None:
    """A store opened with a long limit (as the bench opens one, to load a large graph)
    still stops a query at the shorter limit the query is given, and names it."""
    remote = RemoteStore.open(
        dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store, timeout=120.0
    )
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"limit was 1\.5 s"):
            remote.query(RUNAWAY, timeout=1.5)
        # Stopped by its own limit, long before the store's.
        assert time.monotonic() - started < 30
        assert remote.timeout == 120.0
        # The engine stopped it too: the next query on the same store is answered.
        assert _rows(remote.query(NETWORK_SIZES, timeout=10)) == _rows(store.query(NETWORK_SIZES))
    finally:
        remote.close()


def test_engine_down_and_back(virtuoso: VirtuosoServer, remote: RemoteStore) -> None:
    before = _rows(remote.query(NETWORK_SIZES))
    failure: list[BaseException] = []

    def runaway() -> None:
        try:
            list(remote.stream(parse_query(RUNAWAY), media_type="text/csv", timeout=30))
        except BaseException as err:
            failure.append(err)

    reader = threading.Thread(target=runaway)
    try:
        reader.start()
        time.sleep(1.0)
        virtuoso.kill()  # goes away mid-query
        reader.join(10)
        assert failure and isinstance(failure[0], StoreUnavailable)
        with pytest.raises(StoreUnavailable):
            remote.query("ASK {}")
        with pytest.raises(StoreUnavailable):
            remote.stream(parse_query("ASK {}"), media_type="text/csv", timeout=5)
    finally:
        virtuoso.start()
    assert _rows(remote.query(NETWORK_SIZES)) == before


def test_a_running_store_notices_data_the_engine_lost(
    virtuoso: VirtuosoServer, remote: RemoteStore, dataset: Dataset
) -> None:
    """Once a request found the engine gone, the next one recounts each graph against
    its count at load: an engine that came back short is not answered from, on every
    request, until a start loads the data again."""
    graph = f"{ID}source/stuerner-2020"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert graph in remote.named_graphs()
    virtuoso.isql("checkpoint;")  # so that the kill itself loses nothing
    virtuoso.kill()
    try:
        with pytest.raises(StoreUnavailable):
            remote.query("ASK {}")
    finally:
        virtuoso.start()
    # Stands in for a crash that lost part of a load: triples gone behind glocal's back.
    gone = f"GRAPH <{graph}> {{ ?s {label} ?o }}"
    response = httpx.post(virtuoso.endpoint, data={"update": f"DELETE WHERE {{ {gone} }}"})
    assert response.status_code == 200, response.text
    short = rf"without part of glocal's data \({re.escape(graph)}: \d+ of \d+ triples\)"
    for _ in range(2):
        with pytest.raises(StoreUnavailable, match=short):
            remote.query("ASK {}")
    with pytest.raises(StoreUnavailable, match="restart glocal serve to load it again"):
        remote.stream(parse_query("ASK {}"), media_type="text/csv", timeout=5)
    again = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    try:
        assert bool(again.query(f"ASK {{ {gone} }}"))
    finally:
        again.close()


def test_restart_knows_the_version(
    virtuoso: VirtuosoServer, remote: RemoteStore, dataset: Dataset
) -> None:
    fresh = RemoteStore(virtuoso.endpoint)
    try:
        assert fresh.version == dataset.version
        assert fresh.named_graphs() == remote.named_graphs()
    finally:
        fresh.close()
    # open() on the same version loads nothing: a triple added behind its back to the
    # bookkeeping graph stays (one added to a data graph would change its count, which
    # open() checks: see test_a_load_the_engine_lost_is_loaded_again).
    extra = f"GRAPH <{META_GRAPH}> {{ <urn:x:s> <urn:x:p> <urn:x:o> }}"
    response = httpx.post(virtuoso.endpoint, data={"update": f"INSERT DATA {{ {extra} }}"})
    assert response.status_code == 200, response.text
    again = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    try:
        assert bool(again.query(f"ASK {{ {extra} }}", named_graphs=[META_GRAPH]))
        again.load(dataset)  # an explicit load replaces the bookkeeping graph
        assert not bool(again.query(f"ASK {{ {extra} }}", named_graphs=[META_GRAPH]))
    finally:
        again.close()


def test_a_load_the_engine_lost_is_loaded_again(
    virtuoso: VirtuosoServer, dataset: Dataset, store: EmbeddedStore
) -> None:
    """Virtuoso killed before its next checkpoint was seen to come back with the new
    version recorded and part of the load missing; open() counts each graph's triples
    against those recorded at load, and loads again."""
    half = dataclasses.replace(dataset, quads=dataset.quads[::2], version="half")
    remote = RemoteStore.open(half, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    remote.load(dataset)
    remote.close()
    virtuoso.kill()
    virtuoso.start()
    remote = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    try:
        per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        for sparql in (per_graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
            assert _rows(remote.query(sparql)) == _rows(store.query(sparql))
    finally:
        remote.close()


def test_reload_is_all_or_nothing(remote: RemoteStore, dataset: Dataset) -> None:
    # The other dataset lacks the last file's graph and has a different version.
    other = load_files(curated_files()[:-1])
    assert set(remote.named_graphs()) > {q.graph_name.value for q in other.quads}
    # One query, so that both numbers describe the same moment.
    sparql = """SELECT ?triples ?graphs WHERE {
        { SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o } }
        { SELECT (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } } } }"""

    def counts() -> tuple[int, int]:
        result = remote.query(sparql)
        assert isinstance(result, QuerySolutions)
        (row,) = list(result)
        return int(row["triples"].value), int(row["graphs"].value)

    new = counts()
    remote.load(other)
    assert remote.version == other.version
    old = counts()
    assert old != new
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(counts())

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for replacement in (dataset, other, dataset):
            time.sleep(0.2)
            remote.load(replacement)
    finally:
        stop.set()
        for reader in readers:
            reader.join(30)
    assert len(seen) > 10
    assert set(seen) <= {old, new}, sorted(set(seen) - {old, new})
    assert counts() == new
    assert remote.version == dataset.version


def test_a_cut_result_is_an_error(
    tmp_path: Path, virtuoso: VirtuosoServer, dataset: Dataset
) -> None:
    # Virtuoso cuts a SELECT at ResultSetMaxRows and says so only in a header.
    small = VirtuosoServer(tmp_path, max_rows=100)
    small.start(timeout=60)
    try:
        small.grant_updates()
        store = RemoteStore.open(dataset, small.endpoint, graph_store_url=small.graph_store)
        try:
            assert len(_rows(store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 99"))) == 99
            with pytest.raises(RuntimeError, match="cut the result at 100 rows"):
                store.query("SELECT * WHERE { ?s ?p ?o }")
        finally:
            store.close()
    finally:
        small.stop()


def test_blank_node_in_two_graphs_is_refused(remote: RemoteStore, dataset: Dataset) -> None:
    shared = BlankNode()
    quads = [
        Quad(shared, NamedNode("urn:x:p"), Literal(str(i)), NamedNode(f"urn:x:g{i}"))
        for i in range(2)
    ]
    with pytest.raises(ValueError, match="two graphs"):
        remote.load(Dataset(quads, (), "x", {}))
    assert remote.version == dataset.version


def test_load_through_authenticated_endpoints(virtuoso: VirtuosoServer, dataset: Dataset) -> None:
    # How a real Virtuoso is loaded: updates only behind digest authentication.
    store = RemoteStore(
        virtuoso.endpoint,
        update_url=f"{virtuoso.base_url}/sparql-auth",
        graph_store_url=f"{virtuoso.base_url}/sparql-graph-crud-auth",
        auth=httpx.DigestAuth("dba", "dba"),
    )
    try:
        store.load(dataset)
        assert store.version == dataset.version
        assert bool(store.query("ASK { ?c a gl:City }"))
    finally:
        store.close()
    anonymous = RemoteStore(
        virtuoso.endpoint, graph_store_url=f"{virtuoso.base_url}/sparql-graph-crud-auth"
    )
    try:
        with pytest.raises(RuntimeError, match="refused"):
            anonymous.load(dataset)
    finally:
        anonymous.close()


@pytest.mark.parametrize(
    "spelling",
    [
        "SELECT ?a WHERE {{ ?s <urn:p>* 1SERVICE <{url}> {{ ?x ?y ?a }} }}",
        "SELECT ?a WHERE {{ ?s <urn:p> 1.5SERVICE <{url}> {{ ?x ?y ?a }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <{url}#> SELECT * WHERE {{ SERVICE e:x {{ ?s ?p ?o }} }}",
        "ASK {{ SERVICE ?where {{ ?s ?p ?o }} }}",
    ],
)
def test_no_service_call_reaches_the_engine(
    remote: RemoteStore, spelling: str, tmp_path: Path
) -> None:
    """Virtuoso makes SERVICE calls itself, so glocal decides them on the parsed
    algebra before the query leaves: every spelling is refused and the listener is
    never reached (``1SERVICE`` once made Virtuoso call it)."""
    from glocal.store import FederationRefused, QuerySyntaxError
    from tests.store.test_isolation import Listener

    listener = Listener()
    try:
        with pytest.raises((FederationRefused, QuerySyntaxError)):
            query = remote.parse(spelling.format(url=listener.url), timeout=30)
            b"".join(remote.stream(query, media_type="text/csv", timeout=30))
        assert listener.hits == 0
    finally:
        listener.close()


def test_an_allowed_service_call_passes_the_check(remote: RemoteStore) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    parsed = remote.parse(query, federation=["http://127.0.0.1:9/sparql"], timeout=30)
    assert parsed.form == "SELECT"
