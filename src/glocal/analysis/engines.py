"""The fast engines behind :mod:`glocal.analysis.centrality` on large graphs.

- :func:`to_rustworkx`: the graph as a rustworkx graph, for its parallel Brandes
  betweenness and its closeness.
- :func:`harmonic_sums`: harmonic closeness by bit-parallel breadth-first search (64
  sources per machine word, one sparse gather per level).
- :func:`sparse_betweenness`: Brandes' algorithm run for a batch of sources at once as
  sparse-matrix products, over every source or over a random sample of pivots (Brandes
  and Pich 2007: the sum over the pivots, scaled by n / k, is an unbiased estimate).

They return raw numbers (sums of inverse hop distances, unnormalised betweenness); the bipartite
normalisation happens in :mod:`~glocal.analysis.centrality`, which tests check against
networkx.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import rustworkx as rx
import scipy.sparse as sp

__all__ = ["adjacency", "harmonic_sums", "sparse_betweenness", "to_rustworkx"]


def to_rustworkx(G: nx.Graph, nodes: list[Hashable]) -> rx.PyGraph:
    """The graph's structure as a rustworkx graph; node ``i`` is ``nodes[i]``.

    Self-loops and attributes are dropped: the engines count hops only.

    >>> to_rustworkx(nx.Graph([("a", "X"), ("b", "X")]), ["a", "b", "X"]).num_edges()
    2
    """
    index = {node: i for i, node in enumerate(nodes)}
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from_no_data([(index[u], index[v]) for u, v in G.edges() if u != v])
    return graph


def adjacency(G: nx.Graph, nodes: list[Hashable]) -> sp.csr_array:
    """The 0/1 adjacency matrix in ``nodes`` order, without self-loops, indices sorted.

    >>> adjacency(nx.Graph([("a", "X"), ("a", "a")]), ["a", "X"]).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr", dtype=np.float64)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1.0
    A.sort_indices()
    return A


def harmonic_sums(A: sp.csr_array, *, words: int = 16) -> np.ndarray:
    """For every node, the sum of ``1 / d`` over the nodes it reaches (``d`` the hop
    distance; unreachable nodes add 0): harmonic closeness before normalisation.

    Breadth-first search runs from 64 * ``words`` sources at a time, one bit per
    source: a level is one gather of the frontier bits over all arcs and an OR per
    node. Distances are symmetric, so when node v is first reached at level d by the
    sources whose bits are set, each of them adds 1 / d to v's own sum: a popcount per
    node, summed over batches, gives every node's total.

    >>> A = adjacency(nx.path_graph(3), [0, 1, 2])
    >>> harmonic_sums(A).tolist()
    [1.5, 2.0, 1.5]
    """
    n = A.shape[0]
    indptr, indices = A.indptr, A.indices
    has_arcs = np.diff(indptr) > 0
    starts = indptr[:-1][has_arcs]
    totals = np.zeros(n)
    batch = 64 * words
    one = np.uint64(1)
    for lo in range(0, n, batch):
        sources = np.arange(lo, min(n, lo + batch))
        width = (len(sources) + 63) // 64
        bits = np.arange(len(sources))
        visited = np.zeros((n, width), dtype=np.uint64)
        visited[sources, bits // 64] = one << (bits % 64).astype(np.uint64)
        frontier = visited
        level = 0
        while len(starts):
            level += 1
            step = np.zeros((n, width), dtype=np.uint64)
            step[has_arcs] = np.bitwise_or.reduceat(frontier[indices], starts, axis=0)
            step &= ~visited
            found = np.bitwise_count(step).sum(axis=1, dtype=np.int64)
            if not found.any():
                break
            visited = visited | step
            totals += found / level
            frontier = step
    return totals


def _brandes_batch(A: sp.csr_array, sources: np.ndarray) -> np.ndarray:
    """Brandes' dependency sums for a batch of sources, as one column per source.

    Forward: path counts level by level, ``sigma_{d+1} = A @ (sigma masked to level
    d)`` on nodes first reached at d + 1. Backward: ``delta_u = sum over successors v
    of sigma_u / sigma_v (1 + delta_v)``, again one sparse product per level.
    """
    n, batch = A.shape[0], len(sources)
    columns = np.arange(batch)
    dist = np.full((n, batch), -1, dtype=np.int32)
    sigma = np.zeros((n, batch))
    dist[sources, columns] = 0
    sigma[sources, columns] = 1.0
    levels = [dist == 0]
    while True:
        paths = A @ np.where(levels[-1], sigma, 0.0)
        new = (paths > 0) & (dist < 0)
        if not new.any():
            break
        dist[new] = len(levels)
        sigma[new] = paths[new]
        levels.append(new)
    delta = np.zeros((n, batch))
    for depth in range(len(levels) - 1, 0, -1):
        here = levels[depth]
        share = np.zeros((n, batch))
        share[here] = (1.0 + delta[here]) / sigma[here]
        pulled = A @ share
        before = levels[depth - 1]
        delta[before] += sigma[before] * pulled[before]
    delta[sources, columns] = 0.0
    totals: np.ndarray = delta.sum(axis=1)
    return totals


def sparse_betweenness(
    G: nx.Graph, *, sample: int | None, seed: int, batch: int = 256
) -> dict[Hashable, float]:
    """Unnormalised betweenness (networkx's scale: halved for undirected graphs), exact
    or estimated from ``sample`` random pivots and scaled by n / k.

    >>> sparse_betweenness(nx.path_graph(3), sample=None, seed=0)
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    nodes = list(G)
    n = len(nodes)
    A = adjacency(G, nodes)
    if sample is None:
        pivots = np.arange(n)
        scale = 0.5
    else:
        pivots = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
        scale = 0.5 * n / sample
    totals = np.zeros(n)
    for lo in range(0, len(pivots), batch):
        totals += _brandes_batch(A, pivots[lo : lo + batch])
    return {node: float(totals[i]) * scale for i, node in enumerate(nodes)}
