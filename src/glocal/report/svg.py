"""The colour scale of the report's pictures and the geometry of its bar chart.

Pure functions from report data to coordinates and colours; the template
(``templates/pivotal_report.html``) only draws what they return. The other pictures
have their own modules: :mod:`~glocal.report.network`, :mod:`~glocal.report.mapping`
and :mod:`~glocal.report.charts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from glocal.report.model import RankedCity

__all__ = ["Bar", "BarChart", "bar_chart", "colour"]

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
