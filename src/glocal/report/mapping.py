"""The report's labelled map: the world and four regional views of the cities.

An equirectangular projection (x = longitude + 180, y = 90 - latitude, in degrees)
over the Natural Earth land outline shipped in ``world-110m.json``. Each view is a
separate picture with its own labels, placed without overlap
(:mod:`glocal.report.labels`) at a size that reads the same in every view; the page
switches views with radio buttons and CSS alone, so it stays one offline file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Protocol

from glocal.report.labels import Box, Label, PlacedLabel, place_labels
from glocal.report.svg import colour

__all__ = [
    "MAP_POINTS",
    "VIEWS",
    "MapPoint",
    "MapView",
    "MappedCity",
    "Outline",
    "View",
    "WorldMap",
    "world_map",
]

WORLD_OUTLINE = files("glocal.report") / "world-110m.json"

#: At most this many cities, the best ranked, go on the map (the CSV has them all).
MAP_POINTS = 400
#: Width of every view on the page, in pixels; labels are 11 px at that width.
PAGE_WIDTH = 1000
FONT_PX = 11.0


@dataclass(frozen=True)
class View:
    """A region of the map: key, name, west and east longitudes, north and south
    latitudes, and how many of its cities may be labelled."""

    key: str
    name: str
    west: float
    east: float
    north: float
    south: float
    labels: int


#: The views, the whole world first.
VIEWS: tuple[View, ...] = (
    View("world", "World", -180, 180, 78, -58, 25),
    View("europe", "Europe", -12, 42, 66, 34, 80),
    View("africa", "Africa and the Middle East", -20, 62, 40, -36, 80),
    View("americas", "The Americas", -128, -32, 58, -45, 80),
    View("asia", "Asia and the Pacific", 60, 180, 56, -46, 80),
)


@dataclass(frozen=True)
class Outline:
    """The land outline: one SVG path in the world's view box."""

    view_box: str
    path: str


@dataclass(frozen=True)
class MapPoint:
    """A city in a view: centre and radius in degrees, colour, label and rank, and its
    placed label (``None`` when it is not labelled in this view)."""

    x: float
    y: float
    r: float
    colour: str
    label: str
    rank: int
    listed: bool
    text: PlacedLabel | None


@dataclass(frozen=True)
class MapView:
    """One view: its region, SVG view box and pixel height, points (best drawn last,
    on top), and the font size and stroke in degrees."""

    view: View
    view_box: str
    height: int
    points: tuple[MapPoint, ...]
    font: float
    stroke: float

    @property
    def labelled(self) -> int:
        """How many cities carry a label in this view."""
        return sum(1 for p in self.points if p.text is not None)


@dataclass(frozen=True)
class WorldMap:
    """The views, the land outline, how many cities are drawn, and the labels of the
    cities that have no coordinates."""

    views: tuple[MapView, ...]
    world: Outline
    drawn: int
    unplaced: tuple[str, ...]


class MappedCity(Protocol):
    """What the map reads of a ranked city (:class:`~glocal.report.model.RankedCity`)."""

    @property
    def iri(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def rank(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def listed(self) -> bool: ...

    @property
    def lat(self) -> float | None: ...

    @property
    def long(self) -> float | None: ...


@cache
def _world() -> Outline:
    data = json.loads(WORLD_OUTLINE.read_text(encoding="utf-8"))
    return Outline(view_box=str(data["viewBox"]), path=str(data["path"]))


def _view(view: View, cities: Sequence[MappedCity]) -> MapView:
    x0, y0 = view.west + 180, 90 - view.north
    w, h = view.east - view.west, view.north - view.south
    k = w / PAGE_WIDTH  # degrees per pixel
    inside = [
        c
        for c in cities
        if c.lat is not None
        and c.long is not None
        and view.west <= c.long <= view.east
        and view.south <= c.lat <= view.north
    ]
    marks = {
        c.iri: (c.long + 180, 90 - c.lat, (2.5 + 5 * c.score) * k)
        for c in inside
        if c.long is not None and c.lat is not None
    }
    obstacles = [Box(x - r, y - r, x + r, y + r) for x, y, r in marks.values()]
    best = inside[: view.labels]
    placed = place_labels(
        [Label(c.label, *marks[c.iri]) for c in best],
        size=FONT_PX * k,
        bounds=Box(x0, y0, x0 + w, y0 + h),
        obstacles=obstacles,
        gaps=(1.5 * k, 6 * k),
    )
    text = {c.iri: p for c, p in zip(best, placed, strict=True)}
    points = tuple(
        MapPoint(
            x=round(marks[c.iri][0], 3),
            y=round(marks[c.iri][1], 3),
            r=round(marks[c.iri][2], 3),
            colour=colour(c.score),
            label=c.label,
            rank=c.rank,
            listed=c.listed,
            text=text.get(c.iri),
        )
        for c in reversed(inside)  # best drawn last, on top
    )
    return MapView(
        view=view,
        view_box=f"{x0:g} {y0:g} {w:g} {h:g}",
        height=round(PAGE_WIDTH * h / w),
        points=points,
        font=round(FONT_PX * k, 4),
        stroke=round(0.8 * k, 4),
    )


def world_map(cities: Sequence[MappedCity], *, limit: int = MAP_POINTS) -> WorldMap:
    """The world and regional views of the best-ranked ``limit`` cities with
    coordinates, each view labelling its best-ranked cities where the labels fit.

    Parameters
    ----------
    cities
        The ranking, best first.
    limit
        How many cities with coordinates to draw.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def city(label, rank, lat, long):
    ...     return SimpleNamespace(iri=label, label=label, rank=rank, score=1 / rank,
    ...                            listed=False, lat=lat, long=long)
    >>> m = world_map([city("Milan", 1, 45.46, 9.19), city("Nowhere", 2, None, None)])
    >>> m.drawn, m.unplaced, m.views[0].labelled, m.views[1].view.name
    (1, ('Nowhere',), 1, 'Europe')
    """
    located = [c for c in cities if c.lat is not None and c.long is not None][:limit]
    unplaced = tuple(sorted(c.label for c in cities if c.lat is None or c.long is None))
    return WorldMap(
        views=tuple(_view(v, located) for v in VIEWS),
        world=_world(),
        drawn=len(located),
        unplaced=unplaced,
    )
