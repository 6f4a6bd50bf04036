"""Read the city network from the store: cities, labels, the ties of each layer with
their quotes, and the expert assessment.

Every query runs against a :class:`~glocal.store.GraphStore`; this is the only module
of the analysis that touches the store. What it reads becomes :class:`Ties`
(:func:`fetch_ties`), from which :mod:`glocal.analysis.graph` builds the graph. The
four layers (:data:`~glocal.analysis.graph.LAYERS`) are read from these facts:

``organisations``
    an ``org:Membership`` of the city in an organisation, weighted by its ``org:role``
    (an ``org:memberOf`` without a membership node counts as ``gl:Member``), and an
    organisation the city ``gl:founded`` or ``gl:participatesIn``;
``declarations``
    a declaration (or charter, call, joint statement, position paper, pledge document)
    the city ``gl:endorsed``, ``gl:signed`` or ``gl:adopted``;
``events``
    an event the city ``gl:attended`` or ``gl:organises``, or that was ``gl:hostedBy``
    the city.

Only acts count: a city that was only the venue (a document ``gl:adoptedIn`` it, an
event ``gl:heldIn`` it) is tied to it only with ``venues=True``; negative relations,
interviews and assessments are never ties.
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

The quote and source of each fact (its ``rdf:Statement`` or membership node) travel
with its :class:`~glocal.analysis.graph.Tie`: the report's evidence comes from the same
queries as the graph. The ``gl:Assessment`` of pivotal cities is read only by
:func:`assessed_cities`, which returns the benchmark list and nothing else.

Every query is a plain pattern over one or a few predicates; joins (facts to their
quotes, agents to their cities) happen in Python on dicts. Oxigraph answers such
queries in time linear in their results, whereas a query that joined everything (a
UNION of agent forms, OPTIONAL quotes) took minutes on 20,000 cities. Longer than 400 lines
because each query sits next to the join that reads it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from types import MappingProxyType

import networkx as nx
from pyoxigraph import QuerySolution, QuerySolutions

from glocal.analysis.graph import (
    LAYER_KINDS,
    City,
    Tie,
    Ties,
    ancestor_ties,
    bipartite_graph,
    check_layers,
    local_name,
)
from glocal.analysis.weights import DEFAULT_WEIGHTS
from glocal.namespaces import GL
from glocal.store import GraphStore

__all__ = ["assessed_cities", "assessing_sources", "city_graph", "fetch_ties"]

_CITIES = """
SELECT ?city (MIN(STR(?l)) AS ?label) (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?long)
       (MIN(STR(?code)) AS ?country) WHERE {
  ?city a gl:City .
  OPTIONAL { ?city rdfs:label ?l }
  OPTIONAL { ?city geo:lat ?la ; geo:long ?lo }
  OPTIONAL { ?city gl:country/gl:iso3166Alpha2 ?code }
} GROUP BY ?city
"""

_LABELS = """
SELECT ?x (MIN(STR(?l)) AS ?label) WHERE { ?x rdfs:label|skos:prefLabel ?l } GROUP BY ?x
"""

# A mayor whose term a source says has ended no longer acts for the city: a former
# mayor's later roles (Kaminis at the MMC after leaving Athens) are his own.
_PROXY_LINKS = """
SELECT ?agent ?city WHERE {
  VALUES ?p { gl:mayorOf gl:officeOf }
  ?agent ?p ?city .
  FILTER NOT EXISTS {
    ?st rdf:subject ?agent ; rdf:predicate ?p ; rdf:object ?city ; gl:status gl:Ended .
  }
}
"""

_MEMBERSHIPS = """
SELECT ?agent ?target ?role ?quote ?source ?date WHERE {
  ?m org:member ?agent ; org:organization ?target ; org:role ?role .
  OPTIONAL { ?m gl:quote ?quote }
  OPTIONAL { ?m prov:wasDerivedFrom ?source }
  OPTIONAL { ?m gl:since|schema:startDate|gl:onDate ?date }
}
"""

_TRIPLES = "SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {predicates} }} ?s ?p ?o . }}"

_QUOTES = """
SELECT ?s ?p ?o ?quote ?source ?status ?date ?role WHERE {{
  VALUES ?p {{ {predicates} }}
  ?st rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o .
  OPTIONAL {{ ?st gl:quote ?quote }}
  OPTIONAL {{ ?st prov:wasDerivedFrom ?source }}
  OPTIONAL {{ ?st gl:status ?status }}
  OPTIONAL {{ ?st gl:onDate|gl:since|schema:startDate ?date }}
  OPTIONAL {{ ?st gl:role ?role }}
}}
"""

#: The dates of things a fact is about (a declaration's year, an event's start) and of
#: sources (their year of publication).
_DATES = """
SELECT ?x ?date WHERE { ?x gl:year|schema:startDate|dcterms:issued ?date . }
"""

#: Statuses of something that did not (or not yet) happen: a fact that every source
#: states with one of these is not a tie.
NOT_DONE = frozenset(
    GL + name for name in ("Planned", "Announced", "Scheduled", "NotAdopted", "Withdrawn")
)

#: The documents of the declarations layer: declarations and their kinds (charters,
#: calls, joint statements, position papers, pledge documents), which a city adopts,
#: signs or endorses; not op-eds, speeches, reports, mappings or guidelines.
#: (The classes are listed, not reached by a property path, which engines differ on.)
_DECLARATIONS = """
SELECT DISTINCT ?x WHERE {
  VALUES ?kind { gl:Declaration gl:Charter gl:Call gl:JointStatement gl:PositionPaper
                 gl:PledgeDocument }
  ?x a ?kind .
}
"""

#: The authors (people or organisations) and year of each source, for citations.
_CITATIONS = """
SELECT ?source ?name ?person ?publisher ?title ?year WHERE {
  ?source a gl:Source .
  OPTIONAL { ?source dcterms:creator ?creator . ?creator rdfs:label ?name .
             OPTIONAL { ?creator a ?person . FILTER (?person = gl:Person) } }
  OPTIONAL { ?source dcterms:publisher/rdfs:label ?publisher }
  OPTIONAL { ?source rdfs:label ?title }
  OPTIONAL { ?source gl:year|dcterms:issued ?year }
}
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
        ),
        "events": (
            ("gl:attended", "out"),
            ("gl:organises", "out"),
            ("gl:hostedBy", "in"),
        ),
    }
)

