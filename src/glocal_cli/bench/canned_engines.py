"""The canned queries on Virtuoso next to glocal: per query, glocal's p50 in-process and
over HTTP (from :func:`~glocal_cli.bench.latency.canned_latency`), Virtuoso's through
:class:`~glocal.store.remote.RemoteStore` on the same graph, and their ratio.

A query meets the scale goals when glocal answers it in at most :data:`LIMIT_MS`
in-process and no slower than Virtuoso; :func:`canned_engine_lines` lists which do.
Virtuoso stops each query at :data:`QUERY_LIMIT_S`, glocal's own default time limit,
and the table shows a query it stopped as a ``QueryTimeout`` naming the limit.
A query that pages by default is timed on its first page, as it is served, and the
table marks it with why it pages.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from glocal.canned import load_queries
from glocal.store import QueryFailed, QuerySyntaxError, QueryTimeout, StoreUnavailable
from glocal.store.remote import RemoteStore
from glocal_api.settings import Settings
from glocal_cli.bench.latency import default_page
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.query_steps import step_lines
from glocal_cli.bench.timing import consume, p50, ratio, sample, say, timing_summary

__all__ = ["LIMIT_MS", "QUERY_LIMIT_S", "canned_engine_lines", "canned_on_virtuoso", "scale_goals"]

#: The most a canned query may take in-process at 546k quads (the issue's target).
LIMIT_MS = 200.0
#: Seconds each canned query may run on Virtuoso: the limit ``glocal serve`` puts on a
#: query by default, so that both engines get the same one. The store is opened with a
#: longer limit, for loading the graph.
QUERY_LIMIT_S = Settings().timeout


def canned_on_virtuoso(
    remote: RemoteStore, glocal: Mapping[str, Any], options: BenchOptions
) -> dict[str, Any]:
    """Time every canned query (defaults bound) on Virtuoso, beside glocal's timings.

    Parameters
    ----------
    remote
        Virtuoso holding the same graph.
    glocal
        What :func:`~glocal_cli.bench.latency.canned_latency` measured, by query name.
    options
        Repetitions and budget; a query slower than ``options.slow_query_s`` on its
        first run keeps that run as its one sample, as on glocal.

    Each query is stopped at :data:`QUERY_LIMIT_S` seconds, whatever the store's own
    ``timeout``.

    Returns
    -------
    dict
        Per query: glocal's and Virtuoso's p50 and rows, ``virtuoso_over_glocal`` (the
        ratio of in-process p50s: above 1 means glocal is faster), ``within_limit`` and
        ``no_slower``; a query Virtuoso refuses, fails or stops at the limit gets
        ``error`` instead.
    """
    results: dict[str, Any] = {}
    for name, canned in load_queries().items():
        ours = glocal.get(name)
        if ours is None:
            continue
        sparql = default_page(canned)
        entry: dict[str, Any] = {
            "glocal_rows": ours["rows"],
            **({"pages": ours["pages"]} if "pages" in ours else {}),
            "glocal_inprocess_p50_ms": p50(ours["inprocess"]),
            "glocal_http_p50_ms": p50(ours["http_canned"]),
        }
        rows: list[int] = []
        try:
            started = time.perf_counter()
            rows.append(consume(remote.query(sparql, timeout=QUERY_LIMIT_S)))
            first_s = time.perf_counter() - started
            if first_s > options.slow_query_s:
                samples = [first_s]
            else:

                def run(text: str = sparql, rows: list[int] = rows) -> None:
                    rows.append(consume(remote.query(text, timeout=QUERY_LIMIT_S)))

                samples = sample(
                    run,
                    reps=options.reps,
                    budget=options.budget_s,
                    min_reps=1 if first_s * options.min_reps > options.budget_s else 3,
                    warmup=0,
                )
        except (QueryFailed, QuerySyntaxError, QueryTimeout, StoreUnavailable) as err:
            entry["error"] = f"{type(err).__name__}: {str(err)[:200]}"
            results[name] = entry
            say(f"virtuoso: {name}: {entry['error']}")
            continue
        entry["virtuoso"] = timing_summary(samples)
        entry["virtuoso_rows"] = rows[-1]
        entry["virtuoso_over_glocal"] = ratio(
            entry["virtuoso"]["p50_ms"], entry["glocal_inprocess_p50_ms"]
        )
        entry["within_limit"] = entry["glocal_inprocess_p50_ms"] <= LIMIT_MS
        entry["no_slower"] = entry["glocal_inprocess_p50_ms"] <= entry["virtuoso"]["p50_ms"]
        results[name] = entry
        say(
            f"virtuoso: {name}: p50 {entry['virtuoso']['p50_ms']:.2f} ms, glocal "
            f"{entry['glocal_inprocess_p50_ms']:.2f} ms"
        )
    return results


def scale_goals(canned: Mapping[str, Any]) -> dict[str, list[str]]:
    """Which canned queries meet each scale goal, and which do not.

    >>> scale_goals({"a": {"within_limit": True, "no_slower": False}, "b": {"error": "x"}})
    {'met': [], 'slower_than_virtuoso': ['a'], 'over_limit': [], 'failed_on_virtuoso': ['b']}
    """
    goals: dict[str, list[str]] = {
        "met": [],
        "slower_than_virtuoso": [],
        "over_limit": [],
        "failed_on_virtuoso": [],
    }
    for name, entry in canned.items():
        if "error" in entry:
            goals["failed_on_virtuoso"].append(name)
            continue
        if entry["within_limit"] and entry["no_slower"]:
            goals["met"].append(name)
        if not entry["no_slower"]:
            goals["slower_than_virtuoso"].append(name)
        if not entry["within_limit"]:
            goals["over_limit"].append(name)
    return goals


def canned_engine_lines(graphs: Mapping[str, Any]) -> list[str]:
    """Per graph with Virtuoso timings: the goals met, then one row per canned query;
    then the steps of the profiled queries (:func:`~glocal_cli.bench.query_steps.step_lines`).

    >>> lines = canned_engine_lines({"g": {"aggregation": {"canned": {"q": {
    ...     "glocal_rows": 2, "glocal_inprocess_p50_ms": 1.0, "glocal_http_p50_ms": 2.0,
    ...     "virtuoso": {"p50_ms": 3.0}, "virtuoso_rows": 2, "virtuoso_over_glocal": 3.0,
    ...     "within_limit": True, "no_slower": True}}}}})
    >>> lines[4]
    'Met (≤ 200 ms in-process and no slower than Virtuoso): 1 of 1: q.'
    >>> lines[-1]
    '| q | 2 / 2 | 1.00 | 2.00 | 3.00 | 3.0× | yes | yes |'
    """
    lines: list[str] = []
    for name, graph in graphs.items():
        canned: Mapping[str, Any] = graph.get("aggregation", {}).get("canned", {})
        if not canned:
            continue
        goals = scale_goals(canned)
        lines += [
            "",
            f"## Canned queries on glocal and Virtuoso: {name} graph",
            "",
            "Goals per query at this size:",
            f"Met (≤ {LIMIT_MS:g} ms in-process and no slower than Virtuoso): "
            f"{len(goals['met'])} of {len(canned)}: {', '.join(goals['met']) or 'none'}.",
            f"Over {LIMIT_MS:g} ms: {', '.join(goals['over_limit']) or 'none'}. "
            f"Slower than Virtuoso: {', '.join(goals['slower_than_virtuoso']) or 'none'}. "
            f"Failed on Virtuoso: {', '.join(goals['failed_on_virtuoso']) or 'none'}.",
            *_paging_lines(canned),
            "",
            "| query | rows glocal / Virtuoso | glocal in-process p50 | glocal HTTP p50 | "
            "Virtuoso p50 | Virtuoso ÷ glocal | ≤ 200 ms | no slower |",
            "| --- | ---: | ---: | ---: | ---: | ---: | :---: | :---: |",
        ]
        for name_, entry in canned.items():
            query = f"{name_} (pages)" if "pages" in entry else name_
            if "error" in entry:
                lines.append(
                    f"| {query} | {entry['glocal_rows']} / – | "
                    f"{entry['glocal_inprocess_p50_ms']:.2f} | {entry['glocal_http_p50_ms']:.2f} "
                    f"| {entry['error']} | – | – | – |"
                )
                continue
            lines.append(
                f"| {query} | {entry['glocal_rows']} / {entry['virtuoso_rows']} | "
                f"{entry['glocal_inprocess_p50_ms']:.2f} | {entry['glocal_http_p50_ms']:.2f} | "
                f"{entry['virtuoso']['p50_ms']:.2f} | {entry['virtuoso_over_glocal']:.1f}× | "
                f"{_yes(entry['within_limit'])} | {_yes(entry['no_slower'])} |"
            )
    return lines + step_lines(graphs)


def _paging_lines(canned: Mapping[str, Any]) -> list[str]:
    """A note on the queries that page: their timings are the first page's.

    >>> _paging_lines({"q": {"pages": "one row per pair"}, "r": {}})[0].split(": ")[-1]
    'q (one row per pair).'
    """
    paged = [f"{name} ({entry['pages']})" for name, entry in canned.items() if "pages" in entry]
    if not paged:
        return []
    return [
        "Paged by default, so timed on the first page, as served; each says why it pages "
        f"and what a page costs: {'; '.join(paged)}."
    ]


def _yes(value: bool) -> str:
    return "yes" if value else "**no**"
