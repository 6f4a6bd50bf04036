"""Participation roles weigh ties, on the curated graph."""

from __future__ import annotations

from glocal.analysis.graph import tie_weight
from glocal.analysis.ties import city_graph, fetch_ties
from glocal.analysis.weights import DEFAULT_WEIGHTS
from glocal.store import EmbeddedStore

ID = "https://w3id.org/glocal/id/"


def test_a_statements_participation_role_sets_its_weight(store: EmbeddedStore) -> None:
    """São Paulo spoke at the Global Refugee Forum 2019 (gl:role gl:Speaker): the tie
    is a Speaker's, weighing more than taking part."""
    ties = fetch_ties(store).ties
    spoke = [
        t
        for t in ties
        if t.city == f"{ID}city/sao-paulo" and t.target == f"{ID}event/global-refugee-forum-2019"
    ]
    assert {t.relation for t in spoke} == {"Speaker"}
    G = city_graph(store)
    assert G[f"{ID}city/sao-paulo"][f"{ID}event/global-refugee-forum-2019"]["weight"] == 1.5
    weights = {t.relation: tie_weight(t) for t in ties}
    assert weights["Speaker"] > weights.get("Participant", 1.0) == 1.0
    # Every role the curated statements name has a weight (none falls back silently).
    roles = {t.relation for t in ties} - {local for local in DEFAULT_WEIGHTS if local[0].islower()}
    assert roles <= set(DEFAULT_WEIGHTS)
