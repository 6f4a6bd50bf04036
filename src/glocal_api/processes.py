"""Serve HTTP from several processes on one socket, and stop them all together.

One uvicorn process did all the HTTP work and ran at ~1.5 cores while the query workers
idled. :func:`serve_processes` binds the socket once, starts ``processes`` server
processes on it (the kernel hands each accepted connection to one of them) and
supervises them: one that dies is started again, and ``SIGINT`` or ``SIGTERM`` stops
every one, each closing its own query workers, before this process returns.

The server processes are spawned, not forked: the parent has opened the store and runs
RocksDB's and the BLAS library's threads, which a fork would copy in an unknown state.
A spawned process builds its own app with ``factory(*prepared, *shared)``; anything it
shares with the others (the per-client query counts,
:class:`~glocal_api.client_slots.ClientSlots`) must be made before and passed in
``shared``. The processes are spawned before the data is loaded, and import the web
app meanwhile: a cold start on two cores takes about a second less.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from glocal_api.server import ConnectionLimits, make_server

__all__ = ["AppFactory", "serve_processes", "serve_socket"]

logger = logging.getLogger("uvicorn.error")

#: ``factory(*args)`` returns the ASGI app and what closes it (the store's workers).
AppFactory = Callable[..., tuple[Any, Callable[[], None]]]

#: Seconds the processes have to finish their requests once asked to stop.
_GRACE_S = 30.0
#: A process that dies within this many seconds of its start is not started again.
_SHORTEST_LIFE_S = 5.0
#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def serve_processes(
    factory: AppFactory,
    shared: tuple[Any, ...],
    *,
    host: str,
    port: int,
    processes: int,
    prepare: Callable[[], tuple[Any, ...] | None] = tuple,
    preload: Sequence[str] = (),
    limits: ConnectionLimits | None = None,
) -> int:
    """Serve ``factory(*prepare(), *shared)`` from ``processes`` server processes until
    a signal.

    The processes are spawned first, and import ``preload`` while this process runs
    ``prepare`` (loading and checking the data): start-up costs the longer of the two,
    not their sum.

    Parameters
    ----------
    factory
        A module-level function (the spawned processes import it) that builds the app.
    shared
        Its last arguments, given at spawn: state shared between the processes, such as
        a :class:`~glocal_api.client_slots.ClientSlots`, can only be passed then.
    prepare
        Makes its first arguments (they must pickle); ``None`` means there is nothing
        to serve, and every process is stopped.
    preload
        Modules each process imports while it waits for ``prepare``.
    processes
        Server processes; each has its own connection limit (``limits``), since each
        has its own file descriptors.

    Returns
    -------
    int
        0 once stopped by ``SIGINT`` or ``SIGTERM``; 1 if ``prepare`` gave nothing to
        serve or a process failed at start.
    """
    if processes < 1:
        raise ValueError(f"need at least one HTTP process, not {processes}")
    listener = socket.create_server((host, port), backlog=2048)
    context = multiprocessing.get_context("spawn")
    prepared: tuple[Any, ...] | None = None

    def start() -> tuple[BaseProcess, float, Connection]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=serve_socket,
            args=(listener, factory, shared, receive, preload, limits, os.getpid()),
            name="glocal-http",
            daemon=False,
        )
        process.start()
        receive.close()
        if prepared is not None:
            send.send(prepared)
        return process, time.monotonic(), send

    running = [start() for _ in range(processes)]
    stopping = failed = False
    previous: dict[int, Any] = {}
    try:
        prepared = prepare()
        if prepared is None:
            return 1
        for _, _, send in running:
            send.send(prepared)

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        while not stopping:
            time.sleep(0.2)
            for index, (process, started, _) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < _SHORTEST_LIFE_S:
                    logger.error("an HTTP process failed at start (exit %s)", process.exitcode)
                    failed = stopping = True
                    break
                logger.warning("an HTTP process died (exit %s); starting another", process.exitcode)
                running[index] = start()
    finally:
        # Closed first: the port is free for a new server at once, while the processes
        # finish their requests and background work.
        listener.close()
        for _, _, send in running:
            # A process still waiting for its arguments reads the end of the pipe and ends.
            send.close()
        _stop_all([process for process, _, _ in running])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0


def _stop_all(processes: list[BaseProcess]) -> None:
    """``SIGTERM`` to each, then wait; ``SIGKILL`` for any still alive after the grace."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + _GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)


def serve_socket(
    listener: socket.socket,
    factory: AppFactory,
    shared: tuple[Any, ...],
    prepared: Connection,
    preload: Sequence[str],
    limits: ConnectionLimits | None,
    parent: int,
) -> None:
    """A server process: import ``preload``, wait for the arguments the parent
    prepares, build the app and serve it on ``listener`` until a signal, or until
    ``parent`` (the supervising process) dies."""

    def exit_on_term(signum: int, frame: FrameType | None) -> None:
        # uvicorn re-raises the signal that stopped it once it has shut down: as an
        # exception, so that the store's workers are closed below.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, exit_on_term)
    _die_with(parent)
    for module in preload:
        importlib.import_module(module)
    try:
        args = prepared.recv()
    except EOFError:
        return  # the parent found nothing to serve
    finally:
        prepared.close()
    app, close = factory(*args, *shared)
    host, port = listener.getsockname()[:2]
    server = make_server(app, host=host, port=port, limits=limits)
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass
    finally:
        close()


def _die_with(parent: int) -> None:
    """Have the kernel send ``SIGTERM`` here when ``parent`` dies, even by ``SIGKILL``
    (which it cannot pass on): no server process, nor its query workers, outlives it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if os.getppid() != parent:
        # The parent died before prctl took effect.
        raise SystemExit(0)
