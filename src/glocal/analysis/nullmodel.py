"""A degree-preserving null model of the bipartite city graph, and the test of each
city's centrality against it.

The null graphs keep every city's number of ties and every node's number of cities
and shuffle who is tied to what, by the curveball algorithm (Strona et al. 2014,
"A fast and unbiased procedure to randomize ecological binary matrices with fixed
row and column totals", Nature Communications 5: 4114; Carstens 2016 proved that it
samples uniformly from the bipartite graphs with those degrees). A *trade* picks two
cities, pools the nodes that only one of them is tied to, and deals the pool back at
random in the same numbers. Successive null graphs are :data:`TRADES_PER_SAMPLE`
times the number of cities trades apart, after a burn-in of as many.

:func:`null_test` compares a city's observed harmonic closeness with its values in
the null graphs: a z-score, a one-sided p-value ``(1 + #{null >= observed}) / (1 +
R)`` (North, Curtis and Sham 2002, so that p is never 0), and Benjamini–Hochberg
q-values over the cities (scipy's ``false_discovery_control``). Since degrees are
fixed, a city is "central beyond chance" when it is closer to the whole network than
its own number of ties and the sizes of the organisations it joined would make it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from glocal.analysis.centrality import check_cities
from glocal.analysis.engines import harmonic_sums

__all__ = ["TRADES_PER_SAMPLE", "NullSamples", "NullTest", "curveball", "null_test"]

#: Trades between successive null graphs, per city (Strona et al. suggest a few times
#: the number of rows).
TRADES_PER_SAMPLE = 5


@dataclass(frozen=True)
class NullSamples:
    """Null graphs as city-by-node incidence matrices (0/1, CSR), all sharing the
    observed graph's ``cities`` (rows) and ``nodes`` (columns) and its degrees."""

    cities: tuple[Hashable, ...]
    nodes: tuple[Hashable, ...]
    observed: sp.csr_array
    samples: tuple[sp.csr_array, ...]
    seed: int


@dataclass(frozen=True)
class NullTest:
    """Per city: the observed statistic, the mean and standard deviation of the null,
    the z-score (``None`` when the null does not vary), the p-value and the q-value."""

    observed: dict[Hashable, float]
    mean: dict[Hashable, float]
    sd: dict[Hashable, float]
    z: dict[Hashable, float | None]
    p: dict[Hashable, float]
    q: dict[Hashable, float]


def _incidence(rows: Sequence[set[int]], width: int) -> sp.csr_array:
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.fromiter((j for r in rows for j in sorted(r)), dtype=np.int64, count=indptr[-1])
    data = np.ones(len(indices))
    return sp.csr_array((data, indices, indptr), shape=(len(rows), width))


