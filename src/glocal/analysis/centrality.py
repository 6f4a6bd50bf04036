"""Centrality of the nodes of the bipartite city graph.

networkx is the reference implementation. Betweenness and harmonic closeness run, by
default and at every graph size, on compiled engines that give the same numbers (tests
check them against networkx); they live in :mod:`glocal.analysis.engines`:

- ``"rustworkx"``: rustworkx's parallel Brandes betweenness (Brandes 2001), in Rust on
  every core, rescaled to networkx's bipartite normalisation (rustworkx has no harmonic
  closeness: the sparse engine runs). It holds Python's interpreter lock while it runs
  (rustworkx 0.18: another Python thread does not wake until it returns), but no core
  is left idle by that: it keeps them all busy itself.
- ``"sparse"``: numpy/scipy, which release the lock in their array operations (another
  thread wakes every few milliseconds). Harmonic closeness by bit-parallel breadth-first
  search (64 sources per machine word, one sparse gather per level); betweenness by
  Brandes' algorithm run for a batch of sources at once as sparse-matrix products, over
  every source or over a random sample of ``sample`` pivots (Brandes and Pich 2007: the
  sum over the pivots, scaled by n / k, is an unbiased estimate).

networkx's Brandes and harmonic centrality are Python loops on one core under the lock:
the pivotal report's layer-dropped rankings, in a second thread below 5,000 nodes,
stalled behind them (the report at 2,000 cities took 107 s, at 5,000 376 s, most of it
networkx betweenness). Measured on the synthetic graph of 2,000 cities (1,872 nodes,
6,327 edges), two cores under load: networkx betweenness 34 s, rustworkx 1.1 s, sparse
2.4 s; harmonic closeness sparse 0.06 s. At 5,000 cities (4,580 nodes): rustworkx
12.6 s, sparse 22.7 s; harmonic closeness sparse 1.7 s against networkx's 58 s. The
whole report at 2,000 cities took 24–27 s with rustworkx and 36–37 s with the sparse
engine, alternating runs. On a 21,000-node graph: rustworkx betweenness 47 s, sparse
betweenness over 256 pivots 3 s, sparse harmonic closeness 5 s. So ``"auto"`` uses
rustworkx for exact betweenness, the sparse engine when a pivot sample is asked for,
and the sparse engine for harmonic closeness (:func:`engine`); :data:`LARGE_GRAPH`
only decides, in :mod:`glocal.analysis.pivotality`, when betweenness is sampled.

Bipartite degree and betweenness use networkx's bipartite normalisations (Borgatti and
Halgin), and harmonic closeness the bipartite analogue of them, so they need the city
node set passed explicitly. Closeness proper is not offered: on a disconnected graph
networkx's bipartite closeness exceeds 1 in two-node components (1.494 on the curated
graph), and per-component closeness needs a weighting convention of its own; harmonic
closeness stays in [0, 1] and means the same thing everywhere. Eigenvector
centrality and PageRank use edge weights.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Literal

import networkx as nx
import numpy as np
import rustworkx as rx

from glocal.analysis.engines import adjacency, harmonic_sums, sparse_betweenness, to_rustworkx

__all__ = [
    "BACKENDS",
    "LARGE_GRAPH",
    "Backend",
    "betweenness",
    "check_cities",
    "degree",
    "eigenvector",
    "engine",
    "harmonic_closeness",
    "pagerank",
]

Backend = Literal["auto", "networkx", "rustworkx", "sparse"]

#: The engines betweenness and closeness can run on.
BACKENDS: tuple[str, ...] = ("auto", "networkx", "rustworkx", "sparse")

#: Above this many nodes, :mod:`~glocal.analysis.pivotality` estimates betweenness from a
#: pivot sample instead of computing it exactly.
LARGE_GRAPH = 5_000


def check_cities(G: nx.Graph, cities: Collection[Hashable]) -> set[Hashable]:
    """Check that ``cities`` is one side of the bipartite graph and return it as a set.

    Raises
    ------
    ValueError
        If a city is not a node, the set is empty, or two cities share an edge.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X")])
    >>> sorted(check_cities(G, ["a", "b"]))
    ['a', 'b']
    >>> check_cities(G, ["a", "q"])
    Traceback (most recent call last):
    ...
    ValueError: 1 city is not a node of the graph (e.g. 'q'); pass the city node set of this graph
    """
    top = set(cities)
    if not top:
        raise ValueError("no cities given; pass the city node set of the graph")
    missing = [c for c in top if c not in G]
    if missing:
        raise ValueError(
            f"{len(missing)} city is not a node of the graph (e.g. {missing[0]!r}); "
            "pass the city node set of this graph"
            if len(missing) == 1
            else f"{len(missing)} cities are not nodes of the graph (e.g. {missing[0]!r}); "
            "pass the city node set of this graph"
        )
    for u, v in G.edges():
        if u in top and v in top:
            raise ValueError(f"cities {u!r} and {v!r} share an edge: the graph is not bipartite")
    return top


def engine(backend: Backend, *, measure: str, sampled: bool = False) -> str:
    """The engine that ``backend`` runs ``measure`` on (``"betweenness"`` or
    ``"harmonic_closeness"``): ``"auto"`` picks rustworkx for exact betweenness and
    the sparse engine for sampled betweenness and for harmonic closeness, at every
    size; rustworkx has no harmonic closeness, so it runs on the sparse engine.

    Raises
    ------
    ValueError
        If the backend is unknown.

    Examples
    --------
    >>> engine("auto", measure="betweenness"), engine("auto", measure="harmonic_closeness")
    ('rustworkx', 'sparse')
    >>> engine("auto", measure="betweenness", sampled=True)
    'sparse'
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if measure == "harmonic_closeness":
        return "networkx" if backend == "networkx" else "sparse"
    if backend != "auto":
        return backend
    return "sparse" if sampled else "rustworkx"


