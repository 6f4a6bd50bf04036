"""Latency of the canned queries: in-process, over HTTP uncached, and cached, and where
the time of one small query goes on its way to an HTTP client.

In-process timings run in a fresh child process (:func:`time_in_process`): the bench
process itself has parsed, validated and sent hundreds of megabytes over HTTP by then,
and timings taken in it were seen to drift by tens of percent.
"""

from __future__ import annotations

import io
import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from glocal.canned import CannedQuery, bind, load_queries, page_of, paginate
from glocal.formats import HTML
from glocal.store import EmbeddedStore, parse_query, query_form, serialize_result
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import JSON, NTRIPLES, GlocalServer, nonce, open_client, post_sparql
from glocal_cli.bench.timing import Limits, consume, p50, ratio, sample, say, timing_summary

__all__ = [
    "Job",
    "canned_latency",
    "default_page",
    "overhead_breakdown",
    "page_latency",
    "time_in_process",
]

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

#: A query to time in-process: ``(key, sparql, kind)``; ``kind`` is ``consume`` (read
#: every row) or ``serialize`` (write the result as SPARQL JSON).
Job = tuple[str, str, str]


def _inprocess_child(
    store_path: str,
    version: str,
    jobs: list[Job],
    options: BenchOptions,
    conn: Connection,
) -> None:
    """Child process: time queries in-process (``EmbeddedStore.query``) and send the samples.

    A query slower than ``options.slow_query_s`` on its first run keeps that run as its
    one sample. A failure ends the process with its traceback on stderr.
    """
    store = EmbeddedStore(Path(store_path), version, workers=1)
    results: dict[str, Any] = {}
    try:
        for key, sparql, kind in jobs:

            def run(text: str = sparql, kind: str = kind) -> int:
                if kind == "serialize":
                    buffer = io.BytesIO()
                    serialize_result(store.query(text), buffer, JSON)
                    return buffer.tell()
                return consume(store.query(text))

            started = time.perf_counter()
            rows = run()
            first_s = time.perf_counter() - started
            slow = first_s > options.slow_query_s
            if slow:
                samples = [first_s]
            else:
                min_reps = 1 if first_s * options.min_reps > options.budget_s else options.min_reps
                samples = sample(
                    run, reps=options.reps, budget=options.budget_s, min_reps=min_reps, warmup=0
                )
            results[key] = {"rows": rows, "first_s": first_s, "slow": slow, "samples": samples}
    finally:
        store.close()
    conn.send(results)
    conn.close()


