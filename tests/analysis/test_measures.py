"""Every measure stays in its stated range on fragmented graphs, and the structure
measures (components, isolates, articulation points) agree with networkx."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import pytest

from glocal.analysis import components, pivotality


def fragmented(seed: int) -> tuple[nx.Graph, list[Hashable]]:
    """A random bipartite graph plus two-node components, a star and isolated cities."""
    G = nx.bipartite.random_graph(25, 10, 0.12, seed=seed)
    cities: list[Hashable] = list(range(25))
    for i in range(3):
        G.add_edge(f"pair-city-{i}", f"pair-node-{i}")
        cities.append(f"pair-city-{i}")
    for i in range(4):
        G.add_edge(f"star-city-{i}", "star")
        cities.append(f"star-city-{i}")
    G.add_nodes_from(["alone-1", "alone-2"])
    cities += ["alone-1", "alone-2"]
    for u, v in G.edges():
        G.edges[u, v]["weight"] = 1.0 + (hash((str(u), str(v))) % 3)
    return G, cities


RANGES = {
    "degree": (0.0, 1.0),
    "betweenness": (0.0, 1.0),
    "harmonic_closeness": (0.0, 1.0),
    "eigenvector": (0.0, 1.0),
    "pagerank": (0.0, 1.0),
    "projected_betweenness": (0.0, 1.0),
}


@pytest.mark.parametrize("seed", range(6))
def test_no_measure_leaves_its_range_on_fragmented_graphs(seed: int) -> None:
    G, cities = fragmented(seed)
    table = pivotality.compute_measures(G, cities)
    for name, (low, high) in RANGES.items():
        values = table.values[name]
        assert min(values.values()) >= low - 1e-12, name
        assert max(values.values()) <= high + 1e-12, name
    assert min(table.values["strength"].values()) >= 0.0
    # A city in a two-node component is not "closest" to anything: its harmonic
    # closeness is far below the best connected city's.
    harmonic = table.values["harmonic_closeness"]
    assert harmonic["pair-city-0"] < max(harmonic.values())
    assert harmonic["alone-1"] == 0.0
    for row in pivotality.composite(table.values):
        assert 0.0 <= row.score <= 1.0


def test_two_node_components_do_not_top_closeness() -> None:
    """The old bipartite closeness gave 1.494 to two-node components; harmonic
    closeness ranks a city of the main component first."""
    G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("d", "Y"), ("p", "Q")])
    cities = ["a", "b", "c", "d", "p"]
    harmonic = pivotality.compute_measures(G, cities, measures=["harmonic_closeness"])
    values = harmonic.values["harmonic_closeness"]
    assert max(values, key=values.__getitem__) == "b"
    assert values["p"] < values["a"]


@pytest.mark.parametrize("seed", range(4))
def test_components_and_isolates_partition_the_cities(seed: int) -> None:
    G, cities = fragmented(seed)
    parts = components.components(G, cities)
    alone = components.isolated_cities(G, cities)
    assert sorted(alone, key=str) == sorted((c for c in cities if G.degree(c) == 0), key=str)
    seen = [c for part in parts for c in part.cities]
    assert sorted(seen + alone, key=str) == sorted(cities, key=str)
    reference = [g for g in nx.connected_components(G) if len(g) > 1]
    assert len(parts) == len(reference)
    assert [len(p.cities) for p in parts] == sorted((len(p.cities) for p in parts), reverse=True)


@pytest.mark.parametrize("seed", range(6))
def test_articulation_cities_match_the_projection(seed: int) -> None:
    G, cities = fragmented(seed)
    projected = nx.bipartite.projected_graph(G, cities)
    expected = sorted((n for n in nx.articulation_points(projected)), key=str)
    assert components.articulation_cities(G, cities) == expected
