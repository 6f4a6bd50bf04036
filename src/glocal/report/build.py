"""Build the reports: read the graph through the store, run the analysis, assemble the
typed report (:mod:`glocal.report.model`).

:func:`pivotal_report` ranks every city, explains each rank and compares the ranking
with the Bosch paper's list; :func:`centrality_report` ranks the cities by one measure.
Rendering is elsewhere: :mod:`glocal.report.text` (JSON, CSV, Markdown) and
:mod:`glocal.report.html`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor

from glocal.analysis import communities as community_analysis
from glocal.analysis.centrality import LARGE_GRAPH, Backend
from glocal.analysis.evidence import evidence, layer_counts
from glocal.analysis.graph import DEFAULT_WEIGHTS, bipartite_graph, check_layers
from glocal.analysis.pivotality import (
    DEFAULT_PIVOTS,
    MEASURES,
    Ranked,
    composite,
    compute_measures,
    layer_sensitivity,
)
from glocal.analysis.ties import assessed_cities, fetch_ties
from glocal.report.model import (
    CentralityReport,
    CentralityValue,
    ExpertList,
    Parameters,
    PivotalReport,
    RankedCity,
)
from glocal.report.sections import (
    agreement_section,
    communities_section,
    graph_sizes,
    network_drawing,
    sensitivity_section,
)
from glocal.store import GraphStore

__all__ = ["PIVOTAL_CATEGORY", "Progress", "centrality_report", "pivotal_report"]

#: The ``gl:category`` of the assessment the ranking is compared with.
PIVOTAL_CATEGORY = "pivotal city"

Progress = Callable[[str], None]


def _timed(progress: Progress | None) -> Progress:
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    return say


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def pivotal_report(
    store: GraphStore,
    *,
    layers: Collection[str] | None = None,
    top: int | None = None,
    weights: Mapping[str, float] | None = None,
    parents: bool = False,
    proxies: bool = True,
    exact: bool | None = None,
    pivots: int | None = None,
    backend: Backend = "auto",
    seed: int = 0,
    sensitivity: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> PivotalReport:
    """Rank the cities of the graph, explain each rank, and compare with the expert list.

    Parameters
    ----------
    store
        The graph (any :class:`~glocal.store.GraphStore`).
    layers
        Layers of ties to use (:data:`~glocal.analysis.graph.LAYERS`); all by default.
    top
        List only the first ``top`` cities (all measures still use every city).
    weights
        Overrides of :data:`~glocal.analysis.graph.DEFAULT_WEIGHTS`.
    parents
        Also tie members of a network to its parent networks.
    proxies
        Count what a city's mayor or office did for the city.
    exact, pivots, backend, seed
        How betweenness and closeness run; see
        :func:`~glocal.analysis.pivotality.compute_measures`.
    sensitivity
        Recompute the ranking with each layer dropped (one full run per layer).
    workers
        Processes for those runs; see
        :func:`~glocal.analysis.pivotality.layer_sensitivity`.
    progress
        Called with a timestamped message at each step (e.g. print to stderr).

    Returns
    -------
    PivotalReport
        ``cities`` (ranked; each with ``iri``, ``label``, ``rank``, ``score``,
        ``measures``, ``ranks``, ``evidence`` with ``memberships``, ``declarations``,
        ``events`` and ``pledges``, each item with ``source`` and ``quote``), and
        ``agreement``, ``sensitivity``, ``communities``, ``network`` (a drawing of
        the top cities and their organisations), ``graph`` (sizes) and ``parameters``.
        :meth:`~glocal.report.model.PivotalReport.to_json` gives the JSON form.

    Raises
    ------
    ValueError
        If a layer is unknown or the graph has no city.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> report = pivotal_report(store, top=5, sensitivity=False)
    >>> len(report.cities), sorted(report.cities[0].evidence.by_kind())
    (5, ['declarations', 'events', 'memberships', 'pledges'])
    """
    say = _timed(progress)
    chosen = check_layers(layers)
    say("reading ties from the store")
    ties = fetch_ties(store, layers=chosen, parents=parents, proxies=proxies)
    say(f"{len(ties.cities):,} cities, {len(ties.ties):,} ties; building the graph")
    G = bipartite_graph(ties, layers=chosen, weights=weights)
    cities = list(ties.cities)
    if not cities:
        raise ValueError("the graph has no gl:City; load curated or synthetic data first")
    # Decide once, on the full graph, so the layer-dropped variants are computed the
    # same way even when dropping a layer takes them under the size threshold.
    exact = exact if exact is not None else G.number_of_nodes() <= LARGE_GRAPH
    with ThreadPoolExecutor(max_workers=1) as background:
        # The layer-dropped rankings run meanwhile (in worker processes on large
        # graphs; this thread only waits for them).
        pending = (
            background.submit(
                layer_sensitivity,
                ties,
                layers=chosen,
                weights=weights,
                exact=exact,
                pivots=pivots,
                backend=backend,
                seed=seed,
                workers=workers,
                progress=say,
            )
            if sensitivity
            else None
        )
        table = compute_measures(
            G, cities, exact=exact, pivots=pivots, backend=backend, seed=seed, progress=say
        )
        ranking = composite(table.values)
        say("communities and cores")
        groups = community_analysis.louvain(G, cities, seed=seed)
        group_of = {node: i for i, group in enumerate(groups) for node in group}
        cores = community_analysis.core_numbers(G)
        core_k, core_cities = community_analysis.main_core(G, cities, cores=cores)
        if pending is not None:
            say("waiting for the layer-dropped rankings")
        dropped: dict[str, list[Ranked]] = pending.result() if pending is not None else {}

    say("comparing with the expert list and collecting evidence")
    expert = assessed_cities(store, category=PIVOTAL_CATEGORY)
    counts = layer_counts(ties, layers=chosen)
    labels = {iri: city.label for iri, city in ties.cities.items()}
    listed = set(expert)
    found = evidence(ties, layers=chosen)
    rows = []
    for r in ranking if top is None else ranking[:top]:
        city = ties.cities[str(r.city)]
        rows.append(
            RankedCity(
                iri=city.iri,
                label=city.label,
                rank=r.rank,
                score=r.score,
                mean_rank=round(r.mean_rank, 3),
                measures={m: _round(v[r.city]) for m, v in table.values.items()},
                ranks=dict(r.ranks),
                listed=city.iri in listed,
                lat=city.lat,
                long=city.long,
                community=group_of.get(r.city),
                core=cores.get(r.city, 0),
                layers=counts.get(city.iri, {}),
                evidence=found[city.iri],
            )
        )
    say("drawing the network")
    report = PivotalReport(
        title="Pivotal cities in global migration governance",
        data_version=store.version,
        cities=tuple(rows),
        agreement=agreement_section(ranking, expert, counts, labels),
        sensitivity=sensitivity_section(ranking, dropped, {c.iri for c in rows}),
        communities=communities_section(G, groups, ranking, labels, core_k, core_cities),
        network=network_drawing(G, ranking, seed=seed),
        graph=graph_sizes(G, cities),
        parameters=Parameters(
            layers=chosen,
            weights={**DEFAULT_WEIGHTS, **(weights or {})},
            parents=parents,
            proxies=proxies,
            measures=tuple(table.values),
            skipped=table.skipped,
            methods=table.methods,
            composite="mean rank across measures (1 = most central, ties averaged); "
            "score = 1 - ln(mean rank) / ln(number of cities)",
            exact=exact,
            pivots=None if exact else pivots or DEFAULT_PIVOTS,
            backend=backend,
            seed=seed,
            top=top,
            expert=ExpertList(
                category=PIVOTAL_CATEGORY,
                cities=len(expert),
                role="benchmark only; never an input to the ranking",
            ),
        ),
    )
    say("report ready")
    return report


def centrality_report(
    store: GraphStore,
    *,
    measure: str,
    layers: Collection[str] | None = None,
    top: int | None = None,
    weights: Mapping[str, float] | None = None,
    backend: Backend = "auto",
) -> CentralityReport:
    """One centrality measure for every city, ranked (for ``/reports/centrality``).

    Returns
    -------
    CentralityReport
        ``measure``, ``method``, and ``cities``: each with ``iri``, ``label``,
        ``value`` and ``rank``, best first.

    Raises
    ------
    ValueError
        If the measure or a layer is unknown, or the measure cannot run on this graph
        (projection too large).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> result = centrality_report(store, measure="degree", top=3)
    >>> result.measure, len(result.cities)
    ('degree', 3)
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")
    chosen = check_layers(layers)
    ties = fetch_ties(store, layers=chosen)
    G = bipartite_graph(ties, layers=chosen, weights=weights)
    table = compute_measures(G, list(ties.cities), measures=[measure], backend=backend)
    if measure in table.skipped:
        raise ValueError(f"{measure} cannot run on this graph: {table.skipped[measure]}")
    ranked = composite(table.values)
    return CentralityReport(
        measure=measure,
        method=table.methods[measure],
        cities=tuple(
            CentralityValue(
                iri=str(r.city),
                label=ties.cities[str(r.city)].label,
                value=_round(table.values[measure][r.city]),
                rank=r.rank,
            )
            for r in (ranked if top is None else ranked[:top])
        ),
    )
