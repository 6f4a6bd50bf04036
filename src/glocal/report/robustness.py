"""The pivotal report's uncertainty and time: bootstrap and leave-one-source-out rank
intervals, the curveball null model (with the backbone drawn from the same null
graphs), and the ranks as of each year.

Replicate counts: :data:`BOOTSTRAP` resamples and :data:`NULL` null graphs on graphs up
to :data:`LARGE_GRAPH` nodes (the curated graph has about 60). Above that, to keep the
report within minutes from a few hundred nodes up and near two minutes at 20,000
cities, :data:`BOOTSTRAP_LARGE` and
:data:`NULL_LARGE`; the resampled rankings (bootstrap, leave-one-source-out, years)
use the measures of :data:`LARGE_MEASURES` only; the agreement without the listing
source has no interval; and the report says all this in its limits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import networkx as nx
import numpy as np

from glocal.analysis import backbone, nullmodel, resampling, timeline
from glocal.analysis.agreement import agreement, agreement_intervals, ranking_from_ranks
from glocal.analysis.centrality import Backend
from glocal.analysis.graph import Ties, bipartite_graph, bipartite_incidence, local_name
from glocal.analysis.pivotality import Ranked, composite, compute_measures
from glocal.analysis.projection import DEFAULT_MAX_PAIRS, incidence_strength, projection_pairs
from glocal.analysis.resampling import bootstrap_ranks
from glocal.analysis.ties import assessing_sources
from glocal.report.model import AgreementFigures, Uncertainty
from glocal.report.sections import city_ref
from glocal.store import GraphStore

#: The ``gl:category`` of the expert list (as in :mod:`glocal.report.build`).
PIVOTAL_CATEGORY = "pivotal city"

__all__ = [
    "ALPHA",
    "BOOTSTRAP",
    "BOOTSTRAP_LARGE",
    "LARGE_GRAPH",
    "LARGE_MEASURES",
    "NULL",
    "NULL_LARGE",
    "Robustness",
    "agreement_figures",
    "ranker",
    "robustness",
    "uncertainty_section",
]

#: Above this many nodes, fewer replicates and the incidence-matrix measures: a full
#: composite on 300 nodes takes seconds (projected betweenness runs in Python), and
#: 400 of them (bootstrap with and without the listing source) would take many minutes.
LARGE_GRAPH = 200

#: Bootstrap replicates, and null graphs, on graphs of up to LARGE_GRAPH nodes.
BOOTSTRAP = 200
NULL = 500
#: The same above LARGE_GRAPH nodes.
BOOTSTRAP_LARGE = 10
NULL_LARGE = 5
#: The measures of the resampled rankings above LARGE_GRAPH nodes: the two computed
#: from the incidence matrix alone, without building a graph per replicate.
LARGE_MEASURES = ("degree", "strength")
#: Level of the Benjamini–Hochberg tests (null model and backbone).
ALPHA = 0.05


@dataclass(frozen=True)
class Robustness:
    """Everything the report needs from the resampling, the null model and time."""

    bootstrap: list[Mapping[Hashable, int]]
    loso: dict[str, Mapping[Hashable, int]]
    null: nullmodel.NullTest | None
    backbone: list[backbone.BackbonePair]
    backbone_tested: int
    backbone_skipped: str | None
    by_year: dict[int, Mapping[Hashable, int]]
    null_replicates: int
    measures: tuple[str, ...] | None
    large: bool


def ranker(
    *,
    layers: Collection[str],
    weights: Mapping[str, float] | None,
    measures: Sequence[str] | None,
    exact: bool,
    pivots: int | None,
    backend: Backend,
    seed: int,
) -> resampling.Rank:
    """The composite ranking as a function of the ties: cities with a tie only.

    With ``measures`` among :data:`LARGE_MEASURES`, the measures come from the
    incidence matrix (:func:`~glocal.analysis.graph.bipartite_incidence`): the same
    ranks as through the graph, at a fraction of the cost.
    """
    if measures is not None and set(measures) <= set(LARGE_MEASURES):
        return partial(_incidence_rank, layers=layers, weights=weights, measures=measures)

    def rank(ties: Ties) -> Mapping[Hashable, int]:
        # Cities and ties in a fixed order: networkx breaks ties between equally short
        # paths by node order, and stores return facts in orders of their own.
        ties = Ties(
            cities=dict(sorted(ties.cities.items())),
            nodes=ties.nodes,
            ties=tuple(sorted(ties.ties, key=str)),
            labels=ties.labels,
            citations=ties.citations,
        )
        G = bipartite_graph(ties, layers=layers, weights=weights)
        G.remove_nodes_from([c for c in ties.cities if G.degree(c) == 0])
        cities = [c for c in ties.cities if c in G]
        if not cities:
            return {}
        table = compute_measures(
            G, cities, measures=measures, exact=exact, pivots=pivots, backend=backend, seed=seed
        )
        return {r.city: r.rank for r in composite(table.values)}

    return rank


def _incidence_rank(
    ties: Ties,
    *,
    layers: Collection[str],
    weights: Mapping[str, float] | None,
    measures: Sequence[str],
) -> Mapping[Hashable, int]:
    B, rows = bipartite_incidence(ties, layers=layers, weights=weights)
    if not rows:
        return {}
    found = {
        "degree": np.diff(B.indptr).astype(float),
        "strength": incidence_strength(B),
    }
    values: dict[str, Mapping[Hashable, float]] = {
        m: {city: float(v) for city, v in zip(rows, found[m], strict=True)} for m in measures
    }
    return {r.city: r.rank for r in composite(values)}


def robustness(
    ties: Ties,
    G: nx.Graph,
    cities: Sequence[Hashable],
    *,
    layers: Collection[str],
    weights: Mapping[str, float] | None,
    exact: bool,
    pivots: int | None,
    backend: Backend,
    seed: int,
    bootstrap: int | None = None,
    null: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Robustness:
    """Run the bootstrap, leave-one-source-out, the null model, the backbone and the
    timeline on the graph ``G`` (cities with ties only) built from ``ties``.

    ``bootstrap`` and ``null`` override the replicate counts; ``progress`` is called
    with a message before each step.
    """

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    large = G.number_of_nodes() > LARGE_GRAPH
    measures = LARGE_MEASURES if large else None
    rank = ranker(
        layers=layers,
        weights=weights,
        measures=measures,
        exact=exact,
        pivots=pivots,
        backend=backend,
        seed=seed,
    )
    replicates = bootstrap if bootstrap is not None else BOOTSTRAP_LARGE if large else BOOTSTRAP
    n_null = null if null is not None else NULL_LARGE if large else NULL
    say(f"bootstrap: {replicates} replicates")
    runs = resampling.bootstrap_ranks(ties, rank, replicates=replicates, seed=seed)
    say("leave-one-source-out")
    loso = resampling.leave_one_source_out(ties, rank)
    test: nullmodel.NullTest | None = None
    pairs: list[backbone.BackbonePair] = []
    tested, skipped = 0, None
    if n_null > 0 and len(cities) > 1:
        say(f"null model: {n_null} curveball graphs")
        samples = nullmodel.curveball(G, cities, replicates=n_null, seed=seed)
        say("null model: harmonic closeness of each null graph")
        test = nullmodel.null_test(samples)
        if projection_pairs(G, cities) <= DEFAULT_MAX_PAIRS:
            pairs, tested = backbone.fdsm_backbone(samples, alpha=ALPHA)
        else:
            skipped = f"the projection has more than {DEFAULT_MAX_PAIRS:,} city pairs"
    else:
        skipped = "no null graphs"
    say("ranks as of each year")
    by_year = timeline.ranks_by_year(ties, rank)
    return Robustness(
        bootstrap=runs,
        loso=loso,
        null=test,
        backbone=pairs,
        backbone_tested=tested,
        backbone_skipped=skipped,
        by_year=by_year,
        null_replicates=n_null,
        measures=measures,
        large=large,
    )


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _maybe_round(value: float | None) -> float | None:
    return None if value is None else _round(value)


def uncertainty_section(
    robust: Robustness, ties: Ties, ranking: list[Ranked], labels: Mapping[str, str], seed: int
) -> Uncertainty:
    null = robust.null
    beyond = [r.city for r in ranking if null and null.q.get(r.city, 1.0) < ALPHA]
    limits = [
        "A bootstrap replicate keeps about 63% of the distinct facts, so its ranks lean "
        "pessimistic for cities with few ties; the interval says how far a rank rests on "
        "few facts, not how a population of cities varies.",
        "Leave-one-source-out intervals are the lowest and highest rank over "
        f"{len(robust.loso)} runs, not a confidence interval.",
        "The null model tests harmonic closeness only; degree is fixed by it, so only "
        "measures of reach can be tested.",
        f"p-values are resolved to 1/{robust.null_replicates + 1}.",
        f"An interval reaching {len(ranking) + 1} means the city lost every tie in some "
        "replicate (it would not be ranked at all).",
    ]
    if robust.large:
        limits.append(
            f"This graph is large: {len(robust.bootstrap)} bootstrap replicates and "
            f"{robust.null_replicates} null graphs only, and the resampled rankings use "
            f"{', '.join(robust.measures or ())} only; the agreement without the listing "
            "source has no interval."
        )
    return Uncertainty(
        bootstrap_replicates=len(robust.bootstrap),
        loso_sources=tuple(ties.citations.get(s) or local_name(s) for s in robust.loso),
        null_replicates=robust.null_replicates if null else 0,
        null_statistic="harmonic closeness",
        null_model="curveball swaps keeping every city's and every node's degree "
        "(Strona et al. 2014; Carstens 2016)",
        correction="Benjamini–Hochberg false discovery rate over the ranked cities",
        alpha=ALPHA,
        seed=seed,
        beyond_chance=tuple(city_ref(c, labels) for c in beyond),
        limits=tuple(limits),
    )


def agreement_figures(
    store: GraphStore,
    ties: Ties,
    ranking: list[Ranked],
    expert: list[str],
    robust: Robustness,
    everyone: list[str],
    rank_args: dict[str, Any],
    seed: int,
) -> tuple[AgreementFigures, ...]:
    """The agreement figures with bootstrap intervals, with all facts and without the
    facts of the sources that make the list (the same number of replicates)."""
    if not expert:
        return ()
    figures = [
        _figures(
            "all sources",
            ranking_from_ranks({r.city: r.rank for r in ranking}, everyone),
            expert,
            robust.bootstrap,
            everyone,
        )
    ]
    listing = set(assessing_sources(store, category=PIVOTAL_CATEGORY))
    if listing:
        kept = Ties(
            cities=ties.cities,
            nodes=ties.nodes,
            ties=tuple(t for t in ties.ties if t.source not in listing),
            labels=ties.labels,
            citations=ties.citations,
        )
        rank = ranker(**rank_args, measures=robust.measures if robust.large else None)
        runs = (
            []
            if robust.large
            else bootstrap_ranks(kept, rank, replicates=len(robust.bootstrap), seed=seed)
        )
        cited = ", ".join(sorted(ties.citations.get(s) or local_name(s) for s in listing))
        figures.append(
            _figures(
                f"without {cited}", ranking_from_ranks(rank(kept), everyone), expert, runs, everyone
            )
        )
    return tuple(figures)


def _figures(
    facts: str,
    ranked: list[Ranked],
    expert: list[str],
    runs: list[Mapping[Hashable, int]],
    everyone: list[str],
) -> AgreementFigures:
    result = agreement(ranked, expert)
    return AgreementFigures(
        facts=facts,
        k=result.k,
        hits=len(result.hits),
        precision_at_k=result.precision_at_k,
        recall_at_k=result.recall_at_k,
        spearman=_maybe_round(result.spearman.rho) if result.spearman else None,
        spearman_p=_maybe_round(result.spearman.p) if result.spearman else None,
        auc=_maybe_round(result.auc),
        intervals={
            name: (_round(low), _round(high))
            for name, (low, high) in agreement_intervals(runs, everyone, expert).items()
        },
    )
