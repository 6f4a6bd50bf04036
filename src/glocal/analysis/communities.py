"""Cohesive groups in the city graph: k-cores and Louvain communities (networkx)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

import networkx as nx

from glocal.analysis.centrality import check_cities

__all__ = ["core_numbers", "louvain", "main_core"]


def core_numbers(G: nx.Graph) -> dict[Hashable, int]:
    """The core number of every node: the largest k with the node in the k-core.

    On the bipartite graph, a city in the k-core is tied to at least k nodes that are
    themselves tied to at least k cities of the core. Cost: O(m).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("a", "Y"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> core_numbers(G)["a"], core_numbers(G)["c"]
    (2, 1)
    """
    if nx.number_of_selfloops(G):
        G = G.copy()
        G.remove_edges_from(nx.selfloop_edges(G))
    return dict(nx.core_number(G))


def main_core(
    G: nx.Graph, cities: Collection[Hashable], *, cores: Mapping[Hashable, int] | None = None
) -> tuple[int, list[Hashable]]:
    """The cities of the main core (the k-core of largest k) and that k.

    ``cores`` are the graph's :func:`core_numbers`, when already computed.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("a", "Y"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> main_core(G, ["a", "b", "c"])
    (2, ['a', 'b'])
    """
    top = check_cities(G, cities)
    if cores is None:
        cores = core_numbers(G)
    k = max((cores[c] for c in top), default=0)
    return k, sorted((c for c in top if cores[c] == k), key=str)


def louvain(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 0,
) -> list[set[Hashable]]:
    """Louvain communities of the bipartite graph, largest (by cities) first.

    Each community mixes cities with the organisations, declarations, events and
    objectives that bind them. Isolated cities form singleton communities. Cost:
    about O(m log n).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "Y"), ("d", "Y")])
    >>> [sorted(c) for c in louvain(G, ["a", "b", "c", "d"])]
    [['X', 'a', 'b'], ['Y', 'c', 'd']]
    """
    top = check_cities(G, cities)
    found = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    return sorted(
        found,
        key=lambda group: (-sum(1 for n in group if n in top), -len(group), min(map(str, group))),
    )
