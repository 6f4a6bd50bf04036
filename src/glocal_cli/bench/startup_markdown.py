"""``bench.md``'s sections on waiting before work: validation by engine, the import,
and cold and warm starts, each next to its target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["startup_tables"]


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _met(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "–"}[met]


def startup_tables(result: Mapping[str, Any]) -> list[str]:
    """The tables, or nothing for a result without these measurements.

    >>> startup_tables({})
    []
    >>> startup_tables({"import": {"seconds": 1.0, "peak_tree_mb": 200.0, "rows": 5000}})[0]
    ''
    """
    lines: list[str] = []
    validation = _validation(result.get("graphs", {}))
    if validation:
        lines += ["", "## Validation by engine", "", *validation]
    goals = result.get("goals", {}).get("run", {})
    if "import" in result:
        imported = result["import"]
        goal = goals.get("import_s", {}), goals.get("import_mb", {})
        lines += [
            "",
            "## Import",
            "",
            f"`glocal import memberships` of {imported.get('rows', 0):,} rows: "
            f"{_s(imported.get('seconds'))} s ({_met(goal[0].get('met'))}, target ≤ 5 s), "
            f"peak memory of the process tree {imported.get('peak_tree_mb', 0):.0f} MB "
            f"({_met(goal[1].get('met'))}, target ≤ 300 MB).",
        ]
    starts = result.get("starts", {})
    if starts:
        lines += ["", "## Start-up (glocal serve, to its first answer)", ""]
        lines += ["| graph | start | seconds | peak tree MB | tree MB at rest |"]
        lines += ["| --- | --- | ---: | ---: | ---: |"]
        for name, graph in starts.items():
            for kind in ("cold", "warm"):
                start = graph.get(kind, {})
                lines.append(
                    f"| {name} | {kind} | {_s(start.get('seconds_to_first_answer'))} | "
                    f"{start.get('peak_tree_mb', 0):.0f} | {start.get('tree_mb_at_rest', 0):.0f} |"
                )
        cold = goals.get("cold_start_s", {})
        lines.append(f"\nCold start of the curated graph: {_met(cold.get('met'))} (target ≤ 3 s).")
    return lines


def _validation(graphs: Mapping[str, Any]) -> list[str]:
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for name, graph in graphs.items():
        validation = graph.get("validation", {})
        for key in ("native", "pyshacl", "full"):
            if key in validation:
                rows.append((name, validation[key]))
        smaller = validation.get("smaller", {})
        rows += [(name, smaller[key]) for key in ("native", "pyshacl") if key in smaller]
    if not rows:
        return []
    lines = ["| graph | validated | engine | quads | seconds | quads/s | conforms | violations |"]
    lines.append("| --- | --- | --- | ---: | ---: | ---: | --- | ---: |")
    for name, run in rows:
        lines.append(
            f"| {name} | {run['graph']} | {run['engine']} | {run['quads']:,} | "
            f"{run['seconds']:.2f} | {run['quads_per_s']:,.0f} | {run['conforms']} | "
            f"{run['violations']} |"
        )
    return lines
