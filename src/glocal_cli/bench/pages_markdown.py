"""The benchmark's page-load section in Markdown (see :mod:`glocal_cli.bench.pages`):
each page's and search's first request, p50, p95 and p99, the catalogue's build time,
and the page goals' rows of the goals table (resource pages under ten clients are in
the serving section, :mod:`glocal_cli.bench.serving_markdown`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["page_goal_rows", "page_load_tables"]


def _row(name: str, entry: Mapping[str, Any]) -> str:
    warm = entry["warm"]
    return (
        f"| {name} | `{entry['path']}` | {entry['bytes']:,} | {entry['first_ms']:.1f} | "
        f"{warm['p50_ms']:.1f} | {warm['p95_ms']:.1f} | {warm['p99_ms']:.1f} |"
    )


def page_load_tables(graphs: Mapping[str, Any]) -> list[str]:
    """Per graph, the pages and searches as a reader meets them.

    >>> page_load_tables({"g": {}})
    []
    """
    lines: list[str] = []
    for name, graph in graphs.items():
        loads = graph.get("page_loads")
        if not loads:
            continue
        lines += [
            "",
            f"## Page loads and search: {name} graph",
            "",
            f"Catalogue (labels, kinds and facets of every resource) built in "
            f"{loads['catalogue_build_s']:.2f} s in-process, once per data version.",
            "",
            "| page | path | bytes | first ms | p50 ms | p95 ms | p99 ms |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
            *(_row(page, entry) for page, entry in loads["pages"].items()),
            *(_row(f"search “{text}”", entry) for text, entry in loads["searches"].items()),
        ]
    return lines


def page_goal_rows(graphs: Mapping[str, Any], goals: Mapping[str, Any]) -> list[str]:
    """The goals table's rows for the slowest page and the slowest search, one cell per
    graph.

    >>> page_goal_rows({"g": {}}, {"g": {}})[0]
    '| slowest page, p50 | < 300 ms | – n/a |'
    """
    rows = (
        ("slowest page, p50", "page_ms", "< 300 ms"),
        ("slowest search, p50", "search_ms", "< 50 ms"),
    )
    lines = []
    for label, key, target in rows:
        cells = []
        for name in graphs:
            goal = goals.get(name, {}).get(key, {})
            value = goal.get("worst_ms")
            shown = "–" if value is None else f"{value:.1f} ms"
            if goal.get("worst"):
                shown += f" ({goal['worst']})"
            met = goal.get("met")
            cells.append(
                f"{shown} {'n/a' if met is None else ('**met**' if met else '**not met**')}"
            )
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return lines
