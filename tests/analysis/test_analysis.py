"""Network analysis: the graph built from the store, and every measure against networkx."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pyoxigraph import RdfFormat, parse
from scipy import stats

from glocal.analysis import centrality, communities, pivotality, projection
from glocal.analysis.agreement import Kendall, ListedLow, Spearman, UnlistedHigh, agreement
from glocal.analysis.evidence import CityEvidence, evidence, layer_counts
from glocal.analysis.graph import LAYERS, bipartite_graph, check_layers
from glocal.analysis.ties import assessed_cities, city_graph, fetch_ties
from glocal.dataset import Dataset
from glocal.report.export import write_graph
from glocal.store import EmbeddedStore

ID = "https://w3id.org/glocal/id/"
A, B, C, D, E = (f"{ID}city/{x}" for x in ("athens", "bristol", "chicago", "dakar", "essen"))
N1, N2, N3 = (f"{ID}org/{x}" for x in ("n1", "n2", "n3"))

PREFIXES = """
@prefix gl: <https://w3id.org/glocal/ontology#> .
@prefix city: <https://w3id.org/glocal/id/city/> .
@prefix orgn: <https://w3id.org/glocal/id/org/> .
@prefix decl: <https://w3id.org/glocal/id/declaration/> .
@prefix event: <https://w3id.org/glocal/id/event/> .
@prefix pledge: <https://w3id.org/glocal/id/pledge/> .
@prefix person: <https://w3id.org/glocal/id/person/> .
@prefix obj: <https://w3id.org/glocal/id/objective/> .
@prefix compact: <https://w3id.org/glocal/id/compact/> .
@prefix src: <https://w3id.org/glocal/id/source/> .
@prefix assess: <https://w3id.org/glocal/id/assessment/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def membership(member: str, org: str, role: str) -> str:
    return f"""
    {member} org:memberOf {org} .
    [] a org:Membership ; org:member {member} ; org:organization {org} ; org:role gl:{role} ;
       gl:quote "{member} is {role} of {org}" ; prov:wasDerivedFrom src:t ."""


def fact(s: str, p: str, o: str) -> str:
    return f"""
    {s} {p} {o} .
    [] a rdf:Statement ; rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ;
       gl:quote "{s} {p} {o}" ; prov:wasDerivedFrom src:t ."""


FACTS = "".join(
    [
        membership("city:athens", "orgn:n1", "Chair"),
        membership("city:bristol", "orgn:n1", "Member"),
        membership("city:chicago", "orgn:n1", "Member"),
        membership("city:chicago", "orgn:n2", "Member"),
        membership("city:dakar", "orgn:n2", "Member"),
        membership("city:bristol", "orgn:n2", "LeadershipBoardMember"),
        membership("city:dakar", "orgn:n3", "Observer"),
        fact("orgn:n3", "org:subOrganizationOf", "orgn:n1"),
        fact("city:bristol", "gl:endorsed", "decl:d1"),
        fact("city:chicago", "gl:signed", "decl:d1"),
        fact("decl:d1", "gl:adoptedIn", "city:athens"),
        fact("event:e1", "gl:heldIn", "city:bristol"),
        fact("event:e1", "gl:hostedBy", "city:bristol"),
        fact("city:chicago", "gl:attended", "event:e1"),
        fact("person:mayor-a", "gl:mayorOf", "city:athens"),
        fact("person:mayor-a", "gl:attended", "event:e1"),
        fact("pledge:p1", "gl:pledgedBy", "city:dakar"),
        fact("pledge:p1", "gl:contributesTo", "obj:gcm-1"),
        fact("pledge:p1", "gl:contributesTo", "obj:gcm-2"),
        fact("pledge:p2", "gl:pledgedBy", "city:chicago"),
        fact("pledge:p2", "gl:addresses", "compact:gcm"),
    ]
)

