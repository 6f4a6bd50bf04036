"""The city network: a bipartite graph of cities and the things that tie them together.

Everything is read from the store with SPARQL (:func:`fetch_ties`), then turned into a
networkx graph by a pure function (:func:`bipartite_graph`). One side of the graph is
every ``gl:City``; the other side holds four *layers* of things a city can be tied to:

``organisations``
    an ``org:Membership`` of the city in an organisation, weighted by its ``org:role``
    (an ``org:memberOf`` without a membership node counts as ``gl:Member``);
``declarations``
    a document the city ``gl:endorsed``, ``gl:signed`` or ``gl:adopted``, or that was
    ``gl:adoptedIn`` the city (the host);
``events``
    an event the city ``gl:attended`` or ``gl:organises``, that was ``gl:hostedBy`` the
    city, or ``gl:heldIn`` it;
``objectives``
    a compact objective a pledge of the city (``gl:pledgedBy``) ``gl:contributesTo``; a
    pledge that names no objective but ``gl:addresses`` a compact ties the city to the
    compact itself.

A city also acts through its mayor (``gl:mayorOf``) and its own offices
(``gl:officeOf``): the sources often say "the Mayor of Bristol chairs ..." rather than
"Bristol chairs ...", so by default such facts count for the city (``proxies=False``
turns this off). Optionally a membership also ties the city, at a discount, to every
parent of the organisation (``org:memberOf`` / ``org:subOrganizationOf`` between
organisations, followed transitively).

The ``gl:Assessment`` of pivotal cities is never read here except by
:func:`assessed_cities`, which returns the benchmark list and nothing else.

Weights
-------
Edge weights (:data:`DEFAULT_WEIGHTS`, override any of them with ``weights=``) say how
strongly a fact ties a city to a node. They matter to the weighted measures
(eigenvector, PageRank, projected strength and betweenness); degree, bipartite
betweenness and closeness count ties only. When several facts tie the same city to
the same node (two roles, or the same fact in two sources) the edge keeps the largest
weight, so a fact repeated by several sources is not counted twice.

- Leading roles (``Chair``, ``LeadershipBoardMember``, ``CoSteeringPartner``,
  ``Coordinator``): 3. A city that steers a network shapes its agenda and is the
  network's face in international fora, which is what makes a city pivotal.
- ``FoundingMember`` and ``SteeringCommitteeMember``: 2. Founding and steering show
  sustained commitment beyond paying a fee.
- ``Member``: 1, the unit.
- ``Partner``, ``Observer``, ``Staff``: 0.5. Looser ties than full membership.
- ``adopted`` (authored a document), ``adoptedIn`` (hosted its adoption), ``hostedBy``,
  ``heldIn`` and ``organises`` (hosted or convened an event): 2. Hosting and drafting
  take initiative; signing what others drafted does not.
- ``endorsed``, ``signed``, ``attended``: 1.
- ``contributesTo`` (a pledge toward an objective) and ``addresses`` (a pledge toward a
  compact as a whole): 1.
- ``parent``: 0.5, a factor, not a weight: a tie to a parent organisation through a
  sub-network weighs ``0.5 ** depth`` times the membership's own weight.

A weight of 0 drops that kind of fact from the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import networkx as nx

from glocal.namespaces import GL, ORG
from glocal.store import GraphStore

__all__ = [
    "DEFAULT_WEIGHTS",
    "EVIDENCE_KINDS",
    "LAYERS",
    "LAYER_KINDS",
    "City",
    "Evidence",
    "Tie",
    "Ties",
    "assessed_cities",
    "bipartite_graph",
    "city_graph",
    "evidence",
    "fetch_ties",
    "layer_counts",
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

#: The evidence list each layer's facts go to, as named in the report.
EVIDENCE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "organisations": "memberships",
        "declarations": "declarations",
        "events": "events",
        "objectives": "pledges",
    }
)

#: Default edge weights by role or relation; see the module docstring for the reasons.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "Chair": 3.0,
        "LeadershipBoardMember": 3.0,
        "CoSteeringPartner": 3.0,
        "Coordinator": 3.0,
        "FoundingMember": 2.0,
        "SteeringCommitteeMember": 2.0,
        "Member": 1.0,
        "Partner": 0.5,
        "Observer": 0.5,
        "Staff": 0.5,
        "adopted": 2.0,
        "adoptedIn": 2.0,
        "hostedBy": 2.0,
        "heldIn": 2.0,
        "organises": 2.0,
        "endorsed": 1.0,
        "signed": 1.0,
        "attended": 1.0,
        "contributesTo": 1.0,
        "addresses": 1.0,
        "parent": 0.5,
    }
)


@dataclass(frozen=True)
class City:
    """A city node: its label and, where the graph has them, WGS84 coordinates."""

    iri: str
    label: str
    lat: float | None = None
    long: float | None = None


class Tie(NamedTuple):
    """One fact tying a city to a node of a layer, with the quote that states it.

    ``relation`` is the role's or property's local name (the key into the weights);
    ``via`` is the mayor or office the city acted through, or for a tie to a parent
    organisation the sub-network it comes through; ``depth`` counts parent steps;
    ``detail`` is the pledge behind an objective tie.
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


