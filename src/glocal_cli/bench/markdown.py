"""The bench result as Markdown: what ``bench.md`` holds, one table per measured section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glocal_cli.bench.canned_engines import canned_engine_lines
from glocal_cli.bench.engines import AGGREGATION_QUERY
from glocal_cli.bench.gaps import gap_lines
from glocal_cli.bench.headroom_markdown import headroom_table
from glocal_cli.bench.pages_markdown import page_goal_rows, page_load_tables
from glocal_cli.bench.report_markdown import report_goal, report_tables
from glocal_cli.bench.serving_markdown import serving_tables
from glocal_cli.bench.startup_markdown import startup_tables
from glocal_cli.bench.timing import p50, ratio

__all__ = ["render", "verdict"]


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _pair(section: Mapping[str, Any] | None) -> str:
    if not section or "p50_ms" not in section:
        return "–"
    return f"{_ms(section['p50_ms'])} / {_ms(section['p99_ms'])}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}×"


def _ratio(value: float | None) -> str:
    """A ratio near 1, to two decimals: ``1.07×``."""
    return "–" if value is None else f"{value:.2f}×"


def verdict(value: bool | None) -> str:
    """How a goal's ``met`` reads: **met**, **not met** or n/a.

    >>> verdict(True), verdict(None)
    ('**met**', 'n/a')
    """
    return "n/a" if value is None else ("**met**" if value else "**not met**")


_STEP_LABELS = {
    "inprocess_consume": "in-process, rows read",
    "inprocess_serialize_json": "in-process, serialized as JSON",
    "pool_stream": "through a query worker process (EmbeddedStore.stream)",
    "http_canned": "over HTTP, /queries/{name}, uncached",
    "http_not_modified": "over HTTP, /queries/{name} revalidated: `304` (no thread, no worker)",
    "pool_ask_empty": "`ASK {}` through a query worker process",
    "http_ask_empty": "`ASK {}` over HTTP /sparql, uncached",
}
_DERIVED_LABELS = {
    "json_serialization_ms": "JSON serialization",
    "worker_pool_ms": "worker process hand-off (pickle, pipe, chunks)",
    "http_stack_ms": "HTTP stack (client, uvicorn, middleware, handler, gzip)",
    "http_floor_ms": "… of which its floor: client, uvicorn, middleware, routing, ETag (`304`)",
    "http_thread_and_handler_ms": "… and the rest: handler, resource check, worker I/O, gzip",
    "fixed_pool_ms": "fixed cost of the pool (`ASK {}`)",
    "fixed_http_ms": "fixed cost of HTTP on top of the pool (`ASK {}`)",
}


def _breakdown_lines(breakdown: Mapping[str, Any]) -> list[str]:
    lines = [
        "",
        f"Where the time of `{breakdown['query']}` goes (p50 ms):",
        "",
        "| step | p50 | p99 |",
        "| --- | ---: | ---: |",
    ]
    for key, label in _STEP_LABELS.items():
        step = breakdown["steps"].get(key)
        if step:
            lines.append(f"| {label} | {_ms(step['p50_ms'])} | {_ms(step['p99_ms'])} |")
    lines += ["", "| layer (difference of p50s) | ms |", "| --- | ---: |"]
    for key, label in _DERIVED_LABELS.items():
        if key in breakdown["derived_p50_ms"]:
            lines.append(f"| {label} | {breakdown['derived_p50_ms'][key]:+.2f} |")
    return lines


def render(result: Mapping[str, Any]) -> str:
    """The bench result as Markdown tables (what ``bench.md`` holds).

    >>> text = render({"meta": {"mode": "quick"}, "notes": [], "graphs": {}, "goals": {}})
    >>> text.startswith("# glocal benchmark")
    True
    """
    meta: Mapping[str, Any] = result.get("meta", {})
    graphs: Mapping[str, Any] = result.get("graphs", {})
    goals: Mapping[str, Any] = result.get("goals", {})
    lines = [
        *_heading(meta),
        *_goals_table(graphs, goals),
        *report_goal(result),
        *gap_lines(result),
        *_load_table(graphs),
        *startup_tables(result),
        *_canned_tables(graphs),
        *canned_engine_lines(graphs),  # with the steps of the queries slower than Virtuoso
        *page_load_tables(graphs),
        *_throughput_table(graphs),
        *headroom_table(graphs),
        *serving_tables(result),
        *_aggregation_table(graphs),
        *report_tables(result),
        *_notes(result, meta),
    ]
    return "\n".join(lines)


def _heading(meta: Mapping[str, Any]) -> list[str]:
    """The title, the run's conditions and the synthetic graph."""
    lines: list[str] = [
        "# glocal benchmark",
        "",
        f"Mode **{meta.get('mode')}**, started {meta.get('started', '?')}, "
        f"{meta.get('duration_s', 0):.0f} s; {meta.get('cpus', '?')} CPUs, "
        f"Python {meta.get('python', '?')}, pyoxigraph {meta.get('pyoxigraph', '?')}.",
        "Times are milliseconds, shown as p50 / p99; every ratio is of numbers measured in "
        "this run.",
        "",
    ]
    share = meta.get("other_processes_cpu_share")
    if share is not None:
        warning = " **The machine was not idle: timings are disturbed.**" if share > 0.05 else ""
        lines += [
            f"Other processes used {share:.1%} of the machine's CPU time during the run.{warning}",
            "",
        ]
    if synthetic := meta.get("synthetic"):
        lines += [
            f"Synthetic graph: the curated files plus {synthetic['cities']:,} cities and "
            f"{synthetic['networks']:,} networks from {synthetic['generator']} "
            f"({synthetic['file_bytes'] / 1e6:.1f} MB of N-Quads, written in "
            f"{synthetic['seconds']:.1f} s).",
            "",
        ]
    return lines


