"""Which cities are pivotal: a composite rank over centrality measures, how robust it
is, and how far it agrees with an expert list.

The composite rank is the **mean rank across measures**: each measure ranks the cities
(1 = most central, ties share their average rank), and a city's composite is the mean
of its ranks. Ranks rather than raw values, because the measures live on different
scales and are heavy-tailed, so averaging values would let one measure dominate; the
mean rank weighs every measure equally and is easy to explain. The ``score`` maps the
mean rank ``r`` of ``n`` cities to [0, 1] on a log scale, ``1 - ln r / ln n``: 1 for a
city ranked first by every measure, 0 for last by every one. The log keeps the
differences among the leading cities visible when there are thousands of cities (on a
linear scale the first hundred of 20,000 would all score above 0.99); it does not
change the order.

The measures (:data:`MEASURES`):

``degree``, ``betweenness``
    bipartite centralities (networkx's bipartite normalisations) of the city graph;
``harmonic_closeness``
    harmonic closeness (Marchiori and Latora 2000), normalised to [0, 1] on the
    bipartite graph: it stays meaningful on a disconnected graph, where closeness
    does not (:func:`~glocal.analysis.centrality.harmonic_closeness`);
``eigenvector``, ``pagerank``
    weighted, on the bipartite graph;
``strength``
    weighted degree in Newman's city–city projection;
``projected_betweenness``
    weighted betweenness in the projection, distances ``1 / w``; skipped (and said so)
    when the projection is too big to build (:data:`PROJECTION_WORK`).

The expert list (the ``gl:Assessment`` of pivotal cities) is never an input to any of
this: :func:`glocal.analysis.agreement.agreement` compares a finished ranking with it.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial

import networkx as nx
import numpy as np

from glocal.analysis import centrality, projection
from glocal.analysis.graph import Ties, bipartite_graph, check_layers

__all__ = [
    "DEFAULT_PIVOTS",
    "MEASURES",
    "PROJECTION_WORK",
    "MeasureTable",
    "Ranked",
    "composite",
    "compute_measures",
    "layer_sensitivity",
    "ranks",
]

#: Every measure the composite can use, in report order.
MEASURES: tuple[str, ...] = (
    "degree",
    "betweenness",
    "harmonic_closeness",
    "eigenvector",
    "pagerank",
    "strength",
    "projected_betweenness",
)

#: Pivots for sampled betweenness on graphs above ``centrality.LARGE_GRAPH`` nodes.
DEFAULT_PIVOTS = 256

#: Largest ``cities * projection pairs`` for which projected betweenness is computed
#: (networkx's weighted Brandes in Python costs about that many steps).
PROJECTION_WORK = 20_000_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class MeasureTable:
    """Measure values per city, plus the measures skipped and how each was computed."""

    values: dict[str, dict[Hashable, float]]
    skipped: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    """One city's place in the composite ranking."""

    city: Hashable
    rank: int
    score: float
    mean_rank: float
    ranks: dict[str, float]


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def compute_measures(
    G: nx.Graph,
    cities: Collection[Hashable],
    *,
    measures: Sequence[str] | None = None,
    exact: bool | None = None,
    pivots: int | None = None,
    backend: centrality.Backend = "auto",
    seed: int = 0,
    progress: Progress | None = None,
) -> MeasureTable:
    """Compute each measure for every city.

    Parameters
    ----------
    G, cities
        The bipartite graph (:func:`~glocal.analysis.graph.bipartite_graph`) and
        every city node.
    measures
        A subset of :data:`MEASURES`; all by default.
    exact
        Exact betweenness (``True``) or estimated from ``pivots`` random sources
        (``False``); ``None``: exact up to ``centrality.LARGE_GRAPH`` nodes.
    pivots
        Pivots for estimated betweenness; :data:`DEFAULT_PIVOTS` by default.
    backend
        Engine for betweenness and closeness, see :mod:`glocal.analysis.centrality`.
    seed
        Seed for the pivot sample.
    progress
        Called with a short message before each measure.

    Returns
    -------
    MeasureTable
        ``values[measure][city]``; measures that could not run are in ``skipped`` with
        the reason, and ``methods`` says how each one ran.

    Examples
    --------
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y")])
    >>> table = compute_measures(G, ["a", "b", "c"], measures=["degree", "strength"])
    >>> table.values["degree"]["b"], table.values["strength"]["b"]
    (1.0, 2.0)
    """
    chosen = list(MEASURES if measures is None else measures)
    unknown = sorted(set(chosen) - set(MEASURES))
    if unknown:
        raise ValueError(
            f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}"
        )
    top = centrality.check_cities(G, cities)
    n_nodes = G.number_of_nodes()
    large = n_nodes > centrality.LARGE_GRAPH
    use_exact = (not large) if exact is None else exact
    sample = None if use_exact else (pivots or DEFAULT_PIVOTS)
    values: dict[str, dict[Hashable, float]] = {}
    skipped: dict[str, str] = {}
    methods: dict[str, str] = {}
    for name in chosen:
        _say(progress, f"{name} on {n_nodes:,} nodes and {G.number_of_edges():,} edges")
        if name == "degree":
            result = centrality.degree(G, top)
            methods[name] = "networkx bipartite degree centrality"
        elif name == "betweenness":
            result = centrality.betweenness(G, top, backend=backend, sample=sample, seed=seed)
            sampled = sample is not None and sample < n_nodes
            engine = centrality.engine(backend, measure=name, sampled=sampled)
            methods[name] = (
                f"bipartite betweenness, exact ({engine})"
                if sample is None or sample >= n_nodes
                else f"bipartite betweenness estimated from {sample} random pivots ({engine})"
            )
        elif name == "harmonic_closeness":
            result = centrality.harmonic_closeness(G, top, backend=backend)
            engine = centrality.engine(backend, measure=name)
            methods[name] = (
                "harmonic closeness (Marchiori and Latora 2000), divided by its bipartite "
                f"maximum m + (n - 1) / 2 ({engine})"
            )
        elif name == "eigenvector":
            result = centrality.eigenvector(G)
            methods[name] = "weighted eigenvector centrality on the largest component (networkx)"
        elif name == "pagerank":
            result = centrality.pagerank(G)
            methods[name] = "weighted PageRank, alpha 0.85 (networkx)"
        elif name == "strength":
            result = projection.strength(G, top, weight="weight")
            methods[name] = "weighted degree in Newman's projection, from the incidence matrix"
        else:
            pairs = projection.projection_pairs(G, top)
            if pairs * len(top) > PROJECTION_WORK:
                skipped[name] = (
                    f"projection too large: {len(top):,} cities x {pairs:,} pairs exceeds "
                    f"{PROJECTION_WORK:,}"
                )
                continue
            result = projection.projected_betweenness(G, top, weight="weight", max_pairs=None)
            methods[name] = "weighted betweenness in Newman's projection, distance 1/w (networkx)"
        values[name] = {city: float(result.get(city, 0.0)) for city in top}
    return MeasureTable(values, skipped, methods)


