"""Throughput of glocal's ``/sparql`` against Virtuoso's, on the same client.

The texts are the serving mix's canned queries as ``/queries/{name}`` runs them (their
defaults bound, their first page if they page: :func:`~glocal_cli.bench.latency.default_page`),
with glocal's prefixes declared (:func:`~glocal.store.remote.with_prefixes`), as the
canned-query comparison sends them to Virtuoso (:mod:`~glocal_cli.bench.canned_engines`).
Each is sent as ``GET /sparql?query=...`` asking for SPARQL JSON: to glocal's default
configuration with its result cache off, and to Virtuoso holding the same graph, with
the dataset :class:`~glocal.store.remote.RemoteStore` names (the merged default graph,
glocal's named graphs). Both stop a query at glocal's default time limit
(:class:`~glocal_api.settings.Settings`): Virtuoso is told it in the request
(:func:`~glocal.store.remote.virtuoso_timeout`). Before the load, each query's row count
is checked to be the same on both, and Virtuoso's answer to be on the dataset sent: it
echoes the dataset it used, and a request line longer than
:data:`VIRTUOSO_REQUEST_LINE_BYTES` loses its dataset parameters without an error
(network-overlap's, 10,749 bytes with every glocal prefix declared, lost them: Virtuoso
answered 0 rows on an empty default graph named ``https``). A query whose
dataset Virtuoso did not get is left out of the load on both engines, with the reason.
wrk drives both at the serving section's client counts.
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
from glocal.store.remote import MERGED_GRAPH, RemoteStore, virtuoso_timeout, with_prefixes
from glocal.store.virtuoso import VirtuosoServer
from glocal_api.settings import Settings
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.latency import default_page
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.process_cpu import cpu_per_request, tree_cpu_s, wait_idle
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.timing import say
from glocal_cli.bench.wrk import load_paths

__all__ = ["VIRTUOSO_REQUEST_LINE_BYTES", "dataset_cut", "sparql_against_virtuoso"]

#: The bytes of an HTTP request line (``GET``, a space and the target) that Virtuoso
#: 7.2.5 reads; it drops the rest without an error (measured with the bench's Virtuoso:
#: a parameter that straddles the 9,999th byte is cut there, later ones are lost).
VIRTUOSO_REQUEST_LINE_BYTES = 9_999


def _answer(client: httpx.Client, url: str) -> httpx.Response:
    """One SPARQL JSON answer.

    Raises
    ------
    RuntimeError
        If the answer is not 200.
    """
    response = client.get(url, headers={"Accept": SPARQL_JSON})
    if response.status_code != 200:
        raise RuntimeError(f"{url[:80]}: {response.status_code} {response.text[:300]}")
    return response


def _rows(response: httpx.Response) -> int:
    """Rows of a SPARQL JSON answer (1 for ``ASK``)."""
    body = json.loads(response.content)
    return len(body["results"]["bindings"]) if "results" in body else 1


def dataset_cut(response: httpx.Response, named: Sequence[str]) -> str | None:
    """Why Virtuoso's answer is not on the dataset it was sent, or None if it is.

    Virtuoso echoes the dataset it used in its ``X-SPARQL-default-graph`` and
    ``X-SPARQL-named-graph`` headers; the bench sends :data:`MERGED_GRAPH
    <glocal.store.remote.MERGED_GRAPH>` and ``named``.
    """
    default = response.headers.get("X-SPARQL-default-graph")
    echoed = response.headers.get("X-SPARQL-named-graph")
    used = set(echoed.split(", ")) if echoed else set()
    if default == MERGED_GRAPH and used == set(named):
        return None
    line = len(b"GET " + response.request.url.raw_path)
    why = (
        f"; Virtuoso reads only the first {VIRTUOSO_REQUEST_LINE_BYTES:,} bytes of one, "
        "dropping the rest without an error"
        if line > VIRTUOSO_REQUEST_LINE_BYTES
        else ""
    )
    return (
        f"Virtuoso answered on the default graph {default!r} and {len(used & set(named))} of "
        f"the {len(named)} named graphs sent, not on the dataset sent: its request line is "
        f"{line:,} bytes{why}"
    )


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
        ``rows`` (per query compared, glocal's and Virtuoso's row counts), ``same_rows``,
        ``left_out`` (per query whose dataset Virtuoso did not get, why: see
        :func:`dataset_cut`; it is left out of the load on both engines),
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
    texts = {name: with_prefixes(default_page(canned[name])) for name in mix}
    # First, so that a request line cut short keeps it; the dataset is checked below.
    limit = list(virtuoso_timeout(Settings().timeout).items())
    paths = {
        "glocal": {name: "/sparql?" + urlencode({"query": text}) for name, text in texts.items()},
        "virtuoso": {
            name: "/sparql?"
            + urlencode(
                [*limit, ("query", text), ("default-graph-uri", MERGED_GRAPH)]
                + [("named-graph-uri", iri) for iri in named]
            )
            for name, text in texts.items()
        },
    }
    urls = {"glocal": glocal.url, "virtuoso": virtuoso.base_url}
    pids = {
        "glocal": glocal.process.pid,
        "virtuoso": None if virtuoso.process is None else virtuoso.process.pid,
    }
    rows: dict[str, dict[str, int]] = {}
    left_out: dict[str, str] = {}
    with httpx.Client(timeout=300.0) as client:
        for name in mix:
            answers = {
                engine: _answer(client, urls[engine] + paths[engine][name]) for engine in urls
            }
            cut = dataset_cut(answers["virtuoso"], named)
            if cut is None:
                rows[name] = {engine: _rows(answer) for engine, answer in answers.items()}
            else:
                left_out[name] = cut
                say(f"{graph.name}: /sparql on Virtuoso: {name} left out: {cut}")
    loads: list[dict[str, Any]] = []
    # No load when every query was left out: there would be nothing to compare.
    for count in clients if rows else ():
        entry: dict[str, Any] = {"clients": count}
        for engine, url in urls.items():
            wait_idle(pids[engine])
            cpu = tree_cpu_s(pids[engine])
            entry[engine] = load_paths(
                url,
                [paths[engine][name] for name in rows],
                count,
                options.throughput_s,
                accept=SPARQL_JSON,
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
        "left_out": left_out,
        "loads": loads,
    }