def _goals_table(graphs: Mapping[str, Any], goals: Mapping[str, Any]) -> list[str]:
    """Each goal per graph, met or not."""
    lines: list[str] = ["## Goals", "", "| goal | target | " + " | ".join(graphs) + " |"]
    lines.append("| --- | --- |" + " --- |" * len(graphs))
    rows = [
        ("HTTP p50 − in-process p50 (median over canned queries)", "http_overhead_ms", "≤ 2 ms"),
        (
            "HTTP p50 ÷ in-process p50 (median over canned queries; the synthetic graph's); "
            "a query under 20 ms may add the 2 ms of the absolute target instead",
            "http_over_inprocess",
            "≤ 1.10× or ≤ +2 ms",
        ),
        ("cached repeat, server time p50 (worst canned query)", "cached_server_ms", "< 1 ms"),
        (
            "network-size aggregation, rdflib-endpoint ÷ glocal (HTTP p50)",
            "rdflib_speedup",
            "≥ 40×",
        ),
    ]
    for label, key, target in rows:
        cells = []
        for name in graphs:
            goal = goals.get(name, {}).get(key, {})
            if key == "rdflib_speedup":
                value = _times(goal.get("ratio"))
            elif key == "http_over_inprocess":
                value = (
                    f"{_ratio(goal.get('median'))} ({goal.get('queries_meeting')}/"
                    f"{goal.get('queries')} queries ≤ 1.10× or ≤ +2 ms)"
                )
            elif key == "http_overhead_ms":
                value = (
                    f"{_ms(goal.get('median_ms'))} ms ({goal.get('queries_meeting')}/"
                    f"{goal.get('queries')} queries ≤ 2 ms)"
                )
            else:
                value = (
                    f"{_ms(goal.get('max_ms'))} ms ({goal.get('queries_meeting')}/"
                    f"{goal.get('queries')} queries < 1 ms)"
                )
            cells.append(f"{value} {verdict(goal.get('met'))}")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return lines + page_goal_rows(graphs, goals)


