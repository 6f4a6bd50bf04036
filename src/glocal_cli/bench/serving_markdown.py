"""``bench.md``'s serving section: ``glocal serve``'s default against one h11 process
(see :mod:`glocal_cli.bench.serving`), with its goals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["serving_tables"]


def _met(goal: Mapping[str, Any]) -> str:
    return {True: "met", False: "**not met**", None: "–"}[goal.get("met")]


def _run(run: Mapping[str, Any]) -> str:
    cpu = run.get("cpu_ms_per_request")
    return (
        f"{run['requests_per_s']:,.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | "
        f"{run['errors']} | {'–' if cpu is None else f'{cpu:.2f}'}"
    )


def serving_tables(result: Mapping[str, Any]) -> list[str]:
    """The section, or nothing for a result without it.

    >>> serving_tables({"graphs": {}})
    []
    """
    lines: list[str] = []
    goals = result.get("goals", {}).get("run", {})
    for name, graph in result.get("graphs", {}).items():
        serving = graph.get("serving")
        if not serving or "loads" not in serving:
            continue
        configs = serving["configurations"]
        default = configs["default"]
        load = serving["load_average"]
        lines += [
            "",
            f"## Serving ({name}, uncached mix): default against one h11 process",
            "",
            f"Default: {default['http_processes']} HTTP processes, {default['protocol']} on "
            f"{default['loop']}; baseline: 1 process, h11 on asyncio. Load average "
            f"{load['start']:.1f} at the start, {load['end']:.1f} at the end.",
            "",
            "| clients | config | requests/s | p50 ms | p99 ms | errors | CPU ms/request | "
            "default ÷ baseline |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for entry in serving["loads"]:
            ratio = entry.get("ratio")
            lines += [
                f"| {entry['clients']} | baseline | {_run(entry['baseline'])} | |",
                f"| {entry['clients']} | default | {_run(entry['default'])} | "
                f"{'–' if ratio is None else f'{ratio:.2f}×'} |",
            ]
        pages = serving["pages"]
        lines += [
            "",
            f"Resource pages ({pages['paths']} `/id/city/...` pages as HTML, "
            f"{pages['clients']} clients):",
            "",
            "| config | requests/s | p50 ms | p99 ms | errors | CPU ms/request |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| baseline | {_run(pages['baseline'])} |",
            f"| default | {_run(pages['default'])} |",
            "",
            f"Goals: default ÷ baseline ≥ 1.7× at every client count: "
            f"{_met(goals.get('serving_speedup', {}))}; p99 at 50 clients ≤ 250 ms: "
            f"{_met(goals.get('serving_p99_50_ms', {}))}; page p50 at 10 clients ≤ 20 ms: "
            f"{_met(goals.get('page_p50_10_ms', {}))}.",
        ]
    return lines
