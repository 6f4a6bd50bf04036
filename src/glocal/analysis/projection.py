"""The city–city projection with Newman's collaboration weights, kept sparse.

Two cities are tied in the projection when they share a node of the other side (an
organisation, declaration, event or objective). Newman (2001) weighs each shared node
``p`` by ``1 / (k_p - 1)``, ``k_p`` being its number of cities, so that a node's
cities share one unit of tie strength each however large the node is:

    W = B D^-1 B^T,  D = diag(k_p - 1),  diagonal set to 0,

with ``B`` the city-by-node incidence matrix (0/1, or the edge weights with
``weight="weight"``). A network of 10,000 member cities would give 50 million pairs,
so nothing here builds the projection as a networkx clique graph unless asked:
:func:`strength` works on ``B`` alone in O(edges), and :func:`projection_matrix` and
:func:`projected_betweenness` refuse projections with more than ``max_pairs`` pairs
(:func:`projection_pairs` tells the size first, in O(nodes)).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable

import networkx as nx
import numpy as np
import scipy.sparse as sp

from glocal.analysis.centrality import check_cities

__all__ = [
    "DEFAULT_MAX_PAIRS",
    "ProjectionTooLarge",
    "incidence",
    "incidence_strength",
    "projected_betweenness",
    "projected_graph",
    "projection_matrix",
    "projection_pairs",
    "strength",
]

#: The largest projection (city pairs, counted per shared node) built by default.
DEFAULT_MAX_PAIRS = 2_000_000


class ProjectionTooLarge(ValueError):
    """The projection would have more city pairs than the limit allows."""


def incidence(
    G: nx.Graph, cities: Collection[Hashable], *, weight: str | None = None
) -> tuple[sp.csr_array, list[Hashable], list[Hashable]]:
    """The city-by-node incidence matrix ``B`` of the bipartite graph.

    Returns
    -------
    tuple
        ``(B, city_order, node_order)``; ``B[i, p]`` is 1 (or the edge's ``weight``
        attribute) when city ``i`` is tied to node ``p``. Cities keep the order given.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X")])
    >>> B, rows, cols = incidence(G, ["a", "b"])
    >>> B.toarray().tolist(), rows, cols
    ([[1.0], [1.0]], ['a', 'b'], ['X'])
    """
    top = check_cities(G, cities)
    rows = list(dict.fromkeys(cities))
    cols = [node for node in G if node not in top]
    row_index = {c: i for i, c in enumerate(rows)}
    col_index = {p: j for j, p in enumerate(cols)}
    r, c, values = [], [], []
    for u, v, data in G.edges(data=True):
        city, other = (u, v) if u in top else (v, u)
        r.append(row_index[city])
        c.append(col_index[other])
        values.append(1.0 if weight is None else float(data.get(weight, 1.0)))
    B = sp.csr_array(
        (
            np.asarray(values, dtype=float),
            (np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)),
        ),
        shape=(len(rows), len(cols)),
    )
    return B, rows, cols


def _inverse_sizes(B: sp.csr_array) -> np.ndarray:
    k: np.ndarray = np.diff(B.tocsc().indptr).astype(float)
    inverse = np.zeros_like(k)
    shared = k > 1
    inverse[shared] = 1.0 / (k[shared] - 1.0)
    return inverse


def projection_pairs(G: nx.Graph, cities: Collection[Hashable]) -> int:
    """How many city pairs the projection sums over: ``sum_p k_p (k_p - 1)``.

    This bounds the number of stored entries of :func:`projection_matrix`. Cost: O(n).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "X"), ("c", "Y")])
    >>> projection_pairs(G, ["a", "b", "c"])
    6
    """
    top = check_cities(G, cities)
    # The graph is bipartite, so every neighbour of a non-city node is a city.
    return sum(k * (k - 1) for node, k in G.degree() if node not in top)


def projection_matrix(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    weight: str | None = None,
    max_pairs: int | None = DEFAULT_MAX_PAIRS,
) -> tuple[sp.csr_array, list[Hashable]]:
    """Newman's weighted city–city projection ``W = B D^-1 B^T`` as a sparse matrix.

    Parameters
    ----------
    G, cities
        The bipartite graph and every city node.
    weight
        ``None`` for Newman's 0/1 incidence; an edge attribute to weigh ties by it.
    max_pairs
        Refuse projections summing over more city pairs (see
        :func:`projection_pairs`); ``None`` for no limit.

    Returns
    -------
    tuple
        ``(W, city_order)``: a symmetric CSR matrix with a zero diagonal. Cost:
        O(sum_p k_p^2) time and memory.

    Raises
    ------
    ProjectionTooLarge
        If the projection is larger than ``max_pairs``.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "X"), ("c", "Y"), ("d", "Y")])
    >>> W, order = projection_matrix(G, ["a", "b", "c", "d"])
    >>> W.toarray().tolist()
    [[0.0, 0.5, 0.5, 0.0], [0.5, 0.0, 0.5, 0.0], [0.5, 0.5, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]
    """
    if max_pairs is not None:
        pairs = projection_pairs(G, cities)
        if pairs > max_pairs:
            raise ProjectionTooLarge(
                f"the projection would sum over {pairs:,} city pairs, more than "
                f"max_pairs={max_pairs:,}; use strength() or raise max_pairs"
            )
    B, rows, _ = incidence(G, cities, weight=weight)
    W = sp.csr_array(B @ sp.diags_array(_inverse_sizes(B)) @ B.T)
    W.setdiag(0)
    W.eliminate_zeros()
    W.sort_indices()
    return W, rows


def projected_graph(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    weight: str | None = None,
    max_pairs: int | None = DEFAULT_MAX_PAIRS,
) -> nx.Graph:
    """The projection as a networkx graph with ``weight`` and ``distance = 1 / weight``.

    Same numbers as ``networkx.bipartite.collaboration_weighted_projected_graph`` for
    ``weight=None``; isolated cities are kept. Cost: that of
    :func:`projection_matrix`, plus a Python object per edge.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "X")])
    >>> P = projected_graph(G, ["a", "b", "c"])
    >>> P["a"]["b"]["weight"], P["a"]["b"]["distance"]
    (0.5, 2.0)
    """
    W, order = projection_matrix(G, cities, weight=weight, max_pairs=max_pairs)
    P = nx.Graph()
    P.add_nodes_from(order)
    upper = sp.triu(W, k=1).tocoo()
    P.add_edges_from(
        (order[i], order[j], {"weight": float(w), "distance": 1.0 / float(w)})
        for i, j, w in zip(upper.row, upper.col, upper.data, strict=True)
    )
    return P


def strength(
    G: nx.Graph, cities: Collection[Hashable], *, weight: str | None = None
) -> dict[Hashable, float]:
    """Weighted degree of each city in the projection, without building it.

    ``s_i = sum_j W_ij = sum_p b_ip (sum_j b_jp - b_ip) / (k_p - 1)``: one pass over
    the incidence matrix. With ``weight=None`` it counts the shared nodes that have at
    least one other city. Cost: O(edges).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "X"), ("c", "Y"), ("d", "Y")])
    >>> strength(G, ["a", "b", "c", "d"])
    {'a': 1.0, 'b': 1.0, 'c': 2.0, 'd': 1.0}
    """
    B, rows, _ = incidence(G, cities, weight=weight)
    totals = incidence_strength(B)
    return {city: float(totals[i]) for i, city in enumerate(rows)}


def incidence_strength(B: sp.csr_array) -> np.ndarray:
    """:func:`strength` from a city-by-node incidence matrix (rows are cities).

    >>> incidence_strength(sp.csr_array([[1.0], [1.0], [1.0]])).tolist()
    [1.0, 1.0, 1.0]
    """
    inverse = _inverse_sizes(B)
    column_sums = np.asarray(B.sum(axis=0)).ravel()
    # B @ (inverse * column_sums) counts each city with itself; remove b_ip^2 / (k_p - 1).
    totals: np.ndarray = B @ (inverse * column_sums) - (B.multiply(B)) @ inverse
    clipped: np.ndarray = np.clip(totals, 0.0, None)
    return clipped


def projected_betweenness(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    weight: str | None = "weight",
    max_pairs: int | None = DEFAULT_MAX_PAIRS,
) -> dict[Hashable, float]:
    """Weighted betweenness of each city in the projection, distances ``1 / W_ij``.

    A strong tie is a short one. Normalised by networkx over city pairs. Cost:
    O(n_cities * e log n) on top of :func:`projected_graph`, in Python, so keep
    ``max_pairs`` modest.

    Raises
    ------
    ProjectionTooLarge
        If the projection is larger than ``max_pairs``.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> projected_betweenness(G, ["a", "b", "c"])["b"]
    1.0
    """
    P = projected_graph(G, cities, weight=weight, max_pairs=max_pairs)
    return dict(nx.betweenness_centrality(P, weight="distance", normalized=True))
