"""The pivotal-cities report: who is central in the city network, why, and how that
compares with the Bosch paper's list.

:func:`pivotal_report` reads the graph through the store and returns plain data (a
dict that serializes to JSON as is); :func:`render_json`, :func:`render_csv`,
:func:`render_markdown` and :func:`render_html` turn it into files. The HTML page is
one self-contained file: styles and SVG charts inline, no script, nothing fetched.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib.resources import files

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from scipy import stats

from glocal.analysis import communities as community_analysis
from glocal.analysis.centrality import LARGE_GRAPH, Backend
from glocal.analysis.graph import (
    DEFAULT_WEIGHTS,
    EVIDENCE_KINDS,
    LAYERS,
    assessed_cities,
    bipartite_graph,
    evidence,
    fetch_ties,
    layer_counts,
)
from glocal.analysis.pivotality import (
    DEFAULT_PIVOTS,
    MEASURES,
    Ranked,
    agreement,
    composite,
    compute_measures,
    layer_sensitivity,
)
from glocal.namespaces import PREFIXES
from glocal.store import GraphStore

__all__ = [
    "PIVOTAL_CATEGORY",
    "centrality_report",
    "pivotal_report",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
]

#: The ``gl:category`` of the assessment the ranking is compared with.
PIVOTAL_CATEGORY = "pivotal city"

TEMPLATES = files("glocal.report") / "templates"
WORLD_OUTLINE = files("glocal.report") / "world-110m.json"

#: How many top cities the network drawing shows.
NETWORK_CITIES = 40
#: How many non-city nodes the network drawing shows at most.
NETWORK_OTHERS = 60
#: How many communities the report lists (largest first).
COMMUNITIES_LISTED = 30

Progress = Callable[[str], None]


def _timed(progress: Progress | None) -> Progress:
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    return say


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
) -> dict[str, object]:
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
    dict
        ``cities`` (ranked; each with ``iri``, ``label``, ``rank``, ``score``,
        ``measures``, ``ranks``, ``evidence`` with ``memberships``, ``declarations``,
        ``events`` and ``pledges``, each item with ``source`` and ``quote``), and
        ``agreement``, ``sensitivity``, ``communities``, ``network`` (a drawing of
        the top cities and their organisations), ``graph`` (sizes) and ``parameters``.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> report = pivotal_report(store, top=5, sensitivity=False)
    >>> len(report["cities"]), sorted(report["cities"][0]["evidence"])
    (5, ['declarations', 'events', 'memberships', 'pledges'])
    """
    say = _timed(progress)
    chosen = [layer for layer in LAYERS if layers is None or layer in layers]
    if layers is not None and set(layers) - set(LAYERS):
        unknown = ", ".join(sorted(set(layers) - set(LAYERS)))
        raise ValueError(f"unknown layer(s) {unknown}; choose from {', '.join(LAYERS)}")
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
    shown = ranking if top is None else ranking[:top]
    found = evidence(ties, layers=chosen)
    city_rows = []
    for r in shown:
        city = ties.cities[str(r.city)]
        city_rows.append(
            {
                "iri": city.iri,
                "label": city.label,
                "rank": r.rank,
                "score": r.score,
                "mean_rank": round(r.mean_rank, 3),
                "measures": {m: _round(v[r.city]) for m, v in table.values.items()},
                "ranks": r.ranks,
                "listed": city.iri in listed,
                "lat": city.lat,
                "long": city.long,
                "community": group_of.get(r.city),
                "core": cores.get(r.city, 0),
                "layers": counts.get(city.iri, {}),
                "evidence": found[city.iri],
            }
        )
    say("drawing the network")
    report: dict[str, object] = {
        "title": "Pivotal cities in global migration governance",
        "data_version": store.version,
        "cities": city_rows,
        "agreement": _agreement_section(ranking, expert, counts, labels),
        "sensitivity": _sensitivity_section(ranking, dropped, {c["iri"] for c in city_rows}),
        "communities": _communities_section(G, groups, ranking, labels, core_k, core_cities),
        "network": _network_drawing(G, ranking, seed=seed),
        "graph": _graph_sizes(G, cities),
        "parameters": {
            "layers": chosen,
            "weights": {**DEFAULT_WEIGHTS, **(weights or {})},
            "parents": parents,
            "proxies": proxies,
            "measures": list(table.values),
            "skipped": table.skipped,
            "methods": table.methods,
            "composite": "mean rank across measures (1 = most central, ties averaged); "
            "score = 1 - ln(mean rank) / ln(number of cities)",
            "exact": exact,
            "pivots": None if exact else pivots or DEFAULT_PIVOTS,
            "backend": backend,
            "seed": seed,
            "top": top,
            "expert": {
                "category": PIVOTAL_CATEGORY,
                "cities": len(expert),
                "role": "benchmark only; never an input to the ranking",
            },
        },
    }
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
) -> dict[str, object]:
    """One centrality measure for every city, ranked (for ``/reports/centrality``).

    Returns
    -------
    dict
        ``measure``, ``method``, and ``cities``: a list of ``iri``, ``label``,
        ``value`` and ``rank``, best first.

    Raises
    ------
    ValueError
        If the measure is unknown or cannot run on this graph (projection too large).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> result = centrality_report(store, measure="degree", top=3)
    >>> result["measure"], len(result["cities"])
    ('degree', 3)
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")
    ties = fetch_ties(store, layers=layers)
    G = bipartite_graph(ties, layers=layers, weights=weights)
    table = compute_measures(G, list(ties.cities), measures=[measure], backend=backend)
    if measure in table.skipped:
        raise ValueError(f"{measure} cannot run on this graph: {table.skipped[measure]}")
    ranked = composite(table.values)
    shown = ranked if top is None else ranked[:top]
    return {
        "measure": measure,
        "method": table.methods[measure],
        "cities": [
            {
                "iri": str(r.city),
                "label": ties.cities[str(r.city)].label,
                "value": _round(table.values[measure][r.city]),
                "rank": r.rank,
            }
            for r in shown
        ],
    }


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _city_ref(iri: Hashable, labels: Mapping[str, str]) -> dict[str, str]:
    return {"iri": str(iri), "label": labels.get(str(iri), str(iri))}


def _agreement_section(
    ranking: Sequence[Ranked],
    expert: Sequence[str],
    counts: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, str],
) -> dict[str, object]:
    result = agreement(ranking, expert, counts=counts)
    result["hits"] = [_city_ref(c, labels) for c in result["hits"]]  # type: ignore[attr-defined]
    result["missing"] = [_city_ref(c, labels) for c in result["missing"]]  # type: ignore[attr-defined]
    for key in ("listed_ranked_low", "unlisted_ranked_high"):
        for row in result[key]:  # type: ignore[attr-defined]
            row.update(_city_ref(row.pop("city"), labels))
    result["expert_cities"] = [_city_ref(c, labels) for c in expert]
    return result


def _spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    if len(a) < 2 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    return round(float(stats.spearmanr(a, b).statistic), 4)


def _sensitivity_section(
    ranking: Sequence[Ranked], dropped: Mapping[str, Sequence[Ranked]], shown: set[str]
) -> dict[str, object]:
    order = [r.city for r in ranking]
    base = [r.mean_rank for r in ranking]
    k = min(16, len(order))
    top_base = set(order[:k])
    measures = {}
    for name in ranking[0].ranks if ranking else []:
        per = [r.ranks[name] for r in ranking]
        best = [r.city for r in sorted(ranking, key=lambda r, m=name: (r.ranks[m], str(r.city)))]
        measures[name] = {
            "spearman_with_composite": _spearman(base, per),
            f"top_{k}_overlap": len(top_base & set(best[:k])),
        }
    layers: dict[str, object] = {}
    without_rank: dict[str, dict[Hashable, int]] = {}
    for layer, variant in dropped.items():
        position = {r.city: r for r in variant}
        without_rank[layer] = {r.city: r.rank for r in variant}
        layers[layer] = {
            "spearman_with_composite": _spearman(base, [position[c].mean_rank for c in order]),
            f"top_{k}_overlap": len(top_base & {r.city for r in variant[:k]}),
        }
    cities = {
        str(r.city): {
            "rank": r.rank,
            "by_measure": {name: value for name, value in r.ranks.items()},
            "without_layer": {layer: ranks[r.city] for layer, ranks in without_rank.items()},
        }
        for r in ranking
        if str(r.city) in shown
    }
    return {"k": k, "measures": measures, "layers_dropped": layers, "cities": cities}


def _communities_section(
    G: nx.Graph,
    groups: Sequence[set[Hashable]],
    ranking: Sequence[Ranked],
    labels: Mapping[str, str],
    core_k: int,
    core_cities: Sequence[Hashable],
) -> dict[str, object]:
    position = {r.city: i for i, r in enumerate(ranking)}
    listed = []
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
            {
                "id": i,
                "cities": len(members),
                "size": len(group),
                "top_cities": [_city_ref(c, labels) for c in members[:10]],
                "top_nodes": [
                    {"iri": str(n), "label": G.nodes[n]["label"], "kind": G.nodes[n]["kind"]}
                    for n in others[:10]
                ],
            }
        )
    core_sorted = sorted(core_cities, key=lambda c: position.get(c, len(position)))
    return {
        "method": "Louvain on the weighted bipartite graph (networkx, resolution 1)",
        "count": len(groups),
        "with_two_or_more_cities": sum(
            1 for g in groups if sum(1 for n in g if G.nodes[n]["kind"] == "city") >= 2
        ),
        "listed": listed,
        "main_core": {
            "k": core_k,
            "cities": len(core_cities),
            "top_cities": [_city_ref(c, labels) for c in core_sorted[:50]],
        },
    }


def _network_drawing(G: nx.Graph, ranking: Sequence[Ranked], *, seed: int) -> dict[str, object]:
    """The top cities tied to organisations and the organisations they share, laid out
    by networkx's spring layout; other kinds of nodes when no city has memberships."""
    kinds = {"organisation"}
    if not any(G.nodes[n]["kind"] == "organisation" for n in G):
        kinds = {"declaration", "event", "objective"}

    def others_of(city: Hashable) -> list[Hashable]:
        return [n for n in G[city] if G.nodes[n]["kind"] in kinds]

    tied = [r for r in ranking if others_of(r.city)][:NETWORK_CITIES]
    score = {r.city: r.score for r in tied}
    share: Counter[Hashable] = Counter()
    for r in tied:
        share.update(others_of(r.city))
    others = sorted(share, key=lambda n: (-share[n], -G.degree(n), str(n)))[:NETWORK_OTHERS]
    H = nx.Graph(G.subgraph(set(score) | set(others)))
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    kind = "organisation" if kinds == {"organisation"} else "any"
    if H.number_of_nodes() == 0:
        return {"nodes": [], "edges": [], "kind": kind}
    pos = nx.spring_layout(
        H, weight="weight", seed=seed, iterations=300, k=2.0 / math.sqrt(H.number_of_nodes())
    )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    index = {node: i for i, node in enumerate(H)}
    nodes = [
        {
            "iri": str(node),
            "label": H.nodes[node]["label"],
            "kind": H.nodes[node]["kind"],
            "x": round((pos[node][0] - min(xs)) / span_x, 4),
            "y": round((pos[node][1] - min(ys)) / span_y, 4),
            "score": score.get(node),
            "degree": G.degree(node),
        }
        for node in H
    ]
    edges = [[index[u], index[v], d["weight"]] for u, v, d in H.edges(data=True)]
    return {"nodes": nodes, "edges": edges, "kind": kind}


