"""The HTTP servers the bench measures, each in its own process on a free loopback port,
and the client calls it makes to them.

- :class:`GlocalServer`: glocal's app (``create_app``) in uvicorn, wrapped to add a
  ``Server-Timing`` header;
- :class:`RdflibEndpoint`: `rdflib-endpoint <https://pypi.org/project/rdflib-endpoint/>`_
  over the same files, started through :func:`rdflib_endpoint_app`.

(Virtuoso's launcher is :class:`glocal.store.virtuoso.VirtuosoServer`.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Literal

import httpx

from glocal.formats import N_TRIPLES, SPARQL_JSON, SPARQL_QUERY
from glocal.store import EmbeddedStore

__all__ = [
    "JSON",
    "NTRIPLES",
    "GlocalServer",
    "RdflibEndpoint",
    "free_port",
    "nonce",
    "open_client",
    "post_sparql",
    "rdflib_endpoint_app",
]

JSON = SPARQL_JSON
NTRIPLES = N_TRIPLES

_RDFLIB_FILES_ENV = "GLOCAL_BENCH_RDFLIB_FILES"
_RDFLIB_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt"}

_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]
_ASGIApp = Callable[[MutableMapping[str, Any], _Receive, _Send], Awaitable[None]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def open_client(base_url: str, timeout: float = 300.0) -> httpx.Client:
    """An HTTP client with keep-alive for one server."""
    return httpx.Client(base_url=base_url, timeout=timeout)


def post_sparql(http: httpx.Client, sparql: str, accept: str = JSON) -> httpx.Response:
    """POST a query to ``/sparql``.

    Raises
    ------
    RuntimeError
        If the answer is not ``200``.
    """
    response = http.post(
        "/sparql",
        content=sparql.encode(),
        headers={"Content-Type": SPARQL_QUERY, "Accept": accept},
    )
    if response.status_code != 200:
        raise RuntimeError(f"/sparql answered {response.status_code}: {response.text[:300]}")
    return response


def nonce(sparql: str) -> str:
    """The query with a unique trailing comment: a result cache keyed by text misses.

    >>> nonce("ASK {}") != nonce("ASK {}")
    True
    """
    return f"{sparql.rstrip()}\n# bench {uuid.uuid4().hex}\n"


def _server_timing(app: _ASGIApp) -> _ASGIApp:
    """Wrap an ASGI app to add ``Server-Timing: app;dur=<ms>``: the time from the request
    to the response headers (for a cached result, all of the work but the socket write)."""

    async def timed(scope: MutableMapping[str, Any], receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_timed(message: _Message) -> None:
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
    store_path: str,
    version: str,
    port: int,
    workers: int,
    cache_entries: int,
    protocol: Literal["httptools", "h11"],
    processes: int,
) -> None:
    """Child process: serve ``create_app`` over a built store on ``127.0.0.1:port``,
    from one process, or from ``processes`` as ``glocal serve`` does."""
    # Imported here: only the child needs the app and uvicorn.
    from glocal_api.app import Settings, create_app
    from glocal_api.client_slots import ClientSlots
    from glocal_api.processes import serve_processes
    from glocal_api.server import ConnectionLimits, make_server
    from glocal_cli.serve import serving_app, worker_share

    # The load generator's clients all come from loopback: no per-client limit.
    settings = Settings(
        timeout=120.0, result_cache_entries=cache_entries, max_queries_per_client=1_000_000
    )
    # The server as `glocal serve` runs it, with its connection limits and deadlines,
    # but a longer keep-alive: the load test's clients connect, then wait for each
    # other, and 200 of them can take longer than the default 5 s to line up.
    limits = ConnectionLimits(keep_alive=60)
    if processes > 1:
        clients = ClientSlots(settings.max_queries_per_client)
        served = (store_path, version, worker_share(workers, processes), settings, clients)
        serve_processes(
            serving_app, served, host="127.0.0.1", port=port, processes=processes, limits=limits
        )
        return
    store = EmbeddedStore(Path(store_path), version, workers=workers)
    app = _server_timing(create_app(store, settings))
    try:
        make_server(app, host="127.0.0.1", port=port, limits=limits, protocol=protocol).run()
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT that stopped it
        pass
    finally:
        store.close()


class GlocalServer:
    """glocal's app in a uvicorn server in a child process (so that client threads of the
    bench do not compete with it for the interpreter lock).

    ``processes`` above 1 serves as ``glocal serve`` does by default
    (:func:`glocal_api.processes.serve_processes`, without the ``Server-Timing``
    header); ``protocol="h11"`` with one process is the configuration before it.
    """

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        workers: int,
        cache: bool,
        protocol: Literal["httptools", "h11"] = "httptools",
        processes: int = 1,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(
            target=_serve_glocal,
            args=(
                str(store.path),
                store.version,
                self.port,
                workers,
                256 if cache else 0,
                protocol,
                processes,
            ),
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
        with open_client(self.url) as http:
            while time.monotonic() < deadline:
                if not self.process.is_alive():
                    raise RuntimeError(f"the glocal server exited with {self.process.exitcode}")
                with contextlib.suppress(httpx.HTTPError):
                    if http.get("/queries").status_code == 200:
                        break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"the glocal server did not start within {timeout:.0f} s")
        # Start every query worker: each opens the store in its own process. A connection
        # each, so that every HTTP process gets some.
        for _ in range(2 * self._workers):
            with open_client(self.url) as http:
                post_sparql(http, f"ASK {{}}\n# warm-up {uuid.uuid4().hex}")

    def stop(self) -> None:
        """Stop the server, and with it its query workers."""
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

    def __enter__(self) -> GlocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rdflib_endpoint_app() -> Any:
    """The rdflib-endpoint app over the files named in ``$GLOCAL_BENCH_RDFLIB_FILES``.

    A factory for ``uvicorn --factory glocal_cli.bench.servers:rdflib_endpoint_app``: the
    files (separated by :data:`os.pathsep`) are parsed into an rdflib ``Dataset`` whose
    default graph is the union of its graphs, as glocal's is, and served at ``/sparql``.
    """
    # rdflib-endpoint is the optional ``bench`` extra: imported only where it runs.
    from rdflib import Dataset as RdflibDataset
    from rdflib_endpoint import SparqlEndpoint

    graph = RdflibDataset(default_union=True)
    for name in os.environ.get(_RDFLIB_FILES_ENV, "").split(os.pathsep):
        if name:
            path = Path(name)
            graph.parse(path, format=_RDFLIB_FORMATS.get(path.suffix, "turtle"))
    return SparqlEndpoint(graph=graph, path="/sparql", title="rdflib-endpoint (bench)")


class RdflibEndpoint:
    """rdflib-endpoint in a separate uvicorn process on a free loopback port.

    Raises
    ------
    RuntimeError
        If it exits or does not answer within ``timeout`` seconds.
    """

    def __init__(self, files: Sequence[Path], log: Path, *, timeout: float = 900.0) -> None:
        self.port = free_port()
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
                    f"{__name__}:{rdflib_endpoint_app.__name__}",
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
        """Stop the server, killing it if it takes longer than 20 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