#: Venue relations: where a document was adopted or an event held. A venue did not act,
#: so these are read only with ``venues=True``.
_VENUE_PREDICATES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {"declarations": (("gl:adoptedIn", "in"),), "events": (("gl:heldIn", "in"),)}
)

Triple = tuple[str, str, str]
#: The (quote, source, year) of each statement of a fact.
#: Per fact, each statement's (quote, source, year, participation role).
Quotes = Mapping[Triple, list[tuple[str | None, str | None, int | None, str | None]]]

#: A fact with no statement node: no quote, no source, no date.
_UNQUOTED: list[tuple[str | None, str | None, int | None, str | None]] = [(None, None, None, None)]


def _select(store: GraphStore, query: str) -> QuerySolutions:
    result = store.query(query)
    if not isinstance(result, QuerySolutions):
        raise TypeError(f"expected SELECT solutions from the store, got {type(result).__name__}")
    return result


def _text(row: QuerySolution, name: str) -> str:
    return str(row[name].value)


def _optional(row: QuerySolution, name: str) -> str | None:
    term = row[name]
    return None if term is None else str(term.value)


def _year(row: QuerySolution, name: str) -> int | None:
    """The year of an ``xsd:gYear``, ``gYearMonth`` or ``date`` value (its first four
    digits); ``None`` when absent or not a year."""
    text = _optional(row, name)
    return int(text[:4]) if text and text[:4].isdigit() else None


def _triples(store: GraphStore, predicates: Iterable[str]) -> list[Triple]:
    query = _TRIPLES.format(predicates=" ".join(predicates))
    return [(_text(r, "s"), _text(r, "p"), _text(r, "o")) for r in _select(store, query)]


