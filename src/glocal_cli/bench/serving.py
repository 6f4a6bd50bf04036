"""Serving: ``glocal serve``'s default against the configuration before it, in one run,
and against Virtuoso on the same client.

Both glocal configurations serve the same built store with the result cache off, side
by side, and wrk (:func:`~glocal_cli.bench.wrk.load_paths`) drives each in turn:

- *baseline*: one HTTP process, uvicorn's h11 protocol on asyncio's loop;
- *default*: what ``glocal serve`` runs now: one HTTP process per usable core
  (:func:`~glocal_cli.serve.default_http_workers`), httptools on uvloop, the query
  workers split between them (:func:`~glocal_cli.serve.worker_share`).

Measured: the uncached canned-query mix of the throughput section at 10, 50 and 200
clients (requests/s, p50, p99, errors, and default over baseline); resource pages at 10
clients on each, warmed the same way (:func:`~glocal_cli.bench.pages.resource_page_probe`);
and the mix's SPARQL texts over ``/sparql`` on the default and on Virtuoso
(:mod:`~glocal_cli.bench.serving_virtuoso`). Beside each, the CPU time the server's
whole process tree spent per request, which a busy machine changes less than the
rates, and the machine's load average: on a shared machine the ratio is what travels.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from glocal.store.virtuoso import VirtuosoServer
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.pages import READERS, resource_page_probe
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.serving_virtuoso import sparql_against_virtuoso
from glocal_cli.bench.throughput import load_test, mix_paths
from glocal_cli.bench.timing import say
from glocal_cli.bench.wrk import WRK_TIMEOUT_S, load_paths, wrk_version
from glocal_cli.serve import default_http_workers

__all__ = ["SERVING_CLIENTS", "serving", "speedup_ceiling"]

#: Client counts of the canned-query mix.
SERVING_CLIENTS = (10, 50, 200)
#: Clients of the one-second warm-up of each configuration with the mix.
WARM_CLIENTS = 50


def serving(
    graph: BenchGraph,
    mix: Sequence[str],
    options: BenchOptions,
    *,
    virtuoso: VirtuosoServer | None = None,
    virtuoso_note: str | None = None,
) -> dict[str, Any]:
    """Measure the baseline and the default configuration on ``graph``, and the default
    against ``virtuoso`` (``virtuoso_note`` says why there is none).

    Returns
    -------
    dict
        ``configurations`` (how each was served), ``client`` (wrk: version, one thread
        per connection, seconds per run), ``loads`` (per client count: each
        configuration's load test and ``ratio``, default over baseline requests/s),
        ``pages`` (each configuration's resource-page probe), ``virtuoso`` (see
        :func:`~glocal_cli.bench.serving_virtuoso.sparql_against_virtuoso`, or
        ``skipped``) and ``load_average`` (the machine's 1-minute load at the start and
        the end).
    """
    if not mix:
        return {"note": "no canned query is quick enough for the mix"}
    processes = default_http_workers()
    cores = len(os.sched_getaffinity(0))
    configurations: dict[str, dict[str, Any]] = {
        "baseline": {"http_processes": 1, "protocol": "h11", "loop": "asyncio"},
        "default": {"http_processes": processes, "protocol": "httptools", "loop": "uvloop"},
    }
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
        for server in servers.values():
            # A pool grows its query workers under load: measure the grown pools.
            load_paths(server.url, mix_paths(mix), WARM_CLIENTS, 1.0)
        for clients in SERVING_CLIENTS:
            entry: dict[str, Any] = {"clients": clients}
            for name, server in servers.items():
                entry[name] = load_test(server, mix, clients, options)
            entry["ratio"] = _ratio(entry["default"], entry["baseline"])
            entry["ceiling"] = speedup_ceiling(entry["baseline"], entry["default"], cores)
            loads.append(entry)
            say(
                f"{graph.name}: serving x{clients}: baseline "
                f"{entry['baseline']['requests_per_s']:.0f} req/s, default "
                f"{entry['default']['requests_per_s']:.0f} req/s ({entry['ratio'] or 0:.2f}x), "
                f"p99 {entry['baseline']['p99_ms']:.0f} / {entry['default']['p99_ms']:.0f} ms"
            )
        for name, server in servers.items():
            page_runs[name] = resource_page_probe(server.url, options, pid=server.process.pid)
            say(
                f"{graph.name}: serving: {name} resource pages x{READERS}: p50 "
                f"{page_runs[name]['p50_ms']:.1f} ms, p99 {page_runs[name]['p99_ms']:.1f} ms"
            )
        if virtuoso is None:
            against: dict[str, Any] = {"skipped": virtuoso_note or "Virtuoso was not started"}
        else:
            against = sparql_against_virtuoso(
                graph, default, virtuoso, mix, SERVING_CLIENTS, options
            )
    return {
        "configurations": configurations,
        "cores": cores,
        "client": {
            "tool": f"wrk {wrk_version()}",
            "threads": "one per connection (= clients)",
            "seconds_per_run": max(1, round(options.throughput_s)),
            "timeout_s": WRK_TIMEOUT_S,
            "warm_up": f"1 s of the mix at {WARM_CLIENTS} clients per configuration",
        },
        "mix": list(mix),
        "loads": loads,
        "pages": {"clients": READERS, **page_runs},
        "virtuoso": against,
        "load_average": {"start": started_load, "end": os.getloadavg()[0]},
    }


def speedup_ceiling(
    baseline: Mapping[str, Any], default: Mapping[str, Any], cores: int
) -> float | None:
    """The most the default can serve over the baseline on ``cores`` idle cores, from
    their CPU per request alone; None without it.

    The baseline's one HTTP process gets at most a core for its HTTP work (its CPU per
    request less the query workers'), and all of its work at most every core; the
    default's HTTP processes share every core with its query workers.

    >>> speedup_ceiling({"cpu_ms_per_request": 6.0, "worker_cpu_ms_per_request": 4.0},
    ...                 {"cpu_ms_per_request": 6.0}, 2)
    1.0
    >>> speedup_ceiling({"cpu_ms_per_request": 6.0, "worker_cpu_ms_per_request": 1.0},
    ...                 {"cpu_ms_per_request": 6.0}, 2)
    1.666...
    """
    total: float | None = baseline.get("cpu_ms_per_request")
    default_total: float | None = default.get("cpu_ms_per_request")
    if not total or not default_total:
        return None
    http = total - (baseline.get("worker_cpu_ms_per_request") or 0.0)
    baseline_rate = min(1000 / http if http > 0 else math.inf, cores * 1000 / total)
    return cores * 1000 / default_total / baseline_rate


def _ratio(new: dict[str, Any], old: dict[str, Any]) -> float | None:
    """Requests/s of ``new`` over ``old``; None when ``old`` served nothing.

    >>> _ratio({"requests_per_s": 300.0}, {"requests_per_s": 150.0})
    2.0
    """
    return new["requests_per_s"] / old["requests_per_s"] if old["requests_per_s"] else None
