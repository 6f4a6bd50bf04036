"""Write the city graph for other tools: GEXF (Gephi), GraphML, Pajek or CSV tables.

:func:`analyst_graph` builds what is written: the bipartite graph, or the city–city
projection, annotated by :mod:`glocal.report.export_graphs` with coordinates, every
measure of the pivotal report, and the sources and roles of each edge. The writers are
networkx's; GEXF also gets each city's position (x = longitude, y = latitude) as
``viz:position``, so Gephi opens it as a map.
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from glocal.analysis.graph import bipartite_graph, check_layers
from glocal.analysis.ties import fetch_ties
from glocal.report.build import pivotal_report
from glocal.report.export_graphs import (
    annotated_graph,
    projection_graph,
    uncertainty_attributes,
)
from glocal.store import GraphStore

__all__ = [
    "EXPORT_FORMATS",
    "GRAPH_KINDS",
    "analyst_graph",
    "write_csv",
    "write_gexf",
    "write_graph",
    "write_graphml",
    "write_pajek",
]

#: Format name to the file (or, for CSV, folder) it writes.
EXPORT_FORMATS: dict[str, str] = {
    "graphml": "city-graph.graphml",
    "gexf": "city-graph.gexf",
    "pajek": "city-graph.net",
    "csv": "city-graph-csv",
}

#: The graphs :func:`analyst_graph` can build.
GRAPH_KINDS = ("bipartite", "projection", "backbone")

LEADING_NODE_COLUMNS = ("id", "kind", "label", "iri", "bipartite", "ties")
LEADING_EDGE_COLUMNS = ("source", "target", "weight")


def analyst_graph(
    store: GraphStore,
    *,
    graph: str = "bipartite",
    layers: tuple[str, ...] | list[str] | None = None,
    measures: bool = True,
) -> nx.Graph:
    """The graph to export, annotated (see :mod:`glocal.report.export_graphs`).

    Parameters
    ----------
    graph
        ``"bipartite"`` (cities and what ties them), ``"projection"`` (city–city), or
        ``"backbone"`` (the city–city ties the report's significance backbone keeps;
        every city stays, as a node).
    layers
        Layers of ties (all by default).
    measures
        Run the pivotal report (without its layer sensitivity) to add each city's
        rank, score and measures.

    Raises
    ------
    ValueError
        If ``graph`` or a layer is unknown.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> G = analyst_graph(store, graph="projection")
    >>> milan = G.nodes["https://w3id.org/glocal/id/city/milan"]
    >>> sorted(k for k in milan if k.startswith(("rank", "harmonic", "z_")))
    ['harmonic_closeness', 'rank', 'rank_high', 'rank_low', 'z_score']
    """
    if graph not in GRAPH_KINDS:
        raise ValueError(f"unknown graph {graph!r}; choose from {', '.join(GRAPH_KINDS)}")
    chosen = check_layers(layers)
    ties = fetch_ties(store, layers=chosen)
    report = pivotal_report(store, layers=chosen, sensitivity=False) if measures else None
    cities = report.cities if report is not None else ()
    H = annotated_graph(
        bipartite_graph(ties, layers=chosen),
        ties,
        cities=cities,
        extra=uncertainty_attributes(cities),
    )
    if graph == "bipartite":
        return H
    keep = None
    if graph == "backbone":
        report = report or pivotal_report(store, layers=chosen, sensitivity=False)
        edges = report.backbone.edges if report.backbone is not None else ()
        keep = [(edge.a.iri, edge.b.iri) for edge in edges]
    return projection_graph(H, list(ties.cities), keep=keep)


def write_graphml(G: nx.Graph, path: Path | str) -> Path:
    """Write GraphML (networkx's writer) and return the path.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph()
    >>> G.add_edge("a", "X", weight=1.0, layer="organisations", relations="Member")
    >>> out = write_graphml(G, Path(tempfile.mkdtemp()) / "g.graphml")
    >>> nx.read_graphml(out)["a"]["X"]["weight"]
    1.0
    """
    target = Path(path)
    nx.write_graphml(G, target)
    return target


def write_gexf(G: nx.Graph, path: Path | str) -> Path:
    """Write GEXF 1.2 (networkx's writer), the format Gephi reads, and return the path.

    Nodes with ``latitude`` and ``longitude`` get ``viz:position`` x = longitude,
    y = latitude.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph([("a", "X")])
    >>> G.nodes["a"].update(latitude=45.5, longitude=9.2)
    >>> out = write_gexf(G, Path(tempfile.mkdtemp()) / "g.gexf")
    >>> nx.read_gexf(out).nodes["a"]["viz"]["position"]
    {'x': 9.2, 'y': 45.5, 'z': 0.0}
    """
    target = Path(path)
    H = G.copy()
    for _, data in H.nodes(data=True):
        if "latitude" in data and "longitude" in data:
            position = {"x": data["longitude"], "y": data["latitude"], "z": 0.0}
            data["viz"] = {"position": position}
    nx.write_gexf(H, target)
    return target


def write_pajek(G: nx.Graph, path: Path | str) -> Path:
    """Write Pajek ``.net`` (networkx's writer): vertices named by IRI, weighted edges.

    Pajek holds no other attributes; the CSV and GEXF have them.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph()
    >>> G.add_edge("a", "X", weight=2.0, layer="organisations")
    >>> out = write_pajek(G, Path(tempfile.mkdtemp()) / "g.net")
    >>> nx.read_pajek(out)["a"]["X"][0]["weight"]
    2.0
    """
    target = Path(path)
    plain = nx.Graph()
    plain.add_nodes_from(G)
    plain.add_weighted_edges_from(
        (u, v, float(w)) for u, v, w in G.edges(data="weight", default=1.0)
    )
    nx.write_pajek(plain, target)
    return target


def _columns(leading: tuple[str, ...], rows: list[dict[str, object]]) -> list[str]:
    seen = {key for row in rows for key in row}
    return [*leading, *sorted(seen - set(leading))]


def write_csv(G: nx.Graph, folder: Path | str) -> tuple[Path, Path]:
    """Write ``nodes.csv`` (one row per node, every attribute a column, ``ties`` its
    number of edges) and
    ``edges.csv`` (an edge list, city first, every attribute a column).

    Returns
    -------
    tuple
        The paths of the node table and the edge list.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph()
    >>> G.add_node("a", kind="city", label="A", iri="a", bipartite=0)
    >>> G.add_node("X", kind="organisation", label="X", iri="X", bipartite=1)
    >>> G.add_edge("X", "a", weight=1.0, layer="organisations", relations="Member")
    >>> nodes, edges = write_csv(G, tempfile.mkdtemp())
    >>> edges.read_text().splitlines()
    ['source,target,weight,layer,relations', 'a,X,1.0,organisations,Member']
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    nodes_path, edges_path = out / "nodes.csv", out / "edges.csv"
    node_rows: list[dict[str, object]] = [
        {"id": n, "iri": n, **data, "ties": G.degree(n)} for n, data in G.nodes(data=True)
    ]
    edge_rows: list[dict[str, object]] = []
    for u, v, data in G.edges(data=True):
        # Cities first, so the edge list reads city -> what ties it.
        if G.nodes[v].get("bipartite") == 0 and G.nodes[u].get("bipartite") != 0:
            u, v = v, u
        edge_rows.append({"source": u, "target": v, "weight": data.get("weight", 1.0), **data})
    for path, leading, rows in (
        (nodes_path, LEADING_NODE_COLUMNS, node_rows),
        (edges_path, LEADING_EDGE_COLUMNS, edge_rows),
    ):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(
                f, fieldnames=_columns(leading, rows), lineterminator="\n", restval=""
            )
            writer.writeheader()
            writer.writerows(rows)
    return nodes_path, edges_path


def write_graph(G: nx.Graph, out: Path | str, *, format: str) -> list[Path]:
    """Write the graph in one of :data:`EXPORT_FORMATS`.

    ``out`` is the file to write for GraphML, GEXF and Pajek, and a folder for CSV;
    when it is an existing folder, the file is written inside it under the default
    name.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        If the format is unknown.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_graph(nx.Graph([("a", "X")]), tempfile.mkdtemp(), format="gexf")]
    ['city-graph.gexf']
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {format!r}; choose from {', '.join(EXPORT_FORMATS)}"
        )
    target = Path(out)
    if format == "csv":
        return list(write_csv(G, target))
    if target.is_dir():
        target = target / EXPORT_FORMATS[format]
    writer = {"graphml": write_graphml, "gexf": write_gexf, "pajek": write_pajek}[format]
    return [writer(G, target)]