def _graph_sizes(G: nx.Graph, cities: Sequence[str]) -> dict[str, object]:
    kinds = Counter(d["kind"] for _, d in G.nodes(data=True))
    tied = sum(1 for c in cities if G.degree(c) > 0)
    return {
        "cities": len(cities),
        "cities_with_ties": tied,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "by_kind": dict(sorted(kinds.items())),
        "components": nx.number_connected_components(G),
    }


# --------------------------------------------------------------------------- renderers


def render_json(report: Mapping[str, object]) -> str:
    """The report as JSON (UTF-8 text, keys in report order).

    Examples
    --------
    >>> render_json({"cities": []})
    '{\\n  "cities": []\\n}\\n'
    """
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def _measure_names(report: Mapping[str, object]) -> list[str]:
    return list(report["parameters"]["measures"])  # type: ignore[index]


def render_csv(report: Mapping[str, object]) -> str:
    """One row per city: rank, score, each measure, community and the count of facts.

    Examples
    --------
    >>> row = {"iri": "c", "label": "C", "rank": 1, "score": 1.0, "measures": {"degree": 1.0},
    ...        "listed": True, "community": 0, "core": 1, "lat": None, "long": None,
    ...        "evidence": {"memberships": [], "declarations": [], "events": [], "pledges": []}}
    >>> print(render_csv({"cities": [row], "parameters": {"measures": ["degree"]}}).splitlines()[1])
    1,c,C,1.0,1.0,True,0,1,,,0,0,0,0
    """
    measures = _measure_names(report)
    kinds = list(EVIDENCE_KINDS.values())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = ["rank", "iri", "label", "score", *measures]
    writer.writerow([*head, "listed", "community", "core", "lat", "long", *kinds])
    for city in report["cities"]:  # type: ignore[attr-defined]
        writer.writerow(
            [city["rank"], city["iri"], city["label"], city["score"]]
            + [city["measures"].get(m, "") for m in measures]
            + [city["listed"], city["community"], city["core"]]
            + [
                "" if city["lat"] is None else city["lat"],
                "" if city["long"] is None else city["long"],
            ]
            + [len(city["evidence"][k]) for k in kinds]
        )
    return out.getvalue()


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _fmt(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_markdown(report: Mapping[str, object], *, details: int | None = 25) -> str:
    """The report as Markdown: ranked table, agreement, sensitivity and the evidence of
    the first ``details`` cities (all when ``None``).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> text = render_markdown(pivotal_report(store, top=3, sensitivity=False))
    >>> text.startswith("# Pivotal cities")
    True
    """
    measures = _measure_names(report)
    cities = report["cities"]  # type: ignore[assignment]
    agreement_ = report["agreement"]  # type: ignore[assignment]
    lines = [f"# {report['title']}", ""]
    lines += [
        f"Data version `{report.get('data_version')}`. Composite: "
        f"{report['parameters']['composite']}.",  # type: ignore[index]
        "",
        "## Ranking",
        "",
        "| rank | city | score | " + " | ".join(measures) + " | listed |",
        "|---:|---|---:|" + "---:|" * len(measures) + "---|",
    ]
    for c in cities:  # type: ignore[attr-defined]
        lines.append(
            f"| {c['rank']} | {_md(c['label'])} | {c['score']:.3f} | "
            + " | ".join(f"{c['measures'][m]:.4g}" for m in measures)
            + f" | {'yes' if c['listed'] else ''} |"
        )
    lines += ["", "## Agreement with the expert list", ""]
    lines += _agreement_lines(agreement_)  # type: ignore[arg-type]
    lines += ["", "## Sensitivity", ""]
    sens = report["sensitivity"]  # type: ignore[assignment]
    k = sens["k"]  # type: ignore[index]
    lines += [f"| ranking by | Spearman with composite | top-{k} overlap |", "|---|---:|---:|"]
    for name, row in sens["measures"].items():  # type: ignore[index]
        lines.append(
            f"| {name} only | {_fmt(row['spearman_with_composite'])} | {row[f'top_{k}_overlap']} |"
        )
    for name, row in sens["layers_dropped"].items():  # type: ignore[index]
        rho, overlap = _fmt(row["spearman_with_composite"]), row[f"top_{k}_overlap"]
        lines.append(f"| without {name} | {rho} | {overlap} |")
    skipped = report["parameters"]["skipped"]  # type: ignore[index]
    for name, reason in skipped.items():
        lines.append(f"\n*{name} skipped: {reason}.*")
    lines += ["", "## Why these cities", ""]
    for c in cities[: details if details is not None else None]:  # type: ignore[index]
        lines.append(f"### {c['rank']}. {_md(c['label'])}")
        lines.append("")
        for kind, items in c["evidence"].items():
            for item in items:
                via = f" (via {item['via_label']})" if item.get("via") else ""
                quote = f' — "{_md(item["quote"])}"' if item.get("quote") else ""
                lines.append(
                    f"- {kind[:-1]}: {item['relation']} {_md(item['label'])}{via}{quote}"
                    f" [{item.get('source') or 'no source'}]"
                )
        if not any(c["evidence"].values()):
            lines.append("- no facts tie this city to the network")
        lines.append("")
    return "\n".join(lines) + "\n"


def _agreement_lines(a: Mapping[str, object]) -> list[str]:
    if not a["listed"]:
        return ["No pivotal-city assessment in the graph."]
    spearman = a["spearman"] or {}
    kendall = a["kendall"] or {}
    lines = [
        f"- listed cities: {a['listed']} ({a['listed_in_graph']} in the graph)",
        f"- precision@{a['k']}: {_fmt(a['precision_at_k'])}; "
        f"recall@{a['k']}: {_fmt(a['recall_at_k'])}",
        f"- Spearman rho (score vs listed): {_fmt(spearman.get('rho'))} "
        f"(p {_fmt(spearman.get('p'))}); Kendall tau: {_fmt(kendall.get('tau'))} "
        f"(p {_fmt(kendall.get('p'))}); AUC {_fmt(a['auc'])}",
        "- listed but ranked low: "
        + (
            ", ".join(
                f"{r['label']} (rank {r['rank']}; no {', '.join(r['lacks']) or 'missing layer'})"
                for r in a["listed_ranked_low"]  # type: ignore[attr-defined]
            )
            or "none"
        ),
        "- not listed but ranked high: "
        + (
            ", ".join(f"{r['label']} (rank {r['rank']})" for r in a["unlisted_ranked_high"])  # type: ignore[attr-defined]
            or "none"
        ),
    ]
    return lines


# --------------------------------------------------------------------------- HTML

_PALETTE = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]


