"""The geometry of two charts of rank uncertainty and change, drawn as inline SVG.

- A forest plot: each city's rank as a dot on a line from the low to the high end of
  its 95 % rank interval (and, thinner, its leave-one-source-out range).
- A rank-over-time chart: each city's rank in each year it has one (rank 1 at the
  top), one line per city, labelled at its last year, labels pushed apart.

Both read small typed rows (:class:`ForestRow`, :class:`RankPath`), so they do not
depend on how the intervals were computed; :func:`forest_rows` and
:func:`rank_paths` make the rows from anything that has the report's fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "ForestBar",
    "ForestChart",
    "ForestRow",
    "IntervalCity",
    "PathLine",
    "RankPath",
    "RankPathCity",
    "TimeChart",
    "forest_chart",
    "forest_rows",
    "rank_paths",
    "ticks",
    "time_chart",
]

#: Categorical colours for the lines (Okabe–Ito, safe for colour-blind readers).
LINE_COLOURS = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#000000",
    "#f0e442",
)


@dataclass(frozen=True)
class ForestRow:
    """A city's rank and its interval ``low``..``high`` (ranks, ``low <= rank <= high``
    is not required: a bootstrap interval may leave the point rank out); ``loso`` is
    the leave-one-source-out range when there is one."""

    label: str
    rank: int
    low: int
    high: int
    listed: bool = False
    loso: tuple[int, int] | None = None


@dataclass(frozen=True)
class ForestBar:
    """A row of the forest plot in pixels: the baseline ``y``, the dot's ``x``, the
    interval's ends and, when present, the leave-one-source-out range's ends."""

    row: ForestRow
    y: float
    x: float
    x_low: float
    x_high: float
    loso: tuple[float, float] | None


@dataclass(frozen=True)
class Tick:
    """An axis tick: its value and position in pixels."""

    value: int
    at: float


@dataclass(frozen=True)
class ForestChart:
    """The forest plot: its bars, the rank axis's ticks, and the picture's size."""

    bars: tuple[ForestBar, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    plot_left: float
    plot_right: float


def ticks(low: int, high: int, *, most: int = 8) -> list[int]:
    """Round tick values from ``low`` to ``high`` (1, 2 or 5 times a power of ten
    apart), at most ``most`` of them, ``low`` always first.

    >>> ticks(1, 40)
    [1, 10, 20, 30, 40]
    >>> ticks(1, 7)
    [1, 2, 3, 4, 5, 6, 7]
    """
    span = max(high - low, 1)
    step = 1
    for power in range(0, 12):
        for factor in (1, 2, 5):
            step = factor * 10**power
            if span / step <= most - 1:
                break
        else:
            continue
        break
    values = [low] + [v for v in range(step, high + 1, step) if v > low]
    return values


_ROW = 18
_TOP = 26


def forest_chart(rows: Sequence[ForestRow], *, width: int = 900) -> ForestChart:
    """Place the rows of a forest plot, top row first, on a rank axis from 1.

    Examples
    --------
    >>> chart = forest_chart([ForestRow("Milan", 1, 1, 3), ForestRow("Bristol", 2, 1, 6)])
    >>> [t.value for t in chart.ticks], chart.bars[0].x < chart.bars[1].x
    ([1, 2, 3, 4, 5, 6], True)
    """
    left, right = 190.0, width - 30.0
    top = max([1, *(r.high for r in rows), *(r.loso[1] for r in rows if r.loso)])

    def at(rank: float) -> float:
        return round(left + (rank - 1) / max(top - 1, 1) * (right - left), 1)

    bars = tuple(
        ForestBar(
            row=r,
            y=_TOP + i * _ROW + 13,
            x=at(r.rank),
            x_low=at(r.low),
            x_high=at(r.high),
            loso=(at(r.loso[0]), at(r.loso[1])) if r.loso else None,
        )
        for i, r in enumerate(rows)
    )
    return ForestChart(
        bars=bars,
        ticks=tuple(Tick(v, at(v)) for v in ticks(1, top)),
        width=width,
        height=_TOP + _ROW * len(rows) + 34,
        plot_left=left,
        plot_right=right,
    )


@dataclass(frozen=True)
class RankPath:
    """A city's rank by year; ``None`` where it has no rank that year (no tie yet)."""

    label: str
    ranks_by_year: Mapping[int, int | None]


@dataclass(frozen=True)
class PathLine:
    """A city's line in pixels: runs of consecutive ranked years (a gap breaks the
    line), its colour, and its label's position at the right."""

    label: str
    colour: str
    runs: tuple[tuple[tuple[float, float], ...], ...]
    label_y: float
    end_y: float


@dataclass(frozen=True)
class TimeChart:
    """The rank-over-time chart: lines, year ticks, rank ticks and the size."""

    lines: tuple[PathLine, ...]
    years: tuple[Tick, ...]
    ranks: tuple[Tick, ...]
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


