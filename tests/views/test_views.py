"""The views: one description per resource for every format; caches that let stores go."""

from __future__ import annotations

import gc
import weakref

from pyoxigraph import NamedNode, RdfFormat, parse

from glocal.namespaces import GL, ID
from glocal.store import EmbeddedStore
from glocal.views.resource import ResourceView, describe
from glocal.views.service import dataset_statistics, service_description
from tests.conftest import LiveServer


def test_every_resource_page_shows_what_its_rdf_says(store: EmbeddedStore) -> None:
    # Every glocal IRI: the facts of the HTML view are the statements of its Turtle.
    query = f"""SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
                FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{ID}")) }}"""
    iris = sorted(row["x"].value for row in store.query(query))  # type: ignore[union-attr]
    assert len(iris) > 500
    for iri in iris:
        description = describe(store, iri)
        view = ResourceView.of(description)
        this = NamedNode(iri)
        triples = list(parse(description.serialize("text/turtle"), RdfFormat.TURTLE))
        outgoing = {(t.predicate.value, str(t.object)) for t in triples if t.subject == this}
        incoming = {
            (t.predicate.value, str(t.subject))
            for t in triples
            if t.object == this and isinstance(t.subject, NamedNode)
        }
        shown = view.labels + view.types + view.outgoing
        assert {(f.predicate, f.term) for f in shown} == outgoing, iri
        assert {(f.predicate, f.term) for f in view.incoming} == incoming, iri
        cited = {c.quote for f in view.outgoing + view.incoming for c in f.citations if c.quote}
        assert cited == {t.object.value for t in triples if t.predicate.value == GL + "quote"}
        assert view.exists == description.exists


def test_memberships_are_cited_with_their_role_and_quote(store: EmbeddedStore) -> None:
    view = ResourceView.of(describe(store, ID + "city/freetown"))
    (mmc,) = [f for f in view.outgoing if f.value == ID + "org/mmc"]
    (board,) = [c for c in mmc.citations if c.role == "leadership board member"]
    assert board.since == "2018" and board.quote and "Freetown" in board.quote


def test_an_unknown_resource_does_not_exist(store: EmbeddedStore) -> None:
    description = describe(store, ID + "city/atlantis")
    assert not description.exists and not ResourceView.of(description).exists


def test_the_statistics_cache_lets_closed_stores_go(store: EmbeddedStore) -> None:
    own = EmbeddedStore(store.path, store.version, workers=1)
    service_description(own, endpoint="http://x/sparql", media_type="text/turtle")
    assert dataset_statistics(own) is dataset_statistics(store)  # cached by version
    gone = weakref.ref(own)
    own.close()
    del own
    gc.collect()
    assert gone() is None


def test_a_page_tells_acts_from_venues_and_shows_status_and_dates(server: LiveServer) -> None:
    """Marrakech was only a venue; Kaminis's term in Athens is over: the pages say so."""
    with server.client() as client:
        marrakech = client.get("/id/city/marrakech", headers={"Accept": "text/html"}).text
        assert '<span class="role">event venue</span>' in marrakech
        athens = client.get("/id/city/athens", headers={"Accept": "text/html"}).text
        assert '<span class="status">ended</span>' in athens
        assert '<span class="when">by 2019</span>' in athens