def curveball(
    G: nx.Graph, cities: Collection[Hashable], *, replicates: int, seed: int = 0
) -> NullSamples:
    """Draw null graphs with the degrees of ``G`` by curveball trades.

    Parameters
    ----------
    G, cities
        The bipartite graph and its city nodes; every city must have a tie.
    replicates
        How many null graphs.
    seed
        Seed of the trades: the same seed gives the same graphs.

    Returns
    -------
    NullSamples
        Cost: O(TRADES_PER_SAMPLE * cities * mean degree) per null graph.

    Raises
    ------
    ValueError
        If ``replicates`` is negative or a city has no tie.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("a", "Y"), ("b", "X"), ("c", "Z"), ("c", "Y")])
    >>> null = curveball(G, ["a", "b", "c"], replicates=3, seed=1)
    >>> [s.sum(axis=1).tolist() for s in null.samples][0], null.observed.sum(axis=1).tolist()
    ([2.0, 1.0, 2.0], [2.0, 1.0, 2.0])
    >>> [s.sum(axis=0).tolist() for s in null.samples][0] == null.observed.sum(axis=0).tolist()
    True
    """
    if replicates < 0:
        raise ValueError(f"replicates must be 0 or more, not {replicates}")
    top = check_cities(G, cities)
    # Sorted, so that a seed gives the same null graphs whatever order the graph has.
    order = tuple(sorted(top, key=str))
    alone = [c for c in order if G.degree(c) == 0]
    if alone:
        raise ValueError(f"{len(alone)} cities have no tie (e.g. {alone[0]!r}); drop them first")
    nodes = tuple(sorted((n for n in G if n not in top), key=str))
    column = {n: j for j, n in enumerate(nodes)}
    rows = [{column[n] for n in G[c]} for c in order]

    observed = _incidence(rows, len(nodes))
    rng = np.random.default_rng(seed)
    trades = TRADES_PER_SAMPLE * len(rows)
    samples = []
    for step in range(replicates + 1):
        if len(rows) > 1:
            pairs = rng.integers(0, len(rows), size=(trades, 2))
            for a, b in pairs:
                if a == b:
                    continue
                only_a, only_b = rows[a] - rows[b], rows[b] - rows[a]
                if not only_a or not only_b:
                    continue
                pool = np.array(sorted(only_a | only_b))
                rng.shuffle(pool)
                both = rows[a] & rows[b]
                cut = len(only_a)
                rows[a] = both | set(pool[:cut].tolist())
                rows[b] = both | set(pool[cut:].tolist())
        if step:  # the first round is the burn-in
            samples.append(_incidence(rows, len(nodes)))
    return NullSamples(order, nodes, observed, tuple(samples), seed)


def _harmonic_of_cities(B: sp.csr_array) -> np.ndarray:
    """Harmonic closeness of the cities (rows) of an incidence matrix, normalised as
    :func:`~glocal.analysis.centrality.harmonic_closeness` normalises it."""
    n, m = B.shape
    A = sp.csr_array(sp.block_array([[None, B], [B.T, None]], format="csr"))
    A.sort_indices()
    sums = harmonic_sums(A)[:n]
    top_max = m + (n - 1) / 2
    result: np.ndarray = sums / top_max if m else np.zeros(n)
    return result


def null_test(null: NullSamples) -> NullTest:
    """Test each city's harmonic closeness against the null graphs.

    Returns
    -------
    NullTest
        Observed value, null mean and sd, z-score, one-sided p-value (more central
        than the null) and Benjamini–Hochberg q-value, per city. Cost: one harmonic
        closeness per null graph.

    Raises
    ------
    ValueError
        If there are no null graphs.

    Examples
    --------
    >>> G = nx.Graph([(c, o) for c in "abcdef" for o in "XY" if (c, o) != ("f", "Y")])
    >>> G.add_edges_from([("a", "Z"), ("g", "Z"), ("g", "W"), ("h", "W")])
    >>> test = null_test(curveball(G, list("abcdefgh"), replicates=50, seed=0))
    >>> 0 < test.p["a"] <= 1 and 0 < test.q["a"] <= 1
    True
    """
    if not null.samples:
        raise ValueError("no null graphs to test against; ask for one replicate or more")
    observed = _harmonic_of_cities(null.observed)
    draws = np.vstack([_harmonic_of_cities(s) for s in null.samples])
    mean, sd = draws.mean(axis=0), draws.std(axis=0, ddof=1) if len(draws) > 1 else 0 * observed
    # A tolerance, so that floating-point noise does not count as "larger".
    at_least = (draws >= observed - 1e-12).sum(axis=0)
    p = (1 + at_least) / (1 + len(draws))
    from scipy import stats  # imported when used: most of a second at start-up

    q = stats.false_discovery_control(p, method="bh")
    cities = null.cities
    return NullTest(
        observed={c: float(observed[i]) for i, c in enumerate(cities)},
        mean={c: float(mean[i]) for i, c in enumerate(cities)},
        sd={c: float(sd[i]) for i, c in enumerate(cities)},
        z={
            c: float((observed[i] - mean[i]) / sd[i]) if sd[i] > 1e-12 else None
            for i, c in enumerate(cities)
        },
        p={c: float(p[i]) for i, c in enumerate(cities)},
        q={c: float(q[i]) for i, c in enumerate(cities)},
    )
