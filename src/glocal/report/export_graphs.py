"""The graphs a network analyst exports: the bipartite city graph, or its city–city
projection (optionally only its backbone), with every measure on the nodes and the
sources and roles on the edges.

Pure functions from a graph, its ties and the report's cities to an annotated
networkx graph; :mod:`glocal.report.export` writes them (GEXF, GraphML, Pajek, CSV).
Attributes whose value is unknown are left out (GraphML and GEXF have no null).

Node attributes: ``kind``, ``label``, ``iri``, ``bipartite``, ``ties`` (its number of
edges in the exported graph); for cities also ``latitude`` and ``longitude`` (WGS84
degrees, the columns Gephi's GeoLayout reads), ``rank``, ``score``, ``listed``,
``core``, ``community`` and one attribute per measure (``degree`` is the report's
degree measure), and the uncertainty fields of :func:`uncertainty_attributes` when
given.
Edge attributes (bipartite): ``weight``, ``layer``, ``relations`` (the roles and
relations, ``;``-separated), ``sources`` (source IRIs) and ``source_labels``.
Edge attributes (projection): ``weight`` (Newman's collaboration weight),
``shared`` (how many nodes the two cities share) and ``shared_labels``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol, TypeAlias

import networkx as nx

from glocal.analysis.graph import Ties
from glocal.analysis.projection import projected_graph

__all__ = [
    "Attributes",
    "ExportCity",
    "UncertainCity",
    "annotated_graph",
    "projection_graph",
    "uncertainty_attributes",
]

Attributes: TypeAlias = Mapping[str, Mapping[str, bool | int | float | str]]


class ExportCity(Protocol):
    """What the export reads of a ranked city (:class:`~glocal.report.model.RankedCity`)."""

    @property
    def iri(self) -> str: ...

    @property
    def rank(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def listed(self) -> bool: ...

    @property
    def core(self) -> int: ...

    @property
    def community(self) -> int | None: ...

    @property
    def measures(self) -> Mapping[str, float]: ...


class UncertainCity(Protocol):
    """A ranked city with its uncertainty: the bootstrap and leave-one-source-out
    rank intervals, and the null model's z-score and p-value."""

    @property
    def iri(self) -> str: ...

    @property
    def rank_interval(self) -> tuple[int, int] | None: ...

    @property
    def loso_interval(self) -> tuple[int, int] | None: ...

    @property
    def z_score(self) -> float | None: ...

    @property
    def p_value(self) -> float | None: ...


def uncertainty_attributes(cities: Iterable[UncertainCity]) -> dict[str, dict[str, float | int]]:
    """Node attributes from each city's intervals and null-model test: ``rank_low``,
    ``rank_high``, ``loso_low``, ``loso_high``, ``z_score``, ``p_value`` (those known).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> city = SimpleNamespace(iri="c", rank_interval=(1, 3), loso_interval=None,
    ...                        z_score=2.5, p_value=0.01)
    >>> uncertainty_attributes([city])
    {'c': {'rank_low': 1, 'rank_high': 3, 'z_score': 2.5, 'p_value': 0.01}}
    """
    out: dict[str, dict[str, float | int]] = {}
    for city in cities:
        row: dict[str, float | int] = {}
        if city.rank_interval is not None:
            row["rank_low"], row["rank_high"] = city.rank_interval
        if city.loso_interval is not None:
            row["loso_low"], row["loso_high"] = city.loso_interval
        if city.z_score is not None:
            row["z_score"] = float(city.z_score)
        if city.p_value is not None:
            row["p_value"] = float(city.p_value)
        out[city.iri] = row
    return out


def annotated_graph(
    G: nx.Graph,
    ties: Ties,
    *,
    cities: Sequence[ExportCity] = (),
    extra: Attributes | None = None,
) -> nx.Graph:
    """A copy of the bipartite graph with coordinates, measures, sources and roles.

    Parameters
    ----------
    G
        The bipartite graph (:func:`~glocal.analysis.graph.bipartite_graph`).
    ties
        The ties it was built from (for coordinates, sources and their labels).
    cities
        The ranked cities (the report's), for rank, score and every measure.
    extra
        More node attributes by IRI, such as :func:`uncertainty_attributes`.

    Returns
    -------
    networkx.Graph
        The attributes listed in the module docstring. Cost: O(nodes + ties).

    Examples
    --------
    >>> from glocal.analysis.graph import City, Tie, bipartite_graph
    >>> ties = Ties(
    ...     cities={"c": City("c", "Milan", 45.46, 9.19)},
    ...     nodes={"n": ("organisation", "Eurocities")},
    ...     ties=(Tie("c", "n", "organisations", "Member", source="s"),),
    ...     labels={"s": "Bosch 2023"},
    ... )
    >>> H = annotated_graph(bipartite_graph(ties), ties)
    >>> H.nodes["c"]["latitude"], H["c"]["n"]["sources"], H["c"]["n"]["source_labels"]
    (45.46, 's', 'Bosch 2023')
    """
    H = G.copy()
    for iri, city in ties.cities.items():
        if iri in H and city.lat is not None and city.long is not None:
            H.nodes[iri]["latitude"] = float(city.lat)
            H.nodes[iri]["longitude"] = float(city.long)
    for node in H:
        H.nodes[node]["ties"] = H.degree(node)
    for c in cities:
        if c.iri not in H:
            continue
        data = H.nodes[c.iri]
        data.update(rank=c.rank, score=float(c.score), listed=c.listed, core=c.core)
        if c.community is not None:
            data["community"] = c.community
        data.update({name: float(value) for name, value in c.measures.items()})
    for iri, attributes in (extra or {}).items():
        if iri in H:
            H.nodes[iri].update(attributes)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for tie in ties.ties:
        if tie.source is not None and H.has_edge(tie.city, tie.target):
            sources[tie.city, tie.target].add(tie.source)
    for (u, v), found in sources.items():
        ordered = sorted(found)
        H.edges[u, v]["sources"] = ";".join(ordered)
        H.edges[u, v]["source_labels"] = ";".join(ties.labels.get(s, s) for s in ordered)
    return H


def projection_graph(
    H: nx.Graph, cities: Collection[str], *, keep: Iterable[tuple[str, str]] | None = None
) -> nx.Graph:
    """The city–city projection of an :func:`annotated_graph`, cities keeping their
    attributes; with ``keep``, only those city pairs (a backbone), all cities kept.

    Examples
    --------
    >>> H = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> nx.set_node_attributes(H, {n: n.upper() for n in H}, "label")
    >>> P = projection_graph(H, ["a", "b", "c"])
    >>> P["a"]["b"]["shared"], P["a"]["b"]["shared_labels"], P.nodes["a"]["label"]
    (1, 'X', 'A')
    >>> sorted(projection_graph(H, ["a", "b", "c"], keep=[("c", "b")]).edges())
    [('b', 'c')]
    """
    P = projected_graph(H, cities)
    for u, v, data in P.edges(data=True):
        common = sorted(nx.common_neighbors(H, u, v), key=str)
        data["shared"] = len(common)
        data["shared_labels"] = ";".join(str(H.nodes[n].get("label", n)) for n in common)
        del data["distance"]
    for node in P:
        P.nodes[node].update(H.nodes[node])
        P.nodes[node]["ties"] = P.degree(node)
    if keep is not None:
        wanted = {frozenset(pair) for pair in keep}
        P.remove_edges_from([(u, v) for u, v in P.edges() if frozenset((u, v)) not in wanted])
        for node in P:
            P.nodes[node]["ties"] = P.degree(node)
    return P