def _quotes(store: GraphStore, predicates: Iterable[str]) -> tuple[Quotes, set[Triple]]:
    """The (quote, source, year) of the rdf:Statements about facts with these
    predicates, and the facts that every statement gives a not-done status
    (:data:`NOT_DONE`)."""
    found: dict[Triple, list[tuple[str | None, str | None, int | None, str | None]]] = defaultdict(
        list
    )
    done: set[Triple] = set()
    for r in _select(store, _QUOTES.format(predicates=" ".join(predicates))):
        key = (_text(r, "s"), _text(r, "p"), _text(r, "o"))
        role = _optional(r, "role")
        found[key].append(
            (
                _optional(r, "quote"),
                _optional(r, "source"),
                _year(r, "date"),
                local_name(role) if role else None,
            )
        )
        if _optional(r, "status") not in NOT_DONE:
            done.add(key)
    return found, set(found) - done


def _typed(store: GraphStore, classes: Iterable[str]) -> set[str]:
    query = _TYPED.format(classes=" ".join(classes))
    return {_text(r, "x") for r in _select(store, query)}


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
    quotes: Quotes,
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
            for quote, source, year, role in quotes.get((s, p, o)) or _UNQUOTED:
                # The statement's participation role, where it names one with a weight
                # (a speaker weighs more than a listener), else the relation itself.
                relation = role if role is not None and role in DEFAULT_WEIGHTS else local_name(p)
                yield Tie(city, target, layer, relation, source, quote, via, year=year)


def _organisation_ties(store: GraphStore, agents: _Agents) -> Iterator[Tie]:
    covered: set[tuple[str, str]] = set()
    for r in _select(store, _MEMBERSHIPS):
        agent, target = _text(r, "agent"), _text(r, "target")
        covered.add((agent, target))
        for city, via in agents(agent):
            yield Tie(
                city,
                target,
                "organisations",
                local_name(_text(r, "role")),
                _optional(r, "source"),
                _optional(r, "quote"),
                via,
                year=_year(r, "date"),
            )
    # An org:memberOf without a membership node counts as a plain membership.
    bare = [t for t in _triples(store, ["org:memberOf"]) if (t[0], t[2]) not in covered]
    if bare:
        quotes, _ = _quotes(store, ["org:memberOf"])
        for s, p, o in bare:
            for city, via in agents(s):
                for quote, source, year, _ in quotes.get((s, p, o)) or _UNQUOTED:
                    yield Tie(city, o, "organisations", "Member", source, quote, via, year=year)
    # Founding an organisation, or taking part in it without membership.
    acts = ["gl:founded", "gl:participatesIn"]
    quotes, undone = _quotes(store, acts)
    kinds = _organisations(store)
    triples = [t for t in _triples(store, acts) if t not in undone]
    yield from _fact_ties(
        triples,
        quotes,
        agents,
        layer="organisations",
        direction={GL + "founded": "out", GL + "participatesIn": "out"},
        targets=kinds,
    )