def ranks(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Rank values from 1 (largest) down; ties share their average rank.

    Values equal to 10 significant digits, or within 1e-12 of each other near zero, are
    ties: an eigensolver's or a sum's last bits differ from run to run (and between
    stores that return the facts in another order) and must not decide an order.

    Examples
    --------
    >>> ranks({"a": 0.5, "b": 0.9, "c": 0.5})
    {'a': 2.5, 'b': 1.0, 'c': 2.5}
    >>> ranks({"a": 0.1 + 0.2, "b": 0.3, "c": 1e-17, "d": -2e-17})
    {'a': 1.5, 'b': 1.5, 'c': 3.5, 'd': 3.5}
    """
    keys = list(values)
    from scipy import stats  # imported when used: most of a second at start-up

    ordered = stats.rankdata(
        [-float(f"{round(values[k], 12):.10g}") for k in keys], method="average"
    )
    return {k: float(r) for k, r in zip(keys, ordered, strict=True)}


def composite(values: Mapping[str, Mapping[Hashable, float]]) -> list[Ranked]:
    """Rank cities by their mean rank across measures (see the module docstring).

    Parameters
    ----------
    values
        ``values[measure][city]``, every measure over the same cities.

    Returns
    -------
    list of Ranked
        Best first; ``rank`` is shared by equal mean ranks (1, 2, 2, 4), and the
        order within a tie follows the city's string form.

    Examples
    --------
    >>> ranked = composite({"m1": {"a": 3, "b": 2, "c": 1}, "m2": {"a": 2, "b": 3, "c": 1}})
    >>> [(r.city, r.rank, r.score) for r in ranked]
    [('a', 1, 0.63093), ('b', 1, 0.63093), ('c', 3, 0.0)]
    """
    if not values:
        raise ValueError("no measures to rank by")
    per_measure = {name: ranks(vals) for name, vals in values.items()}
    cities = list(next(iter(per_measure.values())))
    n = len(cities)
    mean = {c: float(np.mean([per_measure[m][c] for m in per_measure])) for c in cities}
    order = sorted(cities, key=lambda c: (mean[c], str(c)))
    ranked: list[Ranked] = []
    for position, city in enumerate(order, start=1):
        tied = ranked and math.isclose(ranked[-1].mean_rank, mean[city])
        rank = ranked[-1].rank if tied else position
        score = 1.0 - math.log(mean[city]) / math.log(n) if n > 1 else 1.0
        ranked.append(
            Ranked(
                city,
                rank,
                round(score, 6),
                mean[city],
                {m: per_measure[m][city] for m in per_measure},
            )
        )
    return ranked


def layer_sensitivity(
    ties: Ties,
    *,
    layers: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
    measures: Sequence[str] | None = None,
    exact: bool | None = None,
    pivots: int | None = None,
    backend: centrality.Backend = "auto",
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, list[Ranked]]:
    """The composite ranking recomputed with each layer dropped in turn.

    Parameters
    ----------
    ties
        The ties the graph is built from (:func:`~glocal.analysis.ties.fetch_ties`).
    layers, weights
        As for :func:`~glocal.analysis.graph.bipartite_graph`; only layers among
        ``layers`` are dropped, and nothing is dropped when a single layer is in use.
    measures, exact, pivots, backend, seed
        As for :func:`compute_measures`.
    workers
        Processes to run the variants in. ``None``: one per core (at most two) when
        the graph has more than ``centrality.LARGE_GRAPH`` nodes, else 1 (in this
        process). More than one uses the ``spawn`` start method, so a script that
        calls this must guard its top level with ``if __name__ == "__main__":``.
    progress
        Called with a message as each variant starts (or, in processes, ends).

    Returns
    -------
    dict
        Dropped layer to ranking. Cost: one full :func:`compute_measures` per layer.

    Examples
    --------
    >>> from glocal.analysis.graph import City, Tie
    >>> ties = Ties({"a": City("a", "A"), "b": City("b", "B")},
    ...             {"X": ("organisation", "X"), "E": ("event", "E")},
    ...             (Tie("a", "X", "organisations", "Member"),
    ...              Tie("b", "X", "organisations", "Member"),
    ...              Tie("b", "E", "events", "attended")))
    >>> without = layer_sensitivity(ties, measures=["degree"])
    >>> [r.city for r in without["organisations"]]
    ['b', 'a']
    """
    chosen = check_layers(layers)
    if len(chosen) < 2:
        return {}
    rank_without = partial(
        _ranking_without,
        ties,
        weights=weights,
        measures=measures,
        exact=exact,
        pivots=pivots,
        backend=backend,
        seed=seed,
    )
    jobs = [(layer, [x for x in chosen if x != layer]) for layer in chosen]
    if workers is None:
        large = len(ties.cities) + len(ties.nodes) > centrality.LARGE_GRAPH
        workers = min(2, os.cpu_count() or 1, len(jobs)) if large else 1
    if workers <= 1:
        result = {}
        for layer, kept in jobs:
            _say(progress, f"sensitivity: ranking without the {layer} layer")
            result[layer] = rank_without(kept)
        return result
    _say(
        progress, f"sensitivity: {len(jobs)} rankings, one layer dropped each, {workers} processes"
    )
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(rank_without, kept): layer for layer, kept in jobs}
        done = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            _say(progress, f"sensitivity: ranked without the {futures[future]} layer")
    return {layer: done[layer] for layer, _ in jobs}


def _ranking_without(
    ties: Ties,
    kept: list[str],
    *,
    weights: Mapping[str, float] | None,
    measures: Sequence[str] | None,
    exact: bool | None,
    pivots: int | None,
    backend: centrality.Backend,
    seed: int,
) -> list[Ranked]:
    """The composite ranking on the graph of the ``kept`` layers (a worker's job)."""
    G = bipartite_graph(ties, layers=kept, weights=weights)
    table = compute_measures(
        G,
        list(ties.cities),
        measures=measures,
        exact=exact,
        pivots=pivots,
        backend=backend,
        seed=seed,
    )
    return composite(table.values)
