"""Counts that describe the graph: triples, graphs, entities per class, facts, quotes.

``glocal validate`` prints them for a dataset that passed its checks.
"""

from __future__ import annotations

from pyoxigraph import QuerySolutions, Store

from glocal.dataset import Dataset
from glocal.namespaces import PREFIXES

__all__ = ["COUNTS_QUERY", "count_entities", "format_counts"]

COUNTS_QUERY = """
SELECT ?label (COUNT(DISTINCT ?x) AS ?n) WHERE {
  {
    VALUES (?class ?label) {
      (gl:City "cities") (gl:Country "countries") (gl:Organisation "organisations")
      (gl:CityNetwork "city networks") (gl:Document "documents and declarations")
      (gl:Declaration "declarations") (gl:Event "events") (gl:EventSeries "event series")
      (gl:Commitment "commitments and pledges") (gl:Pledge "pledges") (gl:Person "people")
      (gl:Objective "compact objectives") (gl:Source "sources")
    }
    ?x a/rdfs:subClassOf* ?class .
  } UNION {
    ?x a org:Membership . BIND("memberships" AS ?label)
  } UNION {
    ?x a rdf:Statement . BIND("statements" AS ?label)
  } UNION {
    ?x gl:quote ?q . BIND("quoted facts" AS ?label)
  }
} GROUP BY ?label
"""


def count_entities(store: Store) -> dict[str, int]:
    """Entity and fact counts of an Oxigraph store, keyed by a plain-English label."""
    rows = store.query(COUNTS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions), "a SELECT gives solutions"
    counts = {row["label"].value: int(row["n"].value) for row in rows}
    counts["triples"] = len(store)
    counts["named graphs"] = sum(1 for _ in store.named_graphs())
    return counts


def format_counts(dataset: Dataset) -> str:
    """Count a parsed dataset's entities and facts, as a plain-text table.

    >>> from glocal.dataset import curated_files, load_files
    >>> print(format_counts(load_files(curated_files())))  # doctest: +ELLIPSIS
    glocal graph ...: conforms to the SHACL shapes
      cities ...
    """
    store = Store()
    store.bulk_extend(dataset.quads)
    counts = count_entities(store)
    lines = [f"glocal graph {dataset.version}: conforms to the SHACL shapes"]
    lines += [f"  {name:28} {value:>7}" for name, value in sorted(counts.items())]
    return "\n".join(lines)
