"""The SPARQL service description (``sd:Service``) and VoID statistics of the dataset.

The statistics are counted by SPARQL through the store interface, so they are the
same for the embedded store and a remote engine; they are computed once per data
version and cached under the version alone, so a cache entry never keeps a store alive.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from glocal.formats import FORMAT_IRIS, JSON_LD, N_TRIPLES, RDF_XML, TURTLE
from glocal.namespaces import DCTERMS, RDF, XSD
from glocal.store import GraphStore, serialize_result

__all__ = ["MEDIA_TYPES", "DatasetStatistics", "dataset_statistics", "service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"

#: The formats the service description is served in.
MEDIA_TYPES = [TURTLE, JSON_LD, RDF_XML, N_TRIPLES]

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_PER_CLASS = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
                    (COUNT(DISTINCT ?p) AS ?properties) WHERE { GRAPH ?g { ?s ?p ?o } }"""
_CACHED_VERSIONS = 8


@dataclass(frozen=True)
class DatasetStatistics:
    """What VoID says about a data version: triples per graph, entities per class, totals."""

    version: str
    graphs: dict[str, int]
    classes: dict[str, int]
    triples: int
    subjects: int
    properties: int


_cache: OrderedDict[str, DatasetStatistics] = OrderedDict()
_cache_lock = threading.Lock()


def dataset_statistics(store: GraphStore) -> DatasetStatistics:
    """Triples per named graph, entities per class, and totals, for VoID.

    Counted once per data version; the cache holds the last few versions' numbers, never
    the stores.

    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> stats = dataset_statistics(store)
    >>> stats.classes["https://w3id.org/glocal/ontology#Objective"]
    27
    >>> store.close()
    """
    version = store.version
    with _cache_lock:
        if (cached := _cache.get(version)) is not None:
            _cache.move_to_end(version)
            return cached
    totals = _row(store, _TOTALS)
    stats = DatasetStatistics(
        version=version,
        graphs=_counts(store, _PER_GRAPH, "g"),
        classes=_counts(store, _PER_CLASS, "class"),
        triples=int(totals["triples"]),
        subjects=int(totals["subjects"]),
        properties=int(totals["properties"]),
    )
    with _cache_lock:
        _cache[version] = stats
        while len(_cache) > _CACHED_VERSIONS:
            _cache.popitem(last=False)
    return stats


def _solutions(store: GraphStore, sparql: str) -> QuerySolutions:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions), "a SELECT gives solutions"
    return result


def _counts(store: GraphStore, sparql: str, key: str) -> dict[str, int]:
    return {row[key].value: int(row["n"].value) for row in _solutions(store, sparql)}


def _row(store: GraphStore, sparql: str) -> dict[str, str]:
    solutions = _solutions(store, sparql)
    row = next(iter(solutions))
    return {variable.value: row[variable].value for variable in solutions.variables}


def _slug(iri: str) -> str:
    return hashlib.sha1(iri.encode()).hexdigest()[:12]


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def service_description(store: GraphStore, *, endpoint: str, media_type: str) -> bytes:
    """The ``sd:Service`` of an endpoint with a VoID description of its dataset.

    Parameters
    ----------
    store
        The store the endpoint serves.
    endpoint
        The endpoint's absolute URL (``sd:endpoint``).
    media_type
        One of :data:`MEDIA_TYPES`.
    """
    stats = dataset_statistics(store)
    a = NamedNode(RDF + "type")
    service = NamedNode(endpoint)
    dataset = BlankNode("dataset")
    default_graph = BlankNode("default-graph")
    triples = [
        Triple(service, a, NamedNode(SD + "Service")),
        Triple(service, NamedNode(SD + "endpoint"), service),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        # Federation is off unless an allow-list is configured, so it is not advertised.
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
        *(
            Triple(service, NamedNode(SD + "resultFormat"), NamedNode(iri))
            for iri in FORMAT_IRIS.values()
        ),
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, a, NamedNode(SD + "Dataset")),
        Triple(dataset, a, NamedNode(VOID + "Dataset")),
        Triple(dataset, NamedNode(VOID + "sparqlEndpoint"), service),
        Triple(dataset, NamedNode(VOID + "triples"), _integer(stats.triples)),
        Triple(dataset, NamedNode(VOID + "distinctSubjects"), _integer(stats.subjects)),
        Triple(dataset, NamedNode(VOID + "properties"), _integer(stats.properties)),
        Triple(dataset, NamedNode(DCTERMS + "hasVersion"), Literal(stats.version)),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default_graph),
        Triple(default_graph, a, NamedNode(SD + "Graph")),
        Triple(default_graph, NamedNode(VOID + "triples"), _integer(stats.triples)),
    ]
    for name, count in sorted(stats.graphs.items()):
        named = BlankNode("graph-" + _slug(name))
        graph = NamedNode(name)
        triples += [
            Triple(dataset, NamedNode(SD + "namedGraph"), named),
            Triple(named, a, NamedNode(SD + "NamedGraph")),
            Triple(named, NamedNode(SD + "name"), graph),
            Triple(named, NamedNode(SD + "graph"), graph),
            Triple(graph, a, NamedNode(SD + "Graph")),
            Triple(graph, a, NamedNode(VOID + "Dataset")),
            Triple(graph, NamedNode(VOID + "triples"), _integer(count)),
            Triple(dataset, NamedNode(VOID + "subset"), graph),
        ]
    for cls, count in sorted(stats.classes.items()):
        partition = BlankNode("class-" + _slug(cls))
        triples += [
            Triple(dataset, NamedNode(VOID + "classPartition"), partition),
            Triple(partition, NamedNode(VOID + "class"), NamedNode(cls)),
            Triple(partition, NamedNode(VOID + "entities"), _integer(count)),
        ]
    out = io.BytesIO()
    serialize_result(triples, out, media_type)
    return out.getvalue()
