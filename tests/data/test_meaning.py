"""The curated graph says how, when and with what status actors took part.

These run on the whole curated graph, so a new fact that ties a city to an event
without a role, a bare count, or a refusal recorded as a membership fails here.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from glocal.dataset import Dataset
from glocal.namespaces import PREFIXES

ID = "https://w3id.org/glocal/id/"


@pytest.fixture(scope="module")
def graph(dataset: Dataset) -> Store:
    store = Store()
    store.bulk_extend(dataset.quads)
    return store


def select(store: Store, query: str) -> list[tuple[str, ...]]:
    rows = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [tuple(str(term.value) if term is not None else "" for term in row) for row in rows]


def test_every_tie_of_a_city_to_an_event_document_or_compact_has_a_role(graph: Store) -> None:
    missing = select(
        graph,
        """SELECT ?st ?city ?other WHERE {
             { ?st rdf:subject ?city ; rdf:object ?other } UNION
             { ?st rdf:object ?city ; rdf:subject ?other }
             ?st a rdf:Statement .
             ?city a gl:City .
             ?other a ?kind .
             VALUES ?kind { gl:Event gl:EventSeries gl:Document gl:Declaration gl:Charter
                            gl:Call gl:JointStatement gl:PositionPaper gl:PledgeDocument
                            gl:Agreement gl:Compact gl:OpEd gl:Speech gl:Report gl:Mapping
                            gl:Guideline gl:Commitment gl:Pledge }
             FILTER NOT EXISTS { ?st gl:role ?role }
           }""",
    )
    assert not missing, missing[:10]


def test_venue_relations_carry_venue_roles_and_acts_do_not(graph: Store) -> None:
    wrong = select(
        graph,
        """SELECT ?st ?p ?role WHERE {
             ?st rdf:predicate ?p ; gl:role ?role .
             OPTIONAL { ?role a gl:VenueRole . BIND (true AS ?venue) }
             BIND (?p IN (gl:heldIn, gl:adoptedIn, gl:headquarteredIn) AS ?venueRelation)
             FILTER (?venueRelation != BOUND(?venue))
             FILTER (?p != gl:launchedAt)
           }""",
    )
    assert not wrong, wrong[:10]


def test_every_count_says_what_was_counted_and_no_bare_count_is_left(graph: Store) -> None:
    bare = select(graph, "SELECT ?s ?n WHERE { ?s gl:count ?n }")
    assert not bare, f"bare gl:count triples: {bare[:10]}"
    untyped = select(
        graph,
        """SELECT ?c WHERE { ?c a gl:Count .
             FILTER NOT EXISTS { ?c gl:counted ?kind . ?kind a gl:CountKind } }""",
    )
    assert not untyped, untyped
    counts = select(graph, "SELECT ?c WHERE { ?c a gl:Count }")
    assert len(counts) >= 30


def test_refusals_are_not_memberships(graph: Store) -> None:
    members = select(graph, "SELECT ?m WHERE { ?m org:memberOf orgn:gcm-negotiations }")
    assert f"{ID}country/us" not in {m for (m,) in members}
    assert f"{ID}country/hu" not in {m for (m,) in members}
    declined = select(graph, "SELECT ?state WHERE { ?state gl:declinedToJoin ?what }")
    assert {f"{ID}country/us", f"{ID}country/hu"} <= {s for (s,) in declined}
    withdrew = select(graph, "SELECT ?who WHERE { ?who gl:withdrewFrom compact:gcm }")
    assert withdrew


def test_the_mmc_lists_only_members_and_is_an_initiative(graph: Store) -> None:
    members = select(graph, "SELECT DISTINCT ?m WHERE { ?m org:memberOf orgn:mmc }")
    assert f"{ID}org/iom" not in {m for (m,) in members}
    kinds = {k for (k,) in select(graph, "SELECT ?k WHERE { orgn:mmc a ?k }")}
    assert PREFIXES["gl"] + "Initiative" in kinds
    assert PREFIXES["gl"] + "CityNetwork" not in kinds


def test_the_calls_of_2019_and_2021_are_two_documents(graph: Store) -> None:
    found = {
        d
        for (d,) in select(
            graph,
            "SELECT ?d WHERE { VALUES ?d { decl:call-to-action-2019 decl:call-to-local-action } "
            "?d a ?kind }",
        )
    }
    assert found == {
        f"{ID}declaration/call-to-action-2019",
        f"{ID}declaration/call-to-local-action",
    }


def test_op_eds_speeches_and_reports_are_not_declarations(graph: Store) -> None:
    both = select(
        graph,
        """SELECT ?d WHERE { ?d a ?a , ?b .
             VALUES ?a { gl:Declaration gl:Charter gl:Call gl:JointStatement gl:PositionPaper }
             VALUES ?b { gl:OpEd gl:Speech gl:Report gl:Mapping gl:Guideline } }""",
    )
    assert not both
    speeches = select(graph, "SELECT ?d WHERE { ?d a gl:Speech }")
    assert speeches
    adopted_speeches = select(graph, "SELECT ?d WHERE { ?d a gl:Speech ; gl:adoptedAt ?e }")
    assert not adopted_speeches


def test_former_mayors_have_ended_terms(graph: Store) -> None:
    ended = select(
        graph,
        """SELECT ?p WHERE { ?st rdf:subject ?p ; rdf:predicate gl:mayorOf ;
             rdf:object city:athens ; gl:status gl:Ended }""",
    )
    assert (f"{ID}person/giorgos-kaminis",) in ended


def test_assessments_and_interviews_are_recorded(graph: Store) -> None:
    assessments = select(graph, "SELECT DISTINCT ?a WHERE { ?a a gl:Assessment }")
    assert len(assessments) > 1, "only the pivotal list"
    interviews = select(graph, "SELECT ?x WHERE { src:stuerner-2020 gl:interviewed ?x }")
    assert len(interviews) >= 5