@dataclass(frozen=True)
class Ties:
    """Everything the graph is built from: cities, labelled nodes, and the ties."""

    cities: Mapping[str, City]
    #: Non-city nodes: IRI to (kind, label).
    nodes: Mapping[str, tuple[str, str]]
    ties: tuple[Tie, ...]
    #: Labels of everything else a tie mentions (mayors, offices, pledges, sources).
    labels: Mapping[str, str] = field(default_factory=dict)


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


def _check_layers(layers: Collection[str] | None) -> tuple[str, ...]:
    if layers is None:
        return LAYERS
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(LAYERS)}")
    return tuple(layer for layer in LAYERS if layer in layers)


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
        The result of :func:`fetch_ties`.
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
    chosen = set(_check_layers(layers))
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
    for (city, target), rels in relations.items():
        if G.has_edge(city, target):
            G.edges[city, target]["relations"] = ";".join(sorted(rels))
    return G


# --------------------------------------------------------------------------- SPARQL
#
# Every query is a plain pattern over one or a few predicates; joins (facts to their
# quotes, agents to their cities) happen in Python on dicts. Oxigraph answers such
# queries in time linear in their results, whereas a query that joined everything
# (a UNION of agent forms, OPTIONAL quotes) took minutes on 20,000 cities.

_CITIES = """
SELECT ?city (MIN(STR(?l)) AS ?label) (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?long) WHERE {
  ?city a gl:City .
  OPTIONAL { ?city rdfs:label ?l }
  OPTIONAL { ?city geo:lat ?la ; geo:long ?lo }
} GROUP BY ?city
"""

_LABELS = """
SELECT ?x (MIN(STR(?l)) AS ?label) WHERE { ?x rdfs:label|skos:prefLabel ?l } GROUP BY ?x
"""

_PROXY_LINKS = """
SELECT ?agent ?city WHERE { VALUES ?p { gl:mayorOf gl:officeOf } ?agent ?p ?city . }
"""

_MEMBERSHIPS = """
SELECT ?agent ?target ?role ?quote ?source WHERE {
  ?m org:member ?agent ; org:organization ?target ; org:role ?role .
  OPTIONAL { ?m gl:quote ?quote }
  OPTIONAL { ?m prov:wasDerivedFrom ?source }
}
"""

_TRIPLES = "SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o . }}"

_QUOTES = """
SELECT ?s ?p ?o ?quote ?source WHERE {{
  VALUES ?p {{ {predicates} }}
  ?st rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o .
  OPTIONAL {{ ?st gl:quote ?quote }}
  OPTIONAL {{ ?st prov:wasDerivedFrom ?source }}
}}
"""

_TYPED = "SELECT ?x WHERE {{ VALUES ?class {{ {classes} }} ?x a ?class . }}"

_SCHEMES = "SELECT ?x ?scheme WHERE { ?x skos:inScheme ?scheme . }"

_ASSESSED = """
SELECT DISTINCT ?city WHERE {
  ?a a gl:Assessment ; gl:category ?category ; gl:assesses ?city .
  ?city a gl:City .
  FILTER (STR(?category) = ?wanted)
}
"""

#: The predicates each layer reads, as (prefixed name, direction): "out" when the city
#: (or its proxy) is the subject, "in" when it is the object.
_LAYER_PREDICATES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "declarations": (
            ("gl:endorsed", "out"),
            ("gl:signed", "out"),
            ("gl:adopted", "out"),
            ("gl:adoptedIn", "in"),
        ),
        "events": (
            ("gl:attended", "out"),
            ("gl:organises", "out"),
            ("gl:hostedBy", "in"),
            ("gl:heldIn", "in"),
        ),
    }
)