def _organisations(store: GraphStore) -> set[str]:
    """Everything typed as ``org:Organization`` or one of its subclasses (the closure
    is walked here, not by a property path, which engines differ on)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for sub, _, sup in _triples(store, ["rdfs:subClassOf"]):
        parents[sub].add(sup)
    wanted = "http://www.w3.org/ns/org#Organization"

    def is_organisation(cls: str, seen: frozenset[str] = frozenset()) -> bool:
        return cls == wanted or any(
            is_organisation(up, seen | {cls}) for up in parents.get(cls, ()) if up not in seen
        )

    classes = [c for c in set(parents) | {wanted} if is_organisation(c)]
    return _typed(store, [f"<{c}>" for c in classes])


def _objective_ties(store: GraphStore, agents: _Agents) -> Iterator[Tie]:
    facts = _triples(store, ["gl:pledgedBy", "gl:contributesTo", "gl:addresses"])
    quotes, _ = _quotes(store, ["gl:pledgedBy"])
    compacts = _typed(store, ["gl:Compact"])
    scheme = {_text(r, "x"): _text(r, "scheme") for r in _select(store, _SCHEMES)}
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
                    stated = quotes.get((pledge, GL + "pledgedBy", agent)) or _UNQUOTED
                    for quote, source, year, _ in stated:
                        yield Tie(
                            city,
                            target,
                            "objectives",
                            relation,
                            source,
                            quote,
                            via,
                            0,
                            pledge,
                            year,
                        )


def _parents(store: GraphStore) -> dict[str, set[str]]:
    """Each organisation's direct parents (``org:memberOf`` / ``org:subOrganizationOf``).

    Cities are listed too, but the walk over parents starts from organisations.
    """
    parents: dict[str, set[str]] = defaultdict(set)
    for child, _, parent in _triples(store, ["org:memberOf", "org:subOrganizationOf"]):
        if child != parent:
            parents[child].add(parent)
    return parents


def _dated(ties: list[Tie], dates: Mapping[str, int | None]) -> list[Tie]:
    """Give each undated tie a year: its target's (a declaration's year, an event's
    start), else its pledge's, else its source's year of publication."""
    return [
        tie
        if tie.year is not None
        else tie._replace(
            year=dates.get(tie.target)
            or (dates.get(tie.detail) if tie.detail else None)
            or (dates.get(tie.source) if tie.source else None)
        )
        for tie in ties
    ]


def fetch_ties(
    store: GraphStore,
    *,
    layers: Collection[str] | None = None,
    parents: bool = False,
    proxies: bool = True,
    venues: bool = False,
) -> Ties:
    """Read cities, the ties of each layer, labels and quotes from the store.

    Parameters
    ----------
    store
        Any :class:`~glocal.store.GraphStore`; the default graph must be the union.
    layers
        Which of :data:`~glocal.analysis.graph.LAYERS` to read; all by default.
    parents
        Also tie a member of an organisation to the organisation's parents
        (``org:memberOf`` or ``org:subOrganizationOf`` between organisations, followed
        transitively); such ties have ``depth`` >= 1.
    proxies
        Count facts about a city's mayor (``gl:mayorOf``) or office (``gl:officeOf``)
        for the city; not those of a mayor whose term a source says has ended.
    venues
        Also tie a city to the documents adopted in it (``gl:adoptedIn``) and the events
        held in it (``gl:heldIn``). Off by default: a venue is not an actor.

    A fact that every source states as planned, announced, scheduled, not adopted or
    withdrawn (:data:`NOT_DONE`) is not a tie, and the declarations layer reads only
    declarations and their kinds, not op-eds, speeches, reports or mappings.

    Each tie's ``year`` says from when the fact holds: the statement's own date
    (``gl:onDate``, ``gl:since``, ``schema:startDate``), else the date of what it ties
    the city to (``gl:year`` or ``schema:startDate`` of the declaration or event, or of
    the pledge), else the year its source was published (``gl:year``,
    ``dcterms:issued``): the fact held by then at the latest. ``None`` when none of
    these is known.

    Returns
    -------
    Ties
        One :class:`~glocal.analysis.graph.Tie` per fact and quoting node (a fact
        quoted by two sources gives two ties); a fact with no qualified node still
        gives a tie, without quote. Cost: a few SPARQL queries per layer, each linear
        in its results.

    Raises
    ------
    ValueError
        If a layer is unknown (:func:`~glocal.analysis.graph.check_layers`).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.analysis.graph import LAYERS
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> ties = fetch_ties(store)
    >>> ties.cities["https://w3id.org/glocal/id/city/bristol"].label
    'Bristol'
    >>> {t.layer for t in ties.ties} <= set(LAYERS)
    True
    """
    chosen = check_layers(layers)
    cities: dict[str, City] = {}
    for row in _select(store, _CITIES):
        iri = _text(row, "city")
        lat, long = _optional(row, "lat"), _optional(row, "long")
        cities[iri] = City(
            iri,
            _optional(row, "label") or local_name(iri),
            float(lat) if lat is not None else None,
            float(long) if long is not None else None,
            _optional(row, "country"),
        )
    labels = {_text(row, "x"): _text(row, "label") for row in _select(store, _LABELS)}
    proxy_map: dict[str, set[str]] = defaultdict(set)
    if proxies:
        for row in _select(store, _PROXY_LINKS):
            proxy_map[_text(row, "agent")].add(_text(row, "city"))
    agents = _Agents(cities, proxy_map)

    found: list[Tie] = []
    for layer in chosen:
        if layer == "organisations":
            found.extend(_organisation_ties(store, agents))
        elif layer == "objectives":
            found.extend(_objective_ties(store, agents))
        else:
            read = _LAYER_PREDICATES[layer] + (_VENUE_PREDICATES[layer] if venues else ())
            names = [name for name, _ in read]
            direction = {GL + name.removeprefix("gl:"): way for name, way in read}
            if layer == "events":
                targets = _typed(store, ["gl:Event", "gl:EventSeries"])
            else:
                targets = {_text(r, "x") for r in _select(store, _DECLARATIONS)}
            quotes, undone = _quotes(store, names)
            triples = [t for t in _triples(store, names) if t not in undone]
            found.extend(
                _fact_ties(
                    triples, quotes, agents, layer=layer, direction=direction, targets=targets
                )
            )
    found = [t for t in found if t.target not in cities]
    if parents and "organisations" in chosen:
        found.extend(ancestor_ties(found, _parents(store)))
    found = _dated(found, {_text(r, "x"): _year(r, "date") for r in _select(store, _DATES)})
    unique = tuple(dict.fromkeys(found))
    nodes = {
        tie.target: (LAYER_KINDS[tie.layer], labels.get(tie.target, local_name(tie.target)))
        for tie in unique
    }
    return Ties(cities=cities, nodes=nodes, ties=unique, labels=labels, citations=_citations(store))


def _citations(store: GraphStore) -> dict[str, str]:
    """Each source as "Surname (year)", "A and B (year)" or "A et al. (year)"; a
    person is cited by the last word of their name, an organisation by its name; a
    source with no author by its publisher, else by its title."""
    authors: dict[str, list[str]] = defaultdict(list)
    years: dict[str, int | None] = {}
    fallback: dict[str, str] = {}
    for row in _select(store, _CITATIONS):
        source = _text(row, "source")
        years[source] = years.get(source) or _year(row, "year")
        if source not in fallback:
            fallback[source] = _optional(row, "publisher") or _optional(row, "title") or ""
        name = _optional(row, "name")
        if name:
            cited = name.split()[-1] if _optional(row, "person") else name
            if cited not in authors[source]:
                authors[source].append(cited)
    result = {}
    for source, year in years.items():
        names = sorted(authors.get(source, []))
        who = (
            names[0]
            if len(names) == 1
            else f"{names[0]} and {names[1]}"
            if len(names) == 2
            else f"{names[0]} et al."
            if names
            else fallback.get(source) or local_name(source)
        )
        result[source] = f"{who} ({year})" if year else who
    return result


def city_graph(
    store: GraphStore,
    *,
    layers: Collection[str] | None = None,
    weights: Mapping[str, float] | None = None,
    parents: bool = False,
    proxies: bool = True,
    venues: bool = False,
) -> nx.Graph:
    """Fetch the ties from the store and build the bipartite graph in one step.

    See :func:`fetch_ties` and :func:`~glocal.analysis.graph.bipartite_graph` for the
    parameters.

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
    ties = fetch_ties(store, layers=layers, parents=parents, proxies=proxies, venues=venues)
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
    return sorted(_text(row, "city") for row in _select(store, query))


_ASSESSING = """
SELECT DISTINCT ?source WHERE {
  ?a a gl:Assessment ; gl:category ?category ; gl:assessedBy|prov:wasDerivedFrom ?source .
  FILTER (STR(?category) = ?wanted)
}
"""


def assessing_sources(store: GraphStore, *, category: str = "pivotal city") -> list[str]:
    """The sources that make the assessments of the given category (whose own facts
    the honest agreement leaves out).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> assessing_sources(store)
    ['https://w3id.org/glocal/id/source/stuerner-2020']
    """
    query = _ASSESSING.replace("?wanted", _string_literal(category))
    return sorted(_text(row, "source") for row in _select(store, query))


def _string_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
