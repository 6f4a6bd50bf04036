"""The JSON of the pivotal report on the curated graph: per city the rank, its
intervals, the null-model test, brokerage, ranks by year and cited evidence; the
components, isolates, uncertainty, timeline, backbone and honest agreement."""

from __future__ import annotations

import json
import re
import tempfile
from typing import Any

import pytest

from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.model import PivotalReport
from glocal.report.robustness import ALPHA
from glocal.report.text import render_json, render_markdown
from glocal.store import EmbeddedStore

CITY = "https://w3id.org/glocal/id/city/"
RAW_TERM = re.compile(r"LeadershipBoardMember|adoptedIn|contributesTo|\bsrc:|https?://")


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())


@pytest.fixture(scope="module")
def report(store: EmbeddedStore) -> PivotalReport:
    return pivotal_report(store, sensitivity=False, bootstrap=40, null=99, seed=3)


@pytest.fixture(scope="module")
def data(report: PivotalReport) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(render_json(report))
    return parsed


def test_every_ranked_city_carries_interval_test_brokerage_and_time(data: dict[str, Any]) -> None:
    cities = data["cities"]
    n = len(cities)
    years = data["timeline"]["years"]
    assert years == sorted(years) and years
    beyond = {c["iri"] for c in data["uncertainty"]["beyond_chance"]}
    for c in cities:
        low, high = c["rank_interval"]
        assert 1 <= low <= high <= n + 1
        lo, hi = c["loso_interval"]
        assert 1 <= lo <= c["rank"] <= hi <= n + 1
        assert 0 < c["p_value"] <= c["q_value"] <= 1
        assert c["z_score"] is None or isinstance(c["z_score"], float)
        assert c["beyond_chance"] == (c["q_value"] < ALPHA) == (c["iri"] in beyond)
        assert 0.0 <= c["measures"]["harmonic_closeness"] <= 1.0
        if "constraint" in c:
            assert c["constraint"] > 0 and c["effective_size"] >= 1.0
        if "participation" in c:
            assert 0.0 <= c["participation"] <= 1 - 1 / 5 + 1e-9  # five M49 regions
        assert isinstance(c["articulation"], bool) and c["region"]
        assert set(c["ranks_by_year"]) == {str(y) for y in years}
    # Ties never end and every tie is dated, so the last year's ranks are the ranking.
    assert data["timeline"]["undated"] == 0
    assert [c["ranks_by_year"][str(years[-1])] for c in cities] == [c["rank"] for c in cities]


def test_isolates_and_components_are_apart_from_the_ranking(data: dict[str, Any]) -> None:
    ranked = {c["iri"] for c in data["cities"]}
    alone = {c["iri"] for c in data["isolates"]}
    assert not ranked & alone
    # Mechelen was only the venue of its declaration: no act, no rank.
    assert CITY + "mechelen" in alone and CITY + "amman" in ranked
    in_parts = {c["iri"] for part in data["components"] for c in part["cities"]}
    assert in_parts == ranked
    assert data["graph"]["cities"] == len(ranked) + len(alone)
    assert data["ranking_rule"].startswith("Only cities with at least one tie are ranked")


def test_evidence_and_explanations_cite_author_and_year(data: dict[str, Any]) -> None:
    for c in data["cities"]:
        why = c["explanation"]
        assert why["facts"], c["label"]
        for fact in why["facts"]:
            assert not RAW_TERM.search(fact["sentence"]), fact["sentence"]
            assert re.search(r"\(\d{4}\)$", fact["citation"]), fact["citation"]
        for items in c["evidence"].values():
            for item in items:
                assert item["citation"] and not RAW_TERM.search(item["citation"])
    bristol = next(c for c in data["cities"] if c["label"] == "Bristol")
    sentences = [f["sentence"] for f in bristol["explanation"]["facts"]]
    assert "Bristol sits on the leadership board of Mayors Migration Council." in sentences
    assert bristol["explanation"]["interval"].startswith("Bootstrap 95% rank interval")


def test_agreement_is_given_with_and_without_the_listing_source(data: dict[str, Any]) -> None:
    figures = data["agreement"]["figures"]
    assert [f["facts"] for f in figures] == ["all sources", "without Stürner (2020)"]
    for f in figures:
        for low, high in f["intervals"].values():
            assert low <= high
        assert f["precision_at_k"] == f["hits"] / f["k"]
    unsupported = {c["iri"] for c in data["agreement"]["unsupported"]}
    listed = {c["iri"] for c in data["agreement"]["expert_cities"]}
    assert unsupported == listed & {c["iri"] for c in data["isolates"]}


def test_the_uncertainty_reproduces_with_its_seed(
    store: EmbeddedStore, report: PivotalReport
) -> None:
    again = pivotal_report(store, sensitivity=False, bootstrap=40, null=99, seed=3)
    assert [(c.rank_interval, c.loso_interval, c.z_score, c.p_value) for c in again.cities] == [
        (c.rank_interval, c.loso_interval, c.z_score, c.p_value) for c in report.cities
    ]
    assert report.uncertainty is not None
    assert report.uncertainty.bootstrap_replicates == 40
    assert report.uncertainty.null_replicates == 99
    assert report.uncertainty.seed == 3


def test_markdown_states_components_uncertainty_and_time(report: PivotalReport) -> None:
    text = render_markdown(report)
    for heading in ("## Components", "## Uncertainty", "## Backbone", "## Ranks through time"):
        assert heading in text
    assert "without Stürner (2020)" in text and "Benjamini–Hochberg" in text
    assert not re.search(r"LeadershipBoardMember|\[https?://", text.split("## Why")[1])
