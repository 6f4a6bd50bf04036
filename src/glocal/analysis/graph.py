"""The city network as a bipartite graph, built from ties by pure functions.

One side of the graph is every ``gl:City``; the other side holds the things a city is
tied to, in four *layers* (:data:`LAYERS`): organisations, declarations, events and
objectives. The ties come from :func:`glocal.analysis.ties.fetch_ties` (the SPARQL
side); here they are only typed (:class:`Tie`, :class:`Ties`), weighed
(:func:`tie_weight`) and turned into a networkx graph (:func:`bipartite_graph`).

Edge weights come from :data:`~glocal.analysis.weights.DEFAULT_WEIGHTS`, which says why
each weighs what it does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp

from glocal.analysis.weights import DEFAULT_WEIGHTS
from glocal.namespaces import GL, ORG

__all__ = [
    "DEFAULT_WEIGHTS",
    "LAYERS",
    "LAYER_KINDS",
    "City",
    "Tie",
    "Ties",
    "ancestor_ties",
    "bipartite_graph",
    "bipartite_incidence",
    "check_layers",
    "local_name",
    "tie_weight",
]

#: The layers of things that tie cities together, in a fixed order.
LAYERS: tuple[str, ...] = ("organisations", "declarations", "events", "objectives")

#: The node kind each layer contributes (cities are ``"city"``).
LAYER_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "organisations": "organisation",
        "declarations": "declaration",
        "events": "event",
        "objectives": "objective",
    }
)


@dataclass(frozen=True)
class City:
    """A city node: its label and, where the graph has them, WGS84 coordinates."""

    iri: str
    label: str
    lat: float | None = None
    long: float | None = None
    #: ISO 3166-1 alpha-2 code of its country (``gl:country``), when the graph gives it.
    country: str | None = None


class Tie(NamedTuple):
    """One fact tying a city to a node of a layer, with the quote that states it.

    ``relation`` is the role's or property's local name (the key into the weights);
    ``via`` is the mayor or office the city acted through, or for a tie to a parent
    organisation the sub-network it comes through; ``depth`` counts parent steps;
    ``detail`` is the pledge behind an objective tie; ``year`` is the year from which
    the fact holds, by the rule of :func:`glocal.analysis.ties.fetch_ties` (``None``
    when nothing dates it).
    """

    city: str
    target: str
    layer: str
    relation: str
    source: str | None = None
    quote: str | None = None
    via: str | None = None
    depth: int = 0
    detail: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Ties:
    """Everything the graph is built from: cities, labelled nodes, and the ties."""

    cities: Mapping[str, City]
    #: Non-city nodes: IRI to (kind, label).
    nodes: Mapping[str, tuple[str, str]]
    ties: tuple[Tie, ...]
    #: Labels of everything else a tie mentions (mayors, offices, pledges, sources).
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Each source as a reader cites it: author (or publisher) and year.
    citations: Mapping[str, str] = field(default_factory=dict)


def local_name(iri: str) -> str:
    """The label of last resort: an IRI's local name (after the glocal or org namespace,
    else after the last ``/`` or ``#``).

    Examples
    --------
    >>> local_name("https://w3id.org/glocal/ontology#Chair")
    'Chair'
    >>> local_name("https://w3id.org/glocal/id/city/bristol")
    'bristol'
    """
    for namespace in (GL, ORG):
        if iri.startswith(namespace):
            return iri[len(namespace) :]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def check_layers(layers: Iterable[str] | None) -> tuple[str, ...]:
    """The chosen layers in :data:`LAYERS` order; every layer when ``None``.

    This is the one check of layer names: the API and the CLI use it (or its
    :data:`LAYERS`) so that a bad name gets the same message everywhere.

    Raises
    ------
    ValueError
        If a layer is not one of :data:`LAYERS`; the message names the bad layers and
        the valid ones.

    Examples
    --------
    >>> check_layers(["events", "organisations"])
    ('organisations', 'events')
    >>> check_layers(["gossip"])
    Traceback (most recent call last):
    ...
    ValueError: unknown layer(s) gossip; choose from organisations, declarations, events, objectives
    """
    if layers is None:
        return LAYERS
    wanted = set(layers)
    unknown = sorted(wanted - set(LAYERS))
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(LAYERS)}")
    return tuple(layer for layer in LAYERS if layer in wanted)


def tie_weight(tie: Tie, weights: Mapping[str, float] | None = None) -> float:
    """The weight of one tie: its relation's weight, discounted per parent step.

    Examples
    --------
    >>> tie_weight(Tie("c", "o", "organisations", "Chair"))
    3.0
    >>> tie_weight(Tie("c", "o", "organisations", "Chair", depth=1))
    1.5
    >>> tie_weight(Tie("c", "o", "organisations", "Chair"), {"Chair": 5})
    5.0
    """
    table = {**DEFAULT_WEIGHTS, **(weights or {})}
    try:
        base = float(table[tie.relation])
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(
            f"no weight for relation {tie.relation!r}; pass weights={{{tie.relation!r}: ...}}"
            f" (known: {known})"
        ) from None
    return base * float(table["parent"]) ** tie.depth


def ancestor_ties(ties: Iterable[Tie], parents: Mapping[str, Collection[str]]) -> list[Tie]:
    """Ties to every ancestor of each organisation a city belongs to.

    ``parents`` maps an organisation to its direct parents. Each new tie keeps the
    membership's relation, source and quote, records the sub-network it comes through
    as ``via`` and the number of parent steps as ``depth``; every ancestor is reached
    once per membership, at its shortest depth.

    Examples
    --------
    >>> member = Tie("c", "local", "organisations", "Chair")
    >>> [(t.target, t.via, t.depth) for t in ancestor_ties([member], {
    ...     "local": ["regional"], "regional": ["global"]})]
    [('regional', 'local', 1), ('global', 'regional', 2)]
    """
    extra = []
    for tie in ties:
        if tie.layer != "organisations":
            continue
        seen = {tie.target}
        frontier = [tie.target]
        depth = 0
        while frontier:
            depth += 1
            step = []
            for node in frontier:
                for parent in sorted(parents.get(node, ())):
                    if parent not in seen:
                        seen.add(parent)
                        step.append(parent)
                        extra.append(tie._replace(target=parent, via=node, depth=depth))
            frontier = step
    return extra


def bipartite_graph(
    ties: Ties,
    *,
    layers: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> nx.Graph:
    """Build the bipartite city graph from fetched ties.

    Parameters
    ----------
    ties
        The result of :func:`~glocal.analysis.ties.fetch_ties`.
    layers
        Which of :data:`LAYERS` to include; all by default.
    weights
        Overrides of :data:`DEFAULT_WEIGHTS`; a weight of 0 drops the relation.

    Returns
    -------
    networkx.Graph
        Every city is a node (``kind="city"``, ``bipartite=0``), tied or not; every
        node a tie reaches has ``kind`` (``organisation``, ``declaration``, ``event``
        or ``objective``) and ``bipartite=1``. All nodes carry ``label`` and ``iri``.
        Edges carry ``weight`` (the largest over the facts behind the edge), ``layer``
        and ``relations`` (the relations, joined by ``;``). Cost: O(number of ties).

    Raises
    ------
    ValueError
        If a layer is unknown or a tie's relation has no weight.

    Examples
    --------
    >>> ties = Ties(
    ...     cities={"c1": City("c1", "Athens"), "c2": City("c2", "Bristol")},
    ...     nodes={"n": ("organisation", "Eurocities")},
    ...     ties=(Tie("c1", "n", "organisations", "Chair"),
    ...           Tie("c2", "n", "organisations", "Member")),
    ... )
    >>> G = bipartite_graph(ties)
    >>> G.nodes["c1"]["bipartite"], G["c1"]["n"]["weight"], G["c2"]["n"]["weight"]
    (0, 3.0, 1.0)
    >>> bipartite_graph(ties, layers=["events"]).number_of_edges()
    0
    """
    chosen = set(check_layers(layers))
    G = nx.Graph()
    for iri, city in ties.cities.items():
        G.add_node(iri, kind="city", label=city.label, iri=iri, bipartite=0)
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for tie in ties.ties:
        if tie.layer not in chosen:
            continue
        w = tie_weight(tie, weights)
        if w <= 0:
            continue
        if tie.city not in G:
            raise ValueError(f"tie from {tie.city}, which is not among the cities")
        if tie.target not in G:
            kind, label = ties.nodes.get(tie.target, (LAYER_KINDS[tie.layer], tie.target))
            G.add_node(tie.target, kind=kind, label=label, iri=tie.target, bipartite=1)
        elif G.nodes[tie.target]["bipartite"] == 0:
            raise ValueError(f"{tie.target} is both a city and a {tie.layer} node")
        key = (tie.city, tie.target)
        relations[key].add(tie.relation)
        if G.has_edge(*key):
            data = G.edges[key]
            data["weight"] = max(data["weight"], w)
        else:
            G.add_edge(*key, weight=w, layer=tie.layer)
    for (u, v), rels in relations.items():
        if G.has_edge(u, v):
            G.edges[u, v]["relations"] = ";".join(sorted(rels))
    return G


def bipartite_incidence(
    ties: Ties,
    *,
    layers: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> tuple[sp.csr_array, list[str]]:
    """The weighted city-by-node incidence matrix of :func:`bipartite_graph`, built
    straight from the ties (no networkx graph): only the cities with a tie, in the
    order of ``ties.cities``, and each edge's largest weight.

    Cost: O(number of ties), with numpy; what resampling at scale needs.

    Examples
    --------
    >>> ties = Ties({"a": City("a", "A"), "b": City("b", "B"), "c": City("c", "C")},
    ...             {"n": ("organisation", "N")},
    ...             (Tie("a", "n", "organisations", "Chair"),
    ...              Tie("a", "n", "organisations", "Member"),
    ...              Tie("b", "n", "organisations", "Member")))
    >>> B, rows = bipartite_incidence(ties)
    >>> B.toarray().tolist(), rows
    ([[3.0], [1.0]], ['a', 'b'])
    """
    chosen = set(check_layers(layers))
    strongest: dict[tuple[str, str], float] = {}
    for tie in ties.ties:
        if tie.layer not in chosen:
            continue
        w = tie_weight(tie, weights)
        key = (tie.city, tie.target)
        if w > 0 and w > strongest.get(key, 0.0):
            strongest[key] = w
    tied = {city for city, _ in strongest}
    rows = [c for c in ties.cities if c in tied]
    row = {c: i for i, c in enumerate(rows)}
    column: dict[str, int] = {}
    for _, target in strongest:
        column.setdefault(target, len(column))
    B = sp.csr_array(
        (
            np.fromiter(strongest.values(), dtype=float, count=len(strongest)),
            (
                np.fromiter((row[c] for c, _ in strongest), dtype=np.int64, count=len(strongest)),
                np.fromiter(
                    (column[t] for _, t in strongest), dtype=np.int64, count=len(strongest)
                ),
            ),
        ),
        shape=(len(rows), len(column)),
    )
    return B, rows
