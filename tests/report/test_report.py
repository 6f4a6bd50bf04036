"""The pivotal-cities report: its fields, its evidence and its four renderings."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from types import UnionType
from typing import Union, get_args, get_origin, get_type_hints

import pytest
from pyoxigraph import RdfFormat, parse

from glocal.analysis.evidence import EVIDENCE_KINDS
from glocal.analysis.pivotality import MEASURES
from glocal.dataset import Dataset, curated_files, load_files
from glocal.report.build import centrality_report, pivotal_report
from glocal.report.charts import forest_rows, rank_paths
from glocal.report.html import render_html
from glocal.report.mapping import VIEWS
from glocal.report.model import CentralityReport, PivotalReport, Sensitivity
from glocal.report.text import render_csv, render_json, render_markdown
from glocal.store import EmbeddedStore

ID = "https://w3id.org/glocal/id/"

TRIG = """
@prefix gl: <https://w3id.org/glocal/ontology#> .
@prefix city: <https://w3id.org/glocal/id/city/> .
@prefix orgn: <https://w3id.org/glocal/id/org/> .
@prefix event: <https://w3id.org/glocal/id/event/> .
@prefix src: <https://w3id.org/glocal/id/source/> .
@prefix assess: <https://w3id.org/glocal/id/assessment/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

