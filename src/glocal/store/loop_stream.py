"""The event loop's way to a query worker: a request goes to a worker idle now, and its
answer is awaited on the loop, without a thread (see :meth:`EmbeddedStore.open_stream
<glocal.store.EmbeddedStore.open_stream>` and :meth:`~glocal.store.EmbeddedStore.open_query`).

The worker keeps every protection it has on the threads' way: it is stopped at the
deadline, when the chunks are left before their end (the client went away), or past
its memory limit (the pool's watchdog).
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator
from typing import Any

from glocal.store.errors import QueryFailed, QuerySyntaxError
from glocal.store.pool import QueryPool
from glocal.store.sparql import QueryForm
from glocal.store.worker import QueryRequest, Worker, chunk_of

__all__ = ["query_on_loop", "stream_on_loop"]


async def stream_on_loop(
    pool: QueryPool, request: QueryRequest, timeout: float | None
) -> AsyncGenerator[bytes, None] | None:
    """The chunks of ``request``'s result from an idle worker; None if none is idle.

    The first message is awaited before returning, so that errors before any output
    raise here.

    Raises
    ------
    QuerySyntaxError, QueryFailed, QueryTimeout
        If the worker answered with an error, or nothing came by ``timeout``.
    """
    worker = pool.take_idle()
    if worker is None:
        return None
    deadline = None if timeout is None else time.monotonic() + timeout
    first = await _send(pool, worker, request, deadline)
    return _chunks(pool, worker, first, deadline)


async def query_on_loop(
    pool: QueryPool, request: QueryRequest, timeout: float | None
) -> tuple[QueryForm, AsyncGenerator[bytes, None] | None] | None:
    """:func:`stream_on_loop` for a request of media types by form: the form the worker
    found, and the chunks, or None for them when the request has no type for the form.

    Raises
    ------
    QuerySyntaxError, QueryFailed, QueryTimeout
        As :func:`stream_on_loop`.
    """
    worker = pool.take_idle()
    if worker is None:
        return None
    deadline = None if timeout is None else time.monotonic() + timeout
    first = await _send(pool, worker, request, deadline)
    if first[0] != "form":
        # The text did not parse, or the engine failed before it had a result.
        raise _failure(pool, worker, first)
    form: QueryForm = first[1]
    if form not in request.media_type:
        pool.give_back(worker)
        return form, None
    try:
        first = await worker.receive(deadline)
    except BaseException:
        _stop_soon(pool, worker)
        raise
    return form, _chunks(pool, worker, first, deadline)


async def _send(
    pool: QueryPool, worker: Worker, request: QueryRequest, deadline: float | None
) -> tuple[Any, ...]:
    """Send ``request`` to ``worker`` and await its first message."""
    try:
        worker.conn.send(request)
        return await worker.receive(deadline)
    except BaseException:
        _stop_soon(pool, worker)
        raise


def _failure(pool: QueryPool, worker: Worker, message: tuple[Any, ...]) -> Exception:
    """The error a worker answered with; the worker, which is still sound, goes back to
    the pool."""
    pool.give_back(worker)
    if message[0] == "syntax":
        return QuerySyntaxError(message[1])
    return QueryFailed(message[1])


def _chunks(
    pool: QueryPool, worker: Worker, first: tuple[Any, ...], deadline: float | None
) -> AsyncGenerator[bytes, None]:
    if first[0] not in ("chunk", "end"):
        raise _failure(pool, worker, first)
    return _rest(pool, worker, first, deadline)


async def _rest(
    pool: QueryPool, worker: Worker, first: tuple[Any, ...], deadline: float | None
) -> AsyncGenerator[bytes, None]:
    """The chunks of a worker's answer from its ``first`` message on; the worker goes
    back to the pool at the end, and is stopped if the iterator is left before it."""
    finished = False
    try:
        chunk = chunk_of(first)
        while chunk is not None:
            yield chunk
            chunk = chunk_of(await worker.receive(deadline))
        finished = True
    finally:
        if finished:
            pool.give_back(worker)
        else:
            _stop_soon(pool, worker)


def _stop_soon(pool: QueryPool, worker: Worker) -> None:
    """Stop a worker that may still be running a query, without blocking the loop:
    killing it and starting its replacement take milliseconds."""
    threading.Thread(target=pool.stop, args=(worker,), name="glocal-stop-worker").start()
