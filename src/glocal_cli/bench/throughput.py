"""Throughput: requests per second of a mix of quick canned queries from concurrent
clients, uncached and cached, bounded in time and request count, with errors counted."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import GlocalServer, open_client
from glocal_cli.bench.timing import say

__all__ = ["load_paths", "load_test", "throughput"]


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
            runs.append({"mode": mode, **load_test(server.url, mix, clients, options)})
            last = runs[-1]
            say(
                f"{graph.name}: throughput {mode} x{clients}: {last['requests_per_s']:.0f} req/s, "
                f"{last['errors']} errors"
            )
    return {"mix": mix, "runs": runs}


def load_test(url: str, mix: Sequence[str], clients: int, options: BenchOptions) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, send the mix of
    canned queries round robin until the time or request limit (see :func:`load_paths`).
    """
    return load_paths(url, [f"/queries/{name}?format=json" for name in mix], clients, options)


def load_paths(
    url: str,
    paths: Sequence[str],
    clients: int,
    options: BenchOptions,
    *,
    accept: str | None = None,
) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, GET ``paths`` round
    robin until the time or request limit; the clock starts once every client is connected.
    """
    headers = {} if accept is None else {"Accept": accept}
    counter = itertools.count()
    limit = options.throughput_max_requests
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["started"] = time.perf_counter()
        clock["stop_at"] = clock["started"] + options.throughput_s

    barrier = threading.Barrier(clients, action=start_clock)

    latencies: list[float] = []

    def client_thread(_: int) -> tuple[int, int, list[str], float]:
        ok = errors = 0
        messages: list[str] = []
        with open_client(url, timeout=120.0) as client:
            with contextlib.suppress(httpx.HTTPError):
                client.get(paths[0], headers=headers)  # connect
            barrier.wait()
            while time.perf_counter() < clock["stop_at"]:
                number = next(counter)
                if number >= limit:
                    break
                sent = time.perf_counter()
                try:
                    response = client.get(paths[number % len(paths)], headers=headers)
                    latencies.append(time.perf_counter() - sent)
                except httpx.HTTPError as err:
                    errors += 1
                    messages.append(f"{type(err).__name__}: {err}")
                    continue
                if response.status_code == 200:
                    ok += 1
                else:
                    errors += 1
                    messages.append(f"HTTP {response.status_code}")
        return ok, errors, messages, time.perf_counter()

    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(client_thread, range(clients)))
    seconds = max(o[3] for o in outcomes) - clock["started"]
    ok = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    messages = sorted({m for o in outcomes for m in o[2]})[:5]
    return {
        "clients": clients,
        "requests": ok + errors,
        "ok": ok,
        "errors": errors,
        "error_messages": messages,
        "seconds": seconds,
        "requests_per_s": ok / seconds,
        "p50_ms": _percentile(latencies, 50) * 1000,
        "p99_ms": _percentile(latencies, 99) * 1000,
    }


def _percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
