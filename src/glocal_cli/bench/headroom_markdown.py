"""The benchmark's headroom section in Markdown: load by client count, ``ASK {}`` under
runaways, and the peak memory of the server's process tree (see
:mod:`glocal_cli.bench.headroom`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["headroom_table"]


def headroom_table(graphs: Mapping[str, Any]) -> list[str]:
    """Load held by client count, ``ASK {}`` under runaways, and peak memory."""
    lines: list[str] = []
    for name, graph in graphs.items():
        room = graph.get("headroom")
        if not room or "loads" not in room:
            continue
        ask = room["ask_under_runaways"]
        lines += [
            "",
            f"## Headroom ({name}, uncached)",
            "",
            "| clients | requests/s | p50 ms | p99 ms | errors |",
            "| ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {r['clients']} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} | "
                f"{r['p99_ms']:.1f} | {r['errors']} |"
                for r in room["loads"]
            ),
            "",
            f"`ASK {{}}` under {ask['runaways']} runaway queries: p50 {ask['p50_ms']:.1f} ms, "
            f"max {ask['max_ms']:.1f} ms over {ask['asks']} asks ({ask['errors']} errors). "
            f"Peak resident memory of the server's process tree: {room['peak_rss_mb']:.0f} MB.",
        ]
    return lines