Triple = tuple[str, str, str]


def _local(iri: str) -> str:
    for namespace in (GL, ORG):
        if iri.startswith(namespace):
            return iri[len(namespace) :]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _value(row: object, name: str) -> str | None:
    term = row[name]  # type: ignore[index]
    return None if term is None else str(term.value)


def _triples(store: GraphStore, predicates: Iterable[str]) -> list[Triple]:
    query = _TRIPLES.format(predicates=" ".join(predicates))
    return [
        (str(r["s"].value), str(r["p"].value), str(r["o"].value))  # type: ignore[index]
        for r in store.query(query)
    ]


def _quotes(
    store: GraphStore, predicates: Iterable[str]
) -> dict[Triple, list[tuple[str | None, str | None]]]:
    """The (quote, source) pairs of the rdf:Statements about facts with these predicates."""
    found: dict[Triple, list[tuple[str | None, str | None]]] = defaultdict(list)
    for r in store.query(_QUOTES.format(predicates=" ".join(predicates))):
        key = (str(r["s"].value), str(r["p"].value), str(r["o"].value))  # type: ignore[index]
        found[key].append((_value(r, "quote"), _value(r, "source")))
    return found


def _typed(store: GraphStore, classes: Iterable[str]) -> set[str]:
    query = _TYPED.format(classes=" ".join(classes))
    return {str(r["x"].value) for r in store.query(query)}  # type: ignore[index]


class _Agents:
    """Maps an agent to the cities it acts for: a city for itself, a mayor or an
    office for its city (when proxies are on)."""

    def __init__(self, cities: Collection[str], proxies: Mapping[str, set[str]]) -> None:
        self.cities = cities
        self.proxies = proxies

    def __call__(self, agent: str) -> list[tuple[str, str | None]]:
        if agent in self.cities:
            return [(agent, None)]
        return [
            (city, agent) for city in sorted(self.proxies.get(agent, ())) if city in self.cities
        ]


def _fact_ties(
    triples: Iterable[Triple],
    quotes: Mapping[Triple, list[tuple[str | None, str | None]]],
    agents: _Agents,
    *,
    layer: str,
    direction: Mapping[str, str],
    targets: Collection[str] | None = None,
) -> Iterator[Tie]:
    for s, p, o in triples:
        agent, target = (s, o) if direction[p] == "out" else (o, s)
        if targets is not None and target not in targets:
            continue
        for city, via in agents(agent):
            for quote, source in quotes.get((s, p, o)) or [(None, None)]:
                yield Tie(city, target, layer, _local(p), source, quote, via)


def _organisation_ties(store: GraphStore, agents: _Agents) -> Iterator[Tie]:
    covered: set[tuple[str, str]] = set()
    for r in store.query(_MEMBERSHIPS):
        agent, target = str(r["agent"].value), str(r["target"].value)  # type: ignore[index]
        covered.add((agent, target))
        for city, via in agents(agent):
            yield Tie(
                city,
                target,
                "organisations",
                _local(str(r["role"].value)),  # type: ignore[index]
                _value(r, "source"),
                _value(r, "quote"),
                via,
            )
    # An org:memberOf without a membership node counts as a plain membership.
    bare = [t for t in _triples(store, ["org:memberOf"]) if (t[0], t[2]) not in covered]
    if bare:
        quotes = _quotes(store, ["org:memberOf"])
        for s, p, o in bare:
            for city, via in agents(s):
                for quote, source in quotes.get((s, p, o)) or [(None, None)]:
                    yield Tie(city, o, "organisations", "Member", source, quote, via)


def _objective_ties(store: GraphStore, agents: _Agents) -> Iterator[Tie]:
    facts = _triples(store, ["gl:pledgedBy", "gl:contributesTo", "gl:addresses"])
    quotes = _quotes(store, ["gl:pledgedBy"])
    compacts = _typed(store, ["gl:Compact"])
    scheme = {str(r["x"].value): str(r["scheme"].value) for r in store.query(_SCHEMES)}  # type: ignore[index]
    makers: dict[str, list[str]] = defaultdict(list)
    objectives: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in facts:
        if p == GL + "pledgedBy":
            makers[s].append(o)
        elif p == GL + "contributesTo":
            objectives[s].append((o, "contributesTo"))
    for s, p, o in facts:
        # A pledge toward a compact as a whole, when it names none of its objectives.
        named = any(scheme.get(obj) == o for obj, _ in objectives.get(s, ()))
        if p == GL + "addresses" and o in compacts and not named:
            objectives[s].append((o, "addresses"))
    for pledge in sorted(makers):
        for agent in makers[pledge]:
            for city, via in agents(agent):
                for target, relation in objectives.get(pledge, ()):
                    for quote, source in quotes.get((pledge, GL + "pledgedBy", agent)) or [
                        (None, None)
                    ]:
                        yield Tie(
                            city, target, "objectives", relation, source, quote, via, 0, pledge
                        )