def _load_table(graphs: Mapping[str, Any]) -> list[str]:
    """Load and validation times per graph."""
    lines: list[str] = ["", "## Load and validation", ""]
    lines.append(
        "| graph | quads | parse s | build store s | load total s | quads/s | reopen s | "
        "validation s | validated quads | conforms |"
    )
    lines.append("| --- |" + " ---: |" * 8 + " --- |")
    for name, graph in graphs.items():
        load = graph.get("load", {})
        # The native engine's run on the whole graph (both engines: see below).
        by_engine = graph.get("validation", {})
        validation = by_engine.get("native") or by_engine.get("full") or by_engine
        lines.append(
            f"| {name} | {graph.get('quads', 0):,} | {load.get('parse_s', 0):.2f} | "
            f"{load.get('build_s', 0):.2f} | {load.get('total_s', 0):.2f} | "
            f"{load.get('quads_per_s', 0):,.0f} | {load.get('reopen_s', 0):.3f} | "
            + (
                f"{validation['seconds']:.1f} | {validation['quads']:,} | "
                f"{validation['conforms']} |"
                if "seconds" in validation
                else f"– | – | {validation.get('skipped', '–')} |"
            )
        )
    for name, graph in graphs.items():
        if note := graph.get("validation", {}).get("note"):
            lines.append(f"\n{name}: {note}.")
    return lines


