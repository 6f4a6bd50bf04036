"""A resource page counts its links, inverse ones included, as the graph holds them."""

from __future__ import annotations

import re

import pytest

from glocal.namespaces import PREFIXES
from glocal.store import EmbeddedStore
from tests.conftest import LiveServer

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@pytest.mark.parametrize(
    ("path", "heading", "pattern"),
    [
        ("/id/org/mmc", "Members", "?x org:memberOf orgn:mmc"),  # inverse links
        ("/id/city/freetown", "Member of", "city:freetown org:memberOf ?x"),
    ],
)
def test_a_heading_counts_the_distinct_resources_linked(
    server: LiveServer, store: EmbeddedStore, path: str, heading: str, pattern: str
) -> None:
    with server.client() as client:
        page = client.get(path, headers=HTML).text
    shown = re.search(rf'<h3>{heading} <span class="n">\((\d+)\)</span></h3>', page)
    assert shown, f"no counted heading {heading!r} on {path}"
    result = store.query(f"{PROLOGUE}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    (row,) = list(result)  # type: ignore[arg-type]
    assert int(shown[1]) == int(row["n"].value) > 1  # type: ignore[index]
