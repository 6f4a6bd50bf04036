"""The backbone of the city–city projection: the ties two cities share more often
than their numbers of ties and the sizes of what they join explain.

Method: the fixed degree sequence model (FDSM) of Neal (2014, "The backbone of
bipartite projections: Inferring relationships from co-authorship, co-sponsorship,
co-attendance and other co-behaviors", Social Networks 39: 84-97). For each pair of
cities that share at least one node, the p-value is the share of null graphs (from
:func:`~glocal.analysis.nullmodel.curveball`, which keeps every degree fixed) in which
they share at least as many nodes: ``(1 + #{null >= observed}) / (1 + R)``. Pairs whose
Benjamini–Hochberg q-value is below ``alpha`` form the backbone. FDSM rather than the
stochastic degree sequence model (SDSM, Neal 2014; Neal, Domagalski and Sagan 2021)
because the curveball null graphs are drawn for the centrality test anyway and hold the
degrees exactly, where SDSM holds them only on average; and rather than the disparity
filter (Serrano et al. 2009), which judges a projected weight against the city's other
weights, not against what the bipartite degrees imply.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from glocal.analysis.nullmodel import NullSamples

__all__ = ["BackbonePair", "fdsm_backbone"]


@dataclass(frozen=True)
class BackbonePair:
    """Two cities, the nodes they share, and the p- and q-values of sharing that many."""

    a: Hashable
    b: Hashable
    shared: int
    p: float
    q: float


def fdsm_backbone(null: NullSamples, *, alpha: float = 0.05) -> tuple[list[BackbonePair], int]:
    """The significant city pairs, and how many pairs were tested.

    Returns
    -------
    tuple
        ``(pairs, tested)``: the pairs with q < ``alpha``, strongest (lowest p, then
        most shared) first; ``tested`` pairs share at least one node. Cost: one
        sparse product ``B B^T`` per null graph, restricted to the tested pairs.

    Raises
    ------
    ValueError
        If there are no null graphs, or ``alpha`` is not in (0, 1).

    Examples
    --------
    >>> import networkx as nx
    >>> from glocal.analysis.nullmodel import curveball
    >>> G = nx.Graph([(c, o) for c in "ab" for o in "WXYZ"])
    >>> G.add_edges_from([(c, f"n{c}{i}") for c in "cdefgh" for i in range(2)])
    >>> G.add_edges_from([("c", "W"), ("d", "X"), ("e", "Y"), ("f", "Z")])
    >>> pairs, tested = fdsm_backbone(curveball(G, list("abcdefgh"), replicates=200, seed=0))
    >>> [(p.a, p.b, p.shared) for p in pairs], tested
    ([('a', 'b', 4)], 9)
    """
    if not null.samples:
        raise ValueError("no null graphs; ask for one replicate or more")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    observed = sp.triu(null.observed @ null.observed.T, k=1).tocoo()
    rows, cols, shared = observed.row, observed.col, observed.data
    if len(shared) == 0:
        return [], 0
    at_least = np.zeros(len(shared))
    for B in null.samples:
        B = sp.csr_array(B)
        counts = np.asarray(B[rows].multiply(B[cols]).sum(axis=1)).ravel()
        at_least += counts >= shared
    p = (1 + at_least) / (1 + len(null.samples))
    from scipy import stats  # imported when used: most of a second at start-up

    q = stats.false_discovery_control(p, method="bh")
    keep = np.flatnonzero(q < alpha)
    pairs = [
        BackbonePair(
            null.cities[rows[i]], null.cities[cols[i]], int(shared[i]), float(p[i]), float(q[i])
        )
        for i in keep
    ]
    pairs.sort(key=lambda pair: (pair.p, -pair.shared, str(pair.a), str(pair.b)))
    return pairs, len(shared)
