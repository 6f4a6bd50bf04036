"""The engines ``backend="auto"`` runs at every size give networkx's numbers, and the
same numbers whatever the number of threads or processes they run on.

The synthetic graph here has the shape of the report's 2,000- and 5,000-city graphs
(heavy-tailed networks, many cities with no tie) at a size where
networkx, the reference, still runs in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import networkx as nx
import pytest

from glocal.analysis import centrality, components, pivotality
from glocal.analysis.graph import Ties, bipartite_graph, check_layers
from glocal.analysis.ties import fetch_ties
from glocal.data.synth import write_synthetic
from glocal.dataset import load_files
from glocal.resources import DATA_DIR, ONTOLOGY_DIR
from glocal.store import EmbeddedStore


@pytest.fixture(scope="module")
def synthetic_ties(tmp_path_factory: pytest.TempPathFactory) -> Ties:
    folder = tmp_path_factory.mktemp("synthetic-engines")
    path = write_synthetic(folder, cities=500, networks=25, seed=4)
    files = [ONTOLOGY_DIR / "glocal.ttl", DATA_DIR / "reference" / "compacts.trig", path]
    store = EmbeddedStore.open(load_files(files), cache_dir=folder / "cache")
    try:
        return fetch_ties(store, layers=check_layers(None))
    finally:
        store.close()


@pytest.fixture(scope="module")
def synthetic(synthetic_ties: Ties) -> tuple[nx.Graph, list[str]]:
    """The report's graph: cities with a tie, and what they are tied to."""
    G = bipartite_graph(synthetic_ties, layers=check_layers(None))
    G.remove_nodes_from(components.isolated_cities(G, list(synthetic_ties.cities)))
    return G, [c for c in synthetic_ties.cities if c in G]


def test_auto_leaves_networkx_at_every_size() -> None:
    for sampled in (False, True):
        assert centrality.engine("auto", measure="betweenness", sampled=sampled) != "networkx"
    assert centrality.engine("auto", measure="harmonic_closeness") == "sparse"
    assert centrality.engine("networkx", measure="betweenness") == "networkx"
    assert centrality.engine("rustworkx", measure="harmonic_closeness") == "sparse"
    with pytest.raises(ValueError, match="unknown backend 'igraph'"):
        centrality.engine("igraph", measure="betweenness")  # type: ignore[arg-type]  # an unknown backend on purpose


def test_auto_gives_networkx_numbers_on_a_synthetic_graph(
    synthetic: tuple[nx.Graph, list[str]],
) -> None:
    G, cities = nx.Graph(synthetic[0]), list(synthetic[1])
    # A second component of two nodes, where normalisations go wrong first.
    G.add_edge("lone city", "lone network")
    cities = [*cities, "lone city"]
    assert len(G) > 300 and nx.number_connected_components(G) == 2
    reference = nx.bipartite.betweenness_centrality(G, cities)
    backends: tuple[centrality.Backend, ...] = ("auto", "rustworkx", "sparse")
    for backend in backends:
        found = centrality.betweenness(G, cities, backend=backend)
        assert found == pytest.approx(reference, abs=1e-12), backend
    n, m = len(cities), len(G) - len(cities)
    top = set(cities)
    harmonic = {
        v: h / (m + (n - 1) / 2 if v in top else n + (m - 1) / 2)
        for v, h in nx.harmonic_centrality(G).items()
    }
    assert centrality.harmonic_closeness(G, cities) == pytest.approx(harmonic, abs=1e-12)
    table = pivotality.compute_measures(G, cities, measures=["betweenness", "harmonic_closeness"])
    assert table.methods["betweenness"] == "bipartite betweenness, exact (rustworkx)"
    assert table.methods["harmonic_closeness"].endswith("(sparse)")


RAYON_SCRIPT = """
import json, sys
import networkx as nx
from glocal.analysis import centrality
G = nx.bipartite.random_graph(300, 80, 0.03, seed=11)
cities = list(range(300))
values = centrality.betweenness(G, cities, backend="rustworkx")
json.dump({str(k): v for k, v in values.items()}, sys.stdout)
"""


def _betweenness_on_threads(threads: int) -> dict[str, float]:
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads)}
    done = subprocess.run(
        [sys.executable, "-c", RAYON_SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    values: dict[str, float] = json.loads(done.stdout)
    return values


def test_rustworkx_gives_the_same_numbers_on_one_thread_or_several() -> None:
    one, several = _betweenness_on_threads(1), _betweenness_on_threads(4)
    assert one == pytest.approx(several, abs=1e-12)
    assert pivotality.ranks(one) == pivotality.ranks(several)
    assert max(one.values()) > 0


def test_sensitivity_is_the_same_in_this_process_or_in_two(synthetic_ties: Ties) -> None:
    # Sampled betweenness draws its pivots from the seed: one process or two, the
    # layer-dropped rankings must be the same.
    here = pivotality.layer_sensitivity(synthetic_ties, workers=1, exact=False, pivots=64, seed=3)
    spread = pivotality.layer_sensitivity(synthetic_ties, workers=2, exact=False, pivots=64, seed=3)
    assert list(here) == list(spread) == list(check_layers(None))
    for layer, ranking in here.items():
        assert [(r.city, r.rank, r.score) for r in ranking] == [
            (r.city, r.rank, r.score) for r in spread[layer]
        ], layer
    other = pivotality.layer_sensitivity(synthetic_ties, workers=1, exact=False, pivots=64, seed=4)
    assert any([r.ranks for r in other[layer]] != [r.ranks for r in here[layer]] for layer in here)