def _canned_tables(graphs: Mapping[str, Any]) -> list[str]:
    """Per graph, the latency of each canned query and the overhead breakdown."""
    lines: list[str] = []
    for name, graph in graphs.items():
        queries = graph.get("queries", {})
        if not queries:
            continue
        lines += [
            "",
            f"## Canned queries: {name} graph",
            "",
            "| query | rows | in-process, rows read | in-process, serialized | /queries/{name} | "
            "/sparql | HTTP − in-process p50 | HTTP ÷ in-process | cached: server | "
            "cached: client |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for query, entry in queries.items():
            cached = entry.get("cached", {})
            server = _pair(cached.get("server")) if "server" in cached else "not cached"
            client = _pair(cached.get("client")) if "client" in cached else "–"
            hits = cached.get("hits")
            if hits is not None and hits != cached.get("requests"):
                server += f" ({hits}/{cached.get('requests')} hits)"
            mark = " ⁽ˢ⁾" if "note" in entry else ""
            lines.append(
                f"| {query}{mark} | {entry['rows']:,} | {_pair(entry['inprocess'])} | "
                f"{_pair(entry.get('inprocess_serialized'))} | "
                f"{_pair(entry['http_canned'])} | {_pair(entry['http_sparql'])} | "
                f"{entry['http_minus_inprocess_ms']:+.2f} | "
                f"{_ratio(entry.get('http_over_inprocess'))} | {server} | {client} |"
            )
        lines.append(
            "\nThe overhead compares `/queries/{name}` (httpx's time from sending the request "
            "to holding the whole body, so the client's own work counts) with the same answer "
            "serialized in the same format in-process; the two are timed in turns, each turn "
            "after a warm-up run, so that both see the same machine load. Timings started "
            f"after both servers' background warm-up ({graph.get('warm_up_s', 0):.1f} s)."
        )
        if any("note" in e for e in queries.values()):
            lines.append(
                "\n⁽ˢ⁾ slow query: its first in-process run is its one in-process sample; "
                "one sample over `/queries/{name}`, `/sparql` skipped."
            )
        if breakdown := graph.get("overhead_breakdown"):
            lines += _breakdown_lines(breakdown)
        if pages := graph.get("pages"):
            lines += _page_lines(pages)
    return lines


def _page_lines(pages: Mapping[str, Any]) -> list[str]:
    """The site's pages: first request, warm p50, and the ratio to ``ASK {}`` over HTTP."""
    lines = [
        "",
        "Site pages (targets: page < 300 ms, search < 50 ms):",
        "",
        "| page | bytes | first request | warm p50 / p99 | × ASK {} over HTTP |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for path, entry in pages.items():
        if path == "ask_empty":
            continue
        lines.append(
            f"| `{path}` | {entry['bytes']:,} | {entry['first_ms']:.1f} ms | "
            f"{_pair(entry['warm'])} | {_times(entry['over_ask_empty'])} |"
        )
    return lines


def _throughput_table(graphs: Mapping[str, Any]) -> list[str]:
    """Requests per second of each mode and client count."""
    lines: list[str] = [
        "",
        "## Throughput (mix of canned queries, round robin)",
        "",
        "| graph | mode | clients | requests | errors | seconds | requests/s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, graph in graphs.items():
        for run in graph.get("throughput", {}).get("runs", []):
            lines.append(
                f"| {name} | {run['mode']} | {run['clients']} | {run['requests']:,} | "
                f"{run['errors']} | {run['seconds']:.1f} | {run['requests_per_s']:,.0f} |"
            )
    for name, graph in graphs.items():
        mix = graph.get("throughput", {}).get("mix")
        if mix is not None:
            lines.append(f"\n{name} mix: {len(mix)} queries ({', '.join(mix)}).")
    return lines


def _aggregation_table(graphs: Mapping[str, Any]) -> list[str]:
    """The aggregation on every engine, and why answers differ."""
    lines: list[str] = [
        "",
        "## Network-size aggregation",
        "",
        f"`{AGGREGATION_QUERY}`",
        "",
        "| engine | " + " | ".join(f"{n}: p50 / p99 | {n}: ÷ glocal HTTP" for n in graphs) + " |",
        "| --- |" + " ---: | ---: |" * len(graphs),
    ]
    engine_labels = {
        "glocal_inprocess": "glocal in-process (EmbeddedStore.query)",
        "glocal_http": "glocal HTTP /sparql (uncached)",
        "virtuoso_remote_store": "Virtuoso via RemoteStore",
        "virtuoso_http": "Virtuoso HTTP /sparql",
        "rdflib_endpoint_http": "rdflib-endpoint 0.6.3 HTTP /sparql",
    }
    for key, label in engine_labels.items():
        cells = []
        for graph in graphs.values():
            engines = graph.get("aggregation", {}).get("engines", {})
            engine = engines.get(key, {})
            if "skipped" in engine:
                cells += [f"skipped ({engine['skipped']})", "–"]
                continue
            speed = ratio(p50(engine), p50(engines.get("glocal_http")))
            same = ""
            if not engine.get("same_answer", True):
                same = (
                    f" (counts differ for {engine['counts_differ']} networks)"
                    if engine.get("same_networks")
                    else " (answer differs)"
                )
            cells += [_pair(engine) + same, _times(speed)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    extras = []
    for name, graph in graphs.items():
        engines = graph.get("aggregation", {}).get("engines", {})
        if "load_s" in engines.get("virtuoso_remote_store", {}):
            extras.append(
                f"{name}: Virtuoso load through RemoteStore "
                f"{engines['virtuoso_remote_store']['load_s']:.1f} s"
            )
        if "startup_s" in engines.get("rdflib_endpoint_http", {}):
            extras.append(
                f"{name}: rdflib-endpoint start-up (parse + service description) "
                f"{engines['rdflib_endpoint_http']['startup_s']:.1f} s"
            )
    if extras:
        lines += ["", "; ".join(extras) + "."]
    engine_notes = {
        engine["note"]
        for graph in graphs.values()
        for engine in graph.get("aggregation", {}).get("engines", {}).values()
        if engine.get("note") and not engine.get("same_answer", True)
    }
    lines += [f"\nWhy answers differ: {note}." for note in sorted(engine_notes)]
    return lines


def _notes(result: Mapping[str, Any], meta: Mapping[str, Any]) -> list[str]:
    """The run's notes and how the numbers were measured."""
    lines = ["", "## Notes", ""]
    lines += [f"- {note}" for note in result.get("notes", [])]
    lines += [
        "- In-process: `EmbeddedStore.query`, every row read. HTTP: a uvicorn server "
        "(`create_app`) in its own process on 127.0.0.1, query workers "
        f"{meta.get('options', {}).get('workers', '?')}, httpx client with keep-alive, JSON "
        "results read whole. `/queries/{name}` runs on a server with the result cache off; "
        "`/sparql` gets a unique trailing comment per request.",
        "- Cached: repeats of `/queries/{name}` on a second server with the cache on; "
        "server time is the `Server-Timing` header the bench's ASGI wrapper adds (request "
        "to response headers, the whole app included).",
        "- Loads under concurrent clients (throughput, headroom, serving): wrk in its own "
        "process, one thread per connection, each connection waiting for its answer, "
        f"{max(1, round(meta.get('options', {}).get('throughput_s', 1)))} s per run.",
        "- p99 of few samples is close to the maximum.",
        "",
    ]
    return lines
