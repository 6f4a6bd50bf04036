"""World regions of countries: the UN M49 regions and sub-regions.

The table (``m49.csv`` beside this module) gives, for each ISO 3166-1 alpha-2 code, the
M49 numeric code, region (Africa, Americas, Asia, Europe, Oceania) and sub-region
(the intermediate region where M49 has one: Western Africa, Caribbean, South
America ...). Source: United Nations Statistics Division, *Standard country or area
codes for statistical use (M49)*; transcribed from the table of the
``country_converter`` package (1.3.2), which itself does not run under pandas 3.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import NamedTuple

__all__ = ["Region", "m49_regions", "region_of"]


class Region(NamedTuple):
    """A country's M49 code, region and sub-region."""

    m49: str
    region: str
    sub_region: str


@cache
def m49_regions() -> dict[str, Region]:
    """The M49 table by ISO 3166-1 alpha-2 code (read once).

    >>> m49_regions()["SL"]
    Region(m49='694', region='Africa', sub_region='Western Africa')
    """
    text = resources.files(__package__).joinpath("m49.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["iso2"]: Region(r["m49"], r["region"], r["sub_region"]) for r in rows}


def region_of(country: str | None) -> Region | None:
    """The M49 region of a country given by its alpha-2 code (any case); ``None`` for
    no code or one the table lacks.

    >>> region_of("jo").region, region_of("JO").sub_region
    ('Asia', 'Western Asia')
    >>> region_of(None), region_of("ZZ")
    (None, None)
    """
    if not country:
        return None
    return m49_regions().get(country.upper())