def degree(G: nx.Graph, cities: Collection[Hashable]) -> dict[Hashable, float]:
    """Bipartite degree centrality: a node's degree over the size of the other side.

    Cost: O(n).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y")])
    >>> degree(G, ["a", "b"])["b"]
    1.0
    """
    top = check_cities(G, cities)
    if len(top) == G.number_of_nodes():
        return dict.fromkeys(G, 0.0)  # nothing on the other side: networkx divides by zero
    return dict(nx.bipartite.degree_centrality(G, top))


def _betweenness_scale(n: int, m: int) -> float:
    """networkx's largest possible bipartite betweenness of a node on a side of n nodes
    facing m (Borgatti and Halgin); 0 when the other side is empty."""
    if m == 0:
        return 0.0
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def betweenness(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    backend: Backend = "auto",
    sample: int | None = None,
    seed: int = 0,
) -> dict[Hashable, float]:
    """Bipartite betweenness centrality of every node, normalised as networkx does.

    Parameters
    ----------
    G
        The bipartite graph; edge weights are ignored (shortest paths count hops).
    cities
        Every city node (one side of the graph).
    backend
        ``"networkx"`` (reference, Python on one core), ``"rustworkx"`` (exact,
        parallel on every core), ``"sparse"`` (batched Brandes on sparse matrices) or
        ``"auto"`` (:func:`engine`): rustworkx, or the sparse engine if ``sample`` is
        given.
    sample
        Estimate from this many random source pivots instead of all nodes
        (Brandes–Pich); ``None`` is exact. rustworkx cannot sample.
    seed
        Seed for the pivot sample.

    Returns
    -------
    dict
        Node to betweenness. Cost, exact: O(n m) time; the sparse engine
        O(L m) per batch of 256 sources (L = number of BFS levels).

    Raises
    ------
    ValueError
        If ``cities`` is not one side of ``G``, or rustworkx is asked to sample.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> round(betweenness(G, ["a", "b", "c"])["b"], 3)
    1.0
    >>> round(betweenness(G, ["a", "b", "c"], backend="rustworkx")["b"], 3)
    1.0
    """
    top = check_cities(G, cities)
    n_nodes = G.number_of_nodes()
    if sample is not None and not sample > 0:
        raise ValueError(f"sample must be a positive number of pivots, not {sample}")
    if sample is not None and sample >= n_nodes:
        sample = None
    chosen = engine(backend, measure="betweenness", sampled=sample is not None)
    n, m = len(top), n_nodes - len(top)
    top_max, bottom_max = _betweenness_scale(n, m), _betweenness_scale(m, n)
    if chosen == "networkx" and sample is None and top_max and bottom_max:
        return dict(nx.bipartite.betweenness_centrality(G, top))
    if chosen == "networkx":
        raw = nx.betweenness_centrality(G, k=sample, normalized=False, seed=seed)
    elif chosen == "rustworkx":
        if sample is not None:
            raise ValueError("rustworkx cannot sample pivots; use backend='sparse'")
        nodes = list(G)
        result = rx.graph_betweenness_centrality(to_rustworkx(G, nodes), normalized=False)
        raw = {node: result[i] for i, node in enumerate(nodes)}
    else:
        raw = sparse_betweenness(G, sample=sample, seed=seed)
    # A side whose largest possible betweenness is 0 (one node facing it, or none)
    # scores 0, where networkx would divide by zero.
    return {
        node: (value / top_max if top_max else 0.0)
        if node in top
        else (value / bottom_max if bottom_max else 0.0)
        for node, value in raw.items()
    }


