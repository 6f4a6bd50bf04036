"""Run SPARQL queries in worker processes that can be killed at a deadline.

Oxigraph cannot cancel a running query, so a runaway query (a four-way cross product,
say) would hold a thread and its memory until it finished. Each worker process opens
the on-disk store read-only; a query past its deadline gets its worker killed, which
really frees the CPU and memory, and a fresh worker takes its place. Results travel
back in chunks as Oxigraph serializes them, so a large result is streamed rather than
built in memory.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from glocal.store.errors import QueryFailed, QuerySyntaxError, QueryTimeout, ResourceLimit
from glocal.store.isolation import cut_network
from glocal.store.sparql import QueryForm, execute, query_form, serialize_result

__all__ = ["QueryPool", "QueryRequest"]

CHUNK_SIZE = 64 * 1024
#: The resident memory a query worker may use by default, in MB.
DEFAULT_MEMORY_MB = 2048


def _resident_kb(pid: int | None) -> int:
    """A process's resident set size in kB, from ``/proc``; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


@dataclass(frozen=True)
class QueryRequest:
    """What a worker needs to run one query and serialize its result."""

    query: str
    media_type: str
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None


@dataclass(frozen=True)
class FormRequest:
    """Ask a worker for a query's form: parsing evaluates the query (on an empty store),
    which an untrusted query can make arbitrarily costly, so it too runs where it can be
    killed."""

    query: str


