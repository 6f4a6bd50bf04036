"""One query worker process: what it is asked, how it answers, and the handle on it.

A worker opens the on-disk store read-only, cuts itself off the network unless
federation is allowed (:mod:`glocal.store.isolation`), and answers requests from its
pipe: the form of a query (:class:`FormRequest`), or a query's serialized result in
chunks (:class:`QueryRequest`), after its form for text whose form was not known.
:class:`~glocal.store.pool.QueryPool` decides which worker runs what, and kills a worker
to stop it.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

from glocal.store.errors import (
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    ResourceLimit,
)
from glocal.store.isolation import cut_network
from glocal.store.service_calls import check_service_calls
from glocal.store.sparql import QueryForm, execute, query_form, result_form, serialize_result

__all__ = [
    "CHUNK_SIZE",
    "ChunkWriter",
    "FormRequest",
    "QueryRequest",
    "Worker",
    "chunk_of",
    "resident_kb",
]

#: The size of the chunks a result travels in. A result of one chunk goes out whole, with
#: no streaming: at 64 KB the network-size aggregation at 546k quads (183 KB of JSON)
#: streamed in three chunks, each a thread hop and a gzip flush (+1.7 ms); at 256 KB most
#: answers are one chunk, and a large one costs a quarter of the hops.
CHUNK_SIZE = 256 * 1024
#: How much lower the main lane's scheduling priority is (see ``nice(2)``).
MAIN_LANE_NICENESS = 5

#: A worker's lane: ``main`` runs anything to its time limit; ``quick`` is kept free
#: for queries that finish at once, so they are answered while runaways hold the rest.
Lane = Literal["main", "quick"]


def resident_kb(pid: int | None) -> int:
    """A process's resident set size in kB, from ``/proc``; 0 when it is gone.

    ``statm`` is one short line: the pool's watchdog reads it for every worker ten
    times a second, on the server's own interpreter.

    >>> resident_kb(os.getpid()) > 0, resident_kb(None)
    (True, 0)
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def chunk_of(message: tuple[Any, ...]) -> bytes | None:
    """The bytes of a worker's ``chunk`` message, or None for its ``end``.

    Raises
    ------
    QueryFailed
        If the worker reported a failure instead (the result was already under way).

    >>> chunk_of(("chunk", b"{}")), chunk_of(("end",))
    (b'{}', None)
    """
    if message[0] == "end":
        return None
    if message[0] != "chunk":
        raise QueryFailed(f"the query failed while its result was sent: {message[1]}")
    data: bytes = message[1]
    return data


@dataclass(frozen=True)
class QueryRequest:
    """What a worker needs to run one query and serialize its result."""

    query: str
    #: The result's media type; for text whose form is not known yet, the media type for
    #: each form the client can take: the worker then sends the form it found first
    #: (``("form", form)``), and no result when the form is not one of them.
    media_type: str | Mapping[QueryForm, str]
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None


@dataclass(frozen=True)
class FormRequest:
    """Ask a worker for a query's form: parsing evaluates the query (on an empty store),
    which an untrusted query can make arbitrarily costly, so it too runs where it can be
    killed."""

    query: str
    #: Check the query's ``SERVICE`` calls against this allow-list on its parsed algebra
    #: (:mod:`glocal.store.service_calls`), for an engine glocal cannot cut off the
    #: network; None leaves them to the worker's own isolation.
    allow: tuple[str, ...] | None = None


class ChunkWriter:
    """A binary file object that hands what Oxigraph writes to ``send`` in chunks of
    about :data:`CHUNK_SIZE` bytes (to a pipe here, to a queue in
    :mod:`glocal.store.http`), so a large result streams instead of piling up.

    >>> sent = []
    >>> writer = ChunkWriter(sent.append)
    >>> writer.write(b"x" * CHUNK_SIZE) == CHUNK_SIZE, writer.write(b"y"), len(sent)
    (True, 1, 1)
    >>> writer.flush(); sent[-1]
    b'y'
    """

    def __init__(self, send: Callable[[bytes], object]) -> None:
        self._send = send
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_SIZE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()


