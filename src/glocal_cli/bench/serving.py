"""Serving: ``glocal serve``'s default against the configuration before it, in one run.

Both serve the same built store with the result cache off, side by side, and the same
load generator (:func:`~glocal_cli.bench.throughput.load_paths`) drives each in turn:

- *baseline*: one HTTP process, uvicorn's h11 protocol on asyncio's loop;
- *default*: what ``glocal serve`` runs now: one HTTP process per usable core
  (:func:`~glocal_cli.serve.default_http_workers`), httptools on uvloop, the query
  workers split between them (:func:`~glocal_cli.serve.worker_share`).

Measured: the uncached canned-query mix of the throughput section at 10, 50 and 200
clients (requests/s, p50, p99, errors, and default over baseline), and resource pages
(``/id/city/...`` as HTML) at 10 clients. Beside each, the CPU time the server's whole
process tree spent per request, which a busy machine changes less than the rates, and
the machine's load average: on a shared machine the ratio is what travels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from glocal.formats import HTML
from glocal.namespaces import ID
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.headroom import process_tree
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.throughput import load_paths, load_test
from glocal_cli.bench.timing import say
from glocal_cli.serve import default_http_workers

__all__ = ["PAGE_CLIENTS", "SERVING_CLIENTS", "serving"]

#: Client counts of the canned-query mix.
SERVING_CLIENTS = (10, 50, 200)
#: Clients asking for resource pages.
PAGE_CLIENTS = 10
#: City pages in the page mix.
_PAGES = 20


def serving(graph: BenchGraph, mix: Sequence[str], options: BenchOptions) -> dict[str, Any]:
    """Measure the baseline and the default configuration on ``graph``.

    Returns
    -------
    dict
        ``configurations`` (how each was served), ``loads`` (per client count: each
        configuration's load test and ``ratio``, default over baseline requests/s),
        ``pages`` (each configuration's page load test) and ``load_average`` (the
        machine's 1-minute load at the start and the end).
    """
    if not mix:
        return {"note": "no canned query is quick enough for the mix"}
    processes = default_http_workers()
    configurations: dict[str, dict[str, Any]] = {
        "baseline": {"http_processes": 1, "protocol": "h11", "loop": "asyncio"},
        "default": {"http_processes": processes, "protocol": "httptools", "loop": "uvloop"},
    }
    pages = _city_pages(graph)
    started_load = os.getloadavg()[0]
    loads: list[dict[str, Any]] = []
    page_runs: dict[str, Any] = {}
    say(f"{graph.name}: serving: baseline (1 process, h11) and default ({processes} processes)")
    with (
        GlocalServer(graph.store, workers=options.workers, cache=False, protocol="h11") as base,
        GlocalServer(
            graph.store, workers=options.workers, cache=False, processes=processes
        ) as default,
    ):
        servers = {"baseline": base, "default": default}
        for clients in SERVING_CLIENTS:
            entry: dict[str, Any] = {"clients": clients}
            for name, server in servers.items():
                cpu = _tree_cpu_s(server.process.pid)
                entry[name] = load_test(server.url, mix, clients, options)
                entry[name]["cpu_ms_per_request"] = _per_request(
                    _tree_cpu_s(server.process.pid) - cpu, entry[name]["ok"]
                )
            entry["ratio"] = _ratio(entry["default"], entry["baseline"])
            loads.append(entry)
            say(
                f"{graph.name}: serving x{clients}: baseline "
                f"{entry['baseline']['requests_per_s']:.0f} req/s, default "
                f"{entry['default']['requests_per_s']:.0f} req/s ({entry['ratio'] or 0:.2f}x)"
            )
        for name, server in servers.items():
            cpu = _tree_cpu_s(server.process.pid)
            page_runs[name] = load_paths(server.url, pages, PAGE_CLIENTS, options, accept=HTML)
            page_runs[name]["cpu_ms_per_request"] = _per_request(
                _tree_cpu_s(server.process.pid) - cpu, page_runs[name]["ok"]
            )
    return {
        "configurations": configurations,
        "mix": list(mix),
        "loads": loads,
        "pages": {"clients": PAGE_CLIENTS, "paths": len(pages), **page_runs},
        "load_average": {"start": started_load, "end": os.getloadavg()[0]},
    }


def _tree_cpu_s(pid: int | None) -> float:
    """CPU seconds used so far by ``pid`` and its descendants (HTTP processes and query
    workers), from ``/proc``; a process that ended meanwhile is not counted."""
    total = 0
    for member in process_tree(pid or 0):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _per_request(cpu_s: float, requests: int) -> float | None:
    """Milliseconds of CPU per request; None for no request.

    >>> _per_request(1.5, 1000)
    1.5
    """
    return cpu_s * 1000 / requests if requests else None


def _city_pages(graph: BenchGraph) -> list[str]:
    """Paths of the first :data:`_PAGES` city pages, in IRI order."""
    rows = graph.store.query(f"SELECT ?c WHERE {{ ?c a gl:City }} ORDER BY ?c LIMIT {_PAGES}")
    return ["/id/" + row["c"].value.removeprefix(ID) for row in rows]  # type: ignore[union-attr]  # SELECT rows are solutions


def _ratio(new: dict[str, Any], old: dict[str, Any]) -> float | None:
    """Requests/s of ``new`` over ``old``; None when ``old`` served nothing.

    >>> _ratio({"requests_per_s": 300.0}, {"requests_per_s": 150.0})
    2.0
    """
    return new["requests_per_s"] / old["requests_per_s"] if old["requests_per_s"] else None
