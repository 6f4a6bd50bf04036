"""``glocal bench``: load, validation, query latency, HTTP overhead, throughput and engine
comparisons, measured in one run and written to ``bench.json`` and ``bench.md``.

Every ratio in the output is computed from numbers measured in the same run, on the
same machine:

- **Graphs.** The curated graph, and a larger synthetic one: the curated files plus
  :func:`glocal.data.synth.write_synthetic` output (20,000 cities, 1,000 networks, about
  60,000 memberships; a simple generator of the same shape stands in when
  :mod:`glocal.data.synth` is absent). Load time is parsing plus building the on-disk
  Oxigraph store in an empty cache folder. SHACL validation is slow (pySHACL), so the
  synthetic graph's validation runs on a smaller synthetic graph, and says so.
- **Canned queries** (``queries/*.rq`` with their defaults): in-process latency
  (:meth:`EmbeddedStore.query <glocal.store.EmbeddedStore.query>`, every row consumed)
  and latency over HTTP against a real uvicorn server (``create_app``) in its own process
  on a free ``127.0.0.1`` port: ``/queries/{name}`` on a server whose result cache is off,
  ``/sparql`` with a unique comment appended (so no cache can answer it), and a cached
  repeat on a second server with the cache on. The servers add a ``Server-Timing``
  header (time from request to response headers, measured by an ASGI wrapper around the
  whole app), which gives the server time of a cache hit.
- **Throughput** of a mix of canned queries from 8 and 32 client threads, uncached
  and cached, bounded in time and request count, with errors counted.
- **The network-size aggregation** on the embedded store in-process and over HTTP, on
  Virtuoso (Debian's ``virtuoso-opensource``, started on loopback here) through
  :class:`~glocal.store.remote.RemoteStore` and over its own HTTP endpoint, and on
  `rdflib-endpoint <https://pypi.org/project/rdflib-endpoint/>`_ 0.6.3 (the ``bench``
  extra) serving the same files from an rdflib ``Dataset`` in a separate uvicorn process.
- **The pivotal report**: generation time and peak memory (``ru_maxrss`` of a child
  process), when :mod:`glocal.report.build` is available.

Nothing listens beyond loopback. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import inspect
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from glocal.dataset import curated_files, load_files
from glocal.namespaces import GL, ID, ORG, PROV, RDF, RDFS
from glocal.resources import DATA_DIR, ONTOLOGY_DIR, RESOURCES_ROOT
from glocal.store import EmbeddedStore, QueryResult, parse_query, query_form

__all__ = [
    "AGGREGATION_QUERY",
    "GOALS",
    "BenchOptions",
    "VirtuosoLauncher",
    "configure_parser",
    "percentile",
    "rdflib_endpoint_app",
    "render_markdown",
    "run_bench",
    "summarize",
]

#: The network-size aggregation compared across engines.
AGGREGATION_QUERY = (
    "SELECT ?org (COUNT(?m) AS ?n) WHERE { ?m org:memberOf ?org } GROUP BY ?org ORDER BY DESC(?n)"
)

#: The targets the report checks: HTTP overhead over in-process (p50, ms), server time
#: of a cached repeat (p50, ms), and glocal's speed over rdflib-endpoint (times).
GOALS: dict[str, float] = {
    "http_overhead_ms": 2.0,
    "cached_server_ms": 1.0,
    "rdflib_speedup": 40.0,
}

_RDFLIB_FILES_ENV = "GLOCAL_BENCH_RDFLIB_FILES"
_RDFLIB_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt"}
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_STARTED = time.perf_counter()


def _say(message: str) -> None:
    print(f"[bench {time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class BenchOptions:
    """What one bench run measures, and how hard.

    Use :meth:`full_run` or :meth:`quick_run` for the two standard sizes.
    """

    out: Path = Path("bench-results")
    quick: bool = False
    synthetic_cities: int = 20_000
    #: Cities of the smaller synthetic graph that SHACL validation runs on.
    validation_cities: int = 1_000
    validate_curated: bool = True
    skip_virtuoso: bool = False
    skip_rdflib_endpoint: bool = False
    #: Query worker processes of each glocal server.
    workers: int = 4
    #: Most timed repetitions per query and mode, and the time budget that stops
    #: repeating earlier (at least ``min_reps`` are taken, or one for slow queries).
    reps: int = 60
    budget_s: float = 1.0
    min_reps: int = 3
    #: A query slower than this (in-process, first run) is timed once per mode.
    slow_query_s: float = 2.0
    #: Queries in the throughput mix must run under this in-process p50.
    throughput_query_max_ms: float = 250.0
    clients: tuple[int, ...] = (8, 32)
    throughput_s: float = 3.0
    throughput_max_requests: int = 20_000
    aggregation_reps: int = 30
    aggregation_budget_s: float = 2.0
    rdflib_reps: int = 10
    rdflib_budget_s: float = 15.0
    report: bool = True
    #: Run the report's layer sensitivity (one extra ranking per layer) on the synthetic
    #: graph too; on the curated graph it always runs.
    report_sensitivity_synthetic: bool = False

    @classmethod
    def full_run(cls, **overrides: Any) -> BenchOptions:
        """The standard run: about 540k quads of synthetic data, under ~10 minutes on 2 cores."""
        return replace(cls(), **overrides)

    @classmethod
    def quick_run(cls, **overrides: Any) -> BenchOptions:
        """A tiny run for tests: small graphs, few repetitions, short throughput runs.

        >>> BenchOptions.quick_run().synthetic_cities
        150
        """
        base = cls(
            quick=True,
            synthetic_cities=150,
            validation_cities=40,
            validate_curated=False,
            workers=2,
            reps=5,
            budget_s=0.2,
            min_reps=2,
            throughput_s=0.3,
            throughput_max_requests=60,
            aggregation_reps=5,
            aggregation_budget_s=0.3,
            rdflib_reps=3,
            rdflib_budget_s=2.0,
            report=False,
        )
        return replace(base, **overrides)


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile by linear interpolation between closest ranks.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    >>> percentile([5.0], 99)
    5.0
    >>> round(percentile(range(1, 101), 99), 2)
    99.01
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50, p99, mean, min and max in milliseconds, and the number of samples.

    >>> summarize([0.001, 0.002, 0.003])["p50_ms"]
    2.0
    """
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / len(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def _p50(section: Mapping[str, Any] | None) -> float | None:
    if not section or "p50_ms" not in section:
        return None
    value: float = section["p50_ms"]
    return value


def _sample(
    run: Callable[[], object],
    *,
    reps: int,
    budget: float,
    min_reps: int,
    warmup: int = 1,
) -> list[float]:
    """Time ``run`` after ``warmup`` calls, until ``reps`` samples or the time budget."""
    for _ in range(warmup):
        run()
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < reps and (len(samples) < min_reps or time.perf_counter() < deadline):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def _consume(result: QueryResult) -> int:
    """Read every row (or triple) of a result; the number read."""
    if isinstance(result, bool) or not hasattr(result, "__iter__"):
        return 1
    return sum(1 for _ in result)


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_timing(app: Any) -> Any:
    """Wrap an ASGI app to add ``Server-Timing: app;dur=<ms>``: the time from the request
    to the response headers (for a cached result, all of the work but the socket write)."""

    async def timed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                duration = (time.perf_counter() - started) * 1000
                headers = [
                    *message.get("headers", []),
                    (b"server-timing", f"app;dur={duration:.3f}".encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_timed)

    return timed


def _serve_glocal(
    store_path: str, version: str, port: int, workers: int, cache_entries: int
) -> None:
    """Child process: serve ``create_app`` over a built store on ``127.0.0.1:port``."""
    import uvicorn

    from glocal_api.app import Settings, create_app

    store = EmbeddedStore(Path(store_path), version, workers=workers)
    settings = Settings(timeout=120.0, result_cache_entries=cache_entries)
    app = _server_timing(create_app(store, settings))
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT that stopped it
        pass
    finally:
        store.close()


class _GlocalServer:
    """glocal's app in a uvicorn server in a child process (so that client threads of the
    bench do not compete with it for the interpreter lock)."""

    def __init__(self, store: EmbeddedStore, *, workers: int, cache: bool) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(
            target=_serve_glocal,
            args=(str(store.path), store.version, self.port, workers, 256 if cache else 0),
            name=f"glocal-bench-server-{'cached' if cache else 'uncached'}",
        )
        self.process.start()
        self._workers = workers
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        with _client(self.url) as client:
            while time.monotonic() < deadline:
                if not self.process.is_alive():
                    raise RuntimeError(f"the glocal server exited with {self.process.exitcode}")
                with contextlib.suppress(Exception):
                    if client.get("/queries").status_code == 200:
                        break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"the glocal server did not start within {timeout:.0f} s")
            # Start every query worker: each opens the store in its own process.
            for _ in range(2 * self._workers):
                _post_sparql(client, f"ASK {{}}\n# warm-up {uuid.uuid4().hex}")

    def stop(self) -> None:
        # SIGINT, not SIGTERM: uvicorn re-raises the signal that stopped it, and only
        # SIGINT (as KeyboardInterrupt) lets the child close its store and reap its
        # query workers, whose CPU time then counts as the bench's own.
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, signal.SIGINT)
            self.process.join(20)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(10)

    def __enter__(self) -> _GlocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _client(base_url: str, timeout: float = 300.0) -> Any:
    import httpx

    return httpx.Client(base_url=base_url, timeout=timeout)


