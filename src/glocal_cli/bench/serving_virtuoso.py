"""Throughput of glocal's ``/sparql`` against Virtuoso's, on the same client.

The texts are the serving mix's canned queries as ``/queries/{name}`` runs them (their
defaults bound, their first page if they page: :func:`~glocal_cli.bench.latency.default_page`),
with glocal's prefixes declared (:func:`~glocal.store.remote.with_prefixes`), as the
canned-query comparison sends them to Virtuoso (:mod:`~glocal_cli.bench.canned_engines`).
Each is sent as ``GET /sparql?query=...`` asking for SPARQL JSON: to glocal's default
configuration with its result cache off, and to Virtuoso holding the same graph, with
the dataset :class:`~glocal.store.remote.RemoteStore` names (the merged default graph,
glocal's named graphs). Before the load, each query's row count is checked to be the
same on both. wrk drives both at the serving section's client counts.
"""

from __future__ import annotations

import configparser
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from glocal.canned import load_queries
from glocal.formats import SPARQL_JSON
from glocal.store.remote import MERGED_GRAPH, RemoteStore, with_prefixes
from glocal.store.virtuoso import VirtuosoServer
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.latency import default_page
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.process_cpu import cpu_per_request, tree_cpu_s, wait_idle
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.timing import say
from glocal_cli.bench.wrk import load_paths

__all__ = ["sparql_against_virtuoso"]


def _rows(client: httpx.Client, path: str) -> int:
    """Rows of one SPARQL JSON answer (1 for ``ASK``).

    Raises
    ------
    RuntimeError
        If the answer is not 200.
    """
    response = client.get(path, headers={"Accept": SPARQL_JSON})
    if response.status_code != 200:
        raise RuntimeError(f"{path[:80]}: {response.status_code} {response.text[:300]}")
    body = json.loads(response.content)
    return len(body["results"]["bindings"]) if "results" in body else 1


def sparql_against_virtuoso(
    graph: BenchGraph,
    glocal: GlocalServer,
    virtuoso: VirtuosoServer,
    mix: Sequence[str],
    clients: Sequence[int],
    options: BenchOptions,
) -> dict[str, Any]:
    """Load ``graph`` into Virtuoso (unless it holds it already), then the mix's texts
    over ``/sparql`` on ``glocal`` and on Virtuoso at each count of ``clients``.

    Returns
    -------
    dict
        ``rows`` (per query, glocal's and Virtuoso's row counts), ``same_rows``,
        ``virtuoso_config`` (its HTTP threads, from its ``virtuoso.ini``), and
        ``loads``: per client count, each engine's load test (with its server's CPU
        milliseconds per request) and ``ratio``, glocal's requests/s over Virtuoso's.
    """
    say(f"{graph.name}: loading Virtuoso for the /sparql comparison")
    remote = RemoteStore.open(
        graph.files.load(), virtuoso.endpoint, graph_store_url=virtuoso.graph_store, timeout=900.0
    )
    named = remote.named_graphs()
    remote.close()
    canned = load_queries()
    texts = [with_prefixes(default_page(canned[name])) for name in mix]
    paths = {
        "glocal": ["/sparql?" + urlencode({"query": text}) for text in texts],
        "virtuoso": [
            "/sparql?"
            + urlencode(
                [("query", text), ("default-graph-uri", MERGED_GRAPH)]
                + [("named-graph-uri", iri) for iri in named]
            )
            for text in texts
        ],
    }
    urls = {"glocal": glocal.url, "virtuoso": virtuoso.base_url}
    pids = {
        "glocal": glocal.process.pid,
        "virtuoso": None if virtuoso.process is None else virtuoso.process.pid,
    }
    rows: dict[str, dict[str, int]] = {}
    with httpx.Client(timeout=300.0) as client:
        for index, name in enumerate(mix):
            rows[name] = {
                engine: _rows(client, urls[engine] + paths[engine][index]) for engine in urls
            }
    loads: list[dict[str, Any]] = []
    for count in clients:
        entry: dict[str, Any] = {"clients": count}
        for engine, url in urls.items():
            wait_idle(pids[engine])
            cpu = tree_cpu_s(pids[engine])
            entry[engine] = load_paths(
                url, paths[engine], count, options.throughput_s, accept=SPARQL_JSON
            )
            entry[engine].update(
                cpu_per_request(cpu, tree_cpu_s(pids[engine]), entry[engine]["ok"])
            )
        theirs = entry["virtuoso"]["requests_per_s"]
        entry["ratio"] = entry["glocal"]["requests_per_s"] / theirs if theirs else None
        loads.append(entry)
        say(
            f"{graph.name}: /sparql x{count}: glocal {entry['glocal']['requests_per_s']:.0f} "
            f"req/s, Virtuoso {theirs:.0f} req/s ({entry['ratio'] or 0:.2f}x)"
        )
    ini = configparser.ConfigParser(strict=False, interpolation=None)
    ini.read(virtuoso.config)
    return {
        "virtuoso_config": {
            key: ini.getint("HTTPServer", key, fallback=None)
            for key in ("ServerThreads", "MaxClientConnections")
        },
        "rows": rows,
        "same_rows": all(len(set(counts.values())) == 1 for counts in rows.values()),
        "loads": loads,
    }
