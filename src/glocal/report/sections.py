"""The sections of the pivotal report, built from finished analysis results.

Pure functions: a graph, a ranking and the like in, :mod:`glocal.report.model`
dataclasses out. :func:`~glocal.report.build.pivotal_report` runs the analysis and
calls them; nothing here reads the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

from glocal.analysis.agreement import agreement
from glocal.analysis.pivotality import Ranked
from glocal.report.model import (
    AgreementSection,
    CityRef,
    CitySensitivity,
    Communities,
    Community,
    GraphSizes,
    ListedRankedLow,
    MainCore,
    NodeRef,
    RankComparison,
    Sensitivity,
    UnlistedRankedHigh,
)

__all__ = [
    "COMMUNITIES_LISTED",
    "NETWORK_CITIES",
    "NETWORK_OTHERS",
    "agreement_section",
    "city_ref",
    "communities_section",
    "graph_sizes",
    "sensitivity_section",
]

#: How many top cities the network drawing shows.
NETWORK_CITIES = 40
#: How many non-city nodes the network drawing shows at most.
NETWORK_OTHERS = 60
#: How many communities the report lists (largest first).
COMMUNITIES_LISTED = 30


def city_ref(iri: Hashable, labels: Mapping[str, str]) -> CityRef:
    """A city by IRI and label (the IRI when it has no label).

    >>> city_ref("c", {"c": "Bristol"}), city_ref("d", {})
    (CityRef(iri='c', label='Bristol'), CityRef(iri='d', label='d'))
    """
    return CityRef(str(iri), labels.get(str(iri), str(iri)))


def agreement_section(
    ranking: Sequence[Ranked],
    expert: Sequence[str],
    counts: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, str],
) -> AgreementSection:
    """:func:`~glocal.analysis.agreement.agreement` with every city named.

    >>> from glocal.analysis.pivotality import composite
    >>> ranked = composite({"m": {"a": 2.0, "b": 1.0}})
    >>> section = agreement_section(ranked, ["b"], {}, {"b": "Bristol"})
    >>> section.listed_ranked_low[0].label, section.expert_cities
    ('Bristol', (CityRef(iri='b', label='Bristol'),))
    """
    result = agreement(ranking, expert, counts=counts)
    return AgreementSection(
        k=result.k,
        listed=result.listed,
        listed_in_graph=result.listed_in_graph,
        hits=tuple(city_ref(c, labels) for c in result.hits),
        precision_at_k=result.precision_at_k,
        recall_at_k=result.recall_at_k,
        spearman=result.spearman,
        kendall=result.kendall,
        auc=result.auc,
        missing=tuple(city_ref(c, labels) for c in result.missing),
        listed_ranked_low=tuple(
            ListedRankedLow(*_named(row.city, labels), row.rank, row.score, row.lacks)
            for row in result.listed_ranked_low
        ),
        unlisted_ranked_high=tuple(
            UnlistedRankedHigh(*_named(row.city, labels), row.rank, row.score)
            for row in result.unlisted_ranked_high
        ),
        expert_cities=tuple(city_ref(c, labels) for c in expert),
    )


def _named(iri: Hashable, labels: Mapping[str, str]) -> tuple[str, str]:
    ref = city_ref(iri, labels)
    return ref.iri, ref.label


def _spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    if len(a) < 2 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    from scipy import stats  # imported when used: most of a second at start-up

    return round(float(stats.spearmanr(a, b).statistic), 4)


def _best_by(ranking: Sequence[Ranked], measure: str) -> list[Hashable]:
    """The cities ordered by one measure's rank (ties by name)."""
    return [r.city for r in sorted(ranking, key=lambda r: (r.ranks[measure], str(r.city)))]