def fetch_ties(
    store: GraphStore,
    *,
    layers: Collection[str] | None = None,
    parents: bool = False,
    proxies: bool = True,
) -> Ties:
    """Read cities, the ties of each layer, labels and quotes from the store.

    Parameters
    ----------
    store
        Any :class:`~glocal.store.GraphStore`; the default graph must be the union.
    layers
        Which of :data:`LAYERS` to read; all by default.
    parents
        Also tie a member of an organisation to the organisation's parents
        (``org:memberOf`` or ``org:subOrganizationOf`` between organisations, followed
        transitively); such ties have ``depth`` >= 1.
    proxies
        Count facts about a city's mayor (``gl:mayorOf``) or office (``gl:officeOf``)
        for the city.

    Returns
    -------
    Ties
        One :class:`Tie` per fact and quoting node (a fact quoted by two sources gives
        two ties); a fact with no qualified node still gives a tie, without quote.
        Cost: a few SPARQL queries per layer, each linear in its results.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> ties = fetch_ties(store)
    >>> ties.cities["https://w3id.org/glocal/id/city/bristol"].label
    'Bristol'
    >>> {t.layer for t in ties.ties} <= set(LAYERS)
    True
    """
    chosen = _check_layers(layers)
    cities: dict[str, City] = {}
    for row in store.query(_CITIES):
        iri = str(row["city"].value)  # type: ignore[index]
        lat, long = _value(row, "lat"), _value(row, "long")
        cities[iri] = City(
            iri,
            _value(row, "label") or _local(iri),
            float(lat) if lat is not None else None,
            float(long) if long is not None else None,
        )
    labels = {str(row["x"].value): str(row["label"].value) for row in store.query(_LABELS)}  # type: ignore[index]
    proxy_map: dict[str, set[str]] = defaultdict(set)
    if proxies:
        for row in store.query(_PROXY_LINKS):
            proxy_map[str(row["agent"].value)].add(str(row["city"].value))  # type: ignore[index]
    agents = _Agents(cities, proxy_map)

    found: list[Tie] = []
    for layer in chosen:
        if layer == "organisations":
            found.extend(_organisation_ties(store, agents))
        elif layer == "objectives":
            found.extend(_objective_ties(store, agents))
        else:
            names = [name for name, _ in _LAYER_PREDICATES[layer]]
            direction = {
                GL + name.removeprefix("gl:"): way for name, way in _LAYER_PREDICATES[layer]
            }
            events = _typed(store, ["gl:Event", "gl:EventSeries"]) if layer == "events" else None
            found.extend(
                _fact_ties(
                    _triples(store, names),
                    _quotes(store, names),
                    agents,
                    layer=layer,
                    direction=direction,
                    targets=events,
                )
            )
    found = [t for t in found if t.target not in cities]
    if parents and "organisations" in chosen:
        found.extend(_parent_ties(store, found))
    unique = tuple(dict.fromkeys(found))
    nodes = {
        tie.target: (LAYER_KINDS[tie.layer], labels.get(tie.target, _local(tie.target)))
        for tie in unique
    }
    return Ties(cities=cities, nodes=nodes, ties=unique, labels=labels)


def _parent_ties(store: GraphStore, ties: Iterable[Tie]) -> list[Tie]:
    """Ties to every ancestor of each organisation a city belongs to."""
    parents: dict[str, set[str]] = defaultdict(set)
    # The query lists every member, cities too, but the walk below starts from
    # organisations and only ever reaches organisations.
    for child, _, parent in _triples(store, ["org:memberOf", "org:subOrganizationOf"]):
        if child != parent:
            parents[child].add(parent)
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
                        extra.append(
                            Tie(
                                city=tie.city,
                                target=parent,
                                layer="organisations",
                                relation=tie.relation,
                                source=tie.source,
                                quote=tie.quote,
                                via=node,
                                depth=depth,
                            )
                        )
            frontier = step
    return extra