TRIG = (
    PREFIXES
    + """
src:t {
    src:t a gl:Source ; rdfs:label "Test source" .
    city:athens a gl:City ; rdfs:label "Athens"@en ; geo:lat "37.98"^^xsd:decimal ;
        geo:long "23.73"^^xsd:decimal .
    city:bristol a gl:City ; rdfs:label "Bristol"@en .
    city:chicago a gl:City ; rdfs:label "Chicago"@en .
    city:dakar a gl:City ; rdfs:label "Dakar"@en .
    city:essen a gl:City ; rdfs:label "Essen"@en .
    orgn:n1 a gl:CityNetwork ; rdfs:label "Network One"@en .
    orgn:n2 a gl:CityNetwork ; rdfs:label "Network Two"@en .
    orgn:n3 a gl:CityNetwork ; rdfs:label "Network Three"@en .
    decl:d1 a gl:Declaration ; rdfs:label "Declaration One"@en .
    event:e1 a gl:Event ; rdfs:label "Forum One"@en .
    person:mayor-a a gl:Person ; rdfs:label "Mayor of Athens"@en .
    pledge:p1 a gl:Pledge ; rdfs:label "Dakar pledge"@en .
    pledge:p2 a gl:Pledge ; rdfs:label "Chicago pledge"@en .
    compact:gcm a gl:Compact ; rdfs:label "GCM"@en .
    obj:gcm-1 a gl:Objective ; skos:inScheme compact:gcm ; rdfs:label "GCM objective 1"@en .
    obj:gcm-2 a gl:Objective ; skos:inScheme compact:gcm ; rdfs:label "GCM objective 2"@en .
"""
    + FACTS
    + """
    assess:t a gl:Assessment ; rdfs:label "Pivotal"@en ; gl:category "pivotal city" ;
        gl:assessedBy src:t .
"""
    + fact("assess:t", "gl:assesses", "city:athens")
    + fact("assess:t", "gl:assesses", "city:bristol")
    + fact("assess:t", "gl:assesses", "city:essen")
    + "\n}\n"
)