def time_in_process(store: EmbeddedStore, jobs: list[Job], options: BenchOptions) -> dict[str, Any]:
    """Run :func:`_inprocess_child` in a fresh process, as fresh as a query worker.

    Returns
    -------
    dict
        Per job key: ``rows``, ``first_s``, ``slow`` and the ``samples`` in seconds.

    Raises
    ------
    RuntimeError
        If a query fails (the child process dies).
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_inprocess_child,
        args=(str(store.path), store.version, jobs, options, sender),
        name="glocal-bench-inprocess",
    )
    process.start()
    sender.close()
    try:
        results: dict[str, Any] = receiver.recv()
    except EOFError:
        process.join(30)
        raise RuntimeError(
            f"in-process timings failed: the timing process died ({process.exitcode}); "
            "its traceback is above"
        ) from None
    process.join(30)
    return results


def default_page(query: CannedQuery) -> str:
    """The query's text as ``/queries/{name}`` runs it with no parameters: its defaults
    bound, and its first page if it pages by default."""
    page = page_of(query, {})
    return bind(query, {}) if page is None else paginate(bind(query, {}), page)


def canned_latency(
    graph: BenchGraph, servers: tuple[GlocalServer, GlocalServer], options: BenchOptions
) -> dict[str, Any]:
    """Latency of every canned query in-process, over HTTP uncached, and cached."""
    uncached, cached = servers
    results: dict[str, Any] = {}
    cache_limit = 1_000_000
    # A query that pages by default is timed as served: its first page.
    queries = load_queries()
    bound = {name: default_page(canned) for name, canned in queries.items()}
    say(f"{graph.name}: in-process timings of {len(bound)} canned queries (child process)")
    local = time_in_process(
        graph.store, [(name, sparql, "consume") for name, sparql in bound.items()], options
    )
    with open_client(uncached.url) as plain, open_client(cached.url) as caching:
        for name, sparql in bound.items():
            form = query_form(sparql)
            fmt, accept = ("nt", NTRIPLES) if form == "CONSTRUCT" else ("json", JSON)
            rows, first_s, slow = local[name]["rows"], local[name]["first_s"], local[name]["slow"]
            reps, min_reps, warmup = (1, 1, 0) if slow else (options.reps, options.min_reps, 1)
            if not slow and first_s * options.min_reps > options.budget_s:
                min_reps = 1
            timing: Limits = {"reps": reps, "budget": options.budget_s, "min_reps": min_reps}
            entry: dict[str, Any] = {"rows": rows, "form": form, "first_run_ms": first_s * 1000}
            if queries[name].page_reason:
                entry["pages"] = queries[name].page_reason
            if slow:
                entry["note"] = (
                    f"slow (first run {first_s:.1f}s): one sample in-process and over "
                    "/queries/{name}; /sparql skipped"
                )
            entry["inprocess"] = timing_summary(local[name]["samples"])
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

            entry["http_canned"] = timing_summary(sample(canned_get, warmup=warmup, **timing))
            if slow:
                entry["http_sparql"] = {"skipped": "slow query: timed over /queries/{name} only"}
            else:

                def sparql_post(text: str = sparql, accept: str = accept) -> httpx.Response:
                    return post_sparql(plain, nonce(text), accept)

                entry["http_sparql"] = timing_summary(sample(sparql_post, warmup=warmup, **timing))
            entry["response_bytes"] = max(sizes)
            entry["http_minus_inprocess_ms"] = (
                entry["http_canned"]["p50_ms"] - entry["inprocess"]["p50_ms"]
            )
            sparql_p50 = p50(entry["http_sparql"])
            entry["sparql_minus_inprocess_ms"] = (
                None if sparql_p50 is None else sparql_p50 - entry["inprocess"]["p50_ms"]
            )
            entry["http_over_inprocess"] = ratio(
                entry["http_canned"]["p50_ms"], entry["inprocess"]["p50_ms"]
            )
            if entry["response_bytes"] > cache_limit:
                entry["cached"] = {
                    "skipped": f"result of {entry['response_bytes']:,} bytes is over the "
                    f"result cache's {cache_limit:,}-byte limit, so it is never cached"
                }
            else:
                entry["cached"] = _cached(caching, name, fmt, options)
                entry["cached_speedup"] = ratio(
                    entry["http_canned"]["p50_ms"], p50(entry["cached"].get("client"))
                )
            results[name] = entry
            say(
                f"{graph.name}: {name}: {rows} rows, in-process p50 "
                f"{entry['inprocess']['p50_ms']:.2f} ms, HTTP p50 "
                f"{entry['http_canned']['p50_ms']:.2f} ms"
            )
    return results


def overhead_breakdown(
    graph: BenchGraph, server: GlocalServer, options: BenchOptions
) -> dict[str, Any]:
    """Where the time of one small canned query goes on its way to an HTTP client.

    The steps add one layer each: reading the rows in-process, serializing them as JSON,
    running the query in a worker process of the pool (:meth:`EmbeddedStore.stream
    <glocal.store.EmbeddedStore.stream>`), and the whole HTTP request; ``ASK {}`` through
    the pool and over HTTP gives the fixed cost of each layer.
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
        store, [("consume", sparql, "consume"), ("serialize", sparql, "serialize")], options
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
        steps["http_ask_empty"] = timing_summary(
            sample(lambda: post_sparql(client, nonce("ASK {}")), warmup=2, **timing)
        )
    medians = {key: value["p50_ms"] for key, value in steps.items()}
    derived = {
        "json_serialization_ms": medians["inprocess_serialize_json"] - medians["inprocess_consume"],
        "worker_pool_ms": medians["pool_stream"] - medians["inprocess_serialize_json"],
        "http_stack_ms": medians["http_canned"] - medians["pool_stream"],
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