def city_graph(
    store: GraphStore,
    *,
    layers: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
    parents: bool = False,
    proxies: bool = True,
) -> nx.Graph:
    """Fetch the ties from the store and build the bipartite graph in one step.

    See :func:`fetch_ties` and :func:`bipartite_graph` for the parameters.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> G = city_graph(store)
    >>> G.nodes["https://w3id.org/glocal/id/city/bristol"]["kind"]
    'city'
    """
    ties = fetch_ties(store, layers=layers, parents=parents, proxies=proxies)
    return bipartite_graph(ties, layers=layers, weights=weights)


def assessed_cities(store: GraphStore, *, category: str = "pivotal city") -> list[str]:
    """The cities an assessment of the given category names (the benchmark, not input).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> "https://w3id.org/glocal/id/city/freetown" in assessed_cities(store)
    True
    """
    query = _ASSESSED.replace("?wanted", _string_literal(category))
    return sorted(str(row["city"].value) for row in store.query(query))  # type: ignore[index]


def _string_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Evidence:
    """For each city, the facts behind its edges, grouped as in the report.

    ``by_city[city][kind]`` is a list of dicts with ``target``, ``label``,
    ``relation``, ``source`` and ``quote`` (plus ``via`` for facts about a mayor,
    office or sub-network, and ``pledge`` for pledges); ``kind`` is one of
    ``memberships``, ``declarations``, ``events``, ``pledges``.
    """

    by_city: Mapping[str, Mapping[str, list[dict[str, str | None]]]]

    def __getitem__(self, city: str) -> Mapping[str, list[dict[str, str | None]]]:
        return self.by_city.get(city, {kind: [] for kind in EVIDENCE_KINDS.values()})


def evidence(ties: Ties, *, layers: Collection[str] | None = None) -> Evidence:
    """Group the ties' quotes and sources by city.

    Examples
    --------
    >>> ties = Ties(
    ...     cities={"c1": City("c1", "Athens")},
    ...     nodes={"n": ("organisation", "Eurocities")},
    ...     ties=(Tie("c1", "n", "organisations", "Chair", source="s", quote="chaired by"),),
    ... )
    >>> evidence(ties)["c1"]["memberships"][0]["quote"]
    'chaired by'
    >>> evidence(ties)["c1"]["events"]
    []
    """
    chosen = set(_check_layers(layers))
    grouped: dict[str, dict[str, list[dict[str, str | None]]]] = {}
    for tie in ties.ties:
        if tie.layer not in chosen:
            continue
        kinds = grouped.setdefault(tie.city, {kind: [] for kind in EVIDENCE_KINDS.values()})
        item: dict[str, str | None] = {
            "target": tie.target,
            "label": ties.nodes.get(tie.target, ("", _local(tie.target)))[1],
            "relation": tie.relation,
            "source": tie.source,
            "quote": tie.quote,
        }
        if tie.via is not None:
            item["via"] = tie.via
            item["via_label"] = ties.labels.get(tie.via, _local(tie.via))
        if tie.detail is not None:
            item["pledge"] = tie.detail
            item["pledge_label"] = ties.labels.get(tie.detail, _local(tie.detail))
        kinds[EVIDENCE_KINDS[tie.layer]].append(item)
    return Evidence(grouped)


def layer_counts(ties: Ties, *, layers: Collection[str] | None = None) -> dict[str, dict[str, int]]:
    """For each city, how many distinct nodes it is tied to in each layer.

    Examples
    --------
    >>> ties = Ties({"c": City("c", "C")}, {"n": ("event", "E")},
    ...             (Tie("c", "n", "events", "attended"),))
    >>> layer_counts(ties)["c"]
    {'organisations': 0, 'declarations': 0, 'events': 1, 'objectives': 0}
    """
    chosen = _check_layers(layers)
    targets: dict[str, dict[str, set[str]]] = {
        city: {layer: set() for layer in chosen} for city in ties.cities
    }
    for tie in ties.ties:
        if tie.layer in targets.get(tie.city, {}):
            targets[tie.city][tie.layer].add(tie.target)
    return {city: {layer: len(t) for layer, t in by.items()} for city, by in targets.items()}
