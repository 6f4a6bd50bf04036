"""The network drawing: which nodes it shows, and where they go on the page.

:func:`network_drawing` picks the highest-ranked cities (a tie group is kept whole)
and the nodes of any kind that tie them together; :func:`network_picture` lays each
connected component out on its own (Kamada–Kawai; networkx), packs the components
in rows, largest first (shelf packing), so the page has no large empty area, and
labels every node without overlap (:mod:`glocal.report.labels`), widening the
layout until every label fits.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from glocal.report.labels import Box, Label, PlacedLabel, place_labels
from glocal.report.model import NetworkDrawing, NetworkNode
from glocal.report.packing import component_layouts, pack_small
from glocal.report.svg import colour

__all__ = [
    "KIND_COLOURS",
    "NETWORK_CITIES",
    "NETWORK_OTHERS",
    "NetworkCaption",
    "NetworkPicture",
    "PlacedEdge",
    "PlacedNode",
    "network_caption",
    "network_drawing",
    "network_picture",
]

#: How many of the best-ranked cities the drawing shows (a tie group is kept whole).
NETWORK_CITIES = 14
#: At most this many other nodes, those shared by the most drawn cities first.
NETWORK_OTHERS = 40

#: The fill of each kind of non-city node (cities are coloured by score).
KIND_COLOURS: Mapping[str, str] = {
    "organisation": "#d95f02",
    "declaration": "#7570b3",
    "event": "#1b9e77",
    "objective": "#999999",
}

FONT_SIZE = 11.0
#: Room left of and right of each component for labels, in pixels.
LABEL_MARGIN = 80.0
LABEL_CHARS = 34


class _Ranked(Protocol):
    """A place in the ranking (:class:`~glocal.analysis.pivotality.Ranked`)."""

    @property
    def city(self) -> Hashable: ...

    @property
    def rank(self) -> int: ...

    @property
    def score(self) -> float: ...


class _RankedCity(Protocol):
    """A ranked city of the report (:class:`~glocal.report.model.RankedCity`)."""

    @property
    def iri(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def rank(self) -> int: ...


def network_drawing(
    G: nx.Graph, ranking: Sequence[_Ranked], *, cities: int = NETWORK_CITIES
) -> NetworkDrawing:
    """The best-ranked cities and the nodes that tie them, ready to draw.

    The cities are the first ``cities`` of the ranking, and every city tied with the
    last of them; all are drawn, tied or not. The other nodes, of any kind, are
    those two or more drawn cities share, and for each city with none of those its
    strongest tie, so no drawn city stands without its reason to be there.

    Parameters
    ----------
    G
        The bipartite graph (:func:`~glocal.analysis.graph.bipartite_graph`).
    ranking
        The composite ranking, best first.

    Returns
    -------
    NetworkDrawing
        Nodes at their place in :func:`network_picture`'s layout, scaled to the
        unit square; edges as (index, index, weight); ``kind`` ``"any"``.

    Examples
    --------
    >>> from glocal.analysis.pivotality import Ranked
    >>> G = nx.Graph([("a", "X"), ("b", "X"), ("c", "Y")])
    >>> nx.set_node_attributes(G, {"a": "city", "b": "city", "c": "city"}, "kind")
    >>> nx.set_node_attributes(G, {"X": "organisation", "Y": "event"}, "kind")
    >>> nx.set_node_attributes(G, {n: n for n in G}, "label")
    >>> nx.set_edge_attributes(G, 1.0, "weight")
    >>> ranking = [Ranked(c, i + 1, 1.0 - i / 3, i + 1.0, {}) for i, c in enumerate("abc")]
    >>> sorted(n.label for n in network_drawing(G, ranking).nodes)
    ['X', 'Y', 'a', 'b', 'c']
    """
    chosen = list(ranking[:cities])
    if chosen:
        last = chosen[-1].rank
        chosen += [r for r in ranking[cities:] if r.rank == last]
    score = {r.city: r.score for r in chosen}
    shared: Counter[Hashable] = Counter()
    for r in chosen:
        shared.update(G.neighbors(r.city))
    others = [n for n in sorted(shared, key=lambda n: (-shared[n], -G.degree(n), str(n)))]
    keep = [n for n in others if shared[n] >= 2][:NETWORK_OTHERS]
    for r in chosen:
        if G.degree(r.city) and not any(n in G[r.city] for n in keep):
            keep.append(max(G[r.city], key=lambda n: (G[r.city][n]["weight"], G.degree(n), str(n))))
    # Nodes and edges in a fixed order (ranking, then shared nodes), whatever order
    # the store gave the ties in, so the layout is the same on every run.
    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in [*score, *keep])
    position = {n: i for i, n in enumerate(H)}
    H.add_edges_from(
        sorted(
            ((u, v, d) for u, v, d in G.subgraph(H).edges(data=True)),
            key=lambda e: sorted((position[e[0]], position[e[1]])),
        )
    )
    picture = network_picture(
        NetworkDrawing(
            nodes=tuple(_node(H, G, n, score.get(n), 0.0, 0.0) for n in H),
            edges=_edges(H),
            kind="any",
        )
    )
    span_x, span_y = picture.width or 1, picture.height or 1
    return NetworkDrawing(
        nodes=tuple(
            _node(H, G, n, score.get(n), p.cx / span_x, p.cy / span_y)
            for n, p in zip(H, picture.nodes, strict=True)
        ),
        edges=_edges(H),
        kind="any",
    )


def _node(
    H: nx.Graph, G: nx.Graph, n: Hashable, score: float | None, x: float, y: float
) -> NetworkNode:
    data = H.nodes[n]
    return NetworkNode(
        iri=str(n),
        label=str(data.get("label", n)),
        kind=str(data["kind"]),
        x=round(x, 4),
        y=round(y, 4),
        score=score,
        degree=G.degree(n),
    )


def _edges(H: nx.Graph) -> tuple[tuple[int, int, float], ...]:
    index = {n: i for i, n in enumerate(H)}
    return tuple((index[u], index[v], float(d["weight"])) for u, v, d in H.edges(data=True))


@dataclass(frozen=True)
class PlacedNode:
    """A node of the picture in pixels: centre, radius, colour, and its label (``None``
    when no place was free; the caption then names it)."""

    iri: str
    label: str
    kind: str
    score: float | None
    degree: int
    cx: float
    cy: float
    r: float
    colour: str
    text: PlacedLabel | None


@dataclass(frozen=True)
class PlacedEdge:
    """An edge of the picture in pixels, with its stroke width."""

    x1: float
    y1: float
    x2: float
    y2: float
    w: float


@dataclass(frozen=True)
class NetworkPicture:
    """The drawing in pixels: nodes, edges, the picture's size and its components."""

    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    width: int
    height: int
    components: int

    @property
    def unlabelled(self) -> tuple[str, ...]:
        """The labels that found no free place (normally none)."""
        return tuple(n.label for n in self.nodes if n.text is None)


