"""The geometry of the report's three inline SVG charts: a bar chart of the top cities,
the city–organisation network and a world map of cities coloured by score.

Pure functions from report data to coordinates, radii and colours; the template
(``templates/pivotal_report.html``) only draws what they return. The map is an
equirectangular projection (x = longitude + 180, y = 90 - latitude) over the Natural
Earth land outline in ``world-110m.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from glocal.report.model import NetworkDrawing, RankedCity

__all__ = [
    "Bar",
    "BarChart",
    "MapPoint",
    "NetworkPicture",
    "Outline",
    "PlacedEdge",
    "PlacedNode",
    "WorldMap",
    "bar_chart",
    "colour",
    "network_picture",
    "world_map",
]

WORLD_OUTLINE = files("glocal.report") / "world-110m.json"

_PALETTE = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]


def colour(score: float | None) -> str:
    """A viridis-like colour for a score in [0, 1]; grey when there is none.

    >>> colour(0.0), colour(1.0), colour(None)
    ('#440154', '#fde725', '#bbbbbb')
    """
    if score is None or math.isnan(score):
        return "#bbbbbb"
    x = min(max(score, 0.0), 1.0) * (len(_PALETTE) - 1)
    i = min(int(x), len(_PALETTE) - 2)
    t = x - i
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(_PALETTE[i], _PALETTE[i + 1], strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Bar:
    """One bar: a city's label, score, colour, and whether the expert list names it."""

    label: str
    score: float
    colour: str
    listed: bool


@dataclass(frozen=True)
class BarChart:
    """The bars, top first, and the chart's height in pixels."""

    rows: tuple[Bar, ...]
    height: int


def bar_chart(cities: Sequence[RankedCity], n: int = 20) -> BarChart:
    """Bars for the first ``n`` cities, 22 pixels each."""
    rows = tuple(Bar(c.label, c.score, colour(c.score), c.listed) for c in cities[:n])
    return BarChart(rows, 22 * len(rows) + 30)


@dataclass(frozen=True)
class Outline:
    """The land outline: one SVG path in the map's view box."""

    view_box: str
    path: str


@dataclass(frozen=True)
class MapPoint:
    """A city on the map, in degrees from the top-left corner, sized by score."""

    x: float
    y: float
    r: float
    colour: str
    label: str
    rank: int
    listed: bool


@dataclass(frozen=True)
class WorldMap:
    """The cities placed on the map (best last, drawn on top), the labels of those
    without coordinates, and the land outline."""

    points: tuple[MapPoint, ...]
    unplaced: tuple[str, ...]
    world: Outline


@cache
def _world() -> Outline:
    data = json.loads(WORLD_OUTLINE.read_text(encoding="utf-8"))
    return Outline(view_box=str(data["viewBox"]), path=str(data["path"]))


def world_map(cities: Sequence[RankedCity]) -> WorldMap:
    """Place each city with coordinates on the equirectangular world map."""
    placed, unplaced = [], []
    for c in reversed(cities):  # best drawn last, on top
        if c.lat is None or c.long is None:
            unplaced.append(c.label)
            continue
        placed.append(
            MapPoint(
                x=round(c.long + 180, 2),
                y=round(90 - c.lat, 2),
                r=round(0.8 + 3.2 * c.score, 2),
                colour=colour(c.score),
                label=c.label,
                rank=c.rank,
                listed=c.listed,
            )
        )
    return WorldMap(tuple(placed), tuple(sorted(unplaced)), _world())


@dataclass(frozen=True)
class PlacedNode:
    """A node of the network drawing in pixels: centre, radius and colour."""

    label: str
    kind: str
    score: float | None
    degree: int
    cx: float
    cy: float
    r: float
    colour: str


@dataclass(frozen=True)
class PlacedEdge:
    """An edge of the network drawing in pixels, with its stroke width."""

    x1: float
    y1: float
    x2: float
    y2: float
    w: float


@dataclass(frozen=True)
class NetworkPicture:
    """The network drawing scaled to a ``width`` x ``height`` picture."""

    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    width: int
    height: int


def network_picture(network: NetworkDrawing, width: int = 900, height: int = 640) -> NetworkPicture:
    """Scale the unit-square layout to pixels (room on the right for labels); cities
    are sized and coloured by score, other nodes sized by degree, in orange."""
    left, right, vertical = 30, 170, 30
    nodes = []
    for node in network.nodes:
        if node.kind == "city":
            r = 4 + 10 * (node.score or 0.0)
            fill = colour(node.score)
        else:
            r = 3 + min(8.0, math.sqrt(node.degree))
            fill = "#d95f02"
        nodes.append(
            PlacedNode(
                label=node.label,
                kind=node.kind,
                score=node.score,
                degree=node.degree,
                cx=round(left + node.x * (width - left - right), 1),
                cy=round(vertical + node.y * (height - 2 * vertical), 1),
                r=round(r, 1),
                colour=fill,
            )
        )
    edges = tuple(
        PlacedEdge(nodes[i].cx, nodes[i].cy, nodes[j].cx, nodes[j].cy, round(0.4 + 0.5 * w, 2))
        for i, j, w in network.edges
    )
    return NetworkPicture(tuple(nodes), edges, width, height)
