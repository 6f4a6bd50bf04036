"""The report's pictures, as geometry: labels never overlap, every component and every
top city is drawn, the canvas is filled, the map and the charts place what they get."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import combinations, pairwise
from types import SimpleNamespace

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glocal.analysis.graph import bipartite_graph
from glocal.analysis.ties import fetch_ties
from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.charts import ForestRow, RankPath, forest_chart, forest_rows, time_chart
from glocal.report.labels import Box, Label, place_labels, text_width
from glocal.report.mapping import VIEWS, world_map
from glocal.report.model import NetworkDrawing, NetworkNode, PivotalReport
from glocal.report.network import (
    NETWORK_CITIES,
    NetworkPicture,
    network_caption,
    network_drawing,
    network_picture,
)
from glocal.store import EmbeddedStore


@pytest.fixture(scope="module")
def curated() -> Iterator[tuple[PivotalReport, nx.Graph]]:
    store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    try:
        report = pivotal_report(store, sensitivity=False)
        ties = fetch_ties(store, layers=report.parameters.layers)
        yield report, bipartite_graph(ties, layers=report.parameters.layers)
    finally:
        store.close()


def ranking(report: PivotalReport) -> list[SimpleNamespace]:
    return [SimpleNamespace(city=c.iri, rank=c.rank, score=c.score) for c in report.cities]


def label_boxes(picture: NetworkPicture) -> list[Box]:
    return [n.text.box for n in picture.nodes if n.text is not None]


def assert_apart(boxes: list[Box]) -> None:
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


# ---------------------------------------------------------------- label placement

marks = st.lists(
    st.tuples(
        st.floats(0, 400), st.floats(0, 300), st.floats(1, 8), st.text("abcXYZ ", max_size=20)
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(marks)
def test_placed_labels_overlap_nothing_and_stay_inside(found: list) -> None:  # type: ignore[type-arg]
    labels = [Label(text or "x", x, y, r) for x, y, r, text in found]
    dots = [Box(m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r) for m in labels]
    bounds = Box(-50, -50, 450, 350)
    placed = place_labels(labels, size=11, bounds=bounds, obstacles=dots)
    boxes = [p.box for p in placed if p is not None]
    assert_apart(boxes)
    for box in boxes:
        assert box.inside(bounds)
        assert not any(box.overlaps(d) for d in dots)


def test_label_width_grows_with_text_and_size() -> None:
    assert text_width("Mayors Migration Council", 11) > text_width("Milan", 11) > 0
    assert text_width("Milan", 22) == pytest.approx(2 * text_width("Milan", 11))
    assert text_width("São Paulo", 11) == pytest.approx(text_width("Sao Paulo", 11))


def test_a_label_with_no_free_place_is_reported_not_overlapped() -> None:
    crowd = [Label("Somewhere long", 10, 10, 3) for _ in range(30)]
    placed = place_labels(crowd, size=11, bounds=Box(0, 0, 120, 60))
    assert placed[0] is not None and None in placed
    assert_apart([p.box for p in placed if p is not None])


# ---------------------------------------------------------------- the network drawing


def test_drawing_shows_every_top_city_and_its_tie_group(curated) -> None:  # type: ignore[no-untyped-def]
    report, G = curated
    drawing = network_drawing(G, ranking(report))
    drawn = {n.iri for n in drawing.nodes if n.kind == "city"}
    cut = report.cities[NETWORK_CITIES - 1].rank
    expected = {c.iri for c in report.cities if c.rank <= cut}
    assert drawn == expected and len(drawn) >= NETWORK_CITIES
    # Every drawn city with a tie in the graph has one in the drawing.
    index = {n.iri: i for i, n in enumerate(drawing.nodes)}
    tied = {drawing.nodes[i].iri for e in drawing.edges for i in e[:2]}
    assert {c for c in drawn if G.degree(c)} <= tied
    assert all(0 <= n.x <= 1 and 0 <= n.y <= 1 for n in drawing.nodes)
    assert len(index) == len(drawing.nodes)


def test_a_top_city_without_ties_is_drawn_alone() -> None:
    G = nx.Graph([("a", "X"), ("b", "X")])
    G.add_node("lone")
    kinds = {"a": "city", "b": "city", "lone": "city", "X": "organisation"}
    nx.set_node_attributes(G, kinds, "kind")
    nx.set_node_attributes(G, {n: n.title() for n in G}, "label")
    nx.set_edge_attributes(G, 1.0, "weight")
    order = [SimpleNamespace(city=c, rank=i + 1, score=0.9 - i / 10) for i, c in enumerate("ab")]
    top = [SimpleNamespace(city="lone", rank=1, score=1.0), *order]
    drawing = network_drawing(G, top)
    assert {n.label for n in drawing.nodes} == {"Lone", "A", "B", "X"}
    picture = network_picture(drawing)
    assert picture.components == 2 and picture.unlabelled == ()


def test_picture_labels_every_node_without_overlap(curated) -> None:  # type: ignore[no-untyped-def]
    report, G = curated
    picture = network_picture(network_drawing(G, ranking(report)))
    assert picture.unlabelled == ()
    assert {n.kind for n in picture.nodes} > {"city"}  # organisations and others labelled
    boxes = label_boxes(picture)
    assert_apart(boxes)
    circles = [Box(n.cx - n.r, n.cy - n.r, n.cx + n.r, n.cy + n.r) for n in picture.nodes]
    for box in boxes:
        assert box.inside(Box(0, 0, picture.width, picture.height))
        assert sum(box.overlaps(c) for c in circles) == 0


def test_picture_shows_every_component_and_fills_its_canvas(curated) -> None:  # type: ignore[no-untyped-def]
    report, G = curated
    drawing = network_drawing(G, ranking(report))
    H = nx.Graph()
    H.add_nodes_from(range(len(drawing.nodes)))
    H.add_edges_from((i, j) for i, j, _ in drawing.edges)
    picture = network_picture(drawing)
    assert picture.components == nx.number_connected_components(H)
    # Content (marks and labels) reaches every side, and a 4 x 4 grid has few empty cells.
    boxes = label_boxes(picture) + [
        Box(n.cx - n.r, n.cy - n.r, n.cx + n.r, n.cy + n.r) for n in picture.nodes
    ]
    assert min(b.x0 for b in boxes) < 0.1 * picture.width
    assert max(b.x1 for b in boxes) > 0.9 * picture.width
    assert max(b.y1 for b in boxes) > 0.9 * picture.height
    w, h = picture.width / 4, picture.height / 4
    cells = [Box(i * w, j * h, (i + 1) * w, (j + 1) * h) for i in range(4) for j in range(4)]
    empty = sum(not any(c.overlaps(b) for b in boxes) for c in cells)
    assert empty <= 4, f"{empty} of 16 cells of the drawing are empty"


def test_caption_names_the_top_cities_left_out(curated) -> None:  # type: ignore[no-untyped-def]
    report, _ = curated
    # Draw only the second city: the caption must say the first is left out.
    node = NetworkNode(report.cities[1].iri, report.cities[1].label, "city", 0, 0, 0.5, 1)
    picture = network_picture(NetworkDrawing((node,), (), "any"))
    caption = network_caption(picture, report.cities)
    assert caption.cities == 1 and caption.worst == report.cities[1].rank
    assert (report.cities[0].label, report.cities[0].rank) in caption.left_out


def test_a_large_component_is_drawn_whole_on_a_narrow_page() -> None:
    nodes = tuple(NetworkNode(str(i), f"Node {i}", "city", 0, 0, 0.5, 2) for i in range(60))
    path = tuple((i, i + 1, 1.0) for i in range(59))
    picture = network_picture(NetworkDrawing(nodes, path, "any"), width=200)
    assert picture.unlabelled == () and picture.components == 1
    page = Box(0, 0, picture.width, picture.height)
    for node in picture.nodes:
        assert Box(node.cx - node.r, node.cy - node.r, node.cx + node.r, node.cy + node.r).inside(
            page
        )
    assert_apart(label_boxes(picture))


# ---------------------------------------------------------------- the map


def test_map_views_label_without_overlap(curated) -> None:  # type: ignore[no-untyped-def]
    report, _ = curated
    located = [c for c in report.cities if c.lat is not None]
    world = world_map(report.cities)
    assert [v.view.key for v in world.views] == [v.key for v in VIEWS]
    assert world.drawn == len(located)
    for view in world.views:
        x0, y0, w, h = map(float, view.view_box.split())
        assert_apart([p.text.box for p in view.points if p.text is not None])
        for p in view.points:
            assert x0 <= p.x <= x0 + w and y0 <= p.y <= y0 + h
    assert world.views[0].labelled >= 10
    europe = {p.label for p in world.views[1].points if p.text is not None}
    assert {"Milan", "Bristol", "Athens"} <= europe


def test_map_draws_at_most_its_limit(curated) -> None:  # type: ignore[no-untyped-def]
    report, _ = curated
    world = world_map(report.cities, limit=5)
    assert world.drawn == 5 and len(world.views[0].points) <= 5


# ---------------------------------------------------------------- charts


def test_forest_chart_orders_rows_and_scales_ranks() -> None:
    rows = [ForestRow("A", 1, 1, 3, loso=(1, 2)), ForestRow("B", 2, 1, 9), ForestRow("C", 3, 2, 5)]
    chart = forest_chart(rows)
    ys = [b.y for b in chart.bars]
    assert ys == sorted(ys) and len(set(ys)) == 3
    for bar in chart.bars:
        assert chart.plot_left <= bar.x_low <= bar.x <= bar.x_high <= chart.plot_right
    assert chart.bars[1].x_high == chart.plot_right  # the widest interval sets the axis
    assert chart.bars[0].loso is not None and chart.bars[1].loso is None
    assert chart.ticks[0].value == 1 and chart.ticks[-1].value <= 9


def test_forest_rows_skip_cities_without_interval() -> None:
    cities = [
        SimpleNamespace(label="A", rank=1, listed=True, rank_interval=(1, 2), loso_interval=(1, 3)),
        SimpleNamespace(label="B", rank=2, listed=False, rank_interval=None, loso_interval=None),
    ]
    assert [r.label for r in forest_rows(cities)] == ["A"]
    assert forest_rows(cities)[0].loso == (1, 3)


def test_time_chart_puts_rank_one_on_top_and_labels_apart() -> None:
    paths = [
        RankPath("A", {2014: 1, 2015: 1, 2016: 2}),
        RankPath("B", {2014: 2, 2015: 2, 2016: 1}),
        RankPath("C", {2014: None, 2015: 5, 2016: 2}),
    ]
    chart = time_chart(paths)
    a, b, c = chart.lines
    assert a.runs[0][0][1] < b.runs[0][0][1]  # rank 1 above rank 2 in 2014
    assert len(c.runs[0]) == 2  # no point for 2014
    ys = sorted(line.label_y for line in chart.lines)
    assert all(later - earlier >= 13 for earlier, later in pairwise(ys))
    assert [t.value for t in chart.years] == [2014, 2015, 2016]