def _post_sparql(client: Any, sparql: str, accept: str = _JSON) -> Any:
    response = client.post(
        "/sparql",
        content=sparql.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    if response.status_code != 200:
        raise RuntimeError(f"/sparql answered {response.status_code}: {response.text[:300]}")
    return response


def _nonce(sparql: str) -> str:
    """The query with a unique trailing comment: a result cache keyed by text misses."""
    return f"{sparql.rstrip()}\n# bench {uuid.uuid4().hex}\n"


class VirtuosoLauncher:
    """A throwaway Virtuoso server on loopback in its own folder (for benchmarks).

    The minimal launch logic of ``tests/virtuoso_server.py``, with buffers sized for a
    graph of half a million triples. Loading goes through
    :meth:`RemoteStore.load <glocal.store.remote.RemoteStore.load>`, which needs the anonymous
    ``SPARQL`` user to be allowed updates: right only for a server on loopback.

    Parameters
    ----------
    directory
        An empty folder for database, log and ``virtuoso.ini``.
    buffers
        Virtuoso's ``NumberOfBuffers`` (8 kB pages held in memory).
    """

    INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 300
"""

    def __init__(self, directory: Path, *, buffers: int = 170_000) -> None:
        self.server = shutil.which("virtuoso-t")
        self.isql_path = shutil.which("isql-vt")
        if self.server is None or self.isql_path is None:
            raise FileNotFoundError(
                "virtuoso-t/isql-vt not found: apt-get install virtuoso-opensource"
            )
        self.directory = directory
        self.sql_port = _free_port()
        self.http_port = _free_port()
        self.config = directory / "virtuoso.ini"
        self.config.write_text(
            self.INI.format(
                dir=directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=buffers,
                dirty=buffers * 3 // 4,
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def start(self, timeout: float = 90.0) -> None:
        """Start the server, wait for its SPARQL endpoint, and allow anonymous updates.

        Raises
        ------
        RuntimeError
            If it exits or does not answer within ``timeout`` seconds.
        """
        import httpx

        assert self.server is not None
        with (self.directory / "server.out").open("ab") as output:
            self.process = subprocess.Popen(
                [self.server, "+foreground", "+configfile", str(self.config)],
                cwd=self.directory,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(self.endpoint, params={"query": "ASK {}"}, timeout=2.0)
                if answer.status_code == 200:
                    self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s")

    def isql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` (the default password of a new database)."""
        assert self.isql_path is not None
        done = subprocess.run(
            [self.isql_path, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed on {statement!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Shut the server down, killing it if it takes longer than 30 s."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def rdflib_endpoint_app() -> Any:
    """The rdflib-endpoint app over the files named in ``$GLOCAL_BENCH_RDFLIB_FILES``.

    A factory for ``uvicorn --factory glocal_cli.bench:rdflib_endpoint_app``: the files
    (separated by :data:`os.pathsep`) are parsed into an rdflib ``Dataset`` whose default
    graph is the union of its graphs, as glocal's is, and served at ``/sparql``.
    """
    from rdflib import Dataset as RdflibDataset
    from rdflib_endpoint import SparqlEndpoint

    graph = RdflibDataset(default_union=True)
    for name in os.environ.get(_RDFLIB_FILES_ENV, "").split(os.pathsep):
        if name:
            path = Path(name)
            graph.parse(path, format=_RDFLIB_FORMATS.get(path.suffix, "turtle"))
    return SparqlEndpoint(graph=graph, path="/sparql", title="rdflib-endpoint (bench)")


class _RdflibEndpoint:
    """rdflib-endpoint in a separate uvicorn process on a free loopback port."""

    def __init__(self, files: Sequence[Path], log: Path, *, timeout: float = 900.0) -> None:
        import httpx

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, _RDFLIB_FILES_ENV: os.pathsep.join(str(f) for f in files)}
        started = time.perf_counter()
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "glocal_cli.bench:rdflib_endpoint_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = log.read_text(errors="replace")[-1500:]
                raise RuntimeError(f"rdflib-endpoint exited with {self.process.returncode}: {tail}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=5.0)
                if answer.status_code == 200:
                    break
            time.sleep(0.25)
        else:
            self.stop()
            raise RuntimeError(f"rdflib-endpoint did not start within {timeout:.0f} s")
        self.startup_s = time.perf_counter() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


# --------------------------------------------------------------------------- synthetic data


def _synthetic_file(folder: Path, cities: int, notes: list[str]) -> tuple[Path, str]:
    """Write the synthetic graph; the file and which generator wrote it."""
    networks = max(2, cities // 20)
    try:
        from glocal.data.synth import write_synthetic
    except ImportError as err:
        notes.append(f"glocal.data.synth unavailable ({err}); bench.py's simple generator was used")
    else:
        try:
            path = write_synthetic(folder, cities=cities, networks=networks, seed=0)
            return path, "glocal.data.synth.write_synthetic"
        except TypeError as err:  # the API changed under us
            notes.append(f"glocal.data.synth.write_synthetic failed ({err}); simple generator used")
    return _simple_synthetic(folder, cities, networks), "glocal_cli.bench simple generator"


def _simple_synthetic(folder: Path, cities: int, networks: int, seed: int = 0) -> Path:
    """A graph of the curated shape: cities, networks and three memberships per city, each
    a direct ``org:memberOf`` plus an ``org:Membership`` with quote and source, in the
    source's named graph. Used only when :mod:`glocal.data.synth` is absent.

    >>> path = _simple_synthetic(Path(tempfile.mkdtemp()), 10, 2)
    >>> "org#Membership" in path.read_text()
    True
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"simple-synthetic-{cities}-{networks}-{seed}.nq"
    sources = [f"<{ID}source/bench-synthetic-{i}>" for i in range(8)]
    registry = sources[0]
    weights = [1 / (rank + 1) for rank in range(networks)]
    member = 0
    with path.open("w", encoding="utf-8") as out:
        for src in sources:
            out.write(f"{src} <{RDF}type> <{GL}Source> {src} .\n")
            out.write(f'{src} <{RDFS}label> "Synthetic source"@en {src} .\n')
        nets = [f"<{ID}org/bench-network-{n}>" for n in range(networks)]
        for n, net in enumerate(nets):
            out.write(f"{net} <{RDF}type> <{GL}CityNetwork> {registry} .\n")
            out.write(f'{net} <{RDFS}label> "Network {n}"@en {registry} .\n')
        for c in range(cities):
            city = f"<{ID}city/bench-city-{c}>"
            out.write(f"{city} <{RDF}type> <{GL}City> {registry} .\n")
            out.write(f'{city} <{RDFS}label> "City {c}"@en {registry} .\n')
            for net in {nets[i] for i in rng.choices(range(networks), weights, k=3)}:
                member += 1
                graph = rng.choice(sources)
                node = f"_:m{member}"
                out.write(
                    f"{city} <{ORG}memberOf> {net} {graph} .\n"
                    f"{node} <{RDF}type> <{ORG}Membership> {graph} .\n"
                    f"{node} <{ORG}member> {city} {graph} .\n"
                    f"{node} <{ORG}organization> {net} {graph} .\n"
                    f'{node} <{GL}quote> "Synthetic: city {c} is a member." {graph} .\n'
                    f"{node} <{PROV}wasDerivedFrom> {graph} {graph} .\n"
                )
    return path


# --------------------------------------------------------------------------- sections


@dataclass
class _Graph:
    name: str
    files: list[Path]
    store: EmbeddedStore
    result: dict[str, Any] = field(default_factory=dict)


def _load(name: str, files: list[Path], cache_dir: Path) -> _Graph:
    _say(f"{name}: parsing {len(files)} files")
    started = time.perf_counter()
    dataset = load_files(files)
    parsed = time.perf_counter()
    store = EmbeddedStore.open(dataset, cache_dir=cache_dir, workers=1)
    built = time.perf_counter()
    reopened = EmbeddedStore.open(dataset, cache_dir=cache_dir, workers=1)
    reopen_s = time.perf_counter() - built
    reopened.close()
    quads = len(dataset.quads)
    load = {
        "parse_s": parsed - started,
        "build_s": built - parsed,
        "total_s": built - started,
        "reopen_s": reopen_s,
        "quads_per_s": quads / (built - started),
    }
    _say(f"{name}: {quads:,} quads, loaded in {load['total_s']:.2f}s")
    graph = _Graph(name, files, store)
    graph.result = {
        "quads": quads,
        "store_quads": len(store),
        "files": [_display(f) for f in files],
        "data_version": dataset.version,
        "load": load,
    }
    # Half a million quads kept alive would make every garbage collection of this
    # process slow, and the in-process timings with it: the store has them now.
    del dataset
    gc.collect()
    return graph


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(RESOURCES_ROOT))
    except ValueError:
        return path.name


def _validate(files: list[Path], what: str) -> dict[str, Any]:
    from glocal.data.validation import validate_dataset

    dataset = load_files(files)
    _say(f"validating {what} ({len(dataset.quads):,} quads)")
    started = time.perf_counter()
    report = validate_dataset(dataset, cache_dir=None)
    seconds = time.perf_counter() - started
    _say(f"validated {what} in {seconds:.1f}s: conforms={report.conforms}")
    return {
        "graph": what,
        "quads": len(dataset.quads),
        "seconds": seconds,
        "quads_per_s": len(dataset.quads) / seconds,
        "conforms": report.conforms,
        "violations": len(report.violations),
    }


def _inprocess_child(
    store_path: str,
    version: str,
    jobs: list[tuple[str, str, str]],
    options: BenchOptions,
    conn: Any,
) -> None:
    """Child process: time queries in-process (``EmbeddedStore.query``) and send the samples.

    Each job is ``(key, sparql, kind)``; ``kind`` is ``consume`` (read every row) or
    ``serialize`` (write the result as SPARQL JSON). A query slower than
    ``options.slow_query_s`` on its first run keeps that run as its one sample.
    """
    import io

    from glocal.store import serialize_result

    store = EmbeddedStore(Path(store_path), version, workers=1)
    results: dict[str, Any] = {}
    try:
        for key, sparql, kind in jobs:

            def run(text: str = sparql, kind: str = kind) -> int:
                if kind == "serialize":
                    buffer = io.BytesIO()
                    serialize_result(store.query(text), buffer, _JSON)
                    return buffer.tell()
                return _consume(store.query(text))

            started = time.perf_counter()
            rows = run()
            first_s = time.perf_counter() - started
            slow = first_s > options.slow_query_s
            if slow:
                samples = [first_s]
            else:
                min_reps = 1 if first_s * options.min_reps > options.budget_s else options.min_reps
                samples = _sample(
                    run, reps=options.reps, budget=options.budget_s, min_reps=min_reps, warmup=0
                )
            results[key] = {"rows": rows, "first_s": first_s, "slow": slow, "samples": samples}
    except Exception as err:
        results = {"error": f"{type(err).__name__}: {err}"}
    finally:
        store.close()
    conn.send(results)
    conn.close()


def _inprocess(
    store: EmbeddedStore, jobs: list[tuple[str, str, str]], options: BenchOptions
) -> dict[str, Any]:
    """Run :func:`_inprocess_child` in a fresh process, as fresh as a query worker.

    The bench process itself has parsed, validated and sent hundreds of megabytes over
    HTTP by then; timings taken in it were seen to drift by tens of percent.
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
        results = {"error": f"the in-process timing process died ({process.exitcode})"}
    process.join(30)
    if "error" in results:
        raise RuntimeError(f"in-process timings failed: {results['error']}")
    return results


def _canned(
    graph: _Graph, servers: tuple[_GlocalServer, _GlocalServer], options: BenchOptions
) -> dict[str, Any]:
    """Latency of every canned query in-process, over HTTP uncached, and cached."""
    from glocal.canned import bind, load_queries

    uncached, cached = servers
    results: dict[str, Any] = {}
    cache_limit = 1_000_000
    bound = {name: bind(canned, {}) for name, canned in load_queries().items()}
    _say(f"{graph.name}: in-process timings of {len(bound)} canned queries (child process)")
    local = _inprocess(
        graph.store, [(name, sparql, "consume") for name, sparql in bound.items()], options
    )
    with _client(uncached.url) as plain, _client(cached.url) as caching:
        for name, sparql in bound.items():
            form = query_form(sparql)
            fmt, accept = ("nt", _NTRIPLES) if form == "CONSTRUCT" else ("json", _JSON)
            rows, first_s, slow = local[name]["rows"], local[name]["first_s"], local[name]["slow"]
            reps, min_reps, warmup = (1, 1, 0) if slow else (options.reps, options.min_reps, 1)
            if not slow and first_s * options.min_reps > options.budget_s:
                min_reps = 1
            timing = {"reps": reps, "budget": options.budget_s, "min_reps": min_reps}
            entry: dict[str, Any] = {"rows": rows, "form": form, "first_run_ms": first_s * 1000}
            if slow:
                entry["note"] = (
                    f"slow (first run {first_s:.1f}s): one sample in-process and over "
                    "/queries/{name}; /sparql skipped"
                )
            entry["inprocess"] = summarize(local[name]["samples"])
            sizes: list[int] = []

            def canned_get(
                client: Any = plain, name: str = name, fmt: str = fmt, sizes: list[int] = sizes
            ) -> Any:
                response = client.get(f"/queries/{name}", params={"format": fmt})
                if response.status_code != 200:
                    raise RuntimeError(
                        f"/queries/{name}: {response.status_code} {response.text[:300]}"
                    )
                sizes.append(len(response.content))
                return response

            entry["http_canned"] = summarize(_sample(canned_get, warmup=warmup, **timing))
            if slow:
                entry["http_sparql"] = {"skipped": "slow query: timed over /queries/{name} only"}
            else:
                entry["http_sparql"] = summarize(
                    _sample(
                        lambda s=sparql, a=accept: _post_sparql(plain, _nonce(s), a),
                        warmup=warmup,
                        **timing,
                    )
                )
            entry["response_bytes"] = max(sizes)
            entry["http_minus_inprocess_ms"] = (
                entry["http_canned"]["p50_ms"] - entry["inprocess"]["p50_ms"]
            )
            sparql_p50 = _p50(entry["http_sparql"])
            entry["sparql_minus_inprocess_ms"] = (
                None if sparql_p50 is None else sparql_p50 - entry["inprocess"]["p50_ms"]
            )
            entry["http_over_inprocess"] = _ratio(
                entry["http_canned"]["p50_ms"], entry["inprocess"]["p50_ms"]
            )
            if entry["response_bytes"] > cache_limit:
                entry["cached"] = {
                    "skipped": f"result of {entry['response_bytes']:,} bytes is over the "
                    f"result cache's {cache_limit:,}-byte limit, so it is never cached"
                }
            else:
                entry["cached"] = _cached(caching, name, fmt, options)
                entry["cached_speedup"] = _ratio(
                    entry["http_canned"]["p50_ms"], _p50(entry["cached"].get("client"))
                )
            results[name] = entry
            _say(
                f"{graph.name}: {name}: {rows} rows, in-process p50 "
                f"{entry['inprocess']['p50_ms']:.2f} ms, HTTP p50 "
                f"{entry['http_canned']['p50_ms']:.2f} ms"
            )
    return results


def _breakdown(graph: _Graph, server: _GlocalServer, options: BenchOptions) -> dict[str, Any]:
    """Where the time of one small canned query goes on its way to an HTTP client.

    The steps add one layer each: reading the rows in-process, serializing them as JSON,
    running the query in a worker process of the pool (:meth:`EmbeddedStore.stream
    <glocal.store.EmbeddedStore.stream>`), and the whole HTTP request; ``ASK {}`` through
    the pool and over HTTP gives the fixed cost of each layer.
    """
    from glocal.canned import bind, load_queries

    canned = load_queries()
    name = "networks-of-city" if "networks-of-city" in canned else next(iter(canned))
    sparql = bind(canned[name], {})
    timing = {"reps": options.reps, "budget": options.budget_s, "min_reps": options.min_reps}
    store = graph.store
    local = _inprocess(
        store, [("consume", sparql, "consume"), ("serialize", sparql, "serialize")], options
    )

    def stream(text: str) -> bytes:
        return b"".join(store.stream(parse_query(text), media_type=_JSON, timeout=120.0))

    steps: dict[str, Any] = {
        "inprocess_consume": summarize(local["consume"]["samples"]),
        "inprocess_serialize_json": summarize(local["serialize"]["samples"]),
        "pool_stream": summarize(_sample(lambda: stream(sparql), warmup=2, **timing)),
        "pool_ask_empty": summarize(_sample(lambda: stream("ASK {}"), warmup=2, **timing)),
    }
    with _client(server.url) as client:
        steps["http_canned"] = summarize(
            _sample(
                lambda: client.get(f"/queries/{name}", params={"format": "json"}),
                warmup=2,
                **timing,
            )
        )
        steps["http_ask_empty"] = summarize(
            _sample(lambda: _post_sparql(client, _nonce("ASK {}")), warmup=2, **timing)
        )
    p50 = {key: value["p50_ms"] for key, value in steps.items()}
    derived = {
        "json_serialization_ms": p50["inprocess_serialize_json"] - p50["inprocess_consume"],
        "worker_pool_ms": p50["pool_stream"] - p50["inprocess_serialize_json"],
        "http_stack_ms": p50["http_canned"] - p50["pool_stream"],
        "fixed_pool_ms": p50["pool_ask_empty"],
        "fixed_http_ms": p50["http_ask_empty"] - p50["pool_ask_empty"],
    }
    _say(
        f"{graph.name}: overhead of {name}: "
        + ", ".join(f"{k} {v:.2f}" for k, v in derived.items())
    )
    return {"query": name, "steps": steps, "derived_p50_ms": derived}


def _cached(client: Any, name: str, fmt: str, options: BenchOptions) -> dict[str, Any]:
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
    samples = _sample(
        get, reps=options.reps, budget=options.budget_s, min_reps=options.min_reps, warmup=0
    )
    result: dict[str, Any] = {"client": summarize(samples), "hits": hits, "requests": len(samples)}
    if server_ms:
        result["server"] = summarize([ms / 1000 for ms in server_ms])
    return result


def _throughput(
    graph: _Graph,
    servers: tuple[_GlocalServer, _GlocalServer],
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
            runs.append({"mode": mode, **_load_test(server.url, mix, clients, options)})
            last = runs[-1]
            _say(
                f"{graph.name}: throughput {mode} x{clients}: {last['requests_per_s']:.0f} req/s, "
                f"{last['errors']} errors"
            )
    return {"mix": mix, "runs": runs}


def _load_test(url: str, mix: Sequence[str], clients: int, options: BenchOptions) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, send the mix round
    robin until the time or request limit; the clock starts once every client is connected.
    """
    import httpx

    counter = itertools.count()
    limit = options.throughput_max_requests
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["started"] = time.perf_counter()
        clock["stop_at"] = clock["started"] + options.throughput_s

    barrier = threading.Barrier(clients, action=start_clock)

    def client_thread(_: int) -> tuple[int, int, list[str], float]:
        ok = errors = 0
        messages: list[str] = []
        with _client(url, timeout=120.0) as client:
            with contextlib.suppress(httpx.HTTPError):
                client.get(f"/queries/{mix[0]}", params={"format": "json"})  # connect
            barrier.wait()
            while time.perf_counter() < clock["stop_at"]:
                number = next(counter)
                if number >= limit:
                    break
                try:
                    response = client.get(
                        f"/queries/{mix[number % len(mix)]}", params={"format": "json"}
                    )
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
    }


def _org_counts_json(body: bytes) -> dict[str, int]:
    data = json.loads(body)
    return {b["org"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}


def _org_counts(result: QueryResult) -> dict[str, int]:
    return {row["org"].value: int(row["n"].value) for row in result}  # type: ignore[union-attr]


def _aggregation(
    graph: _Graph,
    uncached: _GlocalServer,
    virtuoso: VirtuosoLauncher | None,
    virtuoso_note: str | None,
    rdflib: _RdflibEndpoint | None,
    rdflib_note: str | None,
    options: BenchOptions,
) -> dict[str, Any]:
    """The network-size aggregation on every engine, with speed ratios against glocal."""
    from glocal.store.remote import with_prefixes

    engines: dict[str, Any] = {}
    expected = _org_counts(graph.store.query(AGGREGATION_QUERY))
    glocal = {"reps": options.aggregation_reps, "budget": options.aggregation_budget_s}

    def record(key: str, samples: list[float], answer: dict[str, int], **extra: Any) -> None:
        engines[key] = {
            **summarize(samples),
            "rows": len(answer),
            "same_answer": answer == expected,
            "same_networks": set(answer) == set(expected),
            "counts_differ": sum(answer.get(org) != n for org, n in expected.items()),
            **extra,
        }

    local = _inprocess(
        graph.store,
        [("aggregation", AGGREGATION_QUERY, "consume")],
        replace(options, reps=options.aggregation_reps, budget_s=options.aggregation_budget_s),
    )
    record("glocal_inprocess", local["aggregation"]["samples"], expected)
    with _client(uncached.url) as client:
        bodies: list[bytes] = []
        samples = _sample(
            lambda: bodies.append(_post_sparql(client, _nonce(AGGREGATION_QUERY)).content),
            min_reps=options.min_reps,
            **glocal,
        )
    record("glocal_http", samples, _org_counts_json(bodies[-1]))

    if virtuoso is None:
        engines["virtuoso_remote_store"] = {"skipped": virtuoso_note}
        engines["virtuoso_http"] = {"skipped": virtuoso_note}
    else:
        from glocal.store.remote import RemoteStore

        _say(f"{graph.name}: loading Virtuoso through RemoteStore")
        dataset = load_files(graph.files)
        started = time.perf_counter()
        remote = RemoteStore.open(
            dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store, timeout=900.0
        )
        load_s = time.perf_counter() - started
        del dataset
        gc.collect()
        try:
            answers: list[dict[str, int]] = []
            samples = _sample(
                lambda: answers.append(_org_counts(remote.query(AGGREGATION_QUERY))),
                min_reps=options.min_reps,
                **glocal,
            )
            record("virtuoso_remote_store", samples, answers[-1], load_s=load_s)
            text = with_prefixes(AGGREGATION_QUERY)
            with _client(virtuoso.endpoint.rsplit("/", 1)[0]) as client:

                def raw() -> None:
                    response = client.post(
                        "/sparql", data={"query": text}, headers={"Accept": _JSON}
                    )
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"Virtuoso: {response.status_code} {response.text[:300]}"
                        )
                    bodies.append(response.content)

                samples = _sample(raw, min_reps=options.min_reps, **glocal)
            record(
                "virtuoso_http",
                samples,
                _org_counts_json(bodies[-1]),
                note="Virtuoso's own /sparql, default graph = all its graphs",
            )
        finally:
            remote.close()

    if rdflib is None:
        engines["rdflib_endpoint_http"] = {"skipped": rdflib_note}
    else:
        text = with_prefixes(AGGREGATION_QUERY)
        with _client(rdflib.url, timeout=900.0) as client:
            # The same text each time: rdflib-endpoint caches parsed queries (not results),
            # which can only help it.
            samples = _sample(
                lambda: bodies.append(_post_sparql(client, text).content),
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

    http = _p50(engines.get("glocal_http"))
    inprocess = _p50(engines.get("glocal_inprocess"))
    ratios = {
        "glocal_http_over_inprocess": _ratio(http, inprocess),
        "virtuoso_remote_store_over_glocal_http": _ratio(
            _p50(engines.get("virtuoso_remote_store")), http
        ),
        "virtuoso_http_over_glocal_http": _ratio(_p50(engines.get("virtuoso_http")), http),
        "rdflib_endpoint_over_glocal_http": _ratio(_p50(engines.get("rdflib_endpoint_http")), http),
        "rdflib_endpoint_over_glocal_inprocess": _ratio(
            _p50(engines.get("rdflib_endpoint_http")), inprocess
        ),
    }
    _say(
        f"{graph.name}: aggregation glocal HTTP p50 {http:.2f} ms; ratios "
        + ", ".join(f"{k}={v:.1f}" for k, v in ratios.items() if v is not None)
    )
    return {"query": AGGREGATION_QUERY, "engines": engines, "ratios": ratios}


def _report_child(store_path: str, version: str, kwargs: dict[str, Any], conn: Any) -> None:
    """Child process: build the pivotal report and send its time and peak memory."""
    import resource

    result: dict[str, Any] = {}
    try:
        from glocal import report as report_module

        store = EmbeddedStore(Path(store_path), version, workers=1)
        result["rss_before_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = report_module.pivotal_report(store, **kwargs)
        result["seconds"] = time.perf_counter() - started
        if hasattr(report_module, "render_html"):
            started = time.perf_counter()
            html = report_module.render_html(report)
            result["render_html_s"] = time.perf_counter() - started
            result["html_bytes"] = len(html.encode())
        cities = report.get("cities")
        result["cities_listed"] = len(cities) if isinstance(cities, list) else None
        store.close()
    except Exception as err:
        result["error"] = f"{type(err).__name__}: {err}"
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["peak_rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    conn.send(result)
    conn.close()


def _report(graph: _Graph, sensitivity: bool) -> dict[str, Any]:
    try:
        from glocal.report.build import pivotal_report
    except ImportError as err:
        return {"skipped": f"glocal.report.pivotal_report unavailable: {err}"}
    accepted = inspect.signature(pivotal_report).parameters
    kwargs: dict[str, Any] = {}
    if "sensitivity" in accepted:
        kwargs["sensitivity"] = sensitivity
    _say(f"{graph.name}: pivotal report ({kwargs or 'defaults'}) in a child process")
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    started = time.perf_counter()
    process = context.Process(
        target=_report_child,
        args=(str(graph.store.path), graph.store.version, kwargs, sender),
        name="glocal-bench-report",
    )
    process.start()
    sender.close()
    try:
        result: dict[str, Any] = receiver.recv() if receiver.poll(900) else {"error": "timeout"}
    except EOFError:
        result = {"error": f"the report process died (exit code {process.exitcode})"}
    process.join(30)
    if process.is_alive():
        process.kill()
        process.join(10)
    result["wall_s"] = time.perf_counter() - started
    result["options"] = kwargs
    if "seconds" in result:
        seconds, peak = result["seconds"], result["peak_rss_mb"]
        _say(f"{graph.name}: report in {seconds:.1f}s, peak RSS {peak:.0f} MB")
    return result


# --------------------------------------------------------------------------- the run


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Run every measurement and write ``bench.json`` and ``bench.md`` to ``options.out``.

    Returns
    -------
    dict
        What ``bench.json`` holds: ``meta``, ``notes``, ``graphs`` (per graph: sizes,
        ``load``, ``validation``, ``queries``, ``throughput``, ``aggregation``, ``report``)
        and ``goals``.
    """
    started = time.perf_counter()
    cpu_before = _cpu_snapshot()
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="glocal-bench-"))
    virtuoso: VirtuosoLauncher | None = None
    virtuoso_note: str | None = None
    graphs: list[_Graph] = []
    result: dict[str, Any] = {"meta": _meta(options), "notes": notes, "graphs": {}}
    try:
        _say(f"writing synthetic data ({options.synthetic_cities:,} cities)")
        synth_started = time.perf_counter()
        synthetic_path, generator = _synthetic_file(
            work / "synthetic", options.synthetic_cities, notes
        )
        result["meta"]["synthetic"] = {
            "generator": generator,
            "cities": options.synthetic_cities,
            "networks": max(2, options.synthetic_cities // 20),
            "file_bytes": synthetic_path.stat().st_size,
            "seconds": time.perf_counter() - synth_started,
        }
        curated = curated_files()
        graphs.append(_load("curated", curated, work / "cache"))
        graphs.append(_load("synthetic", [*curated, synthetic_path], work / "cache"))
        # Validation: curated as it is; the synthetic shape on a smaller graph.
        if options.validate_curated:
            graphs[0].result["validation"] = _validate(curated, "curated graph")
        else:
            graphs[0].result["validation"] = {"skipped": "--quick: curated validation skipped"}
        small, _ = _synthetic_file(work / "validation", options.validation_cities, notes)
        base = [
            ONTOLOGY_DIR / "glocal.ttl",
            DATA_DIR / "reference" / "compacts.trig",
        ]
        graphs[1].result["validation"] = _validate(
            [*base, small], f"smaller synthetic graph ({options.validation_cities:,} cities)"
        )
        graphs[1].result["validation"]["note"] = (
            "pySHACL on the full synthetic graph would take many minutes; a smaller synthetic "
            "graph of the same shape (with ontology and compacts) is validated instead"
        )

        if options.skip_virtuoso:
            virtuoso_note = "--skip-virtuoso"
        else:
            try:
                folder = work / "virtuoso"
                folder.mkdir()
                virtuoso = VirtuosoLauncher(folder)
                _say("starting Virtuoso on loopback")
                virtuoso.start()
            except (FileNotFoundError, RuntimeError) as err:
                virtuoso, virtuoso_note = None, f"Virtuoso unavailable: {err}"
                notes.append(virtuoso_note)

        for graph in graphs:
            _measure_graph(graph, options, virtuoso, virtuoso_note, work, notes)
            result["graphs"][graph.name] = graph.result
    finally:
        for graph in graphs:
            graph.store.close()
        if virtuoso is not None:
            virtuoso.stop()
        shutil.rmtree(work, ignore_errors=True)
    result["goals"] = _goals(result["graphs"])
    wall = time.perf_counter() - started
    cpu_after = _cpu_snapshot()
    other = (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])
    result["meta"]["duration_s"] = wall
    result["meta"]["other_processes_cpu_s"] = None if math.isnan(other) else max(0.0, other)
    result["meta"]["other_processes_cpu_share"] = (
        None if math.isnan(other) else max(0.0, other) / (wall * (os.cpu_count() or 1))
    )
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "bench.md").write_text(render_markdown(result))
    _say(
        f"wrote {out / 'bench.json'} and {out / 'bench.md'} in {result['meta']['duration_s']:.0f}s"
    )
    return result


def _measure_graph(
    graph: _Graph,
    options: BenchOptions,
    virtuoso: VirtuosoLauncher | None,
    virtuoso_note: str | None,
    work: Path,
    notes: list[str],
) -> None:
    _say(f"{graph.name}: starting two glocal servers (result cache off / on)")
    with (
        _GlocalServer(graph.store, workers=options.workers, cache=False) as uncached,
        _GlocalServer(graph.store, workers=options.workers, cache=True) as cached,
    ):
        queries = _canned(graph, (uncached, cached), options)
        graph.result["queries"] = queries
        graph.result["overhead_breakdown"] = _breakdown(graph, uncached, options)
        graph.result["throughput"] = _throughput(graph, (uncached, cached), queries, options)
        rdflib: _RdflibEndpoint | None = None
        rdflib_note: str | None = None
        if options.skip_rdflib_endpoint:
            rdflib_note = "--skip-rdflib-endpoint"
        else:
            try:
                import rdflib_endpoint  # noqa: F401

                _say(f"{graph.name}: starting rdflib-endpoint (parsing {len(graph.files)} files)")
                rdflib = _RdflibEndpoint(graph.files, work / f"rdflib-{graph.name}.log")
                _say(f"{graph.name}: rdflib-endpoint ready after {rdflib.startup_s:.1f}s")
            except ImportError:
                rdflib_note = "rdflib-endpoint not installed: pip install -e '.[bench]'"
                notes.append(rdflib_note)
            except RuntimeError as err:
                rdflib_note = f"rdflib-endpoint failed: {err}"
                notes.append(rdflib_note)
        try:
            graph.result["aggregation"] = _aggregation(
                graph, uncached, virtuoso, virtuoso_note, rdflib, rdflib_note, options
            )
        finally:
            if rdflib is not None:
                rdflib.stop()
    if not options.report:
        graph.result["report"] = {"skipped": "--quick: report not generated"}
    else:
        sensitivity = graph.name == "curated" or options.report_sensitivity_synthetic
        graph.result["report"] = _report(graph, sensitivity)


def _cpu_snapshot() -> tuple[float, float]:
    """Busy CPU seconds of the whole machine (steal included), and CPU seconds of this
    process and its finished children; NaN for the machine where /proc/stat is missing."""
    times = os.times()
    ours = times.user + times.system + times.children_user + times.children_system
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return math.nan, ours
    # user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    busy = sum(fields[:3]) + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK"), ours


def _meta(options: BenchOptions) -> dict[str, Any]:
    import pyoxigraph

    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if options.quick else "full",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.__dict__.items()},
        "goals": GOALS,
    }


def _goals(graphs: Mapping[str, Any]) -> dict[str, Any]:
    """Check each goal per graph from the measured numbers."""
    goals: dict[str, Any] = {}
    for name, graph in graphs.items():
        queries = graph.get("queries", {})
        overheads = {q: e["http_minus_inprocess_ms"] for q, e in queries.items()}
        server = {
            q: e["cached"]["server"]["p50_ms"]
            for q, e in queries.items()
            if "server" in e.get("cached", {})
        }
        ratio = (
            graph.get("aggregation", {}).get("ratios", {}).get("rdflib_endpoint_over_glocal_http")
        )
        median_overhead = percentile(list(overheads.values()), 50) if overheads else None
        goals[name] = {
            "http_overhead_ms": {
                "target": f"<= {GOALS['http_overhead_ms']:g} ms",
                "median_ms": median_overhead,
                "max_ms": max(overheads.values()) if overheads else None,
                "queries_meeting": sum(v <= GOALS["http_overhead_ms"] for v in overheads.values()),
                "queries": len(overheads),
                "met": median_overhead is not None and median_overhead <= GOALS["http_overhead_ms"],
            },
            "cached_server_ms": {
                "target": f"< {GOALS['cached_server_ms']:g} ms",
                "median_ms": percentile(list(server.values()), 50) if server else None,
                "max_ms": max(server.values()) if server else None,
                "queries_meeting": sum(v < GOALS["cached_server_ms"] for v in server.values()),
                "queries": len(server),
                "met": bool(server) and max(server.values()) < GOALS["cached_server_ms"],
            },
            "rdflib_speedup": {
                "target": f">= {GOALS['rdflib_speedup']:g}x",
                "ratio": ratio,
                "met": None if ratio is None else ratio >= GOALS["rdflib_speedup"],
            },
        }
    return goals


# --------------------------------------------------------------------------- Markdown


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _pair(section: Mapping[str, Any] | None) -> str:
    if not section or "p50_ms" not in section:
        return "–"
    return f"{_ms(section['p50_ms'])} / {_ms(section['p99_ms'])}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}×"


def _met(value: bool | None) -> str:
    return "n/a" if value is None else ("**met**" if value else "**not met**")


_STEP_LABELS = {
    "inprocess_consume": "in-process, rows read",
    "inprocess_serialize_json": "in-process, serialized as JSON",
    "pool_stream": "through a query worker process (EmbeddedStore.stream)",
    "http_canned": "over HTTP, /queries/{name}, uncached",
    "pool_ask_empty": "`ASK {}` through a query worker process",
    "http_ask_empty": "`ASK {}` over HTTP /sparql, uncached",
}
_DERIVED_LABELS = {
    "json_serialization_ms": "JSON serialization",
    "worker_pool_ms": "worker process hand-off (pickle, pipe, chunks)",
    "http_stack_ms": "HTTP stack (client, uvicorn, middleware, threadpool, gzip)",
    "fixed_pool_ms": "fixed cost of the pool (`ASK {}`)",
    "fixed_http_ms": "fixed cost of HTTP on top of the pool (`ASK {}`)",
}


def _breakdown_lines(breakdown: Mapping[str, Any]) -> list[str]:
    lines = [
        "",
        f"Where the time of `{breakdown['query']}` goes (p50 ms):",
        "",
        "| step | p50 | p99 |",
        "| --- | ---: | ---: |",
    ]
    for key, label in _STEP_LABELS.items():
        step = breakdown["steps"].get(key)
        if step:
            lines.append(f"| {label} | {_ms(step['p50_ms'])} | {_ms(step['p99_ms'])} |")
    lines += ["", "| layer (difference of p50s) | ms |", "| --- | ---: |"]
    for key, label in _DERIVED_LABELS.items():
        if key in breakdown["derived_p50_ms"]:
            lines.append(f"| {label} | {breakdown['derived_p50_ms'][key]:+.2f} |")
    return lines


def render_markdown(result: Mapping[str, Any]) -> str:
    """The bench result as Markdown tables (what ``bench.md`` holds).

    >>> text = render_markdown({"meta": {"mode": "quick"}, "notes": [], "graphs": {}, "goals": {}})
    >>> text.startswith("# glocal benchmark")
    True
    """
    meta = result.get("meta", {})
    graphs: Mapping[str, Any] = result.get("graphs", {})
    goals: Mapping[str, Any] = result.get("goals", {})
    lines = [
        "# glocal benchmark",
        "",
        f"Mode **{meta.get('mode')}**, started {meta.get('started', '?')}, "
        f"{meta.get('duration_s', 0):.0f} s; {meta.get('cpus', '?')} CPUs, "
        f"Python {meta.get('python', '?')}, pyoxigraph {meta.get('pyoxigraph', '?')}.",
        "Times are milliseconds, shown as p50 / p99; every ratio is of numbers measured in "
        "this run.",
        "",
    ]
    share = meta.get("other_processes_cpu_share")
    if share is not None:
        warning = " **The machine was not idle: timings are disturbed.**" if share > 0.05 else ""
        lines += [
            f"Other processes used {share:.1%} of the machine's CPU time during the run.{warning}",
            "",
        ]
    if synthetic := meta.get("synthetic"):
        lines += [
            f"Synthetic graph: the curated files plus {synthetic['cities']:,} cities and "
            f"{synthetic['networks']:,} networks from {synthetic['generator']} "
            f"({synthetic['file_bytes'] / 1e6:.1f} MB of N-Quads, written in "
            f"{synthetic['seconds']:.1f} s).",
            "",
        ]
    lines += ["## Goals", "", "| goal | target | " + " | ".join(graphs) + " |"]
    lines.append("| --- | --- |" + " --- |" * len(graphs))
    rows = [
        ("HTTP p50 − in-process p50 (median over canned queries)", "http_overhead_ms", "≤ 2 ms"),
        ("cached repeat, server time p50 (worst canned query)", "cached_server_ms", "< 1 ms"),
        (
            "network-size aggregation, rdflib-endpoint ÷ glocal (HTTP p50)",
            "rdflib_speedup",
            "≥ 40×",
        ),
    ]
    for label, key, target in rows:
        cells = []
        for name in graphs:
            goal = goals.get(name, {}).get(key, {})
            if key == "rdflib_speedup":
                value = _times(goal.get("ratio"))
            elif key == "http_overhead_ms":
                value = (
                    f"{_ms(goal.get('median_ms'))} ms ({goal.get('queries_meeting')}/"
                    f"{goal.get('queries')} queries ≤ 2 ms)"
                )
            else:
                value = (
                    f"{_ms(goal.get('max_ms'))} ms ({goal.get('queries_meeting')}/"
                    f"{goal.get('queries')} queries < 1 ms)"
                )
            cells.append(f"{value} {_met(goal.get('met'))}")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    lines += ["", "## Load and validation", ""]
    lines.append(
        "| graph | quads | parse s | build store s | load total s | quads/s | reopen s | "
        "validation s | validated quads | conforms |"
    )
    lines.append("| --- |" + " ---: |" * 8 + " --- |")
    for name, graph in graphs.items():
        load = graph.get("load", {})
        validation = graph.get("validation", {})
        lines.append(
            f"| {name} | {graph.get('quads', 0):,} | {load.get('parse_s', 0):.2f} | "
            f"{load.get('build_s', 0):.2f} | {load.get('total_s', 0):.2f} | "
            f"{load.get('quads_per_s', 0):,.0f} | {load.get('reopen_s', 0):.3f} | "
            + (
                f"{validation['seconds']:.1f} | {validation['quads']:,} | "
                f"{validation['conforms']} |"
                if "seconds" in validation
                else f"– | – | {validation.get('skipped', '–')} |"
            )
        )
    for name, graph in graphs.items():
        if note := graph.get("validation", {}).get("note"):
            lines.append(f"\n{name}: {note}.")
    for name, graph in graphs.items():
        queries = graph.get("queries", {})
        if not queries:
            continue
        lines += [
            "",
            f"## Canned queries: {name} graph",
            "",
            "| query | rows | in-process | /queries/{name} | /sparql | HTTP − in-process p50 | "
            "cached: server | cached: client |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for query, entry in queries.items():
            cached = entry.get("cached", {})
            server = _pair(cached.get("server")) if "server" in cached else "not cached"
            client = _pair(cached.get("client")) if "client" in cached else "–"
            hits = cached.get("hits")
            if hits is not None and hits != cached.get("requests"):
                server += f" ({hits}/{cached.get('requests')} hits)"
            mark = " ⁽ˢ⁾" if "note" in entry else ""
            lines.append(
                f"| {query}{mark} | {entry['rows']:,} | {_pair(entry['inprocess'])} | "
                f"{_pair(entry['http_canned'])} | {_pair(entry['http_sparql'])} | "
                f"{entry['http_minus_inprocess_ms']:+.2f} | {server} | {client} |"
            )
        if any("note" in e for e in queries.values()):
            lines.append(
                "\n⁽ˢ⁾ slow query: its first in-process run is its one in-process sample; "
                "one sample over `/queries/{name}`, `/sparql` skipped."
            )
        if breakdown := graph.get("overhead_breakdown"):
            lines += _breakdown_lines(breakdown)
    lines += [
        "",
        "## Throughput (mix of canned queries, round robin)",
        "",
        "| graph | mode | clients | requests | errors | seconds | requests/s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, graph in graphs.items():
        for run in graph.get("throughput", {}).get("runs", []):
            lines.append(
                f"| {name} | {run['mode']} | {run['clients']} | {run['requests']:,} | "
                f"{run['errors']} | {run['seconds']:.1f} | {run['requests_per_s']:,.0f} |"
            )
    for name, graph in graphs.items():
        mix = graph.get("throughput", {}).get("mix")
        if mix is not None:
            lines.append(f"\n{name} mix: {len(mix)} queries ({', '.join(mix)}).")
    lines += [
        "",
        "## Network-size aggregation",
        "",
        f"`{AGGREGATION_QUERY}`",
        "",
        "| engine | " + " | ".join(f"{n}: p50 / p99 | {n}: ÷ glocal HTTP" for n in graphs) + " |",
        "| --- |" + " ---: | ---: |" * len(graphs),
    ]
    engine_labels = {
        "glocal_inprocess": "glocal in-process (EmbeddedStore.query)",
        "glocal_http": "glocal HTTP /sparql (uncached)",
        "virtuoso_remote_store": "Virtuoso via RemoteStore",
        "virtuoso_http": "Virtuoso HTTP /sparql",
        "rdflib_endpoint_http": "rdflib-endpoint 0.6.3 HTTP /sparql",
    }
    for key, label in engine_labels.items():
        cells = []
        for graph in graphs.values():
            engines = graph.get("aggregation", {}).get("engines", {})
            engine = engines.get(key, {})
            if "skipped" in engine:
                cells += [f"skipped ({engine['skipped']})", "–"]
                continue
            ratio = _ratio(_p50(engine), _p50(engines.get("glocal_http")))
            same = ""
            if not engine.get("same_answer", True):
                same = (
                    f" (counts differ for {engine['counts_differ']} networks)"
                    if engine.get("same_networks")
                    else " (answer differs)"
                )
            cells += [_pair(engine) + same, _times(ratio)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    extras = []
    for name, graph in graphs.items():
        engines = graph.get("aggregation", {}).get("engines", {})
        if "load_s" in engines.get("virtuoso_remote_store", {}):
            extras.append(
                f"{name}: Virtuoso load through RemoteStore "
                f"{engines['virtuoso_remote_store']['load_s']:.1f} s"
            )
        if "startup_s" in engines.get("rdflib_endpoint_http", {}):
            extras.append(
                f"{name}: rdflib-endpoint start-up (parse + service description) "
                f"{engines['rdflib_endpoint_http']['startup_s']:.1f} s"
            )
    if extras:
        lines += ["", "; ".join(extras) + "."]
    engine_notes = {
        engine["note"]
        for graph in graphs.values()
        for engine in graph.get("aggregation", {}).get("engines", {}).values()
        if engine.get("note") and not engine.get("same_answer", True)
    }
    lines += [f"\nWhy answers differ: {note}." for note in sorted(engine_notes)]
    lines += [
        "",
        "## Pivotal report",
        "",
        "| graph | report s | render HTML s | peak RSS MB | peak RSS of its children MB "
        "| options |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, graph in graphs.items():
        report = graph.get("report", {})
        if "seconds" in report:
            lines.append(
                f"| {name} | {report['seconds']:.1f} | {report.get('render_html_s', 0):.2f} | "
                f"{report['peak_rss_mb']:,.0f} | {report['peak_rss_children_mb']:,.0f} | "
                f"{json.dumps(report.get('options', {}))} |"
            )
        else:
            reason = report.get("skipped") or report.get("error") or "not run"
            lines.append(f"| {name} | {reason} | – | – | – | – |")
    notes = result.get("notes", [])
    lines += ["", "## Notes", ""]
    lines += [f"- {note}" for note in notes]
    lines += [
        "- In-process: `EmbeddedStore.query`, every row read. HTTP: a uvicorn server "
        "(`create_app`) in its own process on 127.0.0.1, query workers "
        f"{meta.get('options', {}).get('workers', '?')}, httpx client with keep-alive, JSON "
        "results read whole. `/queries/{name}` runs on a server with the result cache off; "
        "`/sparql` gets a unique trailing comment per request.",
        "- Cached: repeats of `/queries/{name}` on a second server with the cache on; "
        "server time is the `Server-Timing` header the bench's ASGI wrapper adds (request "
        "to response headers, the whole app included).",
        "- p99 of few samples is close to the maximum.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add ``glocal bench``'s options to a (sub)parser and set its command."""
    parser.add_argument(
        "--out", type=Path, default=Path("bench-results"), help="folder for bench.json and bench.md"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run (for tests)")
    parser.add_argument(
        "--synthetic-cities",
        type=int,
        default=None,
        metavar="N",
        help="cities of the synthetic graph (default 20000; 150 with --quick)",
    )
    parser.add_argument("--skip-virtuoso", action="store_true", help="do not start Virtuoso")
    parser.add_argument(
        "--skip-rdflib-endpoint", action="store_true", help="do not start rdflib-endpoint"
    )
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {
        "out": args.out,
        "skip_virtuoso": args.skip_virtuoso,
        "skip_rdflib_endpoint": args.skip_rdflib_endpoint,
    }
    if args.synthetic_cities is not None:
        if args.synthetic_cities < 2:
            print("error: --synthetic-cities needs at least 2", file=sys.stderr)
            return 2
        overrides["synthetic_cities"] = args.synthetic_cities
    options = (
        BenchOptions.quick_run(**overrides) if args.quick else BenchOptions.full_run(**overrides)
    )
    result = run_bench(options)
    goals = result["goals"]
    for name, graph_goals in goals.items():
        summary = ", ".join(f"{k}: {_met(v['met']).strip('*')}" for k, v in graph_goals.items())
        print(f"{name}: {summary}")
    print(f"wrote {options.out / 'bench.json'} and {options.out / 'bench.md'}")
    return 0
