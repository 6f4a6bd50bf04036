"""Why a city ranks where it does: the facts behind its ties, grouped per city.

Pure functions of :class:`~glocal.analysis.graph.Ties`: :func:`evidence` lists each
city's facts with their quotes and sources (what the report shows), and
:func:`layer_counts` counts the nodes a city reaches in each layer (what the
agreement uses to say which kinds of facts a city lacks).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from glocal.analysis.graph import Ties, check_layers, local_name

__all__ = [
    "EVIDENCE_KINDS",
    "CityEvidence",
    "Evidence",
    "EvidenceItem",
    "evidence",
    "layer_counts",
]

#: The evidence list each layer's facts go to (the fields of :class:`CityEvidence`).
EVIDENCE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "organisations": "memberships",
        "declarations": "declarations",
        "events": "events",
        "objectives": "pledges",
    }
)


@dataclass(frozen=True)
class EvidenceItem:
    """One fact behind a city's tie: what it ties the city to, how, and who says so.

    ``via`` (with its label) is the mayor, office or sub-network the city acted
    through; ``pledge`` (with its label) is the pledge behind an objective. Both are
    ``None`` when they do not apply. ``citation`` is the source as a reader cites it
    (author and year); ``year`` the year from which the fact holds.
    """

    target: str
    label: str
    relation: str
    source: str | None
    quote: str | None
    via: str | None = None
    via_label: str | None = None
    pledge: str | None = None
    pledge_label: str | None = None
    citation: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class CityEvidence:
    """A city's facts, one list per kind (the values of :data:`EVIDENCE_KINDS`)."""

    memberships: tuple[EvidenceItem, ...] = ()
    declarations: tuple[EvidenceItem, ...] = ()
    events: tuple[EvidenceItem, ...] = ()
    pledges: tuple[EvidenceItem, ...] = ()

    def by_kind(self) -> dict[str, tuple[EvidenceItem, ...]]:
        """The lists by kind, in :data:`EVIDENCE_KINDS` order.

        >>> list(CityEvidence().by_kind())
        ['memberships', 'declarations', 'events', 'pledges']
        """
        return {
            "memberships": self.memberships,
            "declarations": self.declarations,
            "events": self.events,
            "pledges": self.pledges,
        }


@dataclass(frozen=True)
class Evidence:
    """For each city, the facts behind its edges; a city without facts gets empty lists."""

    by_city: Mapping[str, CityEvidence] = field(default_factory=dict)

    def __getitem__(self, city: str) -> CityEvidence:
        return self.by_city.get(city, CityEvidence())


def evidence(ties: Ties, *, layers: Collection[str] | None = None) -> Evidence:
    """Group the ties' quotes and sources by city.

    Examples
    --------
    >>> from glocal.analysis.graph import City, Tie
    >>> ties = Ties(
    ...     cities={"c1": City("c1", "Athens")},
    ...     nodes={"n": ("organisation", "Eurocities")},
    ...     ties=(Tie("c1", "n", "organisations", "Chair", source="s", quote="chaired by"),),
    ... )
    >>> evidence(ties)["c1"].memberships[0].quote
    'chaired by'
    >>> evidence(ties)["c1"].events
    ()
    """
    chosen = set(check_layers(layers))

    def label(iri: str | None) -> str | None:
        return None if iri is None else ties.labels.get(iri, local_name(iri))

    grouped: dict[str, dict[str, list[EvidenceItem]]] = {}
    for tie in ties.ties:
        if tie.layer not in chosen:
            continue
        kinds = grouped.setdefault(tie.city, {kind: [] for kind in EVIDENCE_KINDS.values()})
        kinds[EVIDENCE_KINDS[tie.layer]].append(
            EvidenceItem(
                target=tie.target,
                label=ties.nodes.get(tie.target, ("", local_name(tie.target)))[1],
                relation=tie.relation,
                source=tie.source,
                quote=tie.quote,
                via=tie.via,
                via_label=label(tie.via),
                pledge=tie.detail,
                pledge_label=label(tie.detail),
                citation=ties.citations.get(tie.source) if tie.source else None,
                year=tie.year,
            )
        )
    return Evidence(
        {
            city: CityEvidence(**{kind: tuple(items) for kind, items in kinds.items()})
            for city, kinds in grouped.items()
        }
    )


def layer_counts(ties: Ties, *, layers: Collection[str] | None = None) -> dict[str, dict[str, int]]:
    """For each city, how many distinct nodes it is tied to in each layer.

    Examples
    --------
    >>> from glocal.analysis.graph import City, Tie
    >>> ties = Ties({"c": City("c", "C")}, {"n": ("event", "E")},
    ...             (Tie("c", "n", "events", "attended"),))
    >>> layer_counts(ties)["c"]
    {'organisations': 0, 'declarations': 0, 'events': 1, 'objectives': 0}
    """
    chosen = check_layers(layers)
    targets: dict[str, dict[str, set[str]]] = {
        city: {layer: set() for layer in chosen} for city in ties.cities
    }
    for tie in ties.ties:
        if tie.layer in targets.get(tie.city, {}):
            targets[tie.city][tie.layer].add(tie.target)
    return {city: {layer: len(t) for layer, t in by.items()} for city, by in targets.items()}
