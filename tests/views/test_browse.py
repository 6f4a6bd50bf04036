"""The catalogue, browse indexes, name search and headings, on the curated store."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions

from glocal.namespaces import GL, ID, ORG
from glocal.store import EmbeddedStore
from glocal.views.browse import browse
from glocal.views.catalogue import KINDS, catalogue, fold
from glocal.views.headings import heading, order
from glocal.views.resource import ResourceView, describe
from glocal.views.search import did_you_mean, search


def _select(store: EmbeddedStore, sparql: str) -> QuerySolutions:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    return result


def test_the_catalogue_lists_every_typed_glocal_resource_once(store: EmbeddedStore) -> None:
    typed = {
        row["s"].value
        for row in _select(
            store, f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER STRSTARTS(STR(?s), "{ID}") }}'
        )
    }
    known = catalogue(store)
    assert set(known.entries) == typed
    assert sum(known.counts().values()) == len(typed)
    assert set(known.counts()) <= set(KINDS)
    # The kind is the first segment of the IRI's path.
    assert all(e.iri.startswith(f"{ID}{e.kind}/") for e in known.entries.values())


def test_index_counts_match_sparql(store: EmbeddedStore) -> None:
    cities = {
        row["c"].value for row in _select(store, f"SELECT DISTINCT ?c WHERE {{ ?c a <{GL}City> }}")
    }
    index = browse(catalogue(store), "city")
    assert {e.iri for e in index.entries} == cities and index.total == len(cities)
    # The region facet's counts add up to the cities that have a country.
    regions = index.facets["region"]
    assert sum(v.count for v in regions) == sum(1 for e in index.entries if e.region)


def test_a_filter_keeps_only_rows_with_that_value(store: EmbeddedStore) -> None:
    members = {
        row["c"].value
        for row in _select(
            store,
            f"SELECT DISTINCT ?c WHERE {{ ?c a <{GL}City> ; <{ORG}memberOf> <{ID}org/mmc> }}",
        )
    }
    index = browse(catalogue(store), "city", filters={"network": ["orgn:mmc"]})
    assert {e.iri for e in index.entries} == members and len(members) > 3
    (mmc,) = [v for v in index.facets["network"] if v.key == "orgn:mmc"]
    assert mmc.selected and mmc.count == len(members)
    both = browse(catalogue(store), "city", filters={"network": ["orgn:mmc"], "region": ["Africa"]})
    assert {e.iri for e in both.entries} < members
    assert all(e.region == "Africa" for e in both.entries)


def test_sorting_by_quoted_facts_and_bad_options(store: EmbeddedStore) -> None:
    known = catalogue(store)
    ranked = browse(known, "org", sort="-quoted").entries
    assert [e.quoted for e in ranked] == sorted((e.quoted for e in ranked), reverse=True)
    named = browse(known, "org").entries
    assert [fold(e.label) for e in named] == sorted(fold(e.label) for e in named)
    with pytest.raises(ValueError, match="cannot sort by 'size'"):
        browse(known, "org", sort="size")
    with pytest.raises(ValueError, match="no facet named colour"):
        browse(known, "org", filters={"colour": ["red"]})
    with pytest.raises(KeyError):
        browse(known, "planet")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Sao Paulo", ID + "city/sao-paulo"),
        ("são paulo", ID + "city/sao-paulo"),
        ("MMC", ID + "org/mmc"),
        ("mayors migration", ID + "org/mmc"),
        ("OSNABRUCK", ID + "city/osnabruck"),
    ],
)
def test_search_ignores_accents_and_case(store: EmbeddedStore, typed: str, expected: str) -> None:
    hits = search(catalogue(store), typed)
    assert hits and hits[0].entry.iri == expected


def test_search_by_kind_and_nothing(store: EmbeddedStore) -> None:
    known = catalogue(store)
    assert {h.entry.kind for h in search(known, "uclg", kind="event")} == {"event"}
    assert search(known, "zzzz-nothing-like-it") == []
    assert search(known, "   ") == []


@pytest.mark.parametrize(
    ("wrong", "right"),
    [("city/kampla", "city:kampala"), ("org/UCLG", "orgn:uclg"), ("city/bristoll", "city:bristol")],
)
def test_did_you_mean(store: EmbeddedStore, wrong: str, right: str) -> None:
    assert right in [e.curie for e in did_you_mean(catalogue(store), ID + wrong)]


def test_headings_are_plain_and_coordinates_come_together(store: EmbeddedStore) -> None:
    view = ResourceView.of(describe(store, ID + "city/freetown"))
    outgoing = view.sections(view.outgoing, incoming=False)
    assert next(iter(outgoing)) == "Coordinates"
    assert [f.predicate.rsplit("#", 1)[1] for f in outgoing["Coordinates"]] == ["lat", "long"]
    assert "Member of" in outgoing
    mmc = ResourceView.of(describe(store, ID + "org/mmc"))
    incoming = mmc.sections(mmc.incoming, incoming=True)
    assert "Members" in incoming and not any("inverse" in h.lower() for h in incoming)
    assert heading(ORG + "memberOf", "member of", incoming=True) == "Members"
    assert order("Coordinates") < order("Members") < order("Zebra")


def test_citations_name_the_source_by_author_year_and_title(store: EmbeddedStore) -> None:
    view = ResourceView.of(describe(store, ID + "city/freetown"))
    (mmc,) = [f for f in view.outgoing if f.value == ID + "org/mmc"]
    cited = {c.cited_as for c in mmc.citations}
    assert (
        "Janina Stürner (2020), A New Role for Cities in Global and Regional Migration "
        "Governance?" in cited
    )
