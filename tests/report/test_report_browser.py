"""The HTML report in a real browser (Debian's headless Chromium, driven by Playwright):
every section is shown, no label of a picture overlaps another, the network drawing
fills its canvas, the map's views switch without script, and nothing is fetched.

Screenshots go to ``tests/screenshots/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, Route

from glocal.analysis.graph import bipartite_graph
from glocal.analysis.ties import fetch_ties
from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.charts import ForestRow, RankPath
from glocal.report.html import render_html
from glocal.report.mapping import VIEWS
from glocal.report.network import network_drawing
from glocal.store import EmbeddedStore

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
SECTIONS = ["ranking", "network", "map", "agreement", "sensitivity", "communities", "why", "method"]

# For each <svg> matching the selector: the boxes (getBBox, in the picture's own
# units) of its labels and marks, and its view box.
BOXES = """(selector) => [...document.querySelectorAll(selector)].map(svg => {
    const box = el => { const b = el.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
    const v = svg.viewBox.baseVal;
    return {
        labels: [...svg.querySelectorAll("text")].map(t => ({text: t.textContent, box: box(t)})),
        marks: [...svg.querySelectorAll("circle")].map(box),
        view: [v.x, v.y, v.x + v.width, v.y + v.height],
    };
})"""


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The report as shipped, and with the drawing and charts the analysis will feed."""
    store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    try:
        report = pivotal_report(store, sensitivity=False)
        ties = fetch_ties(store, layers=report.parameters.layers)
    finally:
        store.close()
    G = bipartite_graph(ties, layers=report.parameters.layers)
    ranking = [SimpleNamespace(city=c.iri, rank=c.rank, score=c.score) for c in report.cities]
    fed = dataclasses.replace(report, network=network_drawing(G, ranking))
    forest = [ForestRow(c.label, c.rank, c.rank, c.rank + 4, c.listed) for c in fed.cities[:16]]
    paths = [
        RankPath(c.label, {year: c.rank + 2020 - year for year in range(2016, 2021)})
        for c in fed.cities[:6]
    ]
    return {
        "shipped": render_html(report),
        "full": render_html(fed, forest=forest, paths=paths),
    }


def open_page(browser: Browser, html: str, refused: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1200, "height": 900})

    def refuse(route: Route) -> None:
        if route.request.url.startswith(("data:", "about:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.set_content(html, wait_until="load")
    return page


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """Pairs of labels whose boxes share more than half a unit each way."""
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
            if min(ax1, bx1) - max(ax0, bx0) > 0.5 and min(ay1, by1) - max(ay0, by0) > 0.5:
                found.append((a["text"], b["text"]))
    return found


def inside(box: list[float], view: list[float]) -> bool:
    return (
        box[0] >= view[0] - 0.5
        and box[1] >= view[1] - 0.5
        and box[2] <= view[2] + 0.5
        and box[3] <= view[3] + 0.5
    )


@pytest.mark.parametrize("which", ["shipped", "full"])
def test_every_section_is_shown_offline(
    browser: Browser, pages: dict[str, str], which: str
) -> None:
    refused: list[str] = []
    page = open_page(browser, pages[which], refused)
    wanted = SECTIONS + (["intervals", "time"] if which == "full" else [])
    for section in wanted:
        heading = page.locator(f"h2#{section}")
        assert heading.is_visible(), section
        assert heading.evaluate("h => h.nextElementSibling.textContent.trim().length") > 0
    assert page.locator("svg.network text").count() > 0
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"report-{which}.png"), full_page=True)
    page.close()
    assert not refused, f"the report tried to fetch: {refused}"


@pytest.mark.parametrize("which", ["shipped", "full"])
def test_network_labels_do_not_overlap_and_stay_inside(
    browser: Browser, pages: dict[str, str], which: str
) -> None:
    page = open_page(browser, pages[which], [])
    (drawing,) = page.evaluate(BOXES, "svg.network")
    page.locator("svg.network").screenshot(path=str(SCREENSHOTS / f"network-{which}.png"))
    page.close()
    labels = drawing["labels"]
    assert len(labels) == len(drawing["marks"]), "every node has a label"
    assert overlapping(labels) == []
    for label in labels:
        assert inside(label["box"], drawing["view"]), label
        covered = [
            m
            for m in drawing["marks"]
            if min(label["box"][2], m[2]) - max(label["box"][0], m[0]) > 0.5
            and min(label["box"][3], m[3]) - max(label["box"][1], m[1]) > 0.5
        ]
        assert covered == [], label["text"]


def test_network_drawing_fills_its_canvas(browser: Browser, pages: dict[str, str]) -> None:
    page = open_page(browser, pages["full"], [])
    (drawing,) = page.evaluate(BOXES, "svg.network")
    page.close()
    x0, y0, x1, y1 = drawing["view"]
    boxes = [label["box"] for label in drawing["labels"]] + drawing["marks"]
    w, h = (x1 - x0) / 4, (y1 - y0) / 4
    empty = 0
    for i in range(4):
        for j in range(4):
            cell = (x0 + i * w, y0 + j * h, x0 + (i + 1) * w, y0 + (j + 1) * h)
            if not any(
                min(cell[2], b[2]) > max(cell[0], b[0]) and min(cell[3], b[3]) > max(cell[1], b[1])
                for b in boxes
            ):
                empty += 1
    assert empty <= 4, f"{empty} of 16 cells of the network drawing are empty"


def test_every_map_view_switches_and_labels_apart(browser: Browser, pages: dict[str, str]) -> None:
    page = open_page(browser, pages["full"], [])
    for view in VIEWS:
        page.locator(f'label[for="view-{view.key}"]').click()
        svg = page.locator(f"svg.view-{view.key}")
        assert svg.is_visible()
        assert page.locator("svg.mapview:visible").count() == 1
        (picture,) = page.evaluate(BOXES, f"svg.view-{view.key}")
        assert overlapping(picture["labels"]) == [], view.name
        assert all(inside(label["box"], picture["view"]) for label in picture["labels"])
        svg.screenshot(path=str(SCREENSHOTS / f"map-{view.key}.png"))
        if view.key in ("world", "europe"):
            assert len(picture["labels"]) >= 5, view.name
    page.close()


def test_charts_are_drawn_with_readable_labels(browser: Browser, pages: dict[str, str]) -> None:
    page = open_page(browser, pages["full"], [])
    for section in ("intervals", "time"):
        svg = page.locator(f"h2#{section} ~ svg").first
        (picture,) = page.evaluate(BOXES, f"#{section} ~ svg")[:1]
        assert overlapping(picture["labels"]) == [], section
        assert len(picture["marks"]) >= 6
        svg.screenshot(path=str(SCREENSHOTS / f"chart-{section}.png"))
    page.close()