class _ChunkWriter:
    """A binary file object that ships what Oxigraph writes in fixed-size chunks."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_SIZE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._conn.send(("chunk", bytes(self._buffer)))
            self._buffer.clear()


def _serve(store_path: str, conn: Connection, offline: bool) -> None:
    """Worker loop: answer requests until the parent closes the pipe.

    With ``offline`` the worker first cuts itself off the network
    (:func:`~glocal.store.isolation.cut_network`) and says in its ready message whether
    that worked.
    """
    from pyoxigraph import Store

    isolated = cut_network() if offline else False
    store = Store.read_only(store_path)
    conn.send(("ready", isolated))
    while True:
        try:
            request: QueryRequest | FormRequest = conn.recv()
        except (EOFError, OSError):
            # The parent closed the pipe (it stopped or replaced this worker).
            return
        if isinstance(request, FormRequest):
            try:
                conn.send(("form", query_form(request.query)))
            except QuerySyntaxError as err:
                conn.send(("syntax", str(err)))
            continue
        try:
            result = execute(
                store,
                request.query,
                default_graphs=request.default_graphs,
                named_graphs=request.named_graphs,
            )
            writer = _ChunkWriter(conn)
            serialize_result(result, writer, request.media_type)
            writer.flush()
            conn.send(("end",))
        except SyntaxError as err:
            conn.send(("syntax", str(err)))
        except (OSError, ValueError, RuntimeError) as err:
            conn.send(("error", f"{type(err).__name__}: {err}"))


class _Worker:
    def __init__(self, ctx: Any, store_path: str, *, offline: bool) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(store_path, child, offline), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.isolated = False
        #: Why the pool stopped this worker, if it did (the memory watchdog).
        self.stopped_for: str | None = None

    def wait_ready(self) -> None:
        if not self.ready:
            message = self.conn.recv()
            if not (isinstance(message, tuple) and message[:1] == ("ready",)):
                raise RuntimeError(f"query worker failed to start: {message!r}")
            self.isolated = bool(message[1])
            self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """A fixed number of query worker processes over one on-disk Oxigraph store.

    Parameters
    ----------
    store_path
        Folder of an Oxigraph store; workers open it read-only.
    size
        Number of worker processes kept ready.
    max_size
        Workers the pool may grow to when all are busy (default: twice ``size``), so a
        few runaway queries cannot make every other query wait for their time limit.
    offline
        Cut every worker off the network (the default), so that no ``SERVICE`` clause,
        however spelled, reaches another host. Off only for a server that allows
        federation.
    memory_mb
        The resident memory a worker may use. A watchdog thread reads each worker's
        resident set from ``/proc`` ten times a second and kills a worker past it; the
        query gets :class:`~glocal.store.errors.ResourceLimit`. (``RLIMIT_AS`` does not
        suit Oxigraph, which maps its files into memory.) ``None`` turns it off.
    """

    def __init__(
        self,
        store_path: str,
        *,
        size: int = 4,
        max_size: int | None = None,
        offline: bool = True,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._offline = offline
        self._memory_mb = memory_mb
        self._max_size = max(size, max_size if max_size is not None else 2 * size)
        self._store_path = store_path
        # Last in, first out: the most recently used worker has warm caches, which
        # measurably cuts latency against handing each query to the coldest worker.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._spawn()
        if memory_mb is not None and Path("/proc/self/status").exists():
            watchdog = threading.Thread(target=self._watch, name="glocal-memory", daemon=True)
            watchdog.start()

    def _watch(self) -> None:
        """Kill any worker whose resident memory passes the limit, until the pool closes."""
        assert self._memory_mb is not None
        limit_kb = self._memory_mb * 1024
        while not self._closed:
            with self._lock:
                workers = list(self._all)
            for worker in workers:
                if _resident_kb(worker.process.pid) > limit_kb:
                    worker.stopped_for = f"it passed the {self._memory_mb} MB memory limit"
                    worker.process.kill()
            time.sleep(0.1)

    def _spawn(self) -> None:
        worker = _Worker(self._ctx, self._store_path, offline=self._offline)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            self._spawn()

    def stream(self, request: QueryRequest, *, timeout: float | None) -> Iterator[bytes]:
        """Run a query and return its serialized result as an iterator of chunks.

        The first chunk is awaited before returning, so syntax errors and timeouts
        before any output raise here, where the caller can still choose a status code.
        A timeout or failure while streaming kills the worker and raises from the
        iterator, so that a cut result is never taken for a whole one.

        Raises
        ------
        QuerySyntaxError
            If the query does not parse.
        QueryTimeout
            If no result arrived before ``timeout`` seconds.
        QueryFailed
            If Oxigraph failed on the query.
        """
        # The time limit counts from the call: waiting for a free worker spends it too,
        # so no request takes longer than its limit.
        deadline = None if timeout is None else time.monotonic() + timeout
        worker = self._acquire(timeout)
        try:
            worker.wait_ready()
            worker.conn.send(request)
            first = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker)
            raise
        if first[0] == "end":
            self._idle.put(worker)
            return iter(())
        if first[0] != "chunk":
            self._idle.put(worker)
            if first[0] == "syntax":
                raise QuerySyntaxError(first[1])
            raise QueryFailed(first[1])
        return self._rest(worker, first[1], deadline)

    def form(self, query: str, *, timeout: float | None) -> QueryForm:
        """The form of a query (``SELECT``, ``ASK`` or ``CONSTRUCT``), found by a worker.

        Raises
        ------
        QuerySyntaxError
            If the query does not parse.
        QueryTimeout
            If parsing took longer than ``timeout`` seconds; the worker is killed.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        worker = self._acquire(timeout)
        try:
            worker.wait_ready()
            worker.conn.send(FormRequest(query))
            answer = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if answer[0] == "syntax":
            raise QuerySyntaxError(answer[1])
        form: QueryForm = answer[1]
        return form

    def _acquire(self, timeout: float | None) -> _Worker:
        """An idle, live worker; a new one while the pool is below its maximum; else wait.

        A worker that died while idle (the OOM killer, a stray signal) is replaced on
        the spot, so the pool never shrinks to nothing.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if self._alive(worker):
                return worker
            self._replace(worker)
        with self._lock:
            grow = len(self._all) < self._max_size
        if grow:
            self._spawn()
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                worker = self._idle.get(timeout=remaining)
            except queue.Empty:
                raise QueryTimeout(
                    "every query worker stayed busy for the whole time limit; try again"
                ) from None
            if self._alive(worker):
                return worker
            self._replace(worker)

    @staticmethod
    def _alive(worker: _Worker) -> bool:
        return not worker.conn.closed and worker.process.is_alive()

    def _rest(self, worker: _Worker, first: bytes, deadline: float | None) -> Iterator[bytes]:
        finished = False
        try:
            yield first
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "end":
                    finished = True
                    return
                if message[0] != "chunk":
                    raise QueryFailed(f"the query failed while its result was sent: {message[1]}")
                yield message[1]
        # A timeout or failure mid-stream propagates: the caller must not end a cut
        # result as if it were whole (the HTTP layer aborts the connection).
        finally:
            # A worker still writing (timeout, or the client went away) is killed:
            # draining a huge result nobody reads would waste the worker.
            if finished:
                self._idle.put(worker)
            else:
                self._replace(worker)

    @staticmethod
    def _receive(worker: _Worker, deadline: float | None) -> tuple[Any, ...]:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            ready = worker.conn.poll(remaining)
            message: tuple[Any, ...] = worker.conn.recv() if ready else ()
        except (EOFError, OSError):
            # The worker died mid-query: the watchdog stopped it, or something else did.
            worker.process.join(timeout=1)
            if worker.stopped_for:
                raise ResourceLimit(f"the query was stopped: {worker.stopped_for}") from None
            raise ResourceLimit(
                f"the query worker died (exit code {worker.process.exitcode}), "
                "probably out of memory"
            ) from None
        if not ready:
            raise QueryTimeout("the query ran past its time limit and was stopped")
        return message

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
