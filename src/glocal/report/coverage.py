"""What the graph covers, and what it does not: the coverage page's numbers.

Gaps must be visible, or "no overlap" reads as a finding: UCLG, Eurocities, Metropolis
and C40 have no member cities in the sources, and many cities have no tie at all. This
module counts, for one data version:

- resources by kind and by class, and per source its triples, quoted facts and the
  resources it speaks of;
- per organisation, the member cities the sources name, beside what a source says the
  membership is (``gl:Count``: "more than 140 member cities");
- the cities with no tie, by the report's own definition of a tie
  (:func:`glocal.analysis.ties.fetch_ties`, default layers and options), so the page
  and the pivotal report agree;
- every number a source gives (``gl:Count``) beside how many the graph enumerates.

It lives beside the report because it reads the analysis's ties; the browse
catalogue (:mod:`glocal.views.catalogue`) gives the labels and counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyoxigraph import QuerySolutions

from glocal.analysis.ties import fetch_ties
from glocal.namespaces import GL, ORG, PROV, RDFS
from glocal.store import GraphStore
from glocal.views.catalogue import KINDS, catalogue

__all__ = ["Coverage", "Network", "SourceCoverage", "StatedCount", "coverage"]


@dataclass(frozen=True)
class SourceCoverage:
    """One source: its citation, triples, quoted facts and the resources it quotes facts
    about."""

    iri: str
    citation: str
    triples: int
    quoted: int
    resources: int


@dataclass(frozen=True)
class StatedCount:
    """A number a source gives about a resource, beside what the graph enumerates.

    ``enumerated`` is the number of member cities (for member counts) or signatory
    cities (for signatory counts) the graph names; ``None`` for counts the graph cannot
    enumerate (people, pledges).
    """

    of: str
    of_label: str
    counted: str
    qualifier: str
    value: int
    enumerated: int | None
    source: str
    quote: str


@dataclass(frozen=True)
class Network:
    """An organisation with members: the member cities and organisations the sources
    name, and the sizes sources state."""

    iri: str
    label: str
    cities: int
    organisations: int
    stated: tuple[StatedCount, ...]


@dataclass(frozen=True)
class Coverage:
    """The coverage of one data version."""

    version: str
    kinds: dict[str, tuple[str, int]]
    classes: tuple[tuple[str, str, int], ...]
    sources: tuple[SourceCoverage, ...]
    networks: tuple[Network, ...]
    untied: tuple[tuple[str, str], ...]
    cities: int
    counts: tuple[StatedCount, ...]


_MEMBERS = f"""SELECT ?org ?member ?isCity WHERE {{
  ?member <{ORG}memberOf> ?org .
  BIND (EXISTS {{ ?member a <{GL}City> }} AS ?isCity) }}"""
_NETWORKS = f"SELECT DISTINCT ?org WHERE {{ ?org a <{GL}CityNetwork> }}"
_SIGNED = f"""SELECT DISTINCT ?doc ?city WHERE {{
  VALUES ?p {{ <{GL}signed> <{GL}endorsed> }} ?city ?p ?doc ; a <{GL}City> }}"""
_COUNTS = f"""SELECT ?of ?counted ?countedLabel ?value ?qualifier ?source ?quote WHERE {{
  ?c a <{GL}Count> ; <{GL}countOf> ?of ; <{GL}counted> ?counted ; <{GL}countValue> ?value ;
     <{PROV}wasDerivedFrom> ?source ; <{GL}quote> ?quote .
  OPTIONAL {{ ?c <{GL}countQualifier> ?qualifier }}
  OPTIONAL {{ ?counted <{RDFS}label> ?countedLabel }} }} ORDER BY ?of ?value"""
_QUOTED = f"""SELECT ?g (COUNT(DISTINCT ?n) AS ?quoted) WHERE {{
  GRAPH ?g {{ ?n <{GL}quote> ?q }} }} GROUP BY ?g"""
_TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"


def _rows(store: GraphStore, sparql: str) -> QuerySolutions:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions), "a SELECT gives solutions"
    return result


def coverage(store: GraphStore) -> Coverage:
    """Count what the graph covers, per kind, class, source and network, and its gaps.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> found = coverage(store)
    >>> eurocities = [n for n in found.networks if n.label == "Eurocities"][0]
    >>> eurocities.cities, eurocities.stated[0].value
    (0, 140)
    >>> 0 < len(found.untied) < found.cities
    True
    >>> store.close()
    """
    known = catalogue(store)
    kinds = {kind: (KINDS[kind][0], n) for kind, n in known.counts().items()}
    classes = tuple(
        sorted(
            (
                (row["class"].value, known.label(row["class"].value), int(row["n"].value))
                for row in _rows(store, _CLASSES)
            ),
            key=lambda c: (-c[2], c[1]),
        )
    )
    triples = {row["g"].value: int(row["n"].value) for row in _rows(store, _TRIPLES)}
    quoted = {row["g"].value: int(row["quoted"].value) for row in _rows(store, _QUOTED)}
    spoken: dict[str, int] = defaultdict(int)
    for entry in known.entries.values():
        for source in entry.sources:
            spoken[source] += 1
    sources = tuple(
        SourceCoverage(iri, info.citation, triples.get(iri, 0), quoted.get(iri, 0), spoken[iri])
        for iri, info in sorted(known.sources.items(), key=lambda s: s[1].citation)
    )

    member_cities: dict[str, set[str]] = defaultdict(set)
    member_orgs: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _MEMBERS):
        target = member_cities if row["isCity"].value == "true" else member_orgs
        target[row["org"].value].add(row["member"].value)
    signatories: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _SIGNED):
        signatories[row["doc"].value].add(row["city"].value)
    counts = []
    for row in _rows(store, _COUNTS):
        of, counted = row["of"].value, row["counted"].value
        enumerated: int | None = None
        if counted in (GL + "MemberCities", GL + "ParticipatingCities"):
            enumerated = len(member_cities.get(of, ()))
        elif counted == GL + "MemberOrganisations":
            enumerated = len(member_orgs.get(of, ()))
        elif counted in (GL + "SignatoryCities", GL + "CityLeaders"):
            enumerated = len(signatories.get(of, ()) or member_cities.get(of, ()))
        counts.append(
            StatedCount(
                of=of,
                of_label=known.label(of),
                counted=row["countedLabel"].value if row["countedLabel"] else counted,
                qualifier=row["qualifier"].value if row["qualifier"] else "",
                value=int(row["value"].value),
                enumerated=enumerated,
                source=row["source"].value,
                quote=row["quote"].value,
            )
        )
    stated: dict[str, list[StatedCount]] = defaultdict(list)
    for count in counts:
        if count.counted in ("member cities", "member organisations", "city leaders"):
            stated[count.of].append(count)
    with_members = (
        set(member_cities)
        | set(member_orgs)
        | set(stated)
        | {row["org"].value for row in _rows(store, _NETWORKS)}
    )
    networks = tuple(
        sorted(
            (
                Network(
                    org,
                    known.label(org),
                    len(member_cities.get(org, ())),
                    len(member_orgs.get(org, ())),
                    tuple(stated.get(org, ())),
                )
                for org in with_members
            ),
            key=lambda n: (n.cities == 0 and not n.stated, -n.cities, n.label.casefold()),
        )
    )
    ties = fetch_ties(store)
    tied = {tie.city for tie in ties.ties}
    untied = tuple(
        sorted(
            ((iri, city.label) for iri, city in ties.cities.items() if iri not in tied),
            key=lambda c: c[1],
        )
    )
    return Coverage(
        version=store.version,
        kinds=kinds,
        classes=classes,
        sources=sources,
        networks=networks,
        untied=untied,
        cities=len(ties.cities),
        counts=tuple(counts),
    )