def _spread(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Push sorted positions apart to at least ``gap``, kept within [low, high]."""
    out = [max(low, y) for y in ys]
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    if out and out[-1] > high:
        out[-1] = high
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def time_chart(paths: Sequence[RankPath], *, width: int = 900, height: int = 380) -> TimeChart:
    """Place the rank paths on a year axis and a rank axis (rank 1 at the top).

    Examples
    --------
    >>> chart = time_chart([RankPath("Milan", {2018: 3, 2019: None, 2020: 1})])
    >>> [len(run) for run in chart.lines[0].runs], [t.value for t in chart.years]
    ([1, 1], [2018, 2019, 2020])
    """
    left, right, top, bottom = 50.0, width - 190.0, 20.0, height - 36.0
    years = sorted({y for p in paths for y in p.ranks_by_year})
    worst = max([1, *(r for p in paths for r in p.ranks_by_year.values() if r is not None)])
    first, last = (years[0], years[-1]) if years else (0, 1)

    def x(year: int) -> float:
        return round(left + (year - first) / max(last - first, 1) * (right - left), 1)

    def y(rank: int) -> float:
        return round(top + (rank - 1) / max(worst - 1, 1) * (bottom - top), 1)

    drawn = []
    for i, path in enumerate(paths):
        runs: list[list[tuple[float, float]]] = []
        previous: int | None = None
        for year in years:
            rank = path.ranks_by_year.get(year)
            if rank is None:
                previous = None
                continue
            if previous is None:
                runs.append([])
            runs[-1].append((x(year), y(rank)))
            previous = rank
        if runs:
            drawn.append((path.label, LINE_COLOURS[i % len(LINE_COLOURS)], runs))
    ends = sorted(range(len(drawn)), key=lambda i: drawn[i][2][-1][-1][1])
    spread = _spread([drawn[i][2][-1][-1][1] for i in ends], 13.0, top, bottom)
    label_y = dict(zip(ends, spread, strict=True))
    lines = tuple(
        PathLine(
            label=label,
            colour=fill,
            runs=tuple(tuple(run) for run in runs),
            label_y=round(label_y[i], 1),
            end_y=runs[-1][-1][1],
        )
        for i, (label, fill, runs) in enumerate(drawn)
    )
    return TimeChart(
        lines=lines,
        years=tuple(Tick(v, x(v)) for v in years),
        ranks=tuple(Tick(v, y(v)) for v in ticks(1, worst, most=6)),
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )


class IntervalCity(Protocol):
    """What the forest plot reads of a ranked city: rank, 95 % rank interval by the
    bootstrap, and the leave-one-source-out range (``None`` when not computed)."""

    @property
    def label(self) -> str: ...

    @property
    def rank(self) -> int: ...

    @property
    def listed(self) -> bool: ...

    @property
    def rank_interval(self) -> tuple[int, int] | None: ...

    @property
    def loso_interval(self) -> tuple[int, int] | None: ...


def forest_rows(cities: Iterable[IntervalCity], *, limit: int = 30) -> tuple[ForestRow, ...]:
    """The forest plot's rows for the first ``limit`` cities that have an interval.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> city = SimpleNamespace(label="Milan", rank=1, listed=True, rank_interval=(1, 4),
    ...                        loso_interval=None)
    >>> forest_rows([city])
    (ForestRow(label='Milan', rank=1, low=1, high=4, listed=True, loso=None),)
    """
    rows = []
    for city in cities:
        if city.rank_interval is None:
            continue
        low, high = city.rank_interval
        rows.append(ForestRow(city.label, city.rank, low, high, city.listed, city.loso_interval))
        if len(rows) == limit:
            break
    return tuple(rows)


class RankPathCity(Protocol):
    """What the rank-over-time chart reads of a ranked city."""

    @property
    def label(self) -> str: ...

    @property
    def ranks_by_year(self) -> Mapping[int, int | None] | None: ...


def rank_paths(cities: Iterable[RankPathCity], *, limit: int = 8) -> tuple[RankPath, ...]:
    """The rank-over-time chart's paths for the first ``limit`` cities that have a
    rank in at least one year (cities without ranks by year are left out).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rank_paths([SimpleNamespace(label="Milan", ranks_by_year={2019: None, 2020: 1}),
    ...             SimpleNamespace(label="Nowhere", ranks_by_year={2019: None})])
    (RankPath(label='Milan', ranks_by_year={2019: None, 2020: 1}),)
    """
    paths = [
        RankPath(c.label, dict(c.ranks_by_year))
        for c in cities
        if c.ranks_by_year and any(r is not None for r in c.ranks_by_year.values())
    ]
    return tuple(paths[:limit])
