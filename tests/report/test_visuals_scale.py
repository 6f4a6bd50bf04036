"""The HTML page at researcher scale: 20,000 cities, hub cities with hundreds of facts.
The page shows the top of every table and stays under 2 MB; the CSV has every city.
(How fast it opens is measured by ``glocal bench``, not asserted here.)"""

from __future__ import annotations

import dataclasses
import re
import tempfile

import pytest

from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.html import EVIDENCE_ITEMS, TABLE_ROWS, render_html
from glocal.report.mapping import MAP_POINTS, VIEWS
from glocal.report.model import CityEvidence, PivotalReport
from glocal.report.text import render_csv
from glocal.store import EmbeddedStore

CITIES = 20_000
LIMIT = 2_000_000


@pytest.fixture(scope="module")
def large() -> PivotalReport:
    """The curated report, its cities repeated to 20,000 (spread over the globe), the
    best 100 with 300 memberships each, as the synthetic graph's hubs have."""
    store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    try:
        report = pivotal_report(store, sensitivity=False)
    finally:
        store.close()
    items = [i for c in report.cities for i in c.evidence.memberships]
    assert items, "the curated graph has memberships"
    cities = []
    for i in range(CITIES):
        base = report.cities[i % len(report.cities)]
        evidence = (
            CityEvidence(memberships=tuple(items[j % len(items)] for j in range(300)))
            if i < 100
            else base.evidence
        )
        cities.append(
            dataclasses.replace(
                base,
                iri=f"{base.iri}-{i}",
                label=f"{base.label} {i}",
                rank=i + 1,
                score=1 - i / CITIES,
                lat=((i * 37) % 140) - 60.0,
                long=((i * 53) % 360) - 180.0,
                evidence=evidence,
            )
        )
    return dataclasses.replace(report, cities=tuple(cities))


def test_the_page_stays_small_and_shows_the_top(large: PivotalReport) -> None:
    page = render_html(large)
    assert len(page.encode()) < LIMIT, f"{len(page.encode()):,} bytes"
    table = page[page.index('<h2 id="ranking">') : page.index('<h2 id="network">')]
    assert len(re.findall(r'<tr[^>]*><td class="num">', table)) == TABLE_ROWS
    assert f"first {TABLE_ROWS} of {CITIES:,}".replace(",", "") in table.replace(",", "")
    world = page[page.index('<h2 id="map">') : page.index('<h2 id="agreement">')]
    assert world.count("<circle") <= MAP_POINTS * len(VIEWS)
    assert f"The {MAP_POINTS} best-ranked cities" in world
    why = page[page.index('<h2 id="why">') : page.index('<h2 id="method">')]
    # A hub city has 300 memberships: the page shows its strongest facts (or a capped
    # list of each kind), never all of them; the JSON has them all.
    blocks = why.split("<h3")[1:]
    assert blocks and all(block.count("<li") <= 5 * EVIDENCE_ITEMS for block in blocks)


def test_the_csv_keeps_every_city(large: PivotalReport) -> None:
    assert len(render_csv(large).strip().splitlines()) == CITIES + 1
