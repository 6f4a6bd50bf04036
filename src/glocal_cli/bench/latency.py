"""Latency of the canned queries: in-process, over HTTP uncached, and cached, and where
the time of one small query goes on its way to an HTTP client.

The HTTP overhead of a query is its p50 over ``/queries/{name}`` less its p50
in-process with its answer serialized in the same format: the same bytes made with and
without the server. Both are timed in turns (two rounds of in-process samples, then
HTTP samples), each round after a warm-up run, so that both see the same machine load.
In-process timings run in a fresh child process (:mod:`glocal_cli.bench.inprocess`).
The HTTP time is the client's (httpx) from sending the request to holding the whole
body, so it counts the client's own work too; the breakdown measures that floor (a
``304`` answered without a thread or a worker).
"""

from __future__ import annotations

import math
import time
from typing import Any

import httpx

from glocal.canned import CannedQuery, bind, load_queries, page_of, paginate
from glocal.formats import HTML
from glocal.store import parse_query, query_form
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.inprocess import CONSUME, InProcessTimer, time_in_process
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import JSON, NTRIPLES, GlocalServer, nonce, open_client, post_sparql
from glocal_cli.bench.timing import Limits, p50, ratio, sample, say, timing_summary

__all__ = [
    "ROUNDS",
    "canned_latency",
    "default_page",
    "overhead_breakdown",
    "page_latency",
]

#: Rounds of in-process then HTTP samples per query (see the module docstring).
ROUNDS = 2

#: The site's pages a researcher opens, timed by :func:`page_latency`.
PAGES = (
    "/browse",
    "/id/city",
    "/id/city.csv",
    "/search?q=sao+paulo",
    "/search?q=mayors+migration&_format=json",
    "/coverage",
    "/queries",
    "/queries/networks-of-city?city=city:freetown",
    "/id/city/freetown",
    "/id/org/mmc",
)


def default_page(query: CannedQuery) -> str:
    """The query's text as ``/queries/{name}`` runs it with no parameters: its defaults
    bound, and its first page if it pages by default."""
    page = page_of(query, {})
    return bind(query, {}) if page is None else paginate(bind(query, {}), page)


def canned_latency(
    graph: BenchGraph, servers: tuple[GlocalServer, GlocalServer], options: BenchOptions
) -> dict[str, Any]:
    """Latency of every canned query in-process, over HTTP uncached, and cached.

    Per query: ``inprocess`` (rows read), ``inprocess_serialized`` (the answer written
    in the format HTTP sends, timed in turns with ``http_canned``), ``http_sparql``, and
    ``cached``; ``http_minus_inprocess_ms`` and ``http_over_inprocess`` compare
    ``http_canned`` with ``inprocess_serialized``, ``http_minus_rows_read_ms`` with
    ``inprocess``.
    """
    uncached, cached = servers
    results: dict[str, Any] = {}
    cache_limit = 1_000_000
    # A query that pages by default is timed as served: its first page.
    queries = load_queries()
    bound = {name: default_page(canned) for name, canned in queries.items()}
    limits: Limits = {
        "reps": options.reps,
        "budget": options.budget_s,
        "min_reps": options.min_reps,
    }
    say(f"{graph.name}: timing {len(bound)} canned queries in-process and over HTTP, in turns")
    with (
        InProcessTimer(graph.store) as timer,
        open_client(uncached.url) as plain,
        open_client(cached.url) as caching,
    ):
        for name, sparql in bound.items():
            form = query_form(sparql)
            fmt, accept = ("nt", NTRIPLES) if form == "CONSTRUCT" else ("json", JSON)
            read = timer.time(sparql, CONSUME, limits, slow_s=options.slow_query_s)
            rows, first_s, slow = read["rows"], read["first_s"], read["slow"]
            entry: dict[str, Any] = {"rows": rows, "form": form, "first_run_ms": first_s * 1000}
            if queries[name].page_reason:
                entry["pages"] = queries[name].page_reason
            if slow:
                entry["note"] = (
                    f"slow (first run {first_s:.1f}s): one sample in-process and over "
                    "/queries/{name}; /sparql skipped"
                )
            entry["inprocess"] = timing_summary(read["samples"])
            sizes: list[int] = []

            def canned_get(
                client: httpx.Client = plain,
                name: str = name,
                fmt: str = fmt,
                sizes: list[int] = sizes,
            ) -> httpx.Response:
                response = client.get(f"/queries/{name}", params={"format": fmt})
                if response.status_code != 200:
                    raise RuntimeError(
                        f"/queries/{name}: {response.status_code} {response.text[:300]}"
                    )
                sizes.append(len(response.content))
                return response

            serialized, http = _in_turns(timer, sparql, accept, canned_get, limits, slow=slow)
            entry["inprocess_serialized"] = timing_summary(serialized)
            entry["http_canned"] = timing_summary(http)
            timing: Limits = {**limits, "min_reps": 1 if slow else limits["min_reps"]}
            if slow:
                entry["http_sparql"] = {"skipped": "slow query: timed over /queries/{name} only"}
            else:

                def sparql_post(text: str = sparql, accept: str = accept) -> httpx.Response:
                    return post_sparql(plain, nonce(text), accept)

                entry["http_sparql"] = timing_summary(sample(sparql_post, warmup=1, **timing))
            entry["response_bytes"] = max(sizes)
            http_p50 = entry["http_canned"]["p50_ms"]
            baseline = entry["inprocess_serialized"]["p50_ms"]
            entry["http_minus_inprocess_ms"] = http_p50 - baseline
            entry["http_minus_rows_read_ms"] = http_p50 - entry["inprocess"]["p50_ms"]
            sparql_p50 = p50(entry["http_sparql"])
            entry["sparql_minus_inprocess_ms"] = (
                None if sparql_p50 is None else sparql_p50 - baseline
            )
            entry["http_over_inprocess"] = ratio(http_p50, baseline)
            if entry["response_bytes"] > cache_limit:
                entry["cached"] = {
                    "skipped": f"result of {entry['response_bytes']:,} bytes is over the "
                    f"result cache's {cache_limit:,}-byte limit, so it is never cached"
                }
            else:
                entry["cached"] = _cached(caching, name, fmt, options)
                entry["cached_speedup"] = ratio(http_p50, p50(entry["cached"].get("client")))
            results[name] = entry
            say(
                f"{graph.name}: {name}: {rows} rows, in-process p50 {baseline:.2f} ms "
                f"(serialized), HTTP p50 {http_p50:.2f} ms"
            )
    return results


