"""The default graph as the RDF merge of the named graphs.

SPARQL's default graph is a merge, so a triple stated by four sources is one answer,
not four; Oxigraph's union default graph is a bag union. So the store's own default
graph holds every named graph's triples, each once, built with the store and rebuilt
after each update.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import DefaultGraph, Quad, Store

from glocal.store.errors import DefaultGraphWrite

__all__ = ["merged", "remerge"]

_DEFAULT = (None, None, None, DefaultGraph())


def merged(quads: Iterable[Quad]) -> Iterator[Quad]:
    """The quads' triples in the default graph: the store adds them, and Oxigraph keeps
    each triple once, which makes the default graph the RDF merge of the named graphs.

    SPARQL's default graph is a merge, so a triple stated by four sources is one
    answer, not four (Oxigraph's union default graph is a bag union).

    >>> from pyoxigraph import Literal, NamedNode
    >>> a, p = NamedNode("urn:a"), NamedNode("urn:p")
    >>> quads = [Quad(a, p, Literal("x"), NamedNode(f"urn:g{i}")) for i in range(4)]
    >>> store = Store()
    >>> store.bulk_extend(merged(quads))
    >>> len(store)
    1
    """
    for quad in quads:
        if quad.graph_name != DefaultGraph():
            yield Quad(quad.subject, quad.predicate, quad.object, DefaultGraph())


def remerge(store: Store, *, before: Store) -> None:
    """After an update: refuse it if it wrote into the default graph, else merge the
    named graphs into the default graph again."""
    if set(store.quads_for_pattern(*_DEFAULT)) != set(before.quads_for_pattern(*_DEFAULT)):
        raise DefaultGraphWrite(
            "the update writes into the default graph, which is the merge of the named "
            "graphs: put the triples in a named graph, e.g. INSERT DATA { GRAPH <...> { ... } }"
        )
    store.clear_graph(DefaultGraph())
    store.bulk_extend(merged(list(store.quads_for_pattern(None, None, None, None))))
