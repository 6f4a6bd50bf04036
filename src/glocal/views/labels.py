"""Every label in the graph, by IRI, each with the graph that states it, per data version.

A resource page shows the labels of every term it mentions (predicates, values,
sources and their authors, roles and statuses). It takes them from this table, read
with one query once per data version, instead of a branch of its own query that looked
for them through eight patterns and took more than half of the query's time.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future
from functools import partial

from pyoxigraph import Literal, NamedNode, QuerySolutions

from glocal.namespaces import RDFS
from glocal.store import GraphStore
from glocal.store.versioned import VersionedCache

__all__ = ["Labels", "labels", "start_labels"]

#: IRI -> its labels, each with the graph that states it.
Labels = dict[str, tuple[tuple[Literal, NamedNode], ...]]

_ALL_LABELS = f"""SELECT ?x ?label ?g WHERE {{
  GRAPH ?g {{ ?x <{RDFS}label> ?label }} FILTER (isIRI(?x) && isLiteral(?label)) }}"""

_cache: VersionedCache[Labels] = VersionedCache(4)


def _all_labels(store: GraphStore) -> Labels:
    result = store.query(_ALL_LABELS)
    assert isinstance(result, QuerySolutions), "a SELECT gives solutions"
    found: dict[str, list[tuple[Literal, NamedNode]]] = defaultdict(list)
    for row in result:
        label, graph = row["label"], row["g"]
        assert isinstance(label, Literal) and isinstance(graph, NamedNode)
        found[row["x"].value].append((label, graph))
    return {iri: tuple(found_labels) for iri, found_labels in found.items()}


def labels(store: GraphStore) -> Labels:
    """Every IRI's labels in the store's data version (read once, then cached).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> mmc = labels(store)["https://w3id.org/glocal/id/org/mmc"]
    >>> sorted({text.value for text, _ in mmc}), len(mmc) > 1
    (['Mayors Migration Council'], True)
    >>> store.close()
    """
    return _cache.get(store.version, partial(_all_labels, store))


def start_labels(store: GraphStore) -> Future[Labels]:
    """Read the labels of the store's data version in a background thread (unless they
    are read or being read), so that the first resource page does not wait for them."""
    return _cache.start(store.version, partial(_all_labels, store))
