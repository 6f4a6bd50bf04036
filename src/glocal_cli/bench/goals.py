"""The bench's targets and whether a run met them, checked from its own measurements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glocal_cli.bench.timing import percentile

__all__ = ["GOALS", "check_goals"]

#: The targets the report checks: HTTP overhead over in-process (p50, ms), server time
#: of a cached repeat (p50, ms), and glocal's speed over rdflib-endpoint (times).
GOALS: dict[str, float] = {
    "http_overhead_ms": 2.0,
    "cached_server_ms": 1.0,
    "rdflib_speedup": 40.0,
}


def check_goals(graphs: Mapping[str, Any]) -> dict[str, Any]:
    """Check each goal per graph from the measured numbers.

    >>> check_goals({"g": {}})["g"]["rdflib_speedup"]
    {'target': '>= 40x', 'ratio': None, 'met': None}
    """
    goals: dict[str, Any] = {}
    for name, graph in graphs.items():
        queries = graph.get("queries", {})
        overheads = {q: e["http_minus_inprocess_ms"] for q, e in queries.items()}
        server = {
            q: e["cached"]["server"]["p50_ms"]
            for q, e in queries.items()
            if "server" in e.get("cached", {})
        }
        ratio = (
            graph.get("aggregation", {}).get("ratios", {}).get("rdflib_endpoint_over_glocal_http")
        )
        median_overhead = percentile(list(overheads.values()), 50) if overheads else None
        goals[name] = {
            "http_overhead_ms": {
                "target": f"<= {GOALS['http_overhead_ms']:g} ms",
                "median_ms": median_overhead,
                "max_ms": max(overheads.values()) if overheads else None,
                "queries_meeting": sum(v <= GOALS["http_overhead_ms"] for v in overheads.values()),
                "queries": len(overheads),
                "met": median_overhead is not None and median_overhead <= GOALS["http_overhead_ms"],
            },
            "cached_server_ms": {
                "target": f"< {GOALS['cached_server_ms']:g} ms",
                "median_ms": percentile(list(server.values()), 50) if server else None,
                "max_ms": max(server.values()) if server else None,
                "queries_meeting": sum(v < GOALS["cached_server_ms"] for v in server.values()),
                "queries": len(server),
                "met": bool(server) and max(server.values()) < GOALS["cached_server_ms"],
            },
            "rdflib_speedup": {
                "target": f">= {GOALS['rdflib_speedup']:g}x",
                "ratio": ratio,
                "met": None if ratio is None else ratio >= GOALS["rdflib_speedup"],
            },
        }
    return goals