def _colour(score: float | None) -> str:
    """A viridis-like colour for a score in [0, 1]; grey when there is none."""
    if score is None or math.isnan(score):
        return "#bbbbbb"
    x = min(max(score, 0.0), 1.0) * (len(_PALETTE) - 1)
    i = min(int(x), len(_PALETTE) - 2)
    t = x - i
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(_PALETTE[i], _PALETTE[i + 1], strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


@cache
def _world() -> dict[str, str]:
    data: dict[str, str] = json.loads(WORLD_OUTLINE.read_text(encoding="utf-8"))
    return data


def _bars(cities: Sequence[Mapping[str, object]], n: int = 20) -> dict[str, object]:
    rows = [
        {
            "label": c["label"],
            "score": c["score"],
            "colour": _colour(c["score"]),
            "listed": c["listed"],
        }  # type: ignore[arg-type]
        for c in cities[:n]
    ]
    return {"rows": rows, "height": 22 * len(rows) + 30}


def _map_points(cities: Sequence[Mapping[str, object]]) -> dict[str, object]:
    placed, unplaced = [], []
    for c in reversed(cities):  # best drawn last, on top
        if c["lat"] is None or c["long"] is None:
            unplaced.append(c["label"])
            continue
        score = float(c["score"])  # type: ignore[arg-type]
        placed.append(
            {
                "x": round(float(c["long"]) + 180, 2),  # type: ignore[arg-type]
                "y": round(90 - float(c["lat"]), 2),  # type: ignore[arg-type]
                "r": round(0.8 + 3.2 * score, 2),
                "colour": _colour(score),
                "label": c["label"],
                "rank": c["rank"],
                "listed": c["listed"],
            }
        )
    return {"points": placed, "unplaced": sorted(map(str, unplaced)), "world": _world()}


def _network_svg(
    network: Mapping[str, object], width: int = 900, height: int = 640
) -> dict[str, object]:
    left, right, vertical = 30, 170, 30
    nodes = []
    for node in network["nodes"]:  # type: ignore[attr-defined]
        x = left + node["x"] * (width - left - right)
        y = vertical + node["y"] * (height - 2 * vertical)
        if node["kind"] == "city":
            r = 4 + 10 * (node["score"] or 0.0)
            colour = _colour(node["score"])
        else:
            r = 3 + min(8.0, math.sqrt(node["degree"]))
            colour = "#d95f02"
        nodes.append(
            {**node, "cx": round(x, 1), "cy": round(y, 1), "r": round(r, 1), "colour": colour}
        )
    edges = [
        {
            "x1": nodes[i]["cx"],
            "y1": nodes[i]["cy"],
            "x2": nodes[j]["cx"],
            "y2": nodes[j]["cy"],
            "w": round(0.4 + 0.5 * w, 2),
        }
        for i, j, w in network["edges"]  # type: ignore[attr-defined]
    ]
    return {"nodes": nodes, "edges": edges, "width": width, "height": height}


def _curie(iri: object) -> str:
    """Shorten an IRI with glocal's prefixes (``city:bristol``), so the page shows no URL.

    >>> _curie("https://w3id.org/glocal/id/city/bristol")
    'city:bristol'
    """
    text = str(iri)
    best = max(
        ((prefix, ns) for prefix, ns in PREFIXES.items() if text.startswith(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    return f"{best[0]}:{text[len(best[1]) :]}" if best else text


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = _fmt
    env.filters["curie"] = _curie
    return env


def render_html(report: Mapping[str, object], *, details: int | None = 50) -> str:
    """The report as one self-contained HTML page that works offline.

    A ranked table, a bar chart of the top cities, a drawing of the city–organisation
    network (networkx spring layout) and a world map of cities coloured by score, all
    inline SVG; then the agreement with the expert list, the sensitivity of the
    ranking, and for the first ``details`` cities (all when ``None``) the evidence
    behind their rank, with quotes and sources. No script, no external resource.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> page = render_html(pivotal_report(store, top=5, sensitivity=False))
    >>> page.count("<svg") >= 3 and "src=\\"http" not in page
    True
    """
    cities = report["cities"]  # type: ignore[assignment]
    return (
        _environment()
        .get_template("pivotal_report.html")
        .render(
            report=report,
            measures=_measure_names(report),
            bars=_bars(cities),  # type: ignore[arg-type]
            world=_map_points(cities),  # type: ignore[arg-type]
            network=_network_svg(report["network"]),  # type: ignore[arg-type]
            details=cities[: details if details is not None else None],  # type: ignore[index]
            agreement=report["agreement"],
            agreement_lines=_agreement_lines(report["agreement"]),  # type: ignore[arg-type]
            legend=[{"score": s, "colour": _colour(s)} for s in (0.0, 0.25, 0.5, 0.75, 1.0)],
        )
    )
