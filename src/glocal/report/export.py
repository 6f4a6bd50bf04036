"""Write the city graph for other tools: GraphML, GEXF (Gephi) or CSV tables.

The graph is the bipartite graph of :func:`glocal.analysis.ties.city_graph`; node
attributes (``kind``, ``label``, ``iri``, ``bipartite``) and edge attributes
(``weight``, ``layer``, ``relations``) are written as they are.
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

__all__ = ["EXPORT_FORMATS", "write_csv", "write_gexf", "write_graph", "write_graphml"]

#: Format name to the file (or, for CSV, folder) it writes.
EXPORT_FORMATS: dict[str, str] = {
    "graphml": "city-graph.graphml",
    "gexf": "city-graph.gexf",
    "csv": "city-graph-csv",
}

NODE_COLUMNS = ("id", "kind", "label", "iri", "bipartite", "degree")
EDGE_COLUMNS = ("source", "target", "weight", "layer", "relations")


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

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph([("a", "X")])
    >>> out = write_gexf(G, Path(tempfile.mkdtemp()) / "g.gexf")
    >>> sorted(nx.read_gexf(out).nodes())
    ['X', 'a']
    """
    target = Path(path)
    nx.write_gexf(G, target)
    return target


def write_csv(G: nx.Graph, folder: Path | str) -> tuple[Path, Path]:
    """Write ``nodes.csv`` (one row per node) and ``edges.csv`` (an edge list).

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
    >>> G.add_edge("a", "X", weight=1.0, layer="organisations", relations="Member")
    >>> nodes, edges = write_csv(G, tempfile.mkdtemp())
    >>> edges.read_text().splitlines()[1]
    'a,X,1.0,organisations,Member'
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    nodes_path, edges_path = out / "nodes.csv", out / "edges.csv"
    with nodes_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(NODE_COLUMNS)
        for node, data in G.nodes(data=True):
            writer.writerow(
                [
                    node,
                    data.get("kind", ""),
                    data.get("label", ""),
                    data.get("iri", node),
                    data.get("bipartite", ""),
                    G.degree(node),
                ]
            )
    with edges_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(EDGE_COLUMNS)
        for u, v, data in G.edges(data=True):
            # Cities first, so the edge list reads city -> what ties it.
            if G.nodes[v].get("bipartite") == 0 and G.nodes[u].get("bipartite") != 0:
                u, v = v, u
            writer.writerow(
                [u, v, data.get("weight", 1.0), data.get("layer", ""), data.get("relations", "")]
            )
    return nodes_path, edges_path


def write_graph(G: nx.Graph, out: Path | str, *, format: str) -> list[Path]:
    """Write the graph in one of :data:`EXPORT_FORMATS`.

    ``out`` is the file to write for GraphML and GEXF, and a folder for CSV; when it
    is an existing folder, the file is written inside it under the default name.

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
    writer = write_graphml if format == "graphml" else write_gexf
    return [writer(G, target)]