def _radius(node: NetworkNode) -> float:
    if node.kind == "city":
        return 4 + 8 * (node.score or 0.0)
    return 3 + min(6.0, math.sqrt(node.degree))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def network_picture(network: NetworkDrawing, *, width: int = 1000) -> NetworkPicture:
    """Lay the drawing out in pixels: components packed, every node labelled.

    Cities are sized and coloured by score, other nodes sized by degree and coloured
    by kind (:data:`KIND_COLOURS`). Labels go to cities first, best first, then to
    the other nodes by degree; when one finds no free place its component is spread
    further (up to five times) before a label is set off with a leader line, or left
    out.

    Examples
    --------
    >>> nodes = tuple(
    ...     NetworkNode(str(i), f"Node {i}", "city" if i < 3 else "organisation", 0, 0, 0.5, 1)
    ...     for i in range(5)
    ... )
    >>> picture = network_picture(NetworkDrawing(nodes, ((0, 3, 1.0), (1, 3, 1.0)), "any"))
    >>> picture.components, picture.unlabelled
    (3, ())
    """
    H = nx.Graph()
    H.add_nodes_from(range(len(network.nodes)))
    H.add_edges_from((i, j) for i, j, _ in network.edges)
    radii = [_radius(n) for n in network.nodes]
    layouts = component_layouts(H)
    order = sorted(
        range(len(network.nodes)),
        key=lambda i: (
            network.nodes[i].kind != "city",
            -(network.nodes[i].score or 0.0),
            -network.nodes[i].degree,
            i,
        ),
    )
    unit, page, height = 50.0, 0, 0.0
    # Spread only the components where a label found no room beside its node, so the
    # small ones stay small and still fit beside the large; only the last attempt
    # may set a label further off, with a leader line.
    spread = [1.0] * len(layouts)
    component = {n: c for c, layout in enumerate(layouts) for n in layout}
    placed: list[PlacedLabel | None] = []
    centres: dict[int, tuple[float, float]] = {}
    attempts = 6
    for attempt in range(attempts):
        scaled = [
            {n: (p[0] * k, p[1] * k) for n, p in layout.items()}
            for layout, k in zip(layouts, spread, strict=True)
        ]
        centres, page, height = pack_small(
            scaled, radii, unit=unit, width=width, margin=(LABEL_MARGIN, 14.0)
        )
        obstacles = [
            Box(centres[i][0] - r, centres[i][1] - r, centres[i][0] + r, centres[i][1] + r)
            for i, r in enumerate(radii)
        ]
        requests = [Label(_short(network.nodes[i].label), *centres[i], radii[i]) for i in order]
        placed = place_labels(
            requests,
            size=FONT_SIZE,
            bounds=Box(0, 0, page, height),
            obstacles=obstacles,
            gaps=(2.0, 9.0, 18.0) if attempt == attempts - 1 else (2.0,),
        )
        crowded = {component[i] for i, p in zip(order, placed, strict=True) if p is None}
        if not crowded:
            break
        for c in crowded:
            spread[c] *= 1.2
    # Crop to what is drawn: the label margins the packing kept may stay unused.
    boxes = [p.box for p in placed if p is not None] + [
        Box(x - r, y - r, x + r, y + r)
        for (x, y), r in zip((centres[i] for i in range(len(radii))), radii, strict=True)
    ]
    pad = 4.0
    dx = pad - min((b.x0 for b in boxes), default=0.0)
    dy = pad - min((b.y0 for b in boxes), default=0.0)
    page = math.ceil(max((b.x1 for b in boxes), default=0.0) + dx + pad)
    height = max((b.y1 for b in boxes), default=0.0) + dy + pad
    text = {i: p.moved(dx, dy) if p else None for i, p in zip(order, placed, strict=True)}
    nodes = tuple(
        PlacedNode(
            iri=n.iri,
            label=n.label,
            kind=n.kind,
            score=n.score,
            degree=n.degree,
            cx=round(centres[i][0] + dx, 1),
            cy=round(centres[i][1] + dy, 1),
            r=round(radii[i], 1),
            colour=colour(n.score) if n.kind == "city" else KIND_COLOURS.get(n.kind, "#999999"),
            text=text.get(i),
        )
        for i, n in enumerate(network.nodes)
    )
    edges = tuple(
        PlacedEdge(nodes[i].cx, nodes[i].cy, nodes[j].cx, nodes[j].cy, round(0.4 + 0.5 * w, 2))
        for i, j, w in network.edges
    )
    return NetworkPicture(nodes, edges, page, math.ceil(height), len(layouts))


