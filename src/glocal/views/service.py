"""The SPARQL service description (``sd:Service``) and VoID statistics of the dataset.

The statistics are counted by SPARQL through the store interface, so they are the
same for the embedded store and a remote engine; they are computed once per data
version.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from glocal.formats import RDF_FORMATS, RESULTS_FORMATS
from glocal.store import GraphStore

__all__ = ["dataset_statistics", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
DCTERMS = Namespace("http://purl.org/dc/terms/")

_FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/trig": FORMATS.TriG,
    "application/n-quads": FORMATS["N-Quads"],
}

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_PER_CLASS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
                    (COUNT(DISTINCT ?p) AS ?properties) WHERE { GRAPH ?g { ?s ?p ?o } }"""


def dataset_statistics(store: GraphStore) -> dict[str, object]:
    """Triples per named graph, entities per class, and totals, for VoID.

    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> stats = dataset_statistics(store)
    >>> stats["classes"]["https://w3id.org/glocal/ontology#Objective"]
    27
    """
    return _statistics(store, store.version)


@lru_cache(maxsize=8)
def _statistics(store: GraphStore, version: str) -> dict[str, object]:
    graphs = {row["g"].value: int(row["n"].value) for row in store.query(_PER_GRAPH)}  # type: ignore[union-attr]
    classes = {row["class"].value: int(row["n"].value) for row in store.query(_PER_CLASS)}  # type: ignore[union-attr]
    totals = next(iter(store.query(_TOTALS)))  # type: ignore[arg-type]
    return {
        "version": version,
        "graphs": graphs,
        "classes": classes,
        "triples": int(totals["triples"].value),
        "subjects": int(totals["subjects"].value),
        "properties": int(totals["properties"].value),
    }


def _slug(iri: str) -> str:
    return hashlib.sha1(iri.encode()).hexdigest()[:12]


def service_description(store: GraphStore, *, endpoint: str, media_type: str) -> bytes:
    """The ``sd:Service`` of an endpoint with a VoID description of its dataset.

    Parameters
    ----------
    store
        The store the endpoint serves.
    endpoint
        The endpoint's absolute URL (``sd:endpoint``).
    media_type
        One of Turtle, JSON-LD, RDF/XML or N-Triples.
    """
    stats = dataset_statistics(store)
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    # Federation is off unless an allow-list is configured, so it is not advertised.
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for media in [*RESULTS_FORMATS, *RDF_FORMATS]:
        g.add((service, SD.resultFormat, _FORMAT_IRIS[media]))

    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, service))
    g.add((dataset, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(stats["properties"], datatype=XSD.integer)))
    g.add((dataset, DCTERMS.hasVersion, Literal(stats["version"])))
    default_graph = BNode("default-graph")
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((default_graph, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    for name, count in sorted(stats["graphs"].items()):  # type: ignore[attr-defined]
        named = BNode("graph-" + _slug(name))
        graph_node = URIRef(name)
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, graph_node))
        g.add((named, SD.graph, graph_node))
        g.add((graph_node, RDF.type, SD.Graph))
        g.add((graph_node, RDF.type, VOID.Dataset))
        g.add((graph_node, VOID.triples, Literal(count, datatype=XSD.integer)))
        g.add((dataset, VOID.subset, graph_node))
    for cls, count in sorted(stats["classes"].items()):  # type: ignore[attr-defined]
        partition = BNode("class-" + _slug(cls))
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    fmt = {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
        "application/n-triples": "nt",
    }[media_type]
    return g.serialize(format=fmt, encoding="utf-8")
