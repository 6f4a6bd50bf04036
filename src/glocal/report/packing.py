"""Component packing for the network drawing: lay out each connected component on its
own, then pack their boxes, largest first, so the picture has no large empty area.

Each component is laid out by Kamada–Kawai (networkx), which suits small graphs; the
boxes are packed by a bottom-left heuristic (each box at the free spot beside or below
the others that keeps the picture lowest), as in strip packing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import networkx as nx

from glocal.report.labels import Box

__all__ = ["Layout", "component_layouts", "pack", "pack_small"]

#: Node index to its position.
Layout: TypeAlias = dict[int, tuple[float, float]]


def component_layouts(H: nx.Graph) -> list[Layout]:
    """Each component's layout, in a unit of about one edge, largest component first.

    Examples
    --------
    >>> layouts = component_layouts(nx.Graph([(0, 1), (2, 3), (3, 4)]))
    >>> [sorted(layout) for layout in layouts]
    [[2, 3, 4], [0, 1]]
    """
    layouts = []
    for part in sorted(nx.connected_components(H), key=lambda c: (-len(c), min(c))):
        nodes = sorted(part)
        if len(nodes) == 1:
            layouts.append({nodes[0]: (0.0, 0.0)})
        elif len(nodes) == 2:
            layouts.append({nodes[0]: (-0.5, 0.0), nodes[1]: (0.5, 0.0)})
        else:
            pos = nx.kamada_kawai_layout(H.subgraph(nodes))
            # Kamada-Kawai scales to [-1, 1]; rescale so an edge is about one unit.
            scale = math.sqrt(len(nodes)) / 1.4
            layouts.append({n: (float(p[0]) * scale, float(p[1]) * scale) for n, p in pos.items()})
    return layouts


def _free_spot(w: float, h: float, placed: list[Box], width: float) -> tuple[float, float]:
    """The top-left corner for a ``w`` x ``h`` box beside or below the placed boxes,
    within ``width``, that keeps the packing lowest, then leftmost."""
    spots = [(0.0, 0.0)] + [(b.x1, b.y0) for b in placed] + [(b.x0, b.y1) for b in placed]
    best: tuple[float, float, float] | None = None
    for x, y in spots:
        if x + w > width and x > 0:
            continue
        box = Box(x, y, x + w, y + h)
        if any(box.overlaps(b) for b in placed):
            continue
        bottom = max([y + h, *(b.y1 for b in placed)])
        if best is None or (bottom, y, x) < best:
            best = (bottom, y, x)
    if best is None:  # beside nothing free: start a new row below everything
        return 0.0, max((b.y1 for b in placed), default=0.0)
    return best[2], best[1]


def pack(
    layouts: list[Layout],
    radii: Sequence[float],
    *,
    unit: float,
    width: int,
    margin: tuple[float, float],
) -> tuple[dict[int, tuple[float, float]], float, float]:
    """Pack the component boxes, in the order given, each at the free spot beside or
    below the others that keeps the picture lowest (a bottom-left heuristic).

    Each box holds its component's layout scaled by ``unit``, its largest radius and
    ``margin`` (x, y) on each side for labels. Cost: O(components^2).

    Returns
    -------
    tuple
        The node centres, and the picture's width and height.

    Examples
    --------
    >>> centres, width, height = pack(
    ...     [{0: (0.0, 0.0)}, {1: (0.0, 0.0)}], [5, 5], unit=10, width=100, margin=(10, 10)
    ... )
    >>> centres[0], centres[1], width, height
    ((15.0, 15.0), (45.0, 15.0), 60.0, 30.0)
    """
    centres: dict[int, tuple[float, float]] = {}
    placed: list[Box] = []
    for layout in layouts:
        xs = [p[0] * unit for p in layout.values()]
        ys = [p[1] * unit for p in layout.values()]
        pad = max(radii[n] for n in layout)
        w = max(xs) - min(xs) + 2 * (pad + margin[0])
        h = max(ys) - min(ys) + 2 * (pad + margin[1])
        x, y = _free_spot(w, h, placed, width)
        placed.append(Box(x, y, x + w, y + h))
        left, top = x + pad + margin[0] - min(xs), y + pad + margin[1] - min(ys)
        for n, p in layout.items():
            centres[n] = (left + p[0] * unit, top + p[1] * unit)
    return (
        centres,
        max((b.x1 for b in placed), default=0.0),
        max((b.y1 for b in placed), default=0.0),
    )


def pack_small(
    layouts: list[Layout],
    radii: Sequence[float],
    *,
    unit: float,
    width: int,
    margin: tuple[float, float],
) -> tuple[dict[int, tuple[float, float]], int, float]:
    """:func:`pack` at the page ``width``, or narrower where that makes the picture's
    area smaller; a component wider than the page widens it (never clipped).

    Examples
    --------
    >>> two = [{0: (0.0, 0.0)}, {1: (0.0, 0.0)}]
    >>> centres, width, height = pack_small(two, [5, 5], unit=10, width=100, margin=(10, 10))
    >>> width, height
    (60, 30.0)
    """
    widest = max(
        (max(p[0] for p in lay.values()) - min(p[0] for p in lay.values()) for lay in layouts),
        default=0.0,
    )
    least = int(widest * unit + 2 * (margin[0] + 12))
    best: tuple[float, dict[int, tuple[float, float]], int, float] | None = None
    for limit in sorted({max(least, int(width * f)) for f in (1.0, 0.85, 0.7, 0.55)}, reverse=True):
        centres, used, height = pack(layouts, radii, unit=unit, width=limit, margin=margin)
        if best is None or used * height < best[0]:
            best = (used * height, centres, math.ceil(used), height)
    if best is None:
        return {}, 0, 0.0
    return best[1], best[2], best[3]
