"""Throughput: requests per second of a mix of quick canned queries from concurrent
clients, uncached and cached, for a fixed time, with errors counted.

Every load of the bench comes from one client, wrk (:func:`~glocal_cli.bench.wrk.load_paths`),
so that the sections' numbers compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.process_cpu import cpu_per_request, tree_cpu_s, wait_idle
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.timing import say
from glocal_cli.bench.wrk import load_paths

__all__ = ["load_test", "mix_paths", "throughput"]


def throughput(
    graph: BenchGraph,
    servers: tuple[GlocalServer, GlocalServer],
    queries: Mapping[str, Any],
    options: BenchOptions,
) -> dict[str, Any]:
    """Requests per second of a mix of quick canned queries from concurrent clients."""
    mix = [
        name
        for name, entry in queries.items()
        if entry["inprocess"]["p50_ms"] <= options.throughput_query_max_ms
    ]
    runs: list[dict[str, Any]] = []
    if not mix:
        return {"mix": [], "runs": runs, "note": "no canned query is quick enough"}
    for mode, server in (("uncached", servers[0]), ("cached", servers[1])):
        for clients in options.clients:
            runs.append({"mode": mode, **load_test(server, mix, clients, options)})
            last = runs[-1]
            say(
                f"{graph.name}: throughput {mode} x{clients}: {last['requests_per_s']:.0f} req/s, "
                f"{last['errors']} errors"
            )
    return {"mix": mix, "runs": runs}


def mix_paths(mix: Sequence[str]) -> list[str]:
    """The mix's canned queries as ``/queries/{name}`` paths, with their defaults.

    >>> mix_paths(["networks-of-city"])
    ['/queries/networks-of-city?format=json']
    """
    return [f"/queries/{name}?format=json" for name in mix]


def load_test(
    server: GlocalServer, mix: Sequence[str], clients: int, options: BenchOptions
) -> dict[str, Any]:
    """``clients`` connections send the mix's canned queries round robin for
    ``options.throughput_s`` seconds (see :func:`~glocal_cli.bench.wrk.load_paths`),
    once the server is idle (:func:`~glocal_cli.bench.process_cpu.wait_idle`); with the
    seconds waited for that, ``settled_s``, and the server's CPU per request
    (:func:`~glocal_cli.bench.process_cpu.cpu_per_request`)."""
    pid = server.process.pid
    settled = wait_idle(pid)
    before = tree_cpu_s(pid)
    load = load_paths(server.url, mix_paths(mix), clients, options.throughput_s)
    return {**load, **cpu_per_request(before, tree_cpu_s(pid), load["ok"]), "settled_s": settled}