src:r {
    city:amman a gl:City ; rdfs:label "Amman"@en ;
        geo:lat "31.95"^^xsd:decimal ; geo:long "35.94"^^xsd:decimal .
    city:bristol a gl:City ; rdfs:label "Bristol"@en ;
        geo:lat "51.45"^^xsd:decimal ; geo:long "-2.59"^^xsd:decimal .
    city:kampala a gl:City ; rdfs:label "Kampala"@en .
    city:sfax a gl:City ; rdfs:label "Sfax"@en .
    orgn:mmc a gl:CityNetwork ; rdfs:label "Mayors Migration Council"@en .
    event:forum a gl:Event ; rdfs:label "Forum"@en .

    city:amman org:memberOf orgn:mmc .
    [] a org:Membership ; org:member city:amman ; org:organization orgn:mmc ;
       org:role gl:LeadershipBoardMember ; prov:wasDerivedFrom src:r ;
       gl:quote "the MMC's Leadership Board consists of the mayors of Amman, Bristol" .
    city:bristol org:memberOf orgn:mmc .
    [] a org:Membership ; org:member city:bristol ; org:organization orgn:mmc ;
       org:role gl:LeadershipBoardMember ; prov:wasDerivedFrom src:r ;
       gl:quote "the MMC's Leadership Board consists of the mayors of Amman, Bristol" .
    city:kampala org:memberOf orgn:mmc .
    [] a org:Membership ; org:member city:kampala ; org:organization orgn:mmc ;
       org:role gl:Member ; prov:wasDerivedFrom src:r ; gl:quote "Kampala joined the MMC" .
    event:forum gl:hostedBy city:bristol .
    [] a rdf:Statement ; rdf:subject event:forum ; rdf:predicate gl:hostedBy ;
       rdf:object city:bristol ; gl:quote "Bristol hosted the forum" ; prov:wasDerivedFrom src:r .
    city:kampala gl:attended event:forum .
    [] a rdf:Statement ; rdf:subject city:kampala ; rdf:predicate gl:attended ;
       rdf:object event:forum ; gl:quote "Kampala attended" ; prov:wasDerivedFrom src:r .

    assess:p a gl:Assessment ; rdfs:label "Pivotal cities"@en ; gl:category "pivotal city" ;
        gl:assessedBy src:r .
    assess:p gl:assesses city:bristol .
    [] a rdf:Statement ; rdf:subject assess:p ; rdf:predicate gl:assesses ;
       rdf:object city:bristol ; gl:quote "pivotal: Bristol" ; prov:wasDerivedFrom src:r .
    assess:p gl:assesses city:sfax .
    [] a rdf:Statement ; rdf:subject assess:p ; rdf:predicate gl:assesses ;
       rdf:object city:sfax ; gl:quote "pivotal: Sfax" ; prov:wasDerivedFrom src:r .
}
"""


def open_store(trig: str, cache: Path) -> EmbeddedStore:
    quads = list(parse(trig.encode(), RdfFormat.TRIG))
    return EmbeddedStore.open(Dataset(quads, (), str(abs(hash(trig))), {}), cache_dir=cache)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return open_store(TRIG, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report(store: EmbeddedStore) -> PivotalReport:
    return pivotal_report(store)


def test_every_city_has_rank_score_measures_and_evidence(report: PivotalReport) -> None:
    cities = report.cities
    assert [c.label for c in cities] == ["Bristol", "Kampala", "Amman"]
    # Sfax has no tie: listed apart, not ranked.
    assert [c.label for c in report.isolates] == ["Sfax"]
    for c in cities:
        assert c.iri.startswith(ID) and c.rank >= 1
        assert set(c.measures) == set(MEASURES)
        assert set(c.evidence.by_kind()) == set(EVIDENCE_KINDS.values())
        assert 0.0 <= c.score <= 1.0
    assert [c.rank for c in cities] == sorted(c.rank for c in cities)
    assert all(any(c.evidence.by_kind().values()) for c in cities)
    assert [[c.label for c in part.cities] for part in report.components] == [
        ["Amman", "Bristol", "Kampala"]
    ]
    for c in json.loads(render_json(report))["cities"]:
        assert {"iri", "label", "rank", "score", "measures", "evidence"} <= set(c)
        assert set(c["evidence"]) == set(EVIDENCE_KINDS.values())


def test_evidence_items_quote_their_source(report: PivotalReport) -> None:
    bristol = next(c for c in report.cities if c.label == "Bristol")
    membership = bristol.evidence.memberships[0]
    assert membership.source == f"{ID}source/r"
    assert membership.quote and "Leadership Board" in membership.quote
    assert membership.relation == "LeadershipBoardMember"
    assert bristol.evidence.events[0].quote == "Bristol hosted the forum"


def test_agreement_sensitivity_communities_and_parameters(report: PivotalReport) -> None:
    agreement = report.agreement
    assert agreement.k == 2 and agreement.listed == 2
    assert agreement.precision_at_k == 0.5
    assert [c.label for c in agreement.hits] == ["Bristol"]
    assert [c.label for c in agreement.listed_ranked_low] == ["Sfax"]
    assert agreement.listed_ranked_low[0].lacks == (
        "organisations",
        "declarations",
        "events",
        "objectives",
    )
    assert [c.label for c in agreement.unlisted_ranked_high] == ["Kampala"]
    assert agreement.recall_at_k is not None and agreement.auc is not None
    assert agreement.spearman is not None and agreement.kendall is not None
    assert set(report.sensitivity.layers_dropped) == set(report.parameters.layers)
    assert set(report.sensitivity.measures) == set(MEASURES)
    assert report.communities.main_core.k >= 1
    assert report.parameters.weights["Chair"] == 3.0
    assert report.parameters.expert.cities == 2


def test_the_expert_list_does_not_change_the_ranking(report: PivotalReport, tmp_path: Path) -> None:
    unlisted = open_store(TRIG.replace('"pivotal city"', '"other"'), tmp_path)
    again = pivotal_report(unlisted, sensitivity=False)
    assert [(c.iri, c.score) for c in again.cities] == [(c.iri, c.score) for c in report.cities]
    assert again.agreement.listed == 0


def test_top_and_layers(store: EmbeddedStore) -> None:
    small = pivotal_report(store, top=2, layers=["organisations"], sensitivity=False)
    assert len(small.cities) == 2
    assert small.parameters.layers == ("organisations",)
    assert small.cities[0].evidence.events == ()
    with pytest.raises(ValueError, match="unknown layer"):
        pivotal_report(store, layers=["gossip"])


def test_json_and_csv(report: PivotalReport) -> None:
    assert json.loads(render_json(report))["cities"][0]["label"] == "Bristol"
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert rows[0]["label"] == "Bristol"
    assert {"rank", "iri", "score", *MEASURES, "memberships", "pledges"} <= set(rows[0])
    assert rows[0]["memberships"] == "1"


def test_markdown(report: PivotalReport) -> None:
    text = render_markdown(report)
    assert text.startswith("# Pivotal cities")
    assert "## Agreement with the expert list" in text
    assert "Bristol hosted the forum" in text


def test_html_is_self_contained_with_svg_charts(report: PivotalReport) -> None:
    page = render_html(report)
    # Bar chart, network, the land outline, the map in each of its views, and the
    # forest plot and rank-over-time chart when the report has intervals and years.
    charts = bool(forest_rows(report.cities)) + bool(rank_paths(report.cities))
    assert charts >= 1
    assert page.count("<svg") == 3 + len(VIEWS) + charts
    assert ('id="intervals"' in page) == bool(forest_rows(report.cities))
    assert 'aria-label="World map' in page and "<circle" in page and "<rect" in page
    assert "Bristol hosted the forum" in page
    # Nothing is fetched: no URL at all, no script, no stylesheet link, no import.
    assert not re.search(r"https?://", page)
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.I)
    assert "No coordinates in the graph for 1 cities" in page  # Kampala; Sfax is not ranked


def test_centrality_report(store: EmbeddedStore) -> None:
    result = centrality_report(store, measure="pagerank", top=3)
    assert result.measure == "pagerank" and len(result.cities) == 3
    values = [c.value for c in result.cities]
    assert values == sorted(values, reverse=True)
    with pytest.raises(ValueError, match="unknown measure"):
        centrality_report(store, measure="fame")


def test_centrality_report_gives_the_pivotal_reports_values(
    store: EmbeddedStore, report: PivotalReport
) -> None:
    # Sfax has no tie: it must leave the graph in both reports, or the normalising
    # constants (and the values under the same method's name) differ.
    assert "Sfax" in {c.label for c in report.isolates}
    for measure in report.cities[0].measures:
        single = {c.iri: c.value for c in centrality_report(store, measure=measure).cities}
        assert single == {c.iri: c.measures[measure] for c in report.cities}, measure


def test_report_on_the_curated_graph() -> None:
    curated = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    result = pivotal_report(curated, sensitivity=False)
    labels = [c.label for c in result.cities]
    assert "Bristol" in labels
    assert result.agreement.listed == 16
    page = render_html(result)
    assert not re.search(r"https?://", page)


def assert_round_trip(data: object, value: object, hint: object, path: str = "report") -> None:
    """``data`` (the parsed JSON) holds ``value`` (a part of the report, typed ``hint``):
    an object with exactly the dataclass's fields, values of the annotated types, equal."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):
        if value is None:
            assert data is None, path
            return
        (hint,) = [a for a in args if a is not type(None)]
        assert_round_trip(data, value, hint, path)
    elif hint is Sensitivity:
        assert isinstance(value, Sensitivity) and isinstance(data, dict), path
        assert set(data) == {"k", "measures", "layers_dropped", "cities"}, path
        assert data["k"] == value.k
        for table in ("measures", "layers_dropped"):
            rows = getattr(value, table)
            assert set(data[table]) == set(rows), path
            for name, row in rows.items():
                assert data[table][name] == {
                    "spearman_with_composite": row.spearman_with_composite,
                    f"top_{value.k}_overlap": row.top_overlap,
                }, f"{path}.{table}.{name}"
        hints = get_type_hints(Sensitivity)
        assert_round_trip(data["cities"], value.cities, hints["cities"], f"{path}.cities")
    elif isinstance(hint, type) and is_dataclass(hint):
        assert isinstance(value, hint) and isinstance(data, dict), path
        hints = get_type_hints(hint)
        written = [
            f.name
            for f in fields(hint)
            if not (f.default is None and getattr(value, f.name) is None)
        ]
        assert list(data) == written, path
        for name in written:
            assert_round_trip(data[name], getattr(value, name), hints[name], f"{path}.{name}")
    elif origin is Mapping:
        assert isinstance(value, Mapping) and isinstance(data, dict), path
        assert list(data) == [str(key) for key in value], path
        for key, item in value.items():
            assert_round_trip(data[str(key)], item, args[1], f"{path}[{key!r}]")
    elif origin is tuple:
        assert isinstance(value, tuple) and isinstance(data, list), path
        assert len(data) == len(value), path
        types = [args[0]] * len(value) if args[-1] is Ellipsis else list(args)
        for i, (item, kind) in enumerate(zip(value, types, strict=True)):
            assert_round_trip(data[i], item, kind, f"{path}[{i}]")
    else:
        assert hint in (str, int, float, bool), f"{path}: unexpected type {hint}"
        assert isinstance(value, hint) and type(data) is hint, f"{path}: {data!r} is not {hint}"
        assert data == value, path


def test_the_json_report_round_trips_its_dataclass_fields(report: PivotalReport) -> None:
    data = json.loads(render_json(report))
    assert list(data) == [f.name for f in fields(PivotalReport)]
    assert_round_trip(data, report, PivotalReport)
    # The optional keys of an evidence item appear only when they apply.
    items = [i for c in data["cities"] for kind in c["evidence"].values() for i in kind]
    assert items and all("via" not in i and "pledge" not in i for i in items)
    # Three ranked cities: Sfax has no tie.
    assert data["sensitivity"]["measures"]["degree"]["top_3_overlap"] >= 1


def test_the_centrality_report_round_trips_too(store: EmbeddedStore) -> None:
    result = centrality_report(store, measure="degree")
    assert_round_trip(json.loads(json.dumps(result.to_json())), result, CentralityReport)