def _in_turns(
    timer: InProcessTimer,
    sparql: str,
    media_type: str,
    get: Any,
    limits: Limits,
    *,
    slow: bool,
) -> tuple[list[float], list[float]]:
    """Samples in-process (serialized as ``media_type``) and over HTTP (``get``), taken
    in :data:`ROUNDS` turns of half the budget each, each turn after a warm-up run; a
    slow query gets one sample of each."""
    if slow:
        inprocess = timer.time(sparql, media_type, limits, slow_s=0.0)["samples"]
        return inprocess, sample(get, reps=1, budget=0.0, min_reps=1, warmup=0)
    turn: Limits = {
        "reps": max(1, limits["reps"] // ROUNDS),
        "budget": limits["budget"] / ROUNDS,
        "min_reps": max(1, math.ceil(limits["min_reps"] / ROUNDS)),
    }
    serialized: list[float] = []
    http: list[float] = []
    for _ in range(ROUNDS):
        serialized += timer.time(sparql, media_type, turn, slow_s=math.inf)["samples"]
        http += sample(get, warmup=1, **turn)
    return serialized, http


def overhead_breakdown(
    graph: BenchGraph, server: GlocalServer, options: BenchOptions
) -> dict[str, Any]:
    """Where the time of one small canned query goes on its way to an HTTP client.

    The steps add one layer each: reading the rows in-process, serializing them as JSON,
    running the query in a worker process of the pool (:meth:`EmbeddedStore.stream
    <glocal.store.EmbeddedStore.stream>`), and the whole HTTP request; ``ASK {}`` through
    the pool and over HTTP gives the fixed cost of each layer. The HTTP stack splits in
    two: its floor, a revalidation answered ``304`` on the event loop (the client,
    uvicorn, middleware, routing, binding and hashing the request: no thread, no
    worker), and the rest (the hop to a thread, the resource check, sending to and
    taking from the worker, compression).
    """
    canned = load_queries()
    name = "networks-of-city" if "networks-of-city" in canned else next(iter(canned))
    sparql = bind(canned[name], {})
    timing: Limits = {
        "reps": options.reps,
        "budget": options.budget_s,
        "min_reps": options.min_reps,
    }
    store = graph.store
    local = time_in_process(
        store, [("consume", sparql, CONSUME), ("serialize", sparql, JSON)], options
    )

    def stream(text: str) -> bytes:
        return b"".join(store.stream(parse_query(text), media_type=JSON, timeout=120.0))

    steps: dict[str, Any] = {
        "inprocess_consume": timing_summary(local["consume"]["samples"]),
        "inprocess_serialize_json": timing_summary(local["serialize"]["samples"]),
        "pool_stream": timing_summary(sample(lambda: stream(sparql), warmup=2, **timing)),
        "pool_ask_empty": timing_summary(sample(lambda: stream("ASK {}"), warmup=2, **timing)),
    }
    with open_client(server.url) as client:
        steps["http_canned"] = timing_summary(
            sample(
                lambda: client.get(f"/queries/{name}", params={"format": "json"}),
                warmup=2,
                **timing,
            )
        )
        etag = client.get(f"/queries/{name}", params={"format": "json"}).headers["etag"]

        def revalidate() -> None:
            response = client.get(
                f"/queries/{name}", params={"format": "json"}, headers={"If-None-Match": etag}
            )
            if response.status_code != 304:
                raise RuntimeError(f"/queries/{name} revalidated: {response.status_code}")

        steps["http_not_modified"] = timing_summary(sample(revalidate, warmup=2, **timing))
        steps["http_ask_empty"] = timing_summary(
            sample(lambda: post_sparql(client, nonce("ASK {}")), warmup=2, **timing)
        )
    medians = {key: value["p50_ms"] for key, value in steps.items()}
    derived = {
        "json_serialization_ms": medians["inprocess_serialize_json"] - medians["inprocess_consume"],
        "worker_pool_ms": medians["pool_stream"] - medians["inprocess_serialize_json"],
        "http_stack_ms": medians["http_canned"] - medians["pool_stream"],
        "http_floor_ms": medians["http_not_modified"],
        "http_thread_and_handler_ms": (
            medians["http_canned"] - medians["pool_stream"] - medians["http_not_modified"]
        ),
        "fixed_pool_ms": medians["pool_ask_empty"],
        "fixed_http_ms": medians["http_ask_empty"] - medians["pool_ask_empty"],
    }
    say(
        f"{graph.name}: overhead of {name}: "
        + ", ".join(f"{k} {v:.2f}" for k, v in derived.items())
    )
    return {"query": name, "steps": steps, "derived_p50_ms": derived}


def _cached(client: httpx.Client, name: str, fmt: str, options: BenchOptions) -> dict[str, Any]:
    server_ms: list[float] = []
    hits = 0

    def get() -> None:
        nonlocal hits
        response = client.get(f"/queries/{name}", params={"format": fmt})
        if response.status_code != 200:
            raise RuntimeError(f"/queries/{name}: {response.status_code}")
        if response.headers.get("x-cache") == "hit":
            hits += 1
        timing = response.headers.get("server-timing", "")
        if "dur=" in timing:
            server_ms.append(float(timing.split("dur=", 1)[1].split(",")[0].split(";")[0]))

    get()  # fills the cache
    server_ms.clear()
    hits = 0
    samples = sample(
        get, reps=options.reps, budget=options.budget_s, min_reps=options.min_reps, warmup=0
    )
    result: dict[str, Any] = {
        "client": timing_summary(samples),
        "hits": hits,
        "requests": len(samples),
    }
    if server_ms:
        result["server"] = timing_summary([ms / 1000 for ms in server_ms])
    return result


def page_latency(graph: BenchGraph, server: GlocalServer, options: BenchOptions) -> dict[str, Any]:
    """Latency of the site's pages (:data:`PAGES`) as a browser asks for them.

    The first request of each page (a cold catalogue or template) is kept apart; the
    p50 of the rest is given beside ``ASK {}`` over HTTP measured in the same run, as a
    ratio, so the number travels between machines. The targets are < 300 ms for a page
    and < 50 ms for a search.
    """
    timing: Limits = {"reps": options.reps, "budget": options.budget_s, "min_reps": 1}
    results: dict[str, Any] = {}
    with open_client(server.url) as client:
        baseline = timing_summary(
            sample(lambda: post_sparql(client, nonce("ASK {}")), warmup=2, **timing)
        )
        results["ask_empty"] = baseline
        for path in PAGES:

            def get(path: str = path) -> httpx.Response:
                response = client.get(path, headers={"Accept": HTML})
                if response.status_code >= 500:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                return response

            started = time.perf_counter()
            first = get()
            first_ms = (time.perf_counter() - started) * 1000
            entry: dict[str, Any] = {
                "status": first.status_code,
                "bytes": len(first.content),
                "first_ms": first_ms,
                "warm": timing_summary(sample(get, warmup=0, **timing)),
            }
            entry["over_ask_empty"] = ratio(entry["warm"]["p50_ms"], baseline["p50_ms"])
            results[path] = entry
            say(
                f"{graph.name}: {path}: first {first_ms:.1f} ms, "
                f"p50 {entry['warm']['p50_ms']:.1f} ms"
            )
    return results
