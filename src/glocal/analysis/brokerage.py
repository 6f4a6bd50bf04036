"""Brokerage across world regions: the participation coefficient of each city.

The participation coefficient (Guimerà and Amaral 2005, "Functional cartography of
complex metabolic networks", Nature 433: 895-900) of city i over groups s is

    P_i = 1 - sum_s (k_is / k_i)^2,

with ``k_is`` the weight of i's ties in the projection to cities of group s and ``k_i``
their total: 0 when all its partners are in one region, approaching 1 - 1/S when they
spread evenly over S regions. The groups here are the UN M49 regions of the cities
(:mod:`~glocal.analysis.regions`). Gould and Fernandez's (1989) brokerage roles
were not used: they classify directed two-paths (a gatekeeper and a representative
differ only in the direction of flow), and the city network has no direction, so on
the undirected projection those roles collapse; the participation coefficient asks
the same question, "does the city link regions?", without needing one.

Partners with no known region are left out of ``k_i``. Computed from the incidence
matrix, ``K = B D^-1 (B^T R)`` minus each city's own share, so the projection is never
built: O(edges + cities x regions).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp

from glocal.analysis.projection import incidence

__all__ = ["participation"]


def participation(
    G: nx.Graph,
    cities: Collection[Hashable],
    groups: Mapping[Hashable, str | None],
    *,
    weight: str | None = "weight",
) -> dict[Hashable, float | None]:
    """Each city's participation coefficient over ``groups`` in the projection.

    Parameters
    ----------
    G, cities
        The bipartite graph and its city nodes.
    groups
        City to its group (its region); ``None`` or missing: unknown.
    weight
        Edge attribute weighing the incidence, as in the projection.

    Returns
    -------
    dict
        City to its coefficient in [0, 1 - 1/S], or ``None`` when it has no partner of
        known group in the projection.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> regions = {"a": "Europe", "b": "Europe", "c": "Africa"}
    >>> participation(G, ["a", "b", "c"], regions, weight=None)
    {'a': 0.0, 'b': 0.5, 'c': 0.0}
    >>> import networkx.algorithms.bipartite as bp
    >>> P = bp.collaboration_weighted_projected_graph(G, ["a", "b", "c"])
    >>> 1 - sum((sum(P["b"][j]["weight"] for j in P["b"] if regions[j] == s) / 2) ** 2
    ...         for s in ("Europe", "Africa"))
    0.5
    """
    B, rows, _ = incidence(G, cities, weight=weight)
    names = sorted({g for c in rows if (g := groups.get(c)) is not None})
    if not names:
        return dict.fromkeys(rows)
    column = {name: j for j, name in enumerate(names)}
    member = [(i, column[g]) for i, c in enumerate(rows) if (g := groups.get(c)) is not None]
    R = sp.csr_array(
        (np.ones(len(member)), ([i for i, _ in member], [j for _, j in member])),
        shape=(len(rows), len(names)),
    )
    k = np.diff(B.tocsc().indptr).astype(float)
    inverse = np.zeros_like(k)
    inverse[k > 1] = 1.0 / (k[k > 1] - 1.0)
    K = (B @ sp.diags_array(inverse) @ (B.T @ R)).toarray()
    own = (B.multiply(B)) @ inverse
    for i, j in member:
        K[i, j] -= own[i]
    K = np.clip(K, 0.0, None)
    totals = K.sum(axis=1)
    result: dict[Hashable, float | None] = {}
    for i, city in enumerate(rows):
        result[city] = float(1.0 - ((K[i] / totals[i]) ** 2).sum()) if totals[i] > 1e-12 else None
    return result
