"""The resampled rankings at scale: the incidence-matrix path gives the same ranks as
the graph path, and the report says when it cut replicate counts."""

from __future__ import annotations

import numpy as np
import pytest

from glocal.analysis.graph import LAYERS, City, Tie, Ties, bipartite_graph
from glocal.analysis.pivotality import composite, compute_measures
from glocal.report import robustness
from glocal.report.robustness import LARGE_MEASURES, ranker


def random_ties(seed: int) -> Ties:
    rng = np.random.default_rng(seed)
    cities = {f"c{i}": City(f"c{i}", f"C{i}") for i in range(40)}
    nodes = {f"n{j}": ("organisation", f"N{j}") for j in range(12)}
    roles = ["Member", "Chair", "Partner", "LeadershipBoardMember"]
    ties = tuple(
        Tie(f"c{i}", f"n{j}", "organisations", roles[int(rng.integers(0, 4))])
        for i in range(36)
        for j in range(12)
        if rng.random() < 0.15
    )
    return Ties(cities=cities, nodes=nodes, ties=ties)


@pytest.mark.parametrize("seed", range(3))
def test_the_incidence_path_ranks_as_the_graph_path(seed: int) -> None:
    ties = random_ties(seed)
    fast = ranker(
        layers=LAYERS,
        weights=None,
        measures=LARGE_MEASURES,
        exact=True,
        pivots=None,
        backend="auto",
        seed=0,
    )(ties)
    G = bipartite_graph(ties)
    G.remove_nodes_from([c for c in ties.cities if G.degree(c) == 0])
    cities = [c for c in ties.cities if c in G]
    table = compute_measures(G, cities, measures=list(LARGE_MEASURES))
    assert fast == {r.city: r.rank for r in composite(table.values)}
    assert "c39" not in fast  # no tie, no rank


def test_large_graphs_state_their_reduced_replicates(monkeypatch: pytest.MonkeyPatch) -> None:
    ties = random_ties(0)
    G = bipartite_graph(ties)
    G.remove_nodes_from([c for c in ties.cities if G.degree(c) == 0])
    cities = [c for c in ties.cities if c in G]
    monkeypatch.setattr(robustness, "LARGE_GRAPH", 10)
    result = robustness.robustness(
        ties,
        G,
        cities,
        layers=LAYERS,
        weights=None,
        exact=True,
        pivots=None,
        backend="auto",
        seed=0,
    )
    assert result.large and result.measures == LARGE_MEASURES
    assert len(result.bootstrap) == robustness.BOOTSTRAP_LARGE
    assert result.null_replicates == robustness.NULL_LARGE
