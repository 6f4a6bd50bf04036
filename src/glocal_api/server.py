"""Serve the app with uvicorn, under limits on connections and on slow clients.

uvicorn holds a connection for as long as the client takes to send its request: 3,000
half-sent requests were once held for 40 s. :class:`GuardedHttpTools` (the server's
protocol, on uvloop) and :class:`GuardedH11` (the pure-Python one, kept as the bench's
baseline) give each request a deadline for its headers and one for its body, and refuse
connections past a limit with a 503, before they cost a file descriptor each for long.
:func:`make_server` also raises the process's open-file limit to fit, and rate-limits
the logs (:mod:`glocal_api.logs`).

httptools and uvloop against h11 and asyncio, measured on a one-row lookup: h11's
parsing was 27 % of the time a request spent in the server, asyncio's loop 15 %.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from glocal_api.logs import limit_server_logs

__all__ = ["HTTP_PROTOCOLS", "ConnectionLimits", "GuardedH11", "GuardedHttpTools", "make_server"]

logger = logging.getLogger("uvicorn.error")

_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 40\r\nConnection: close\r\n\r\ntoo many connections open; try again\r\n\r\n"
)
_SLOW = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nContent-Length: 36\r\n"
    b"Connection: close\r\n\r\nthe request was not sent in time\r\n\r\n"
)
#: File descriptors kept for everything but client connections: the store, the query
#: workers' pipes, the data files.
_SPARE_FILES = 512


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a client may take to send a request, and how many may connect."""

    #: Seconds from a connection (or the end of the previous response) to the end of
    #: the request's headers.
    header_timeout: float = 10.0
    #: Seconds from the end of the headers to the end of the body.
    body_timeout: float = 60.0
    #: Seconds an idle keep-alive connection stays open.
    keep_alive: float = 5.0
    #: Open connections at most; more are answered 503 and closed.
    max_connections: int = 4096


class _Guarded:
    """What both guarded protocols share: the connection limit at connect, and one
    deadline timer per connection, armed for what the client owes next."""

    limits = ConnectionLimits()
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    _deadline: asyncio.TimerHandle | None = None

    def _refused(self, transport: asyncio.Transport) -> bool:
        """Answer 503 and close past the connection limit; whether it did."""
        if len(self.connections) <= self.limits.max_connections:
            return False
        transport.write(_BUSY)
        transport.close()
        logger.warning("refused a connection: %d are open", len(self.connections))
        return True

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """Close the connection of a client past its deadline, with a 408 unless a
        response was started: each protocol knows its own state."""
        raise NotImplementedError


class GuardedH11(_Guarded, H11Protocol):
    """uvicorn's h11 protocol with header and body deadlines and a connection limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting_for: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows BaseTransport the same way
        super().connection_made(transport)
        if not self._refused(transport):
            self._watch_reading()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_reading()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _watch_reading(self) -> None:
        """Arm the deadline for what the client owes now: headers, body, or nothing."""
        state: object = self.conn.their_state
        if state is h11.IDLE and self.conn.our_state is not h11.IDLE:
            # The response to the last request is still being sent.
            state = None
        if state is self._waiting_for:
            return
        self._disarm()
        self._waiting_for = state
        if state is h11.IDLE:
            self._arm(self.limits.header_timeout)
        elif state is h11.SEND_BODY:
            self._arm(self.limits.body_timeout)

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.conn.our_state is h11.IDLE:
            self.transport.write(_SLOW)
        self.transport.close()


class GuardedHttpTools(_Guarded, HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body deadlines and a connection limit.

    The deadline follows httptools' parser callbacks: headers are owed from the
    connection (or the end of the last response) until they are complete, the body
    from then until the message is complete; while the app answers, nothing is owed.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows BaseTransport the same way
        super().connection_made(transport)
        if not self._refused(transport):
            self._arm(self.limits.header_timeout)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # A pipelined request begins while the last one is answered: its headers are owed.
        if self._deadline is None:
            self._arm(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        self._arm(self.limits.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Unless a pipelined request started, the client owes the next request's headers.
        if (
            self._deadline is None
            and self.cycle.response_complete
            and not self.transport.is_closing()
        ):
            self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        # No cycle yet: the first request's headers never came.
        cycle: RequestResponseCycle | None = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_SLOW)
        self.transport.close()


#: The HTTP protocols :func:`make_server` can run, by name.
HTTP_PROTOCOLS: dict[str, type[GuardedHttpTools] | type[GuardedH11]] = {
    "httptools": GuardedHttpTools,
    "h11": GuardedH11,
}


def raise_open_files(wanted: int) -> int:
    """Raise this process's soft open-file limit towards ``wanted``; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def make_server(
    app: Any,
    *,
    host: str,
    port: int,
    limits: ConnectionLimits | None = None,
    protocol: Literal["httptools", "h11"] = "httptools",
) -> uvicorn.Server:
    """A uvicorn server for ``app`` under ``limits``, with rate-limited logs.

    The connection limit is lowered to what the open-file limit allows, with a warning,
    so that the server never runs out of descriptors (which once cost a traceback per
    failed accept). ``protocol="httptools"`` (the default) runs on uvloop;
    ``"h11"``, the configuration before both, on asyncio's own loop.
    """
    limits = limits or ConnectionLimits()
    files = raise_open_files(limits.max_connections + _SPARE_FILES)
    if files - _SPARE_FILES < limits.max_connections:
        logger.warning(
            "only %d open files are allowed: at most %d connections",
            files,
            files - _SPARE_FILES,
        )
        limits = ConnectionLimits(
            header_timeout=limits.header_timeout,
            body_timeout=limits.body_timeout,
            keep_alive=limits.keep_alive,
            max_connections=max(1, files - _SPARE_FILES),
        )
    guarded = type("Guarded", (HTTP_PROTOCOLS[protocol],), {"limits": limits})
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded,
        loop="uvloop" if protocol == "httptools" else "asyncio",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=int(limits.keep_alive),
        backlog=2048,
    )
    limit_server_logs()
    return uvicorn.Server(config)
