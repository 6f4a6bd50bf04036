"""Build the reports: read the graph through the store, run the analysis, assemble the
typed report (:mod:`glocal.report.model`).

:func:`pivotal_report` ranks every city, explains each rank and compares the ranking
with the Bosch paper's list; :func:`centrality_report` ranks the cities by one measure.
Rendering is elsewhere: :mod:`glocal.report.text` (JSON, CSV, Markdown) and
:mod:`glocal.report.html`; the resampling, null model and timeline run in
:mod:`glocal.report.robustness`. Longer than 400 lines because
:func:`pivotal_report` assembles every section of a city's row from one set of fetched
ties, and splitting that assembly would hand a dozen intermediate results between
modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from glocal.analysis import communities as community_analysis
from glocal.analysis import components as component_analysis
from glocal.analysis.brokerage import participation
from glocal.analysis.centrality import LARGE_GRAPH, Backend
from glocal.analysis.evidence import evidence, layer_counts
from glocal.analysis.graph import DEFAULT_WEIGHTS, Tie, bipartite_graph, check_layers
from glocal.analysis.pivotality import (
    DEFAULT_PIVOTS,
    MEASURES,
    Ranked,
    composite,
    compute_measures,
    layer_sensitivity,
)
from glocal.analysis.projection import ProjectionTooLarge
from glocal.analysis.regions import region_of
from glocal.analysis.resampling import rank_interval
from glocal.analysis.structural_holes import structural_holes
from glocal.analysis.ties import assessed_cities, fetch_ties
from glocal.analysis.timeline import TIMELINE_RULE
from glocal.report.explain import explain
from glocal.report.model import (
    Backbone,
    BackboneEdge,
    CentralityReport,
    CentralityValue,
    ComponentSummary,
    ExpertList,
    Parameters,
    PivotalReport,
    RankedCity,
    Timeline,
)
from glocal.report.network import network_drawing
from glocal.report.robustness import (
    ALPHA,
    agreement_figures,
    robustness,
    uncertainty_section,
)
from glocal.report.sections import (
    agreement_section,
    city_ref,
    communities_section,
    graph_sizes,
    sensitivity_section,
)
from glocal.store import GraphStore

__all__ = ["PIVOTAL_CATEGORY", "RANKING_RULE", "Progress", "centrality_report", "pivotal_report"]

#: The ``gl:category`` of the assessment the ranking is compared with.
PIVOTAL_CATEGORY = "pivotal city"

#: What is ranked, and how equal composites are ranked.
RANKING_RULE = (
    "Only cities with at least one tie are ranked; cities with none are listed apart, and "
    "the components are listed, since harmonic closeness is the only measure here that "
    "compares cities across components. Cities with equal mean ranks share the best "
    "rank of the group (competition ranking: 1, 2, 2, 4) and are listed by IRI."
)

Progress = Callable[[str], None]


def _timed(progress: Progress | None) -> Progress:
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    return say


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _maybe_round(value: float | None) -> float | None:
    return None if value is None else _round(value)


def _with_isolates(ranking: list[Ranked], isolates: list[Hashable]) -> list[Ranked]:
    """The ranking with the isolated cities after it, tied last with score 0: against
    the expert list, a listed city that no source ties to anything is a miss."""
    last = len(ranking) + 1
    mean = (last + len(ranking) + len(isolates)) / 2
    return [*ranking, *(Ranked(c, last, 0.0, mean, {}) for c in isolates)]


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
    bootstrap: int | None = None,
    null: int | None = None,
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
    bootstrap, null
        Bootstrap replicates and null graphs; by default those of
        :mod:`glocal.report.robustness` (fewer on large graphs, and the report says so).
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
    if not ties.cities:
        raise ValueError("the graph has no gl:City; load curated or synthetic data first")
    isolates = component_analysis.isolated_cities(G, list(ties.cities))
    # Only cities with a tie are ranked: an isolated city is not comparable with the
    # others (every measure gives it 0), so it is listed apart, and it leaves the graph
    # the measures see (it would only change their normalising constants).
    G.remove_nodes_from(isolates)
    cities = [c for c in ties.cities if c in G]
    if not cities:
        raise ValueError("no city has a tie in these layers; nothing to rank")
    parts = component_analysis.components(G, cities)
    component_of = {c: part.index for part in parts for c in part.cities}
    # Decide once, on the full graph, so the layer-dropped variants are computed the
    # same way even when dropping a layer takes them under the size threshold.
    exact = exact if exact is not None else G.number_of_nodes() <= LARGE_GRAPH
    rank_args: dict[str, Any] = {
        "layers": chosen,
        "weights": weights,
        "exact": exact,
        "pivots": pivots,
        "backend": backend,
        "seed": seed,
    }
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
        say("bootstrap, leave-one-source-out, null model, backbone and timeline")
        robust = robustness(
            ties,
            G,
            cities,
            layers=chosen,
            weights=weights,
            exact=exact,
            pivots=pivots,
            backend=backend,
            seed=seed,
            bootstrap=bootstrap,
            null=null,
            progress=say,
        )
        if pending is not None:
            say("waiting for the layer-dropped rankings")
        dropped: dict[str, list[Ranked]] = pending.result() if pending is not None else {}

    say("comparing with the expert list and collecting evidence")
    expert = assessed_cities(store, category=PIVOTAL_CATEGORY)
    counts = layer_counts(ties, layers=chosen)
    labels = {iri: city.label for iri, city in ties.cities.items()}
    listed = set(expert)
    found = evidence(ties, layers=chosen)
    say("brokerage: structural holes, regions, articulation points")
    holes: dict[Hashable, tuple[float | None, float | None]] = {}
    holes_note = "Burt's constraint and effective size on the weighted projection (networkx)"
    if robust.large:
        holes_note = "not computed: the projection is too large for networkx's constraint"
    else:
        try:
            holes = structural_holes(G, cities)
        except ProjectionTooLarge as err:
            holes_note = f"not computed: {err}"
    regions = {c: region_of(ties.cities[str(c)].country) for c in cities}
    shares = participation(G, cities, {c: r.region if r else None for c, r in regions.items()})
    cut = set(component_analysis.articulation_cities(G, cities))
    unranked = len(ranking) + 1
    boot_of = {r.city: rank_interval(robust.bootstrap, r.city, unranked=unranked) for r in ranking}
    loso_of = {
        r.city: rank_interval(list(robust.loso.values()), r.city, unranked=unranked, level=None)
        for r in ranking
    }
    tested = robust.null
    years = sorted(robust.by_year)
    names = {**ties.labels, **{n: lbl for n, (_, lbl) in ties.nodes.items()}, **labels}
    ties_of: dict[str, list[Tie]] = {}
    for tie in ties.ties:
        if tie.layer in chosen:
            ties_of.setdefault(tie.city, []).append(tie)
    rows = []
    for position, r in enumerate(ranking if top is None else ranking[:top]):
        city = ties.cities[str(r.city)]
        region = regions.get(str(r.city))
        q = tested.q.get(r.city) if tested else None
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
                component=component_of.get(r.city),
                rank_interval=boot_of.get(r.city),
                loso_interval=loso_of.get(r.city),
                z_score=_maybe_round(tested.z.get(r.city)) if tested else None,
                p_value=_maybe_round(tested.p.get(r.city)) if tested else None,
                q_value=_maybe_round(q),
                beyond_chance=None if q is None else q < ALPHA,
                constraint=_maybe_round(holes.get(r.city, (None, None))[0]),
                effective_size=_maybe_round(holes.get(r.city, (None, None))[1]),
                region=region.region if region else None,
                participation=_maybe_round(shares.get(r.city)),
                articulation=r.city in cut,
                ranks_by_year={y: robust.by_year[y].get(r.city) for y in years},
                explanation=explain(
                    r,
                    position,
                    ranking,
                    ties_of.get(city.iri, []),
                    label=names,
                    citations=ties.citations,
                    weights=weights,
                    intervals=(boot_of.get(r.city), loso_of.get(r.city)),
                ),
            )
        )
    say("drawing the network")
    report = PivotalReport(
        title="Pivotal cities in global migration governance",
        data_version=store.version,
        cities=tuple(rows),
        agreement=replace(
            agreement_section(_with_isolates(ranking, isolates), expert, counts, labels),
            figures=agreement_figures(
                store, ties, ranking, expert, robust, list(ties.cities), rank_args, seed
            ),
            unsupported=tuple(city_ref(c, labels) for c in isolates if c in listed),
        ),
        sensitivity=sensitivity_section(ranking, dropped, {c.iri for c in rows}),
        communities=communities_section(G, groups, ranking, labels, core_k, core_cities),
        network=network_drawing(G, ranking),
        graph=graph_sizes(G, cities, isolated=len(isolates)),
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
        components=tuple(
            ComponentSummary(p.index, tuple(city_ref(c, labels) for c in p.cities), p.nodes)
            for p in parts
        ),
        isolates=tuple(city_ref(c, labels) for c in isolates),
        ranking_rule=RANKING_RULE,
        uncertainty=uncertainty_section(robust, ties, ranking, labels, seed),
        timeline=Timeline(
            years=tuple(years),
            rule=TIMELINE_RULE,
            undated=sum(1 for t in ties.ties if t.year is None and t.layer in chosen),
            cities_by_year={y: len(robust.by_year[y]) for y in years},
        ),
        backbone=Backbone(
            method="fixed degree sequence model (Neal 2014) from the curveball null graphs; "
            f"Benjamini–Hochberg at alpha {ALPHA}",
            alpha=ALPHA,
            replicates=robust.null_replicates if robust.null else 0,
            tested_pairs=robust.backbone_tested,
            edges=tuple(
                BackboneEdge(city_ref(p.a, labels), city_ref(p.b, labels), p.shared, _round(p.p))
                for p in robust.backbone
            ),
            skipped=robust.backbone_skipped,
        ),
        brokerage={
            "constraint, effective_size": holes_note,
            "participation": "participation coefficient (Guimerà and Amaral 2005) over UN M49 "
            "regions, on the weighted projection; Gould–Fernandez roles need directed ties",
            "articulation": "cities whose removal disconnects other cities of the projection "
            "(Hopcroft–Tarjan, networkx)",
            "region": "UN M49 region of the city's country (UN Statistics Division)",
        },
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
    """One centrality measure for every city with a tie, ranked (for ``/reports/centrality``).

    The graph is the pivotal report's: cities with no tie leave it first, so each value
    equals the one :func:`pivotal_report` gives.

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
    # As the pivotal report does: a city with no tie leaves the graph, so a measure's
    # normalising constants (and so its values) are the same in both reports.
    G.remove_nodes_from(component_analysis.isolated_cities(G, list(ties.cities)))
    cities = [c for c in ties.cities if c in G]
    if not cities:
        raise ValueError("no city has a tie in these layers; nothing to rank")
    table = compute_measures(G, cities, measures=[measure], backend=backend)
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
