"""Burt's structural holes on the city–city projection: constraint and effective size.

A city whose partners are not tied to each other spans a structural hole and can
broker between them (Burt 1992, *Structural Holes*). On the weighted projection
(:func:`~glocal.analysis.projection.projected_graph`, Newman's weights):

``constraint``
    how much the city's ties lead back to one cluster: near 1 for a city tied to one
    tight group, lower for a broker (networkx's ``constraint``, Burt's c_i);
``effective_size``
    the number of the city's partners minus their redundancy: how many
    non-redundant contacts it has (networkx's ``effective_size``, Burt's formula for
    weighted graphs).

Both are computed by networkx on the projection; a city with no partner in the
projection has neither (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable

import networkx as nx

from glocal.analysis.projection import DEFAULT_MAX_PAIRS, projected_graph

__all__ = ["structural_holes"]


def structural_holes(
    G: nx.Graph, cities: Collection[Hashable], *, max_pairs: int | None = DEFAULT_MAX_PAIRS
) -> dict[Hashable, tuple[float | None, float | None]]:
    """Each city's (constraint, effective size) on the weighted projection.

    Raises
    ------
    ~glocal.analysis.projection.ProjectionTooLarge
        If the projection is larger than ``max_pairs``.

    Returns
    -------
    dict
        City to ``(constraint, effective_size)``; ``(None, None)`` for a city with no
        partner. Cost: O(sum over cities of degree^2) in the projection, in Python.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("d", "Z")])
    >>> holes = structural_holes(G, ["a", "b", "c", "d"])
    >>> holes["b"], holes["a"], holes["d"]
    ((0.5, 2.0), (1.0, 1.0), (None, None))
    """
    P = projected_graph(G, cities, weight="weight", max_pairs=max_pairs)
    constraint = nx.constraint(P, weight="weight")
    size = nx.effective_size(P, weight="weight")

    def value(x: float) -> float | None:
        return None if math.isnan(x) else float(x)

    return {c: (value(constraint[c]), value(size[c])) for c in P}
