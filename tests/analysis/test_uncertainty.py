"""The null model keeps degrees and reproduces; the bootstrap and leave-one-source-out
reproduce with a seed; brokerage and backbone agree with networkx."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np
import pytest

from glocal.analysis import backbone, brokerage, nullmodel, resampling, structural_holes
from glocal.analysis.graph import City, Tie, Ties


def graph(seed: int) -> tuple[nx.Graph, list[Hashable]]:
    G = nx.bipartite.random_graph(20, 8, 0.25, seed=seed)
    G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])
    return G, [n for n in G if G.nodes[n]["bipartite"] == 0]


@pytest.mark.parametrize("seed", range(3))
def test_curveball_keeps_both_degree_sequences_and_reproduces(seed: int) -> None:
    G, cities = graph(seed)
    null = nullmodel.curveball(G, cities, replicates=20, seed=seed)
    rows = null.observed.sum(axis=1).tolist()
    cols = null.observed.sum(axis=0).tolist()
    assert rows == [G.degree(c) for c in null.cities]
    assert cols == [G.degree(n) for n in null.nodes]
    for sample in null.samples:
        assert sample.sum(axis=1).tolist() == rows
        assert sample.sum(axis=0).tolist() == cols
        assert sample.max() == 1.0
    # The chain moves: some null graph differs from the observed one.
    assert any((s != null.observed).nnz for s in null.samples)
    again = nullmodel.curveball(G, cities, replicates=20, seed=seed)
    assert all((a != b).nnz == 0 for a, b in zip(null.samples, again.samples, strict=True))


def test_null_test_gives_probabilities_on_the_observed_harmonic_closeness() -> None:
    # Two groups and one city in both.
    G = nx.Graph()
    G.add_edges_from((f"a{i}", f"X{j}") for i in range(6) for j in range(3) if (i + j) % 2)
    G.add_edges_from((f"b{i}", f"Y{j}") for i in range(6) for j in range(3) if (i + j) % 2)
    G.add_edges_from([("bridge", "X0"), ("bridge", "Y0")])
    cities = [n for n in G if not n[0].isupper()]
    test = nullmodel.null_test(nullmodel.curveball(G, cities, replicates=200, seed=0))
    for city in cities:
        assert 0 < test.p[city] <= 1 and test.p[city] <= test.q[city] <= 1
    assert test.observed["bridge"] == pytest.approx(
        nx.harmonic_centrality(G)["bridge"] / (6 + (len(cities) - 1) / 2)
    )
    lonely = nx.Graph([("a", "X")])
    lonely.add_node("b")
    with pytest.raises(ValueError, match="no tie"):
        nullmodel.curveball(lonely, ["a", "b"], replicates=1)


def ties_for_resampling() -> Ties:
    cities = {c: City(c, c.upper()) for c in "abcde"}
    nodes = {n: ("organisation", n) for n in "XYZ"}
    facts = [
        ("a", "X", "s1"),
        ("b", "X", "s1"),
        ("b", "Y", "s2"),
        ("c", "Y", "s2"),
        ("c", "Z", "s1"),
        ("d", "Z", "s2"),
        ("e", "Z", "s1"),
        ("a", "Y", "s2"),
    ]
    ties = tuple(Tie(c, n, "organisations", "Member", s) for c, n, s in facts)
    return Ties(cities=cities, nodes=nodes, ties=ties)


def by_degree(ties: Ties) -> Mapping[Hashable, int]:
    degree: dict[Hashable, int] = {}
    for tie in {(t.city, t.target) for t in ties.ties}:
        degree[tie[0]] = degree.get(tie[0], 0) + 1
    order = sorted(degree, key=lambda c: (-degree[c], str(c)))
    return {c: i + 1 for i, c in enumerate(order)}


def test_bootstrap_and_leave_one_out_reproduce_with_a_seed() -> None:
    ties = ties_for_resampling()
    runs = resampling.bootstrap_ranks(ties, by_degree, replicates=30, seed=4)
    assert runs == resampling.bootstrap_ranks(ties, by_degree, replicates=30, seed=4)
    assert runs != resampling.bootstrap_ranks(ties, by_degree, replicates=30, seed=5)
    loso = resampling.leave_one_source_out(ties, by_degree)
    assert set(loso) == {"s1", "s2"}
    assert "e" not in loso["s1"] and loso["s2"]["e"] >= 1
    low, high = resampling.rank_interval(runs, "a", unranked=6) or (0, 0)
    assert 1 <= low <= high <= 6


@pytest.mark.parametrize("seed", range(3))
def test_structural_holes_agree_with_networkx_on_the_projection(seed: int) -> None:
    G, cities = graph(seed)
    for u, v in G.edges():
        G.edges[u, v]["weight"] = 1.0
    P = nx.bipartite.collaboration_weighted_projected_graph(G, cities)
    expected_c = nx.constraint(P, weight="weight")
    expected_e = nx.effective_size(P, weight="weight")
    for city, (c, e) in structural_holes.structural_holes(G, cities).items():
        if P.degree(city) == 0:
            assert c is None and e is None
        else:
            assert c == pytest.approx(expected_c[city])
            assert e == pytest.approx(expected_e[city])


@pytest.mark.parametrize("seed", range(3))
def test_participation_agrees_with_the_projection(seed: int) -> None:
    G, cities = graph(seed)
    groups = {c: ("north", "south", None)[i % 3] for i, c in enumerate(cities)}
    P = nx.bipartite.collaboration_weighted_projected_graph(G, cities)
    found = brokerage.participation(G, cities, groups, weight=None)
    for city in cities:
        k = {
            g: sum(P[city][j]["weight"] for j in P[city] if groups[j] == g)
            for g in ("north", "south")
        }
        total = sum(k.values())
        if total == 0:
            assert found[city] is None
        else:
            expected = 1 - sum((x / total) ** 2 for x in k.values())
            assert found[city] == pytest.approx(expected)
            assert 0.0 <= found[city] <= 0.5 + 1e-12


def test_backbone_keeps_a_pair_far_beyond_chance_and_its_p_values_are_exact() -> None:
    G = nx.Graph([(c, o) for c in "ab" for o in "WXYZ"])
    G.add_edges_from([(c, f"n{c}{i}") for c in "cdefgh" for i in range(2)])
    G.add_edges_from([("c", "W"), ("d", "X"), ("e", "Y"), ("f", "Z")])
    null = nullmodel.curveball(G, list("abcdefgh"), replicates=200, seed=3)
    pairs, tested = backbone.fdsm_backbone(null, alpha=0.05)
    assert [(p.a, p.b) for p in pairs] == [("a", "b")]
    P = nx.bipartite.projected_graph(G, list("abcdefgh"))
    assert tested == P.number_of_edges()
    # The p-value counts the null graphs where a and b share 4 nodes or more.
    i, j = null.cities.index("a"), null.cities.index("b")
    shared = [int((s[[i]].multiply(s[[j]])).sum()) for s in null.samples]
    assert pairs[0].p == pytest.approx((1 + sum(x >= 4 for x in shared)) / 201)
    assert np.all(np.array(shared) <= 4)
