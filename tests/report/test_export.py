"""Exports for network analysts, read back with networkx: coordinates, every measure,
sources and roles on edges, the city–city projection, a backbone, Pajek and CSV."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest

from glocal.analysis.graph import bipartite_graph
from glocal.analysis.pivotality import MEASURES
from glocal.analysis.ties import fetch_ties
from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.export import analyst_graph, write_graph
from glocal.report.export_graphs import (
    annotated_graph,
    projection_graph,
    uncertainty_attributes,
)
from glocal.report.model import PivotalReport
from glocal.store import EmbeddedStore

CITY = "https://w3id.org/glocal/id/city/"
MILAN, BRISTOL = CITY + "milan", CITY + "bristol"


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def report(store: EmbeddedStore) -> PivotalReport:
    return pivotal_report(store, sensitivity=False)


@pytest.fixture(scope="module")
def annotated(store: EmbeddedStore, report: PivotalReport) -> nx.Graph:
    ties = fetch_ties(store)
    extra = uncertainty_attributes(
        [
            SimpleNamespace(
                iri=c.iri,
                rank_interval=(c.rank, c.rank + 2),
                loso_interval=None,
                z_score=1.5,
                p_value=0.07,
            )
            for c in report.cities
        ]
    )
    return annotated_graph(bipartite_graph(ties), ties, cities=report.cities, extra=extra)


def measured(report: PivotalReport) -> list[str]:
    return [m for m in MEASURES if m in report.parameters.measures]


def test_gexf_has_positions_measures_intervals_and_edge_sources(
    annotated: nx.Graph, report: PivotalReport, tmp_path: Path
) -> None:
    (path,) = write_graph(annotated, tmp_path, format="gexf")
    G = nx.read_gexf(path)
    milan = G.nodes[MILAN]
    expected = next(c for c in report.cities if c.iri == MILAN)
    assert milan["viz"]["position"]["x"] == pytest.approx(expected.long)
    assert milan["viz"]["position"]["y"] == pytest.approx(expected.lat)
    assert milan["latitude"] == pytest.approx(expected.lat)
    assert milan["rank"] == expected.rank and milan["score"] == pytest.approx(expected.score)
    for m in measured(report):
        assert milan[m] == pytest.approx(expected.measures[m])
    assert (milan["rank_low"], milan["rank_high"]) == (expected.rank, expected.rank + 2)
    assert milan["p_value"] == pytest.approx(0.07) and "loso_low" not in milan
    sourced = [d for _, _, d in G.edges(data=True) if d.get("sources")]
    assert sourced and len(sourced) >= 0.9 * G.number_of_edges()
    for data in sourced:
        assert data["relations"] and data["source_labels"].count(";") == data["sources"].count(";")


def test_graphml_round_trips_the_same_attributes(
    annotated: nx.Graph, report: PivotalReport, tmp_path: Path
) -> None:
    (path,) = write_graph(annotated, tmp_path / "g.graphml", format="graphml")
    G = nx.read_graphml(path)
    assert set(G) == set(annotated) and G.number_of_edges() == annotated.number_of_edges()
    bristol = G.nodes[BRISTOL]
    assert bristol["ties"] == annotated.degree(BRISTOL)
    for key in ("latitude", "longitude", "rank", "score", "core", *measured(report)):
        assert bristol[key] == pytest.approx(annotated.nodes[BRISTOL][key]), key
    organisation = next(n for n, d in G.nodes(data=True) if d["kind"] == "organisation")
    assert "rank" not in G.nodes[organisation] and G.nodes[organisation]["ties"] >= 1
    for u, v, data in G.edges(data=True):
        original = annotated.edges[u, v]
        assert data["weight"] == pytest.approx(original["weight"])
        assert data["relations"] == original["relations"]
        assert data.get("sources") == original.get("sources")


def test_projection_ties_cities_that_share_a_node(annotated: nx.Graph, tmp_path: Path) -> None:
    cities = [n for n, d in annotated.nodes(data=True) if d["kind"] == "city"]
    P = projection_graph(annotated, cities)
    assert set(P) == set(cities)
    for u, v, data in P.edges(data=True):
        common = set(annotated[u]) & set(annotated[v])
        assert data["shared"] == len(common) > 0 and data["weight"] > 0
    assert P.nodes[MILAN]["rank"] == annotated.nodes[MILAN]["rank"]
    (path,) = write_graph(P, tmp_path, format="gexf")
    back = nx.read_gexf(path)
    assert back.number_of_edges() == P.number_of_edges()
    assert all(d["kind"] == "city" for _, d in back.nodes(data=True))


def test_a_backbone_keeps_only_its_pairs_and_every_city(annotated: nx.Graph) -> None:
    cities = [n for n, d in annotated.nodes(data=True) if d["kind"] == "city"]
    full = projection_graph(annotated, cities)
    pair = next(iter(full.edges()))
    backbone = projection_graph(annotated, cities, keep=[pair[::-1]])
    assert list(backbone.edges()) in ([pair], [pair[::-1]])
    assert set(backbone) == set(full)


def test_pajek_and_csv_edge_lists_match_the_graph(annotated: nx.Graph, tmp_path: Path) -> None:
    (net,) = write_graph(annotated, tmp_path, format="pajek")
    assert net.name == "city-graph.net"
    back = nx.Graph(nx.read_pajek(net))
    assert set(back) == set(annotated) and back.number_of_edges() == annotated.number_of_edges()
    nodes, edges = write_graph(annotated, tmp_path / "csv", format="csv")
    with edges.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == annotated.number_of_edges()
    assert all(annotated.nodes[r["source"]]["kind"] == "city" for r in rows)
    assert {"relations", "sources", "source_labels", "layer"} <= set(rows[0])
    with nodes.open(encoding="utf-8") as f:
        by_id = {r["id"]: r for r in csv.DictReader(f)}
    assert float(by_id[MILAN]["latitude"]) == pytest.approx(annotated.nodes[MILAN]["latitude"])
    assert by_id[MILAN]["rank_low"] != "" and by_id[MILAN]["betweenness"] != ""


def test_analyst_graph_builds_both_graphs_and_refuses_others(store: EmbeddedStore) -> None:
    bipartite = analyst_graph(store, measures=False)
    assert "rank" not in bipartite.nodes[MILAN] and "latitude" in bipartite.nodes[MILAN]
    projection = analyst_graph(store, graph="projection")
    assert {d["kind"] for _, d in projection.nodes(data=True)} == {"city"}
    assert projection.nodes[MILAN]["rank"] >= 1
    with pytest.raises(ValueError, match="unknown graph 'venues'"):
        analyst_graph(store, graph="venues")
