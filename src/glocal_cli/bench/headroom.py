"""Headroom: the load the server holds, its peak memory, and ``ASK {}`` under runaways.

What the hardening issue asks the benchmark to report, to judge how far the server is
from its limits: requests per second, p50, p99 and errors at 10, 50 and 200 clients;
the peak resident memory of the whole server process tree (the HTTP process and every
query worker, sampled from ``/proc``); and the latency of ``ASK {}`` while eight runaway
queries from eight client addresses hold the query workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from glocal.store.worker import resident_kb
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.process_cpu import process_tree
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.throughput import load_test
from glocal_cli.bench.timing import say

__all__ = ["headroom"]

LOADS = (10, 50, 200)
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Seconds over which ``ASK {}`` is timed while the runaways run.
RUNAWAY_SECONDS = 10.0


@contextmanager
def _peak_memory(pid: int) -> Iterator[dict[str, float]]:
    """Sample the process tree's total resident memory every 0.2 s; the peak in MB."""
    peak = {"peak_rss_mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            total = sum(resident_kb(p) for p in process_tree(pid)) / 1024
            peak["peak_rss_mb"] = max(peak["peak_rss_mb"], total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()


def _ask_under_runaways(url: str, seconds: float) -> dict[str, Any]:
    stop = threading.Event()

    def run_away(address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        # A short read timeout: a runaway still queued for a worker gives up soon after
        # the measurement ends, instead of at the server's time limit.
        with httpx.Client(base_url=url, transport=transport, timeout=5.0) as client:
            while not stop.is_set():
                try:
                    with client.stream("GET", "/sparql", params={"query": RUNAWAY}) as answer:
                        for _ in answer.iter_bytes():
                            if stop.is_set():
                                break
                except httpx.HTTPError:
                    time.sleep(0.1)

    runners = [threading.Thread(target=run_away, args=(f"127.0.0.{i}",)) for i in range(2, 10)]
    for runner in runners:
        runner.start()
    time.sleep(2.0)  # let them take the workers
    times: list[float] = []
    errors = 0
    until = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            sent = time.perf_counter()
            answer = client.get("/sparql", params={"query": "ASK {}"})
            times.append(time.perf_counter() - sent)
            errors += answer.status_code != 200
            time.sleep(0.25)
    stop.set()
    for runner in runners:
        runner.join(timeout=60)
    ordered = sorted(times)
    return {
        "runaways": len(runners),
        "asks": len(times),
        "errors": errors,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def headroom(server: GlocalServer, mix: Sequence[str], options: BenchOptions) -> dict[str, Any]:
    """Load held at 10, 50 and 200 clients, peak memory, and ``ASK {}`` under runaways."""
    if not mix:
        return {"note": "no canned query is quick enough for the load test"}
    pid = server.process.pid
    assert pid is not None
    with _peak_memory(pid) as memory:
        loads = [load_test(server, mix, clients, options) for clients in LOADS]
        for load in loads:
            say(
                f"headroom x{load['clients']}: {load['requests_per_s']:.0f} req/s, "
                f"p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, "
                f"{load['errors']} errors"
            )
        ask = _ask_under_runaways(server.url, 3.0 if options.quick else RUNAWAY_SECONDS)
        say(
            f"headroom: ASK {{}} under 8 runaways p50 {ask['p50_ms']:.1f} ms, "
            f"max {ask['max_ms']:.1f} ms"
        )
    say(f"headroom: peak RSS of the server's process tree {memory['peak_rss_mb']:.0f} MB")
    return {"loads": loads, "ask_under_runaways": ask, **memory}