@dataclass(frozen=True)
class NetworkCaption:
    """What the caption states about the drawing, so it states only what is drawn:
    the drawn cities' ranks, the better-ranked cities left out (label, rank), how many
    nodes of each other kind are drawn, and the components."""

    cities: int
    best: int | None
    worst: int | None
    left_out: tuple[tuple[str, int], ...]
    kinds: Mapping[str, int]
    components: int


def network_caption(picture: NetworkPicture, ranking: Sequence[_RankedCity]) -> NetworkCaption:
    """The facts of the caption: which ranks the drawing shows, and which cities
    ranked as well or better are not in it.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> nodes = (NetworkNode("a", "A", "city", 0, 0, 0.9, 1),
    ...          NetworkNode("X", "X", "organisation", 0, 0, None, 1))
    >>> picture = network_picture(NetworkDrawing(nodes, ((0, 1, 1.0),), "any"))
    >>> ranking = [SimpleNamespace(iri="a", label="A", rank=1),
    ...            SimpleNamespace(iri="b", label="B", rank=1)]
    >>> network_caption(picture, ranking).left_out
    (('B', 1),)
    """
    drawn = {n.iri for n in picture.nodes if n.kind == "city"}
    ranks = [c.rank for c in ranking if c.iri in drawn]
    worst = max(ranks, default=None)
    left_out = tuple(
        (c.label, c.rank)
        for c in ranking
        if worst is not None and c.rank <= worst and c.iri not in drawn
    )
    kinds = Counter(n.kind for n in picture.nodes if n.kind != "city")
    return NetworkCaption(
        cities=len(drawn),
        best=min(ranks, default=None),
        worst=worst,
        left_out=left_out,
        kinds=dict(sorted(kinds.items())),
        components=picture.components,
    )
