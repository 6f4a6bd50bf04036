"""How the city graph falls apart: its components, the cities with no tie, and the
cities whose removal splits the network (articulation points).

A ranking compares cities that can reach each other; the report therefore ranks only
cities with at least one tie, lists the isolated ones apart, and says how many cities
each component holds (:func:`components`). Articulation points are counted on the
city–city projection (two cities tied when they share a node), computed without
building it (:func:`articulation_cities`).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass

import networkx as nx

from glocal.analysis.centrality import check_cities

__all__ = ["Component", "articulation_cities", "components", "isolated_cities"]


@dataclass(frozen=True)
class Component:
    """A connected component of the bipartite graph with at least one tie.

    ``index`` numbers components from the largest (by cities, then nodes) down;
    ``cities`` are its cities, sorted; ``nodes`` counts all its nodes.
    """

    index: int
    cities: tuple[Hashable, ...]
    nodes: int


def isolated_cities(G: nx.Graph, cities: Collection[Hashable]) -> list[Hashable]:
    """The cities with no tie, sorted.

    Examples
    --------
    >>> G = nx.Graph([("a", "X")]); G.add_node("b")
    >>> isolated_cities(G, ["a", "b"])
    ['b']
    """
    top = check_cities(G, cities)
    return sorted((c for c in top if G.degree(c) == 0), key=str)


def components(G: nx.Graph, cities: Collection[Hashable]) -> list[Component]:
    """The components that hold a tie, largest first (isolated cities left out).

    Returns
    -------
    list of Component
        Ordered by number of cities, then nodes, then the first city's name. Cost:
        O(n + m).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "Y")]); G.add_node("d")
    >>> [(c.index, c.cities, c.nodes) for c in components(G, ["a", "b", "c", "d"])]
    [(0, ('a', 'b'), 3), (1, ('c',), 2)]
    """
    top = check_cities(G, cities)
    found = []
    for group in nx.connected_components(G):
        if len(group) < 2:
            continue
        members = tuple(sorted((n for n in group if n in top), key=str))
        found.append((members, len(group)))
    found.sort(key=lambda item: (-len(item[0]), -item[1], str(item[0][:1])))
    return [Component(i, members, size) for i, (members, size) in enumerate(found)]


def articulation_cities(G: nx.Graph, cities: Collection[Hashable]) -> list[Hashable]:
    """The cities whose removal leaves other cities of their component unable to reach
    each other: the articulation points of the city–city projection.

    A node tied to one city only cannot connect anything, so those are dropped first;
    then every component left after removing a city still holds a city (a remaining
    node has a tie to some other city), and the projection's articulation cities are
    exactly the cities among the articulation points of what is left (Hopcroft and
    Tarjan's algorithm, networkx). Cost: O(n + m), without building the projection.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("c", "Z")])
    >>> articulation_cities(G, ["a", "b", "c"])
    ['b']
    >>> sorted(nx.articulation_points(nx.bipartite.projected_graph(G, ["a", "b", "c"])))
    ['b']
    """
    top = check_cities(G, cities)
    shared = G.subgraph(n for n in G if n in top or G.degree(n) > 1)
    return sorted((n for n in nx.articulation_points(shared) if n in top), key=str)
