"""Every facet of every index filters over HTTP: type, country, world region, network,
year and source, each value narrowing the index to exactly the rows it counts."""

from __future__ import annotations

import pytest

from glocal.namespaces import PREFIXES
from tests.conftest import LiveServer

#: Each facet and the row field that carries its values.
FIELDS = {
    "type": "types",
    "country": "country",
    "region": "region",
    "network": "networks",
    "year": "years",
    "source": "sources",
}
KINDS = ["city", "org", "declaration", "event", "person", "source"]


def _expanded(value: str) -> str:
    prefix, _, local = value.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and local else value


def _carries(row: dict[str, object], field: str, value: str) -> bool:
    held = row[field]
    values = held if isinstance(held, list) else [held]
    return value in values or _expanded(value) in values


@pytest.mark.parametrize("kind", KINDS)
def test_each_facet_value_filters_to_its_count(server: LiveServer, kind: str) -> None:
    with server.client() as client:
        index = client.get(f"/id/{kind}.json").json()
        assert set(index["facets"]) <= set(FIELDS), index["facets"].keys()
        for facet, values in index["facets"].items():
            for value in values[:3]:
                narrowed = client.get(f"/id/{kind}.json", params={facet: value["value"]}).json()
                rows = narrowed["rows"]
                assert narrowed["count"] == len(rows) == value["count"], (facet, value)
                assert all(_carries(row, FIELDS[facet], value["value"]) for row in rows), (
                    facet,
                    value,
                )


def test_the_documented_facets_all_occur(server: LiveServer) -> None:
    """Between them, the indexes offer every facet the README names."""
    with server.client() as client:
        offered = {f for kind in KINDS for f in client.get(f"/id/{kind}.json").json()["facets"]}
    assert offered == set(FIELDS)
