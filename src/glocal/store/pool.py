"""Run SPARQL queries in worker processes that can be killed at a deadline.

Oxigraph cannot cancel a running query, so a runaway query (a four-way cross product,
say) would hold a thread and its memory until it finished. Each worker process
(:mod:`glocal.store.worker`) opens the on-disk store read-only; a query past its
deadline gets its worker killed, which really frees the CPU and memory, and a fresh
worker takes its place. Results travel back in chunks as Oxigraph serializes them, so a
large result is streamed rather than built in memory.

Two lanes keep the server answering while runaways hold every main worker: when no
main worker is free, a request takes the first worker of either lane to come free
within :data:`QUICK_LIMIT` seconds. On a *quick* worker it must finish within
:data:`QUICK_LIMIT` seconds more and :data:`QUICK_MAX_BYTES`; a request that does not
is stopped there and waits for a main worker like any other. So ``ASK {}`` is answered
in milliseconds under eight runaway queries, and a runaway costs the quick lane at most
half a second. (Waiting for the quick lane alone, under plain load, kept requests
queued on the one quick worker while main workers stood idle; and a limit counted from
the start of that wait killed quick workers given a request with little of it left.)

Longer than 400 lines: both lanes and the hand-over of a worker to the event loop
(:meth:`QueryPool.take_idle`) share one set of idle queues, deadlines and error paths,
which a split would have to pass back and forth between modules.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from glocal.store.errors import (
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    ResourceLimit,
)
from glocal.store.sparql import QueryForm
from glocal.store.worker import FormRequest, Lane, QueryRequest, Worker, chunk_of, resident_kb

__all__ = ["DEFAULT_MEMORY_MB", "QUICK_LIMIT", "QueryPool"]

#: The resident memory a query worker may use by default, in MB.
DEFAULT_MEMORY_MB = 2048
#: Seconds a request may take on the quick lane before it must wait for a main worker.
QUICK_LIMIT = 0.5
#: The largest result the quick lane answers; a larger one waits for a main worker.
QUICK_MAX_BYTES = 1_000_000

_Message = tuple[Any, ...]


class _QuickLaneMissed(Exception):
    """The request did not finish on the quick lane; it goes to the main lane."""


class QueryPool:
    """Query worker processes over one on-disk Oxigraph store, in two lanes.

    Parameters
    ----------
    store_path
        Folder of an Oxigraph store; workers open it read-only.
    size
        Number of main worker processes kept ready.
    max_size
        Main workers the pool may grow to when all are busy (default: twice ``size``).
    quick_size
        Workers kept for the quick lane (see the module docstring); 0 turns it off.
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
        quick_size: int = 2,
        offline: bool = True,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ) -> None:
        # A fork server with the worker module preloaded starts a worker in tens of
        # milliseconds, where spawning a fresh interpreter takes a second on a loaded
        # machine: a killed worker is replaced before the next request needs it. (Plain
        # fork is unsafe: the server process runs threads.)
        self._ctx = multiprocessing.get_context("forkserver")
        # rdflib's SPARQL parser too (:mod:`glocal.store.service_calls`): built once in
        # the fork server, not on the first query of every worker.
        self._ctx.set_forkserver_preload(
            ["glocal.store.worker", "pyoxigraph", "rdflib.plugins.sparql.algebra"]
        )
        self._offline = offline
        self._memory_mb = memory_mb
        self._max_size = max(size, max_size if max_size is not None else 2 * size)
        self._store_path = store_path
        # Last in, first out: the most recently used worker has warm caches, which
        # measurably cuts latency against handing each query to the coldest worker.
        self._idle: dict[Lane, queue.LifoQueue[Worker]] = {
            "main": queue.LifoQueue(),
            "quick": queue.LifoQueue(),
        }
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        # Notified whenever a worker is put in either idle queue: what a request waiting
        # for the first free worker of either lane waits on (:meth:`_take_either`).
        self._freed = threading.Condition()
        self._closed = False
        self._quick_size = quick_size
        for _ in range(size):
            self._spawn("main")
        for _ in range(quick_size):
            self._spawn("quick")
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
                if resident_kb(worker.process.pid) > limit_kb:
                    worker.stopped_for = f"it passed the {self._memory_mb} MB memory limit"
                    worker.process.kill()
            time.sleep(0.1)

    def _spawn(self, lane: Lane) -> None:
        worker = Worker(self._ctx, self._store_path, offline=self._offline, lane=lane)
        with self._lock:
            self._all.add(worker)
        self._release(worker)

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            self._spawn(worker.lane)

    def _release(self, worker: Worker) -> None:
        with self._freed:
            self._idle[worker.lane].put(worker)
            self._freed.notify()

    def take_idle(self) -> Worker | None:
        """A ready main worker idle now, or None; for a caller that talks to it itself
        (:meth:`EmbeddedStore.open_stream <glocal.store.EmbeddedStore.open_stream>`),
        then hands it back (:meth:`give_back`) or has it killed (:meth:`stop`)."""
        try:
            worker = self._idle["main"].get_nowait()
        except queue.Empty:
            return None
        if worker.alive and worker.wait_ready(0):
            return worker
        (self._release if worker.alive else self._replace)(worker)
        return None

    def give_back(self, worker: Worker) -> None:
        """Take back a worker from :meth:`take_idle` that finished its request."""
        self._release(worker)

    def stop(self, worker: Worker) -> None:
        """Kill a worker from :meth:`take_idle` that may still be working; replace it."""
        self._replace(worker)

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
        worker = self._acquire(request, deadline)
        if isinstance(worker, list):
            return iter(worker)
        try:
            worker.wait_ready()
            worker.conn.send(request)
            first = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker)
            raise
        if first[0] == "end":
            self._release(worker)
            return iter(())
        if first[0] != "chunk":
            self._release(worker)
            _raise_for(first)
        return self._rest(worker, first[1], deadline)

    def form(
        self, query: str, *, timeout: float | None, allow: tuple[str, ...] | None = None
    ) -> QueryForm:
        """The form of a query (``SELECT``, ``ASK`` or ``CONSTRUCT``), found by a worker.

        Raises
        ------
        QuerySyntaxError
            If the query does not parse.
        QueryTimeout
            If parsing took longer than ``timeout`` seconds; the worker is killed.
        FederationRefused
            With ``allow``: if a ``SERVICE`` call in the parsed query is not on it.
        """
        request = FormRequest(query, allow)
        deadline = None if timeout is None else time.monotonic() + timeout
        worker = self._acquire(request, deadline)
        if isinstance(worker, list):
            (quick,) = worker
            return quick  # type: ignore[no-any-return]  # a form request's answer is a QueryForm
        try:
            worker.wait_ready()
            worker.conn.send(request)
            answer = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker)
            raise
        self._release(worker)
        if answer[0] != "form":
            _raise_for(answer)
        form: QueryForm = answer[1]
        return form

    def _acquire(
        self, request: QueryRequest | FormRequest, deadline: float | None
    ) -> Worker | list[Any]:
        """A main worker for ``request``, or its whole answer from the quick lane.

        An idle main worker is taken at once. Otherwise the first worker of either lane
        to come free within :data:`QUICK_LIMIT` seconds: a main one is returned, a quick
        one answers the request within :data:`QUICK_LIMIT` more (:meth:`_quick`). A
        request the quick lane did not answer waits for a main worker until ``deadline``.
        """
        worker = self._take_main()
        if worker is not None:
            return worker
        worker = self._take_either(_sooner(time.monotonic() + QUICK_LIMIT, deadline))
        if worker is not None and worker.lane == "main":
            return worker
        if worker is not None:
            # The limit counts from here: a quick worker given a request with a moment
            # of its limit left would be killed for a query of a few milliseconds.
            quick_deadline = _sooner(time.monotonic() + QUICK_LIMIT, deadline)
            try:
                return self._quick(worker, request, quick_deadline, deadline)
            except _QuickLaneMissed:
                pass
        return self._wait_main(deadline)

    def _take_either(self, until: float) -> Worker | None:
        """The first live worker of either lane to be idle before ``until``, a main one
        first if it has started; None if none was."""
        with self._freed:
            while True:
                main = self._take("main")
                if main is not None and main.wait_ready(0):
                    return main
                if main is not None:
                    # Still starting: the quick lane may answer first, as it did before
                    # the pool grew; a request that waits for a main worker takes it.
                    self._idle["main"].put(main)
                quick = self._take("quick") if self._quick_size else None
                if quick is not None:
                    return quick
                remaining = until - time.monotonic()
                if remaining <= 0:
                    return None
                self._freed.wait(remaining)

    def _quick(
        self,
        worker: Worker,
        request: QueryRequest | FormRequest,
        quick_deadline: float,
        deadline: float | None,
    ) -> list[Any]:
        """Answer a request whole on a quick ``worker`` by ``quick_deadline``: the
        result chunks, or the form.

        Raises
        ------
        _QuickLaneMissed
            If the request did not finish by ``quick_deadline`` and within
            :data:`QUICK_MAX_BYTES` (its worker is killed: it may be a runaway).
        """
        if not worker.wait_ready(max(0.0, quick_deadline - time.monotonic())):
            # Still starting (it replaced a stopped one): no use to this request.
            self._release(worker)
            raise _QuickLaneMissed
        answer: list[Any] = []
        size = 0
        refusal: _Message = ()
        try:
            worker.conn.send(request)
            while True:
                message = self._receive(worker, quick_deadline)
                if message[0] == "form":
                    answer.append(message[1])
                    break
                if message[0] == "end":
                    break
                if message[0] != "chunk":
                    # The worker answered: it is well, and goes back to its lane.
                    refusal = message
                    break
                size += len(message[1])
                if size > QUICK_MAX_BYTES:
                    raise _QuickLaneMissed
                answer.append(message[1])
        except (_QuickLaneMissed, QueryTimeout):
            self._replace(worker)
            if deadline is not None and time.monotonic() >= deadline:
                raise QueryTimeout("the query ran past its time limit and was stopped") from None
            raise _QuickLaneMissed from None
        except BaseException:
            self._replace(worker)
            raise
        self._release(worker)
        if refusal:
            _raise_for(refusal)
        return answer

    def _take(self, lane: Lane) -> Worker | None:
        """A live idle worker of ``lane`` now, else None.

        A worker that died while idle (the OOM killer, a stray signal) is replaced on
        the spot, so the pool never shrinks to nothing.
        """
        while True:
            try:
                worker = self._idle[lane].get_nowait()
            except queue.Empty:
                return None
            if worker.alive:
                return worker
            self._replace(worker)

    def _take_main(self) -> Worker | None:
        """An idle main worker now; None if all are busy (the pool then grows by one)."""
        worker = self._take("main")
        if worker is None and self._grow() and not self._quick_size:
            return self._take("main")
        return worker

    def _grow(self) -> bool:
        """Start one more main worker if all are busy and the pool may grow."""
        with self._lock:
            grow = (
                self._idle["main"].empty()
                and sum(w.lane == "main" for w in self._all) < self._max_size
            )
        if grow:
            self._spawn("main")
        return grow

    def _wait_main(self, deadline: float | None) -> Worker:
        """Wait for a main worker until ``deadline``."""
        # Another request may have taken the worker started for this one.
        self._grow()
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                worker = self._idle["main"].get(timeout=remaining)
            except queue.Empty:
                raise QueryTimeout(
                    "every query worker stayed busy for the whole time limit; try again"
                ) from None
            if worker.alive:
                return worker
            self._replace(worker)

    def _rest(self, worker: Worker, first: bytes, deadline: float | None) -> Iterator[bytes]:
        finished = False
        try:
            yield first
            while (chunk := chunk_of(self._receive(worker, deadline))) is not None:
                yield chunk
            finished = True
        # A timeout or failure mid-stream propagates: the caller must not end a cut
        # result as if it were whole (the HTTP layer aborts the connection).
        finally:
            # A worker still writing (timeout, or the client went away) is killed:
            # draining a huge result nobody reads would waste the worker.
            if finished:
                self._release(worker)
            else:
                self._replace(worker)

    @staticmethod
    def _receive(worker: Worker, deadline: float | None) -> _Message:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            ready = worker.conn.poll(remaining)
            message: _Message = worker.conn.recv() if ready else ()
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


def _sooner(moment: float, deadline: float | None) -> float:
    """``moment``, or ``deadline`` if that comes first.

    >>> _sooner(5.0, None), _sooner(5.0, 3.0)
    (5.0, 3.0)
    """
    return moment if deadline is None else min(moment, deadline)


def _raise_for(message: _Message) -> None:
    """Raise the error a worker reported."""
    if message[0] == "syntax":
        raise QuerySyntaxError(message[1])
    if message[0] == "refused":
        raise FederationRefused(message[1])
    raise QueryFailed(message[1])
