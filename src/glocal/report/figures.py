"""Two small figures for a resource page: a map of a place, and a drawing of its ties.

Pure geometry, drawn by the page's template as inline SVG, so nothing is fetched:

- :func:`place_map` crops the Natural Earth land outline the report ships
  (:data:`glocal.report.mapping.WORLD_OUTLINE`, equirectangular, x = longitude + 180,
  y = 90 - latitude) to a window around the place;
- :func:`ties_picture` puts the resource in the middle and the resources its facts
  name on a circle around it (most-cited first), each spoke labelled by its heading.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from glocal.namespaces import ID
from glocal.report.mapping import WORLD_OUTLINE
from glocal.views.resource import ResourceView

__all__ = [
    "MapDot",
    "PlaceMap",
    "PlacesMap",
    "Spoke",
    "TiesPicture",
    "place_map",
    "places_map",
    "ties_picture",
]


@dataclass(frozen=True)
class PlaceMap:
    """The land outline, a view box around the place, and the place's point in it."""

    path: str
    view_box: str
    x: float
    y: float
    r: float


@cache
def _land() -> str:
    return str(json.loads(WORLD_OUTLINE.read_text(encoding="utf-8"))["path"])


def place_map(lat: float, long: float, *, span: float = 60.0) -> PlaceMap:
    """A ``span``-degree-wide window (2:1) of the world map centred on a place.

    >>> m = place_map(8.49, -13.24)
    >>> m.view_box, m.x, m.y
    ('136.76 66.51 60.0 30.0', 166.76, 81.51)
    """
    x, y = round(long + 180, 2), round(90 - lat, 2)
    width, height = span, span / 2
    left = min(max(x - width / 2, 0.0), 360 - width)
    top = min(max(y - height / 2, 0.0), 180 - height)
    return PlaceMap(_land(), f"{left:.2f} {top:.2f} {width} {height}", x, y, round(span / 80, 2))


@dataclass(frozen=True)
class MapDot:
    """A linked place on a map: where, its label and IRI, and the heading that links it."""

    x: float
    y: float
    label: str
    iri: str
    heading: str


@dataclass(frozen=True)
class PlacesMap:
    """The land outline, a view box around every dot, and the dots."""

    path: str
    view_box: str
    r: float
    dots: tuple[MapDot, ...]


def places_map(
    places: Sequence[tuple[float, float, str, str, str]], *, margin: float = 8.0
) -> PlacesMap | None:
    """A map of the places a resource is linked to (a network's member cities).

    ``places`` are ``(lat, long, label, iri, heading)``; the view box is their bounding
    box with ``margin`` degrees around it, widened to at least 2:1. ``None`` for fewer
    than two places.

    >>> m = places_map([(51.45, -2.59, "Bristol", "b", "Members"),
    ...                 (8.49, -13.24, "Freetown", "f", "Members")])
    >>> m.view_box, len(m.dots)
    ('113.12 30.55 117.92 58.96', 2)
    """
    if len(places) < 2:
        return None
    dots = tuple(
        MapDot(round(long + 180, 2), round(90 - lat, 2), label, iri, heading)
        for lat, long, label, iri, heading in places
    )
    left = max(0.0, min(d.x for d in dots) - margin)
    right = min(360.0, max(d.x for d in dots) + margin)
    top = max(0.0, min(d.y for d in dots) - margin)
    bottom = min(180.0, max(d.y for d in dots) + margin)
    width, height = right - left, bottom - top
    if width < 2 * height:
        grow = min(2 * height, 360.0) - width
        left, width = max(0.0, left - grow / 2), min(2 * height, 360.0)
        left = min(left, 360.0 - width)
    return PlacesMap(
        _land(),
        f"{left:.2f} {top:.2f} {width:.2f} {height:.2f}",
        round(max(width, 2 * height) / 160, 2),
        dots,
    )


@dataclass(frozen=True)
class Spoke:
    """One neighbour on the circle: where it sits, its label, link and heading."""

    x: float
    y: float
    label: str
    iri: str
    heading: str
    anchor: str


@dataclass(frozen=True)
class TiesPicture:
    """The drawing: size, centre, the spokes, and how many neighbours were left out."""

    width: int
    height: int
    cx: float
    cy: float
    spokes: tuple[Spoke, ...]
    more: int


def ties_picture(
    view: ResourceView, *, most: int = 16, width: int = 560, height: int = 340
) -> TiesPicture | None:
    """The resource's own ties: every other glocal resource its facts name, around it.

    Neighbours are ranked by how many sources cite the tie, then by name; at most
    ``most`` are drawn and the rest counted in ``more``. ``None`` when it has no ties.
    """
    neighbours: dict[str, tuple[int, str, str]] = {}
    for incoming, facts in ((False, view.outgoing), (True, view.incoming)):
        for name, group in view.sections(facts, incoming=incoming).items():
            for fact in group:
                # Other glocal resources only: a GeoNames or web IRI is not a tie.
                if (
                    fact.value.startswith(ID)
                    and fact.value != view.iri
                    and fact.value not in neighbours
                ):
                    neighbours[fact.value] = (len(fact.citations), fact.value_label or "", name)
    if not neighbours:
        return None
    ranked = sorted(neighbours.items(), key=lambda item: (-item[1][0], item[1][1].casefold()))
    shown = ranked[:most]
    cx, cy = width / 2, height / 2
    # Room for a 24-character label on either side.
    rx, ry = width / 2 - 170, height / 2 - 30
    spokes = []
    for i, (iri, (_, label, name)) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        text = label or iri.rstrip("/").rsplit("/", 1)[-1]
        spokes.append(
            Spoke(
                round(x, 1),
                round(y, 1),
                text if len(text) <= 24 else text[:23] + "…",
                iri,
                name,
                anchor,
            )
        )
    return TiesPicture(width, height, cx, cy, tuple(spokes), len(ranked) - len(shown))
