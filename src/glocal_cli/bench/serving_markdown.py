"""``bench.md``'s serving section: ``glocal serve``'s default against one h11 process and
against Virtuoso (see :mod:`glocal_cli.bench.serving`), each goal beside its measure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["serving_tables"]


def _met(goal: Mapping[str, Any]) -> str:
    return {True: "met", False: "**not met**", None: "–"}[goal.get("met")]


def _number(value: float | None, form: str = ".1f") -> str:
    return "–" if value is None else format(value, form)


def _run(run: Mapping[str, Any]) -> str:
    """A load test's cells: requests/s, p50, p99, errors, and CPU per request (the query
    workers' part in brackets, where there are query workers).

    >>> _run({"requests_per_s": 120.0, "p50_ms": 5.0, "p99_ms": 9.0, "errors": 0,
    ...       "cpu_ms_per_request": 7.0, "worker_cpu_ms_per_request": 5.0})
    '120 | 5.0 | 9.0 | 0 | 7.00 (5.00)'
    """
    workers = run.get("worker_cpu_ms_per_request")
    return (
        f"{run['requests_per_s']:,.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | "
        f"{run['errors']} | {_number(run.get('cpu_ms_per_request'), '.2f')}"
        + (f" ({workers:.2f})" if workers else "")
    )


def _bounds(serving: Mapping[str, Any]) -> str:
    """What the measured CPU per request allows, so that a missed goal says why.

    >>> _bounds({"cores": 2, "loads": [{"clients": 50, "ceiling": 1.05, "default": {
    ...     "cpu_ms_per_request": 8.0, "worker_cpu_ms_per_request": 6.0}}]})[:69]
    'At 50 clients the query workers spent 6.00 of the default’s 8.00 CPU '
    """
    at_50 = next((load for load in serving["loads"] if load["clients"] == 50), None)
    if at_50 is None or not at_50["default"].get("cpu_ms_per_request"):
        return ""
    cpu = at_50["default"]["cpu_ms_per_request"]
    workers = at_50["default"].get("worker_cpu_ms_per_request") or 0.0
    cores = serving.get("cores", 2)
    ceiling = at_50.get("ceiling")
    return (
        f"At 50 clients the query workers spent {workers:.2f} of the default’s {cpu:.2f} CPU "
        "ms per request, in worker processes that run in parallel in both configurations: "
        "more HTTP processes can only spread the rest. From CPU per request alone, on "
        f"{cores} idle cores the default can serve at most "
        f"{'–' if ceiling is None else f'{ceiling:.2f}×'} the baseline (bound by one core "
        "for its one HTTP process's work, or by every core for all its work, whichever "
        "is lower); on a shared machine, more processes also take a larger share of the "
        "CPU from other programs, which can carry a measured ratio past it. Each "
        "connection waits for its answer, so the mean latency is clients ÷ requests/s "
        "(Little's law): p99 ≤ 250 ms at 50 clients needs well over 200 requests/s, and "
        f"{cpu:.2f} CPU ms per request allow at most {cores * 1000 / cpu:,.0f} on "
        f"{cores} idle cores."
    )


def _goal_rows(serving: Mapping[str, Any], goals: Mapping[str, Any]) -> list[str]:
    """Each serving goal: target, the default's measure, the baseline's, met or not.

    >>> _goal_rows({"loads": [], "pages": {}}, {})[2]
    '| default ÷ baseline requests/s, every client count (lowest) | ≥ 1.7× | – | 1× | – |'
    """
    loads = serving["loads"]
    at_50 = next((load for load in loads if load["clients"] == 50), None)
    pages = serving["pages"]

    def value(run: Mapping[str, Any] | None, key: str) -> str:
        return "–" if run is None else f"{run[key]:.1f} ms"

    speedup = goals.get("serving_speedup", {})
    return [
        "| goal | target | default | baseline | |",
        "| --- | --- | ---: | ---: | --- |",
        "| default ÷ baseline requests/s, every client count (lowest) | ≥ 1.7× | "
        f"{_number(speedup.get('measured'), '.2f')}{'×' * (speedup.get('measured') is not None)}"
        f" | 1× | {_met(speedup)} |",
        f"| p99 of the mix at 50 clients | ≤ 250 ms | "
        f"{value(at_50 and at_50['default'], 'p99_ms')} | "
        f"{value(at_50 and at_50['baseline'], 'p99_ms')} | "
        f"{_met(goals.get('serving_p99_50_ms', {}))} |",
        f"| resource pages' p50 at {pages.get('clients', 10)} clients | ≤ 20 ms | "
        f"{value(pages.get('default'), 'p50_ms')} | {value(pages.get('baseline'), 'p50_ms')} | "
        f"{_met(goals.get('page_p50_10_ms', {}))} |",
    ]


def _client_line(serving: Mapping[str, Any]) -> str:
    """How the load was made, and how busy the machine was.

    >>> _client_line({"client": {"tool": "wrk 4.1", "seconds_per_run": 5, "timeout_s": 60,
    ...     "warm_up": "1 s"}, "load_average": {"start": 1.0, "end": 2.5}})[:60]
    'Client: wrk 4.1, one thread per connection, connections = cl'
    """
    client, load = serving["client"], serving["load_average"]
    return (
        f"Client: {client['tool']}, one thread per connection, connections = clients, "
        f"{client['seconds_per_run']} s per run (closed loop: each connection waits for its "
        f"answer; answers later than {client['timeout_s']} s would count as errors), on the "
        f"same machine as the servers; warmed first by {client['warm_up']}, so that the "
        "query worker pools have grown as under load. Machine load average (1 min) "
        f"{load['start']:.1f} at "
        f"the start, {load['end']:.1f} at the end: on a shared machine, ratios travel better "
        "than rates."
    )


def _virtuoso_lines(against: Mapping[str, Any]) -> list[str]:
    """The ``/sparql`` comparison with Virtuoso, or why it did not run.

    >>> _virtuoso_lines({"skipped": "--skip-virtuoso"})[-1]
    'Not run: --skip-virtuoso.'
    """
    lines = ["", "Throughput against Virtuoso, same client, the mix's SPARQL texts over `/sparql`:"]
    if "skipped" in against:
        return [*lines, "", f"Not run: {against['skipped']}."]
    config = against["virtuoso_config"]
    differ = [name for name, rows in against["rows"].items() if len(set(rows.values())) > 1]
    lines += [
        "",
        f"glocal: the default configuration, result cache off. Virtuoso: as the bench starts "
        f"it ({config.get('ServerThreads')} HTTP server threads, "
        f"{config.get('MaxClientConnections')} client connections served at once). Same "
        "row counts on both: "
        + ("yes." if against["same_rows"] else f"**no**, for {', '.join(differ)}."),
        *_left_out_lines(against.get("left_out", {})),
        "",
        *_loads_table(
            against["loads"],
            "engine",
            [("glocal", "glocal"), ("virtuoso", "Virtuoso")],
            ("glocal", "glocal ÷ Virtuoso"),
        ),
    ]
    return lines


def _loads_table(
    loads: Sequence[Mapping[str, Any]],
    column: str,
    rows: Sequence[tuple[str, str]],
    ratio: tuple[str, str],
) -> list[str]:
    """A table of load tests: per client count, a row for each of ``rows`` (its key in
    the entry, its label); the entry's ``ratio`` goes on the row of ``ratio[0]``, under
    the heading ``ratio[1]``."""
    lines = [
        f"| clients | {column} | requests/s | p50 ms | p99 ms | errors | "
        f"CPU ms/request (query workers) | {ratio[1]} |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in loads:
        value = entry.get("ratio")
        shown = "–" if value is None else f"{value:.2f}×"
        lines += [
            f"| {entry['clients']} | {label} | {_run(entry[key])} |"
            + (f" {shown} |" if key == ratio[0] else " |")
            for key, label in rows
        ]
    return lines


def _left_out_lines(left_out: Mapping[str, str]) -> list[str]:
    """The queries left out of the comparison on both engines, each with why.

    >>> _left_out_lines({"q": "too long"})
    ['Left out on both engines: q (too long).']
    """
    if not left_out:
        return []
    reasons = "; ".join(f"{name} ({why})" for name, why in left_out.items())
    return [f"Left out on both engines: {reasons}."]


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
        default = serving["configurations"]["default"]
        pages = serving["pages"]
        warmed = pages["default"]["warmed"]
        lines += [
            "",
            f"## Serving ({name}, uncached mix): default against one h11 process",
            "",
            f"Default: {default['http_processes']} HTTP processes, {default['protocol']} on "
            f"{default['loop']}; baseline: 1 process, h11 on asyncio; both with the result "
            "cache off. " + _client_line(serving),
            "",
            *_goal_rows(serving, goals),
            "",
            *_loads_table(
                serving["loads"],
                "config",
                [("baseline", "baseline"), ("default", "default")],
                ("default", "default ÷ baseline"),
            ),
        ]
        lines += [
            "",
            _bounds(serving),
            "",
            f"Resource pages ({pages['default']['pages']} city, organisation and declaration "
            f"pages as HTML, round robin, {pages['clients']} clients), each server warmed "
            "the same way first: the pivotal report computed in every HTTP process (checked: "
            "a batch of fresh connections all found it ready), then every page read for "
            f"{warmed['pages_read_for_s']:g} s by the same clients.",
            "",
            "| config | requests/s | p50 ms | p99 ms | errors | CPU ms/request (query workers) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| baseline | {_run(pages['baseline'])} |",
            f"| default | {_run(pages['default'])} |",
            *_virtuoso_lines(serving.get("virtuoso", {"skipped": "not measured"})),
        ]
    return lines