def harmonic_closeness(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    backend: Backend = "auto",
) -> dict[Hashable, float]:
    """Harmonic closeness of every node, normalised to [0, 1] for a bipartite graph.

    A node's harmonic closeness is the sum of ``1 / d(v, u)`` over the other nodes,
    ``d`` the hop distance, an unreachable node adding 0 (Marchiori and Latora 2000;
    Boldi and Vigna 2014). Unlike closeness it needs no convention for a disconnected
    graph: a city in a two-node component reaches one node at distance 1 and scores
    low, as it should. The sum is divided by its largest possible value on the node's
    side, ``m + (n - 1) / 2`` for a city (every one of the ``m`` other-side nodes at
    distance 1, the ``n - 1`` other cities at 2), and mirrored for the other side, so
    that 1 means "tied to everything" (the bipartite analogue of Borgatti and Halgin's
    normalisation) and an isolated node scores 0.

    Parameters
    ----------
    G
        The bipartite graph; edge weights are ignored.
    cities
        Every city node (one side of the graph).
    backend
        ``"networkx"`` (``networkx.harmonic_centrality``, the reference),
        ``"sparse"`` (bit-parallel BFS), ``"rustworkx"`` (no harmonic closeness
        there: the sparse engine), or ``"auto"`` (the sparse engine, at every size).

    Returns
    -------
    dict
        Node to harmonic closeness in [0, 1]. Cost: O(n m) time for every engine; the
        sparse engine does 64 breadth-first searches per machine word at once.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("d", "Z"), ("e", "Z")])
    >>> values = harmonic_closeness(G, ["a", "b", "c", "d", "e"])
    >>> round(values["b"], 3), round(values["d"], 3)
    (0.6, 0.3)
    >>> sparse = harmonic_closeness(G, ["a", "b", "c", "d", "e"], backend="sparse")
    >>> all(abs(sparse[v] - values[v]) < 1e-12 for v in G)
    True
    """
    top = check_cities(G, cities)
    nodes = list(G)
    if engine(backend, measure="harmonic_closeness") == "networkx":
        raw = nx.harmonic_centrality(G)
        sums = [float(raw[node]) for node in nodes]
    else:
        sums = harmonic_sums(adjacency(G, nodes)).tolist()
    n, m = len(top), len(nodes) - len(top)
    top_max, bottom_max = m + (n - 1) / 2, n + (m - 1) / 2
    return {
        node: (
            (sums[i] / top_max if m else 0.0)
            if node in top
            else (sums[i] / bottom_max if n else 0.0)
        )
        for i, node in enumerate(nodes)
    }


def eigenvector(G: nx.Graph, *, weight: str | None = "weight") -> dict[Hashable, float]:
    """Eigenvector centrality, computed on the largest connected component.

    Eigenvector centrality is not defined consistently across components (networkx
    refuses disconnected graphs), so nodes outside the largest component get 0.

    Returns
    -------
    dict
        Node to centrality (unit Euclidean norm on the component). Cost: a sparse
        eigensolve, about O(m) per iteration.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("d", "Z")])
    >>> values = eigenvector(G)
    >>> values["b"] > values["a"], values["d"]
    (True, 0.0)
    """
    values = dict.fromkeys(G, 0.0)
    if G.number_of_edges() == 0:
        return values
    giant = G.subgraph(max(nx.connected_components(G), key=len))
    if giant.number_of_nodes() <= 2:
        share = 1 / np.sqrt(giant.number_of_nodes())
        values.update(dict.fromkeys(giant, share))
        return values
    values.update(nx.eigenvector_centrality_numpy(giant, weight=weight, max_iter=1000))
    return values


def pagerank(
    G: nx.Graph, *, weight: str | None = "weight", alpha: float = 0.85
) -> dict[Hashable, float]:
    """PageRank of every node, with edge weights as transition weights.

    Cost: O(m) per power iteration (networkx uses scipy sparse matrices).

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> round(sum(pagerank(G).values()), 6)
    1.0
    """
    if G.number_of_nodes() == 0:
        return {}
    return dict(nx.pagerank(G, weight=weight, alpha=alpha))
