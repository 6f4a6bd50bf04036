"""Page loads and name search over HTTP, as a reader meets the site, and the catalogue.

What issues 11 and 13 ask the bench to measure: the home page (the query editor),
each browse index, a city page, a network page, the coverage page, a canned query's
HTML page and the cached pivotal report, each as a browser asks for it (first request
apart, then p50, p95 and p99); name search as autocompletion calls it; resource pages
read by ten clients at once; and the time to build the catalogue that browse, search
and pages read, in-process, on the bench's own store. Targets (see
:data:`~glocal_cli.bench.goals.GOALS`): a page < 300 ms, a search < 50 ms, a resource
page p50 ≤ 20 ms at ten clients.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from glocal.formats import HTML, JSON
from glocal.views.catalogue import catalogue
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.servers import GlocalServer, open_client
from glocal_cli.bench.timing import Limits, percentile, sample, say, timing_summary

__all__ = ["PAGES", "SEARCHES", "page_goals", "page_loads"]

#: The pages timed, by name: what a reader opens.
PAGES: dict[str, str] = {
    "home (query editor)": "/",
    "index: cities": "/id/city",
    "index: organisations": "/id/org",
    "index: declarations": "/id/declaration",
    "index: events": "/id/event",
    "index: objectives": "/id/objective",
    "index: people": "/id/person",
    "index: sources": "/id/source",
    "city page": "/id/city/freetown",
    "network page": "/id/org/mmc",
    "coverage": "/coverage",
    "canned query (HTML)": "/queries/networks-of-city?city=city:freetown",
    "pivotal report (cached)": "/reports/pivotal",
}
#: What a reader types into the search box; timed as the JSON autocompletion reads.
SEARCHES = ("sao paulo", "MMC", "mayors migration")
#: Concurrent readers of resource pages, and how many pages of each kind they read.
READERS = 10
_PAGES_PER_KIND = {"city": 30, "org": 10, "declaration": 10}


def _summary(samples: Sequence[float]) -> dict[str, Any]:
    """p50, p95 and p99 (and the rest of :func:`timing_summary`) in milliseconds."""
    return {**timing_summary(samples), "p95_ms": percentile([s * 1000 for s in samples], 95)}


def _timed(client: httpx.Client, path: str, accept: str, limits: Limits) -> dict[str, Any]:
    def get() -> httpx.Response:
        response = client.get(path, headers={"Accept": accept})
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        return response

    started = time.perf_counter()
    first = get()
    first_ms = (time.perf_counter() - started) * 1000
    return {
        "path": path,
        "bytes": len(first.content),
        "first_ms": first_ms,
        "warm": _summary(sample(get, warmup=0, **limits)),
    }


def _resource_paths(client: httpx.Client) -> list[str]:
    """Pages of each kind of :data:`_PAGES_PER_KIND`, from the indexes' JSON."""
    paths: list[str] = []
    for kind, count in _PAGES_PER_KIND.items():
        rows = client.get(f"/id/{kind}", params={"_format": "json"}).json()["rows"]
        paths += [row["iri"].replace("https://w3id.org/glocal", "") for row in rows[:count]]
    return paths


def _readers(url: str, paths: Sequence[str], seconds: float) -> dict[str, Any]:
    """:data:`READERS` clients read ``paths`` round robin for ``seconds``; each page is
    read once first, so this measures pages as a running site serves them."""
    with open_client(url) as client:
        for path in paths:
            client.get(path, headers={"Accept": HTML})
    turn = itertools.count()
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(READERS)

    def reader(_: int) -> None:
        nonlocal errors
        with open_client(url) as client:
            client.get(paths[0], headers={"Accept": HTML})  # connect
            barrier.wait()
            stop = time.perf_counter() + seconds
            while time.perf_counter() < stop:
                path = paths[next(turn) % len(paths)]
                sent = time.perf_counter()
                status = client.get(path, headers={"Accept": HTML}).status_code
                with lock:
                    latencies.append(time.perf_counter() - sent)
                    errors += status != 200

    with ThreadPoolExecutor(READERS) as pool:
        list(pool.map(reader, range(READERS)))
    return {"clients": READERS, "pages": len(paths), "errors": errors, **_summary(latencies)}


def page_loads(graph: BenchGraph, server: GlocalServer, options: BenchOptions) -> dict[str, Any]:
    """Time :data:`PAGES` and :data:`SEARCHES` over HTTP, resource pages under
    :data:`READERS` clients, and the catalogue's build in-process."""
    limits: Limits = {"reps": options.reps, "budget": options.budget_s, "min_reps": 1}
    started = time.perf_counter()
    catalogue(graph.store)  # the bench's own process has not built it for this version
    result: dict[str, Any] = {"catalogue_build_s": time.perf_counter() - started}
    say(f"{graph.name}: catalogue built in-process in {result['catalogue_build_s']:.2f}s")
    with open_client(server.url) as client:
        # The report is computed once per data version and then served from the cache:
        # compute it before timing, as a running site would have (a city page would
        # otherwise start it in the background, and time the pages beside it).
        client.get("/reports/pivotal", params={"format": "json"})
        result["pages"] = {name: _timed(client, path, HTML, limits) for name, path in PAGES.items()}
        result["searches"] = {
            text: _timed(client, f"/search?q={text.replace(' ', '+')}&_format=json", JSON, limits)
            for text in SEARCHES
        }
        paths = _resource_paths(client)
    for name, entry in {**result["pages"], **result["searches"]}.items():
        say(
            f"{graph.name}: {name}: first {entry['first_ms']:.1f} ms, "
            f"p50 {entry['warm']['p50_ms']:.1f} ms, p95 {entry['warm']['p95_ms']:.1f} ms"
        )
    result["resource_pages"] = _readers(server.url, paths, 1.0 if options.quick else 10.0)
    load = result["resource_pages"]
    say(
        f"{graph.name}: {load['pages']} resource pages, {READERS} clients: "
        f"p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, {load['errors']} errors"
    )
    return result


def page_goals(loads: Mapping[str, Any], goals: Mapping[str, float]) -> dict[str, Any]:
    """The page goals of one graph: the slowest page's and search's p50 against
    ``goals["page_ms"]`` and ``goals["search_ms"]``, and the resource pages' p50 at ten
    clients against ``goals["resource_pages_x10_ms"]``.

    >>> page_goals({}, {"page_ms": 300, "search_ms": 50, "resource_pages_x10_ms": 20})["page_ms"]
    {'target': '< 300 ms', 'worst_ms': None, 'worst': None, 'met': None}
    """

    def worst(section: str, goal: str) -> dict[str, Any]:
        timed = {name: e["warm"]["p50_ms"] for name, e in loads.get(section, {}).items()}
        name = max(timed, key=timed.__getitem__) if timed else None
        value = timed[name] if name is not None else None
        return {
            "target": f"< {goals[goal]:g} ms",
            "worst_ms": value,
            "worst": name,
            "met": None if value is None else value < goals[goal],
        }

    readers = loads.get("resource_pages", {}).get("p50_ms")
    return {
        "page_ms": worst("pages", "page_ms"),
        "search_ms": worst("searches", "search_ms"),
        "resource_pages_x10_ms": {
            "target": f"<= {goals['resource_pages_x10_ms']:g} ms",
            "p50_ms": readers,
            "met": None if readers is None else readers <= goals["resource_pages_x10_ms"],
        },
    }
