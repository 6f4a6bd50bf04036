"""Headroom: the load the server holds, its peak memory, and ``ASK {}`` under runaways.

What the hardening issue asks the benchmark to report, to judge how far the server is
from its limits: requests per second, p50, p99 and errors at 10, 50 and 200 clients;
the peak resident memory of the whole server process tree (the HTTP process and every
query worker, sampled from ``/proc``); and the latency of ``ASK {}`` while eight runaway
queries from eight client addresses hold the query workers. The process tree's CPU
time (:func:`tree_cpu_s`, :func:`cpu_per_request`) serves the serving section too.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from glocal.store.worker import resident_kb
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.throughput import load_test
from glocal_cli.bench.timing import say

__all__ = ["cpu_per_request", "headroom", "process_tree", "tree_cpu_s"]

LOADS = (10, 50, 200)
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Seconds over which ``ASK {}`` is timed while the runaways run.
RUNAWAY_SECONDS = 10.0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from the parent ids in ``/proc``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_cpu_s(pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by ``pid`` and its descendants, from ``/proc``: ``total``,
    and ``query_workers``, the part of glocal's query workers and their fork server
    (:mod:`glocal.store.pool`; their command line names multiprocessing's
    ``forkserver``). A process that ended meanwhile is not counted."""
    ticks = {"total": 0, "query_workers": 0}
    for member in process_tree(pid or 0):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{member}/cmdline").read_bytes()
        except OSError:
            continue
        used = int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
        ticks["total"] += used
        if b"multiprocessing.forkserver" in command:
            ticks["query_workers"] += used
    return {key: value / os.sysconf("SC_CLK_TCK") for key, value in ticks.items()}


def _per_request(cpu_s: float, requests: int) -> float | None:
    """Milliseconds of CPU per request; None for no request.

    >>> _per_request(1.5, 1000)
    1.5
    """
    return cpu_s * 1000 / requests if requests else None


def cpu_per_request(
    before: dict[str, float], after: dict[str, float], requests: int
) -> dict[str, float | None]:
    """Milliseconds of CPU per request between two :func:`tree_cpu_s` readings: the
    whole tree's, and the query workers' part; None for no request.

    >>> cpu_per_request({"total": 1.0, "query_workers": 0.5},
    ...                 {"total": 2.5, "query_workers": 1.5}, 1000)
    {'cpu_ms_per_request': 1.5, 'worker_cpu_ms_per_request': 1.0}
    """
    return {
        "cpu_ms_per_request": _per_request(after["total"] - before["total"], requests),
        "worker_cpu_ms_per_request": _per_request(
            after["query_workers"] - before["query_workers"], requests
        ),
    }


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
        loads = [load_test(server.url, mix, clients, options) for clients in LOADS]
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
