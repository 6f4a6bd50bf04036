"""Label placement for the report's SVG pictures: estimate a label's box, then place
labels greedily, most important first, where their boxes touch no other label and no
mark.

The estimate uses the advance widths of DejaVu Sans, the font the report asks for
first (``LABEL_FONT``), so a browser draws each label inside its estimated box; the
browser tests check that with ``getBBox``. Placement follows the usual greedy
point-feature labelling (Imhof's preference order: right, left, above, below, then
the diagonals), trying rings further out, with a leader line, before giving up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "LABEL_FONT",
    "Box",
    "Label",
    "PlacedLabel",
    "place_labels",
    "text_width",
]

#: The font stack the SVG pictures name; widths are estimated for the first.
LABEL_FONT = '"DejaVu Sans", Verdana, sans-serif'

# Advance widths of DejaVu Sans in em (the font's hmtx table / 2048).
_WIDTHS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        (
            *(0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278),
            *(0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392),
            *(0.634, 0.592, 0.818, 0.592, 0.592, 0.525),
        ),
        strict=True,
    )
)
_WIDTHS.update(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            *(0.684, 0.686, 0.698, 0.770, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295),
            *(0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611),
            *(0.732, 0.684, 0.989, 0.685, 0.611, 0.685),
        ),
        strict=True,
    )
)
_WIDTHS.update({d: 0.636 for d in "0123456789"})
_WIDTHS.update({" ": 0.318, ".": 0.318, ",": 0.318, "-": 0.361, ":": 0.337, "'": 0.275})
_WIDTHS.update({"(": 0.390, ")": 0.390, "/": 0.337, "&": 0.780, "–": 0.500, "…": 1.0})
_WIDE = 1.0  # anything else (CJK, symbols): a full em, to be safe
#: Room for a font the reader has instead of DejaVu Sans (Verdana is a little wider).
_SLACK = 1.06


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` at ``size`` (pixels or any unit), a little
    generous. Accented letters count as their base letter.

    >>> round(text_width("Milan", 10), 1)
    28.3
    """
    total = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1]
        total += _WIDTHS.get(base, _WIDE)
    return total * size * _SLACK


@dataclass(frozen=True)
class Box:
    """An axis-aligned box, ``x0 <= x1`` and ``y0 <= y1`` (y grows downward)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share interior (touching edges do not count).

        >>> Box(0, 0, 2, 2).overlaps(Box(1, 1, 3, 3)), Box(0, 0, 1, 1).overlaps(Box(1, 0, 2, 1))
        (True, False)
        """
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def moved(self, dx: float, dy: float) -> Box:
        """The box moved by (``dx``, ``dy``)."""
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def inside(self, outer: Box) -> bool:
        """Whether this box lies within ``outer``."""
        return (
            self.x0 >= outer.x0
            and self.y0 >= outer.y0
            and self.x1 <= outer.x1
            and self.y1 <= outer.y1
        )


@dataclass(frozen=True)
class Label:
    """A label to place beside a mark: its text and the mark's centre and radius."""

    text: str
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class PlacedLabel:
    """A placed label: text baseline origin (``x``, ``y``), SVG ``anchor``, its box,
    and whether it sits away from its mark (then a leader line joins them)."""

    text: str
    x: float
    y: float
    anchor: str
    box: Box
    leader: bool

    def moved(self, dx: float, dy: float) -> PlacedLabel:
        """The label moved by (``dx``, ``dy``)."""
        x, y = round(self.x + dx, 1), round(self.y + dy, 1)
        return PlacedLabel(self.text, x, y, self.anchor, self.box.moved(dx, dy), self.leader)


# Unit directions in order of preference (Imhof): right, left, above, below, diagonals.
_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1))


def _candidate(label: Label, dx: int, dy: int, gap: float, size: float) -> PlacedLabel:
    width = text_width(label.text, size)
    ascent, descent = 0.93 * size, 0.24 * size  # DejaVu Sans, with a little room
    reach = label.r + gap
    cx, cy = label.x + dx * reach, label.y + dy * reach
    if dx > 0:
        x0, anchor = cx, "start"
    elif dx < 0:
        x0, anchor = cx - width, "end"
    else:
        x0, anchor = cx - width / 2, "middle"
    if dy < 0:
        baseline = cy - descent
    elif dy > 0:
        baseline = cy + ascent
    else:
        baseline = cy + (ascent - descent) / 2
    x = {"start": x0, "end": x0 + width, "middle": x0 + width / 2}[anchor]
    box = Box(x0, baseline - ascent, x0 + width, baseline + descent)
    return PlacedLabel(label.text, round(x, 1), round(baseline, 1), anchor, box, gap > 3)


def place_labels(
    labels: Sequence[Label],
    *,
    size: float,
    bounds: Box,
    obstacles: Sequence[Box] = (),
    gaps: Sequence[float] = (2.0, 9.0, 18.0),
) -> list[PlacedLabel | None]:
    """Place each label, in the order given (most important first), beside its mark.

    A label takes the first position, ring by ring (``gaps`` from the mark's edge)
    and direction by direction, whose box stays within ``bounds`` and overlaps no
    obstacle (the marks) and no label placed before it.

    Parameters
    ----------
    labels
        The labels, most important first.
    size
        The font size, in the picture's units.
    bounds
        The picture's box.
    obstacles
        Boxes no label may cover, such as the marks themselves.

    Returns
    -------
    list
        A :class:`PlacedLabel` per label, in the same order, or ``None`` where no
        position was free. Cost: O(labels x (labels + obstacles)).

    Examples
    --------
    >>> marks = [Label("Milan", 50, 50, 4), Label("Bristol", 60, 50, 4)]
    >>> dots = [Box(m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r) for m in marks]
    >>> first, second = place_labels(marks, size=10, bounds=Box(0, 0, 200, 100), obstacles=dots)
    >>> first.anchor, second.anchor, first.box.overlaps(second.box)
    ('end', 'start', False)
    """
    taken: list[Box] = []
    placed: list[PlacedLabel | None] = []
    for label in labels:
        own = Box(label.x - label.r, label.y - label.r, label.x + label.r, label.y + label.r)
        blockers = [b for b in obstacles if b != own]
        choice = None
        for gap in gaps:
            for dx, dy in _DIRECTIONS:
                option = _candidate(label, dx, dy, gap, size)
                if option.box.inside(bounds) and not any(
                    option.box.overlaps(b) for b in (*taken, *blockers)
                ):
                    choice = option
                    break
            if choice is not None:
                break
        if choice is not None:
            taken.append(choice.box)
        placed.append(choice)
    return placed
