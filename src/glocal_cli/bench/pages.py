"""Page loads and name search over HTTP, as a reader meets the site, and the catalogue.

What issues 11 and 13 ask the bench to measure: the home page (the query editor),
each browse index, a city page, a network page, the coverage page, a canned query's
HTML page and the cached pivotal report, each as a browser asks for it (first request
apart, then p50, p95 and p99); name search as autocompletion calls it; and the time to
build the catalogue that browse, search and pages read, in-process, on the bench's own
store. Targets (see :data:`~glocal_cli.bench.goals.GOALS`): a page < 300 ms, a search
< 50 ms.

Resource pages read by ten clients at once (target: p50 ≤ 20 ms) are probed by
:func:`resource_page_probe`, which the serving section runs on each configuration
(:mod:`glocal_cli.bench.serving`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from glocal.formats import HTML, JSON
from glocal.views.catalogue import catalogue
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.process_cpu import cpu_per_request, tree_cpu_s, wait_idle
from glocal_cli.bench.servers import GlocalServer, open_client
from glocal_cli.bench.timing import Limits, percentile, sample, say, timing_summary
from glocal_cli.bench.wrk import load_paths

__all__ = ["PAGES", "READERS", "SEARCHES", "page_goals", "page_loads", "resource_page_probe"]

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


def _warm_reports(url: str, city: str, *, timeout: float = 900.0) -> int:
    """Have every HTTP process of the server compute the pivotal report.

    A city page reads the city's standing from the report, and in a process that has not
    computed it yet starts it in the background and says so (``data-state="computing"``).
    Batches of :data:`READERS` fresh connections (spread by the kernel over the
    processes) each read ``city``; one that finds the report computing waits for it on
    ``/reports/pivotal``. Done when a whole batch finds it ready.

    Returns
    -------
    int
        The connections that found it computing.

    Raises
    ------
    RuntimeError
        If the report failed.
    TimeoutError
        If no batch found it ready within ``timeout`` seconds.
    """

    def read(_: int) -> bool:
        with open_client(url) as client:
            page = client.get(city, headers={"Accept": HTML}).text
            if 'data-state="failed"' in page:
                raise RuntimeError(f"the pivotal report failed; {city} says so")
            if 'data-state="ready"' in page:
                return True
            client.get("/reports/pivotal", params={"format": "json"})
            return False

    computing = 0
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(READERS) as pool:
        while time.monotonic() < deadline:
            ready = list(pool.map(read, range(READERS)))
            if all(ready):
                return computing
            computing += ready.count(False)
    raise TimeoutError(f"the pivotal report was not ready in every process after {timeout:g} s")


def resource_page_probe(
    url: str, options: BenchOptions, *, pid: int | None = None
) -> dict[str, Any]:
    """Resource pages read by :data:`READERS` clients at once, on a warmed server.

    The pages: the first of each kind in :data:`_PAGES_PER_KIND` (from the indexes),
    read round robin through wrk (:func:`~glocal_cli.bench.wrk.load_paths`) for
    ``options.throughput_s`` seconds. Before, the server is warmed as a running site
    is: the pivotal report computed in every HTTP process (:func:`_warm_reports`), and
    every page read by the same clients for a second (the catalogue, the templates and
    the query workers' caches, in every process).

    Returns
    -------
    dict
        The load test's figures, with ``pages`` (how many), ``warmed`` (what), and
        with ``pid`` (the server's process), the CPU milliseconds its process tree spent
        per page (:func:`~glocal_cli.bench.headroom.cpu_per_request`).
    """
    with open_client(url) as client:
        paths = _resource_paths(client)
    city = next(path for path in paths if path.startswith("/id/city/"))
    computing = _warm_reports(url, city)
    load_paths(url, paths, READERS, 1.0, accept=HTML)
    wait_idle(pid)
    cpu = tree_cpu_s(pid) if pid is not None else None
    load = load_paths(url, paths, READERS, options.throughput_s, accept=HTML)
    if cpu is not None:
        load.update(cpu_per_request(cpu, tree_cpu_s(pid), load["ok"]))
    return {
        "pages": len(paths),
        "warmed": {
            "report_computed_by_connections": computing,
            "report_ready_in_every_process": True,
            "pages_read_for_s": 1.0,
        },
        **load,
    }


def page_loads(graph: BenchGraph, server: GlocalServer, options: BenchOptions) -> dict[str, Any]:
    """Time :data:`PAGES` and :data:`SEARCHES` over HTTP, and the catalogue's build
    in-process."""
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
    for name, entry in {**result["pages"], **result["searches"]}.items():
        say(
            f"{graph.name}: {name}: first {entry['first_ms']:.1f} ms, "
            f"p50 {entry['warm']['p50_ms']:.1f} ms, p95 {entry['warm']['p95_ms']:.1f} ms"
        )
    return result


def page_goals(loads: Mapping[str, Any], goals: Mapping[str, float]) -> dict[str, Any]:
    """The page goals of one graph: the slowest page's and search's p50 against
    ``goals["page_ms"]`` and ``goals["search_ms"]``.

    >>> page_goals({}, {"page_ms": 300, "search_ms": 50})["page_ms"]
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

    return {"page_ms": worst("pages", "page_ms"), "search_ms": worst("searches", "search_ms")}
