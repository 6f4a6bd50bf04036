"""The default graph is the RDF merge of the named graphs: each triple once."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions

from glocal.store import DefaultGraphWrite, EmbeddedStore


def _rows(store: EmbeddedStore, sparql: str) -> list[tuple[str, ...]]:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(str(row[n]) for n in names) for row in result]


def test_a_triple_stated_by_several_sources_is_one_answer(store: EmbeddedStore) -> None:
    sources = _rows(store, "SELECT ?g WHERE { GRAPH ?g { city:bristol rdfs:label 'Bristol'@en } }")
    assert len(sources) > 1, "the test needs a triple that several sources state"
    rows = _rows(store, "SELECT ?l WHERE { city:bristol rdfs:label ?l }")
    assert len(rows) == len(set(rows))  # it was four identical rows


def test_count_star_counts_distinct_triples(store: EmbeddedStore) -> None:
    (count,) = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    (distinct,) = _rows(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }",
    )
    (stated,) = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert count == distinct
    assert int(stated[0].split('"')[1]) > int(count[0].split('"')[1])
    assert len(store) == int(stated[0].split('"')[1])


def test_graph_patterns_see_only_named_graphs(store: EmbeddedStore) -> None:
    graphs = {g for (g,) in _rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")}
    assert graphs == {f"<{g}>" for g in store.named_graphs()}


def test_updates_keep_the_merge(store: EmbeddedStore) -> None:
    own = EmbeddedStore(store.path, store.version, workers=1)
    added = own.update("INSERT DATA { GRAPH <urn:test> { city:atlantis rdfs:label 'Atlantis' } }")
    removed = added.update(
        "DELETE DATA { GRAPH <urn:test> { city:atlantis rdfs:label 'Atlantis' } }"
    )
    try:
        assert bool(added.query("ASK { city:atlantis rdfs:label 'Atlantis' }"))
        assert not bool(removed.query("ASK { city:atlantis rdfs:label 'Atlantis' }"))
        with pytest.raises(DefaultGraphWrite, match="named graph"):
            own.update("INSERT DATA { city:atlantis rdfs:label 'Atlantis' }")
        with pytest.raises(DefaultGraphWrite):
            own.update("DELETE WHERE { city:bristol rdfs:label ?l }")
    finally:
        for version in (removed, added, own):
            version.close()
