"""The network-size aggregation on every engine, with speed ratios against glocal.

The engines: the embedded store in-process and over HTTP; Virtuoso (Debian's
``virtuoso-opensource``, started on loopback by :mod:`glocal.store.virtuoso`) through
:class:`~glocal.store.remote.RemoteStore` and over its own HTTP endpoint; and
rdflib-endpoint serving the same files from an rdflib ``Dataset``. While Virtuoso holds
the graph, the canned queries run on it too (:mod:`~glocal_cli.bench.canned_engines`).
"""

from __future__ import annotations

import gc
import json
import time
from dataclasses import replace
from typing import Any

from pyoxigraph import QuerySolutions

from glocal.store import QueryResult
from glocal.store.remote import RemoteStore, with_prefixes
from glocal.store.virtuoso import VirtuosoServer
from glocal_cli.bench.canned_engines import canned_on_virtuoso
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.inprocess import time_in_process
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.query_steps import time_steps
from glocal_cli.bench.servers import (
    JSON,
    GlocalServer,
    RdflibEndpoint,
    nonce,
    open_client,
    post_sparql,
)
from glocal_cli.bench.timing import Limits, p50, ratio, sample, say, timing_summary

__all__ = ["AGGREGATION_QUERY", "aggregation"]

#: The network-size aggregation compared across engines.
AGGREGATION_QUERY = (
    "SELECT ?org (COUNT(?m) AS ?n) WHERE { ?m org:memberOf ?org } GROUP BY ?org ORDER BY DESC(?n)"
)


def _org_counts_json(body: bytes) -> dict[str, int]:
    data = json.loads(body)
    return {b["org"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}


def _org_counts(result: QueryResult) -> dict[str, int]:
    if not isinstance(result, QuerySolutions):
        raise TypeError(f"the aggregation gave {type(result).__name__}, not solutions")
    counts: dict[str, int] = {}
    for row in result:
        org, n = row["org"], row["n"]
        assert org is not None and n is not None  # the query's pattern binds both
        counts[org.value] = int(n.value)
    return counts


def aggregation(
    graph: BenchGraph,
    uncached: GlocalServer,
    virtuoso: VirtuosoServer | None,
    virtuoso_note: str | None,
    rdflib: RdflibEndpoint | None,
    rdflib_note: str | None,
    options: BenchOptions,
) -> dict[str, Any]:
    """The network-size aggregation on every engine, with speed ratios against glocal.

    An engine that did not start is recorded as skipped, with ``virtuoso_note`` or
    ``rdflib_note`` as the reason.
    """
    engines: dict[str, Any] = {}
    canned: dict[str, Any] | None = None
    steps: dict[str, Any] | None = None
    expected = _org_counts(graph.store.query(AGGREGATION_QUERY))
    glocal: Limits = {
        "reps": options.aggregation_reps,
        "budget": options.aggregation_budget_s,
        "min_reps": options.min_reps,
    }

    def record(key: str, samples: list[float], answer: dict[str, int], **extra: Any) -> None:
        engines[key] = {
            **timing_summary(samples),
            "rows": len(answer),
            "same_answer": answer == expected,
            "same_networks": set(answer) == set(expected),
            "counts_differ": sum(answer.get(org) != n for org, n in expected.items()),
            **extra,
        }

    local = time_in_process(
        graph.store,
        [("aggregation", AGGREGATION_QUERY, "consume")],
        replace(options, reps=options.aggregation_reps, budget_s=options.aggregation_budget_s),
    )
    record("glocal_inprocess", local["aggregation"]["samples"], expected)
    with open_client(uncached.url) as client:
        bodies: list[bytes] = []
        samples = sample(
            lambda: bodies.append(post_sparql(client, nonce(AGGREGATION_QUERY)).content),
            **glocal,
        )
    record("glocal_http", samples, _org_counts_json(bodies[-1]))

    if virtuoso is None:
        engines["virtuoso_remote_store"] = {"skipped": virtuoso_note}
        engines["virtuoso_http"] = {"skipped": virtuoso_note}
    else:
        say(f"{graph.name}: loading Virtuoso through RemoteStore")
        dataset = graph.files.load()
        started = time.perf_counter()
        remote = RemoteStore.open(
            dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store, timeout=900.0
        )
        load_s = time.perf_counter() - started
        del dataset
        gc.collect()
        try:
            answers: list[dict[str, int]] = []
            samples = sample(
                lambda: answers.append(_org_counts(remote.query(AGGREGATION_QUERY))),
                **glocal,
            )
            record("virtuoso_remote_store", samples, answers[-1], load_s=load_s)
            text = with_prefixes(AGGREGATION_QUERY)
            with open_client(virtuoso.base_url) as client:

                def raw() -> None:
                    response = client.post(
                        "/sparql", data={"query": text}, headers={"Accept": JSON}
                    )
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"Virtuoso: {response.status_code} {response.text[:300]}"
                        )
                    bodies.append(response.content)

                samples = sample(raw, **glocal)
            record(
                "virtuoso_http",
                samples,
                _org_counts_json(bodies[-1]),
                note="Virtuoso's own /sparql, default graph = all its graphs",
            )
            say(f"{graph.name}: the canned queries on Virtuoso")
            canned = canned_on_virtuoso(remote, graph.result.get("queries", {}), options)
            say(f"{graph.name}: the steps of the queries slower than Virtuoso")
            steps = time_steps(graph.store, remote, options)
        finally:
            remote.close()

    if rdflib is None:
        engines["rdflib_endpoint_http"] = {"skipped": rdflib_note}
    else:
        text = with_prefixes(AGGREGATION_QUERY)
        with open_client(rdflib.url, timeout=900.0) as client:
            # The same text each time: rdflib-endpoint caches parsed queries (not results),
            # which can only help it.
            samples = sample(
                lambda: bodies.append(post_sparql(client, text).content),
                reps=options.rdflib_reps,
                budget=options.rdflib_budget_s,
                min_reps=min(3, options.rdflib_reps),
            )
        record(
            "rdflib_endpoint_http",
            samples,
            _org_counts_json(bodies[-1]),
            startup_s=rdflib.startup_s,
            note="rdflib's union default graph is a set of triples: a membership stated in "
            "two sources' graphs counts once; Oxigraph and Virtuoso count it once per graph",
        )

    http = p50(engines.get("glocal_http"))
    inprocess = p50(engines.get("glocal_inprocess"))
    ratios = {
        "glocal_http_over_inprocess": ratio(http, inprocess),
        "virtuoso_remote_store_over_glocal_http": ratio(
            p50(engines.get("virtuoso_remote_store")), http
        ),
        "virtuoso_http_over_glocal_http": ratio(p50(engines.get("virtuoso_http")), http),
        "rdflib_endpoint_over_glocal_http": ratio(p50(engines.get("rdflib_endpoint_http")), http),
        "rdflib_endpoint_over_glocal_inprocess": ratio(
            p50(engines.get("rdflib_endpoint_http")), inprocess
        ),
    }
    say(
        f"{graph.name}: aggregation glocal HTTP p50 {http:.2f} ms; ratios "
        + ", ".join(f"{k}={v:.1f}" for k, v in ratios.items() if v is not None)
    )
    result: dict[str, Any] = {"query": AGGREGATION_QUERY, "engines": engines, "ratios": ratios}
    if canned is not None:
        # The canned queries run while Virtuoso holds the graph: loading it takes minutes.
        result["canned"] = canned
    if steps is not None:
        result["steps"] = steps
    return result