def sensitivity_section(
    ranking: Sequence[Ranked], dropped: Mapping[str, Sequence[Ranked]], shown: set[str]
) -> Sensitivity:
    """Each measure's own ranking, and the ranking with each layer dropped, against the
    composite; per-city ranks for the ``shown`` cities.

    >>> from glocal.analysis.pivotality import composite
    >>> ranked = composite({"m1": {"a": 2.0, "b": 1.0}, "m2": {"a": 1.0, "b": 2.0}})
    >>> section = sensitivity_section(ranked, {}, {"a"})
    >>> section.k, section.measures["m1"].top_overlap, list(section.cities)
    (2, 2, ['a'])
    """
    order = [r.city for r in ranking]
    base = [r.mean_rank for r in ranking]
    k = min(16, len(order))
    top_base = set(order[:k])
    measures = {}
    for name in ranking[0].ranks if ranking else []:
        per = [r.ranks[name] for r in ranking]
        best = _best_by(ranking, name)[:k]
        measures[name] = RankComparison(_spearman(base, per), len(top_base & set(best)))
    layers = {}
    without_rank: dict[str, dict[Hashable, int]] = {}
    for layer, variant in dropped.items():
        position = {r.city: r for r in variant}
        without_rank[layer] = {r.city: r.rank for r in variant}
        layers[layer] = RankComparison(
            _spearman(base, [position[c].mean_rank for c in order]),
            len(top_base & {r.city for r in variant[:k]}),
        )
    cities = {
        str(r.city): CitySensitivity(
            rank=r.rank,
            by_measure=dict(r.ranks),
            without_layer={layer: ranks[r.city] for layer, ranks in without_rank.items()},
        )
        for r in ranking
        if str(r.city) in shown
    }
    return Sensitivity(k=k, measures=measures, layers_dropped=layers, cities=cities)


def communities_section(
    G: nx.Graph,
    groups: Sequence[set[Hashable]],
    ranking: Sequence[Ranked],
    labels: Mapping[str, str],
    core_k: int,
    core_cities: Sequence[Hashable],
) -> Communities:
    """The communities with two or more cities (at most :data:`COMMUNITIES_LISTED`),
    their best ranked cities and most connected nodes, and the main core."""
    position = {r.city: i for i, r in enumerate(ranking)}
    listed: list[Community] = []
    for i, group in enumerate(groups):
        members = [n for n in group if G.nodes[n]["kind"] == "city"]
        if len(members) < 2 or len(listed) >= COMMUNITIES_LISTED:
            continue
        others = sorted(
            (n for n in group if G.nodes[n]["kind"] != "city"),
            key=lambda n: (-G.degree(n), str(n)),
        )
        members.sort(key=lambda c: position.get(c, len(position)))
        listed.append(
            Community(
                id=i,
                cities=len(members),
                size=len(group),
                top_cities=tuple(city_ref(c, labels) for c in members[:10]),
                top_nodes=tuple(
                    NodeRef(str(n), G.nodes[n]["label"], G.nodes[n]["kind"]) for n in others[:10]
                ),
            )
        )
    core_sorted = sorted(core_cities, key=lambda c: position.get(c, len(position)))
    return Communities(
        method="Louvain on the weighted bipartite graph (networkx, resolution 1)",
        count=len(groups),
        with_two_or_more_cities=sum(
            1 for g in groups if sum(1 for n in g if G.nodes[n]["kind"] == "city") >= 2
        ),
        listed=tuple(listed),
        main_core=MainCore(
            k=core_k,
            cities=len(core_cities),
            top_cities=tuple(city_ref(c, labels) for c in core_sorted[:50]),
        ),
    )


def graph_sizes(G: nx.Graph, cities: Sequence[str], *, isolated: int = 0) -> GraphSizes:
    """Cities (and how many have ties), nodes, edges, nodes by kind and components.

    ``isolated`` counts cities with no tie that were taken out of ``G`` before; they
    count as cities, nodes and components (of one node each).

    >>> G = nx.Graph([("a", "X")])
    >>> G.add_node("a", kind="city"); G.add_node("X", kind="organisation")
    >>> sizes = graph_sizes(G, ["a"], isolated=2)
    >>> sizes.by_kind, sizes.cities, sizes.cities_with_ties, sizes.components
    ({'city': 3, 'organisation': 1}, 3, 1, 3)
    """
    kinds = Counter(d["kind"] for _, d in G.nodes(data=True))
    if isolated:
        kinds["city"] += isolated
    return GraphSizes(
        cities=len(cities) + isolated,
        cities_with_ties=sum(1 for c in cities if G.degree(c) > 0),
        nodes=G.number_of_nodes() + isolated,
        edges=G.number_of_edges(),
        by_kind=dict(sorted(kinds.items())),
        components=nx.number_connected_components(G) + isolated,
    )