def _serve(store_path: str, conn: Connection, offline: bool, lane: Lane) -> None:
    """Worker loop: answer requests until the parent closes the pipe.

    With ``offline`` the worker first cuts itself off the network
    (:func:`~glocal.store.isolation.cut_network`) and says in its ready message whether
    that worked. Main-lane workers run at a lower priority, so that runaway queries on
    two cores cannot starve the quick lane or the HTTP server.
    """
    from pyoxigraph import Store

    if lane == "main":
        os.nice(MAIN_LANE_NICENESS)

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
                if request.allow is not None:
                    check_service_calls(request.query, request.allow)
                conn.send(("form", query_form(request.query)))
            except QuerySyntaxError as err:
                conn.send(("syntax", str(err)))
            except FederationRefused as err:
                conn.send(("refused", str(err)))
            continue
        try:
            result = execute(
                store,
                request.query,
                default_graphs=request.default_graphs,
                named_graphs=request.named_graphs,
            )
            media_type = request.media_type
            if not isinstance(media_type, str):
                form = result_form(result)
                conn.send(("form", form))
                if form not in media_type:
                    continue
                media_type = media_type[form]
            writer = ChunkWriter(lambda chunk: conn.send(("chunk", chunk)))
            serialize_result(result, writer, media_type)
            writer.flush()
            conn.send(("end",))
        except SyntaxError as err:
            conn.send(("syntax", str(err)))
        except (OSError, ValueError, RuntimeError) as err:
            conn.send(("error", f"{type(err).__name__}: {err}"))


class Worker:
    """The parent's handle on one worker process and its pipe."""

    def __init__(self, ctx: Any, store_path: str, *, offline: bool, lane: Lane = "main") -> None:
        self.lane: Lane = lane
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(store_path, child, offline, lane), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.isolated = False
        #: Why the pool stopped this worker, if it did (the memory watchdog).
        self.stopped_for: str | None = None
        # A worker can be killed from two threads at once (a stream stopping it while
        # the pool closes): closing its pipe twice would close another descriptor.
        self._killing = threading.Lock()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the worker has opened the store (and left the network); False if
        it was not ready within ``timeout`` seconds."""
        if not self.ready:
            if timeout is not None and not self.conn.poll(timeout):
                return False
            message = self.conn.recv()
            if not (isinstance(message, tuple) and message[:1] == ("ready",)):
                raise RuntimeError(f"query worker failed to start: {message!r}")
            self.isolated = bool(message[1])
            self.ready = True
        return True

    @property
    def alive(self) -> bool:
        """Whether the worker can take a request (it may have died while idle)."""
        return not self.conn.closed and bool(self.process.is_alive())

    async def receive(self, deadline: float | None) -> tuple[Any, ...]:
        """The worker's next message, awaited on the event loop rather than in a thread.

        A thread blocked on the pipe costs a hand-off to it and back, and the two
        threads then take turns at the interpreter lock (~0.1-0.3 ms a request); here
        the loop watches the pipe, and reads it once the worker has written.

        Raises
        ------
        QueryTimeout
            If nothing came by ``deadline`` (``time.monotonic()``); the worker is left
            running, for the caller to stop.
        ResourceLimit
            If the worker died (the memory watchdog stopped it, or the OOM killer).
        """
        if not self.conn.poll():
            loop = asyncio.get_running_loop()
            readable: asyncio.Future[None] = loop.create_future()

            def ready() -> None:
                if not readable.done():
                    readable.set_result(None)

            fd = self.conn.fileno()
            loop.add_reader(fd, ready)
            try:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                await asyncio.wait_for(readable, left)
            except TimeoutError:
                raise QueryTimeout("the query ran past its time limit and was stopped") from None
            finally:
                loop.remove_reader(fd)
                # uvloop leaves a watched descriptor non-blocking: reads of a message
                # that is still arriving would fail, and so would the pool's own.
                os.set_blocking(fd, True)
        try:
            message: tuple[Any, ...] = self.conn.recv()
        except (EOFError, OSError):
            # Dead: its exit code is there at once, or after a moment at most.
            self.process.join(timeout=0.1)
            raise ResourceLimit(
                f"the query was stopped: {self.stopped_for}"
                if self.stopped_for
                else f"the query worker died (exit code {self.process.exitcode}), "
                "probably out of memory"
            ) from None
        return message

    def kill(self) -> None:
        """Stop the worker at once, whatever it is doing; a second call does nothing more."""
        with self._killing:
            self.process.kill()
            self.process.join(timeout=5)
            if not self.conn.closed:
                self.conn.close()