def open_store(trig: str, cache: Path) -> EmbeddedStore:
    quads = list(parse(trig.encode(), RdfFormat.TRIG))
    version = str(abs(hash(trig)))
    return EmbeddedStore.open(Dataset(quads, (), version, {}), cache_dir=cache)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return open_store(TRIG, tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def graph(store: EmbeddedStore) -> nx.Graph:
    return city_graph(store)


CITIES = [A, B, C, D, E]


def random_bipartite(seed: int, n: int = 30, m: int = 12, p: float = 0.15) -> tuple[nx.Graph, list]:
    G = nx.bipartite.random_graph(n, m, p, seed=seed)
    G.add_node("isolated")
    return G, [*range(n), "isolated"]


# ------------------------------------------------------------------ the graph


def test_graph_has_every_city_and_the_tied_nodes(graph: nx.Graph) -> None:
    for city in CITIES:
        assert graph.nodes[city] == {
            "kind": "city",
            "label": graph.nodes[city]["label"],
            "iri": city,
            "bipartite": 0,
        }
    assert graph.degree(E) == 0
    kinds = {graph.nodes[n]["kind"] for n in graph if graph.nodes[n]["bipartite"] == 1}
    assert kinds == {"organisation", "declaration", "event", "objective"}
    assert nx.is_bipartite(graph)


def test_weights_follow_roles_and_relations(graph: nx.Graph) -> None:
    assert graph[A][N1]["weight"] == 3.0  # chair
    assert graph[B][N1]["weight"] == 1.0  # member
    assert graph[B][N2]["weight"] == 3.0  # leadership board
    assert graph[D][N3]["weight"] == 0.5  # observer
    assert graph[C][f"{ID}declaration/d1"]["relations"] == "signed"
    # Bristol hosted the event (an act); that it was also held there is a venue fact.
    assert graph[B][f"{ID}event/e1"]["relations"] == "hostedBy"
    assert graph[B][f"{ID}event/e1"]["weight"] == 2.0


def test_venues_are_not_ties_unless_asked_for(store: EmbeddedStore) -> None:
    # d1 was adopted in A, which did nothing else with it: a venue, not an act.
    assert not city_graph(store).has_edge(A, f"{ID}declaration/d1")
    with_venues = city_graph(store, venues=True)
    assert with_venues[A][f"{ID}declaration/d1"]["weight"] == 2.0  # the host's weight
    assert with_venues[B][f"{ID}event/e1"]["relations"] == "heldIn;hostedBy"


def test_mayors_act_for_their_city_unless_proxies_are_off(store: EmbeddedStore) -> None:
    event = f"{ID}event/e1"
    assert city_graph(store).has_edge(A, event)
    assert not city_graph(store, proxies=False).has_edge(A, event)
    via = [e.via for e in evidence(fetch_ties(store))[A].events]
    assert via == [f"{ID}person/mayor-a"]


def test_pledges_tie_cities_to_objectives_or_the_compact(graph: nx.Graph) -> None:
    assert graph.has_edge(D, f"{ID}objective/gcm-1") and graph.has_edge(D, f"{ID}objective/gcm-2")
    assert graph[C][f"{ID}compact/gcm"]["relations"] == "addresses"
    assert not graph.has_edge(D, f"{ID}compact/gcm")


def test_parent_networks_are_followed_only_when_asked(store: EmbeddedStore) -> None:
    assert not city_graph(store).has_edge(D, N1)
    G = city_graph(store, parents=True)
    assert G[D][N1]["weight"] == 0.25  # observer 0.5, one parent step at 0.5


def test_layers_and_weights_are_chosen_by_the_caller(store: EmbeddedStore) -> None:
    G = city_graph(store, layers=["organisations"])
    assert {G.nodes[n]["kind"] for n in G if G.nodes[n]["bipartite"]} == {"organisation"}
    G = city_graph(store, weights={"attended": 0, "Chair": 10})
    assert not G.has_edge(C, f"{ID}event/e1")
    assert G[A][N1]["weight"] == 10
    with pytest.raises(ValueError, match="unknown layer"):
        city_graph(store, layers=["friendships"])


def test_one_layer_check_names_the_bad_layer_and_the_valid_ones() -> None:
    assert check_layers(None) == LAYERS
    assert check_layers(["events", "organisations"]) == ("organisations", "events")
    with pytest.raises(ValueError) as raised:
        check_layers(["events", "gossip"])
    message = str(raised.value)
    assert "gossip" in message and all(layer in message for layer in LAYERS)
    assert "events" not in message.split(";")[0]


def test_the_assessment_is_a_benchmark_never_input(
    store: EmbeddedStore, graph: nx.Graph, tmp_path: Path
) -> None:
    assert assessed_cities(store) == sorted([A, B, E])
    assert f"{ID}assessment/t" not in graph
    without = open_store(TRIG.replace('gl:category "pivotal city"', 'gl:category "x"'), tmp_path)
    assert assessed_cities(without) == []
    assert nx.utils.graphs_equal(city_graph(without), graph)


def test_evidence_carries_source_and_quote(store: EmbeddedStore) -> None:
    found = evidence(fetch_ties(store))
    membership = found[B].memberships
    assert {m.target for m in membership} == {N1, N2}
    assert all(m.source == f"{ID}source/t" and m.quote for m in membership)
    assert found[D].pledges[0].pledge == f"{ID}pledge/p1"
    assert found[D].pledges[0].pledge_label == "Dakar pledge"
    assert found[E] == CityEvidence()
    assert found[E].by_kind() == {
        "memberships": (),
        "declarations": (),
        "events": (),
        "pledges": (),
    }
    assert layer_counts(fetch_ties(store))[E] == dict.fromkeys(LAYERS, 0)


# ------------------------------------------------------------------ centrality


def networkx_harmonic(G: nx.Graph, cities: list[str]) -> dict[str, float]:
    """networkx's harmonic centrality over its bipartite maximum: m + (n - 1) / 2 for a
    city facing m nodes, mirrored for the other side."""
    n, m = len(cities), len(G) - len(cities)
    top = set(cities)
    return {
        v: h / (m + (n - 1) / 2 if v in top else n + (m - 1) / 2)
        for v, h in nx.harmonic_centrality(G).items()
    }


def test_measures_match_networkx_on_the_store_graph(graph: nx.Graph) -> None:
    assert centrality.degree(graph, CITIES) == nx.bipartite.degree_centrality(graph, CITIES)
    assert centrality.betweenness(graph, CITIES) == pytest.approx(
        nx.bipartite.betweenness_centrality(graph, CITIES)
    )
    assert centrality.harmonic_closeness(graph, CITIES) == pytest.approx(
        networkx_harmonic(graph, CITIES)
    )
    assert centrality.pagerank(graph) == pytest.approx(nx.pagerank(graph, weight="weight"))
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    reference = nx.eigenvector_centrality_numpy(giant, weight="weight")
    values = centrality.eigenvector(graph)
    assert {n: values[n] for n in giant} == pytest.approx(reference)
    assert values[E] == 0.0


@pytest.mark.parametrize("backend", ["rustworkx", "sparse"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_engines_agree_with_networkx(backend: str, seed: int) -> None:
    G, cities = random_bipartite(seed)
    assert centrality.betweenness(G, cities, backend=backend) == pytest.approx(
        nx.bipartite.betweenness_centrality(G, cities), abs=1e-12
    )
    assert centrality.harmonic_closeness(G, cities, backend=backend) == pytest.approx(
        networkx_harmonic(G, cities), abs=1e-12
    )


def test_auto_runs_outside_networkx_even_on_small_graphs() -> None:
    G, cities = random_bipartite(5, n=60, m=20, p=0.1)
    assert len(G) < centrality.LARGE_GRAPH
    assert centrality.betweenness(G, cities) == pytest.approx(
        nx.bipartite.betweenness_centrality(G, cities), abs=1e-12
    )
    assert centrality.harmonic_closeness(G, cities) == pytest.approx(
        networkx_harmonic(G, cities), abs=1e-12
    )
    methods = pivotality.compute_measures(G, cities, measures=["betweenness"]).methods
    assert methods["betweenness"] == "bipartite betweenness, exact (rustworkx)"


def test_sampled_betweenness_estimates_exact_betweenness() -> None:
    G, cities = random_bipartite(3, n=80, m=25, p=0.08)
    exact = nx.bipartite.betweenness_centrality(G, cities)
    everyone = centrality.betweenness(G, cities, backend="sparse", sample=len(G))
    assert everyone == pytest.approx(exact)
    estimates = [
        centrality.betweenness(G, cities, backend="sparse", sample=40, seed=s) for s in range(20)
    ]
    mean = {n: np.mean([e[n] for e in estimates]) for n in G}
    hub = max(exact, key=exact.get)
    assert mean[hub] == pytest.approx(exact[hub], rel=0.15)
    assert estimates[0] == centrality.betweenness(G, cities, backend="sparse", sample=40, seed=0)


def test_centrality_states_its_assumptions() -> None:
    G = nx.Graph([("a", "X"), ("a", "b")])
    with pytest.raises(ValueError, match="not bipartite"):
        centrality.degree(G, ["a", "b"])
    with pytest.raises(ValueError, match="not a node"):
        centrality.degree(G, ["a", "zz"])
    with pytest.raises(ValueError, match="unknown backend"):
        centrality.harmonic_closeness(nx.Graph([("a", "X")]), ["a"], backend="igraph")  # type: ignore[arg-type]  # an unknown backend on purpose
    with pytest.raises(ValueError, match="cannot sample"):
        centrality.betweenness(
            nx.Graph([("a", "X"), ("b", "X")]), ["a", "b"], backend="rustworkx", sample=1
        )


# ------------------------------------------------------------------ projection


def test_projection_matches_networkx_collaboration_weights() -> None:
    G, cities = random_bipartite(7, n=25, m=10, p=0.2)
    reference = nx.bipartite.collaboration_weighted_projected_graph(G, cities)
    P = projection.projected_graph(G, cities)
    assert {frozenset(e) for e in P.edges()} == {frozenset(e) for e in reference.edges()}
    for u, v, data in reference.edges(data=True):
        assert P[u][v]["weight"] == pytest.approx(data["weight"])
        assert P[u][v]["distance"] == pytest.approx(1 / data["weight"])
    strength = projection.strength(G, cities)
    for city in cities:
        assert strength[city] == pytest.approx(reference.degree(city, weight="weight"))


def test_weighted_strength_and_betweenness_use_the_sparse_projection(graph: nx.Graph) -> None:
    W, order = projection.projection_matrix(graph, CITIES, weight="weight")
    assert (W != W.T).nnz == 0 and W.diagonal().sum() == 0
    strength = projection.strength(graph, CITIES, weight="weight")
    assert [strength[c] for c in order] == pytest.approx(np.asarray(W.sum(axis=1)).ravel())
    P = projection.projected_graph(graph, CITIES, weight="weight")
    reference = nx.betweenness_centrality(P, weight="distance", normalized=True)
    assert projection.projected_betweenness(graph, CITIES) == pytest.approx(reference)
    pairs = projection.projection_pairs(graph, CITIES)
    assert W.nnz <= pairs
    with pytest.raises(projection.ProjectionTooLarge):
        projection.projection_matrix(graph, CITIES, max_pairs=pairs - 1)


# ------------------------------------------------------------------ communities


def test_communities_and_cores(graph: nx.Graph) -> None:
    groups = communities.louvain(graph, CITIES)
    assert set().union(*groups) == set(graph)
    assert sum(len(g) for g in groups) == graph.number_of_nodes()
    assert communities.core_numbers(graph) == nx.core_number(graph)
    k, members = communities.main_core(graph, CITIES)
    assert k == max(nx.core_number(graph)[c] for c in CITIES)
    assert set(members) <= set(nx.k_core(graph, k))


# ------------------------------------------------------------------ pivotality


def test_composite_is_the_mean_rank_across_measures(graph: nx.Graph) -> None:
    table = pivotality.compute_measures(graph, CITIES)
    assert set(table.values) == set(pivotality.MEASURES)
    ranked = pivotality.composite(table.values)
    per = {m: pivotality.ranks(v) for m, v in table.values.items()}
    for r in ranked:
        assert r.mean_rank == pytest.approx(np.mean([per[m][r.city] for m in per]))
        assert r.score == pytest.approx(1 - math.log(r.mean_rank) / math.log(5), abs=1e-6)
    assert [r.mean_rank for r in ranked] == sorted(r.mean_rank for r in ranked)
    assert ranked[-1].city == E


def test_projected_betweenness_is_skipped_when_too_large(
    graph: nx.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pivotality, "PROJECTION_WORK", 0)
    table = pivotality.compute_measures(graph, CITIES)
    assert "projected_betweenness" in table.skipped
    assert "projected_betweenness" not in table.values


def test_agreement_figures() -> None:
    values = {"m": {"a": 5.0, "b": 4.0, "c": 3.0, "d": 2.0, "e": 1.0}}
    ranked = pivotality.composite(values)
    result = agreement(ranked, {"a", "c", "e"}, counts={"e": {"organisations": 0, "events": 2}})
    assert result.precision_at_k == pytest.approx(2 / 3)
    assert result.recall_at_k == pytest.approx(2 / 3)
    scores = [r.score for r in ranked]
    listed = [1, 0, 1, 0, 1]
    assert isinstance(result.spearman, Spearman) and isinstance(result.kendall, Kendall)
    assert result.spearman.rho == pytest.approx(stats.spearmanr(scores, listed).statistic)
    assert result.kendall.tau == pytest.approx(stats.kendalltau(scores, listed).statistic)
    assert result.auc == pytest.approx(3 / 6)  # a beats b and d, c beats d
    assert result.listed_ranked_low == (ListedLow("e", 5, 0.0, ("organisations",)),)
    assert result.unlisted_ranked_high == (UnlistedHigh("b", 2, ranked[1].score),)
    empty = agreement(ranked, set())
    assert empty.spearman is None and empty.recall_at_k is None


def test_layer_sensitivity_in_processes_matches_in_process(store: EmbeddedStore) -> None:
    ties = fetch_ties(store)
    here = pivotality.layer_sensitivity(ties, measures=["degree", "pagerank"], workers=1)
    there = pivotality.layer_sensitivity(ties, measures=["degree", "pagerank"], workers=2)
    assert set(here) == set(LAYERS)
    assert here == there
    without_orgs = bipartite_graph(ties, layers=["declarations", "events", "objectives"])
    table = pivotality.compute_measures(without_orgs, CITIES, measures=["degree", "pagerank"])
    assert here["organisations"] == pivotality.composite(table.values)


# ------------------------------------------------------------------ export


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_export_round_trips(graph: nx.Graph, tmp_path: Path, fmt: str) -> None:
    written = write_graph(graph, tmp_path, format=fmt)
    if fmt == "graphml":
        back = nx.read_graphml(written[0])
        assert back[A][N1]["weight"] == 3.0 and back.nodes[A]["kind"] == "city"
    elif fmt == "gexf":
        back = nx.read_gexf(written[0])
        assert back.number_of_edges() == graph.number_of_edges()
    else:
        nodes, edges = (p.read_text().splitlines() for p in written)
        assert len(nodes) == graph.number_of_nodes() + 1
        assert len(edges) == graph.number_of_edges() + 1
        assert all(line.startswith(f"{ID}city/") for line in edges[1:])
    assert math.isfinite(graph[A][N1]["weight"])


def test_planned_acts_and_former_mayors_are_not_ties(tmp_path: Path) -> None:
    planned = """
    city:essen gl:attended event:e1 .
    [] a rdf:Statement ; rdf:subject city:essen ; rdf:predicate gl:attended ; rdf:object event:e1 ;
       gl:status gl:Scheduled ; gl:quote "Essen is to attend" ; prov:wasDerivedFrom src:t .
    person:mayor-b a gl:Person ; rdfs:label "Former mayor of Dakar"@en .
    person:mayor-b gl:mayorOf city:dakar .
    [] a rdf:Statement ; rdf:subject person:mayor-b ; rdf:predicate gl:mayorOf ;
       rdf:object city:dakar ; gl:status gl:Ended ; gl:quote "the former mayor of Dakar" ;
       prov:wasDerivedFrom src:t .
    person:mayor-b gl:attended event:e1 .
    [] a rdf:Statement ; rdf:subject person:mayor-b ; rdf:predicate gl:attended ;
       rdf:object event:e1 ; gl:quote "after leaving office she attended" ; prov:wasDerivedFrom src:t .
    city:chicago gl:endorsed decl:oped .
    decl:oped a gl:OpEd ; rdfs:label "An op-ed"@en .
    [] a rdf:Statement ; rdf:subject city:chicago ; rdf:predicate gl:endorsed ; rdf:object decl:oped ;
       gl:quote "Chicago's op-ed" ; prov:wasDerivedFrom src:t .
    """
    trig = TRIG.replace("\n}\n", planned + "\n}\n")
    store = open_store(trig, tmp_path)
    try:
        G = city_graph(store)
        # Scheduled is not done; a former mayor no longer acts for the city; an op-ed is
        # not a declaration.
        assert not G.has_edge(E, f"{ID}event/e1")
        assert not G.has_edge(D, f"{ID}event/e1")
        assert f"{ID}declaration/oped" not in G
        # The facts stated as done still are ties.
        assert G.has_edge(f"{ID}city/chicago", f"{ID}event/e1")
    finally:
        store.close()
