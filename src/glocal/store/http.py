"""The HTTP side of a remote SPARQL engine: requests, status checks, response bodies.

:class:`EngineClient` sends SPARQL Protocol queries, SPARQL Updates and Graph Store
uploads and turns transport failures and error responses into glocal's errors
(:mod:`glocal.store.errors`). :func:`read_result` and :func:`transcode` turn a response
in one of the two lossless formats the store asks for (SPARQL XML results, N-Triples)
into Oxigraph result objects, or re-serialize it as it arrives in the format a client
asked for. What a query means (its dataset, prefixes, the data version) is
:mod:`glocal.store.remote`'s business, not this module's.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from pyoxigraph import (
    QueryResultsFormat,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from glocal.formats import N_TRIPLES, SPARQL_XML
from glocal.store.errors import QueryFailed, QuerySyntaxError, QueryTimeout, StoreUnavailable
from glocal.store.sparql import QueryResult, serialize_result
from glocal.store.worker import ChunkWriter

__all__ = ["EngineClient", "ResponseBody", "read_result", "transcode"]

# Virtuoso writes blank nodes as <bnode>nodeID://b10006</bnode>; Oxigraph refuses the
# label. Inside a literal the "<" would be escaped, so the pattern is unambiguous.
_VIRTUOSO_BNODE = b"<bnode>nodeID://"
# How engines report that they stopped a query at its time limit: Virtuoso's SQL states
# (S1T00 timeout, SR171 transaction timeout) and cost-estimate refusal, Fuseki's
# "Query timed out", Neptune's TimeLimitExceededException, QLever's "timeout".
_TIMED_OUT = re.compile(
    r"S1T00|SR171|timed out|time ?out|TimeLimitExceeded|deadline exceeded|"
    r"estimated execution time",
    re.IGNORECASE,
)
_STOPPED = "the query ran past its time limit and was stopped"


class EngineClient:
    """HTTP requests to a SPARQL engine, with failures as glocal's errors.

    Parameters
    ----------
    endpoint_url, update_url, graph_store_url
        The engine's query, update and Graph Store Protocol endpoints.
    auth
        Credentials for every request.
    timeout
        Seconds allowed for requests that have no deadline of their own.
    """

    def __init__(
        self,
        endpoint_url: str,
        *,
        update_url: str,
        graph_store_url: str | None,
        auth: httpx.Auth | tuple[str, str] | None,
        timeout: float,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self._client = httpx.Client(auth=auth, timeout=timeout)

    def query(
        self, data: Mapping[str, str | list[str]], *, accept: str, timeout: float
    ) -> httpx.Response:
        """POST a query and return the streamed response once its status is checked."""
        if timeout <= 0:
            raise QueryTimeout(_STOPPED)
        request = self._client.build_request(
            "POST", self.endpoint_url, data=data, headers={"Accept": accept}, timeout=timeout
        )
        response = self._send(request)
        try:
            _check(response)
        except BaseException:
            response.close()
            raise
        return response

    def update(self, sparql: str) -> None:
        """POST a SPARQL Update to the update endpoint."""
        request = self._client.build_request("POST", self.update_url, data={"update": sparql})
        self._write(request, "update")

    def put_graph(self, graph: str, triples: list[Triple]) -> None:
        """Replace a graph through the Graph Store Protocol (``graph_store_url`` is needed)."""
        assert self.graph_store_url is not None, "the store checks this before loading"
        request = self._client.build_request(
            "PUT",
            self.graph_store_url,
            params={"graph": graph},
            content=serialize(triples, format=RdfFormat.N_TRIPLES),
            headers={"Content-Type": N_TRIPLES},
        )
        self._write(request, f"upload of {graph}")

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            raise StoreUnavailable(f"cannot reach the SPARQL engine: {err}") from err
        except httpx.TimeoutException:
            raise QueryTimeout(_STOPPED) from None
        except httpx.TransportError as err:
            raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err

    def _write(self, request: httpx.Request, what: str) -> None:
        try:
            response = self._send(request)
        except QueryTimeout:
            message = f"the SPARQL engine did not finish the {what} within {self.timeout} s"
            raise TimeoutError(message) from None
        try:
            response.read()
        except httpx.HTTPError as err:
            raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
        finally:
            response.close()
        if not response.is_success:
            message = _engine_message(response.text)
            raise RuntimeError(f"the SPARQL engine refused the {what}: {message}")


def read_result(response: httpx.Response, accept: str) -> QueryResult:
    """Read a whole response and give the result objects Oxigraph's own queries give."""
    try:
        body = response.read()
    except httpx.TimeoutException:
        raise QueryTimeout(_STOPPED) from None
    except httpx.HTTPError as err:
        raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
    finally:
        response.close()
    if accept == SPARQL_XML:
        return parse_query_results(
            body.replace(_VIRTUOSO_BNODE, b"<bnode>"), QueryResultsFormat.XML
        )
    # Oxigraph builds QueryTriples only from a query, so the triples go through an
    # in-memory store (which also drops duplicates, as a graph result should).
    store = Store()
    store.bulk_extend(parse(body, RdfFormat.N_TRIPLES))
    return store.query("CONSTRUCT WHERE { ?s ?p ?o }")


class ResponseBody(io.RawIOBase):
    """A streamed response body as a binary file that Oxigraph's parsers read lazily.

    Transport errors become glocal's errors and are kept in :attr:`error`, because the
    parser reports them as its own failure.
    """

    def __init__(self, response: httpx.Response, *, virtuoso_bnodes: bool) -> None:
        super().__init__()
        self._chunks = response.iter_bytes()
        self._rewrite = virtuoso_bnodes
        self._pending = b""
        self._tail = b""
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._pending, self._tail = self._tail, b""
                if not self._pending:
                    return 0
                break
            except httpx.TimeoutException:
                self.error = QueryTimeout(_STOPPED)
                raise self.error from None
            except httpx.HTTPError as err:
                self.error = StoreUnavailable(f"the SPARQL engine went away: {err}")
                raise self.error from err
            self._pending = self._fix(chunk) if self._rewrite else chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _fix(self, chunk: bytes) -> bytes:
        # A label may be split across chunks: hold back a possible start of the pattern.
        data = (self._tail + chunk).replace(_VIRTUOSO_BNODE, b"<bnode>")
        cut = len(data) - (len(_VIRTUOSO_BNODE) - 1)
        self._tail = data[cut:]
        return data[:cut]


class _Stopped(Exception):
    """The consumer of a stream went away; the producer stops writing."""


def _put(
    chunks: queue.Queue[tuple[str, Any]], item: tuple[str, Any], stop: threading.Event
) -> None:
    while True:
        if stop.is_set():
            raise _Stopped
        try:
            chunks.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def transcode(
    response: httpx.Response, accept: str, media_type: str, deadline: float
) -> Iterator[bytes]:
    """Stream a response re-serialized as ``media_type``, ending at ``deadline``.

    A thread parses the engine's response as it arrives and serializes it with
    :func:`~glocal.store.sparql.serialize_result` into a bounded queue; the first chunk
    is awaited here, so errors before any output still raise in the caller.
    """
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=16)
    stop = threading.Event()
    body = ResponseBody(response, virtuoso_bnodes=accept == SPARQL_XML)
    reader = io.BufferedReader(body)

    def produce() -> None:
        try:
            result: Any
            if accept == SPARQL_XML:
                result = parse_query_results(reader, QueryResultsFormat.XML)
            else:
                result = (quad.triple for quad in parse(reader, RdfFormat.N_TRIPLES))
            writer = ChunkWriter(lambda chunk: _put(chunks, ("chunk", chunk), stop))
            serialize_result(result, writer, media_type)
            writer.flush()
            message: tuple[str, Any] = ("end", None)
        except _Stopped:
            return
        except Exception as err:  # handed to the consumer, which raises it
            message = ("error", body.error or err)
        try:
            _put(chunks, message, stop)
        except _Stopped:
            return

    def receive() -> tuple[str, Any]:
        try:
            return chunks.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return ("timeout", None)

    def finish() -> None:
        stop.set()
        response.close()

    producer = threading.Thread(target=produce, name="glocal-remote-stream", daemon=True)
    producer.start()
    kind, value = receive()
    if kind != "chunk":
        finish()
        if kind == "timeout":
            raise QueryTimeout(_STOPPED)
        if kind == "error":
            raise value
        return iter(())

    def stream() -> Iterator[bytes]:
        try:
            yield value
            while True:
                kind, chunk = receive()
                if kind == "chunk":
                    yield chunk
                elif kind == "error":
                    raise chunk
                elif kind == "timeout":
                    # Cut at the deadline: never end it as if it were whole.
                    raise QueryTimeout(_STOPPED)
                else:
                    return
        finally:
            finish()

    iterator = stream()
    # A caller that drops the iterator unstarted never runs its ``finally``.
    weakref.finalize(iterator, finish)
    return iterator


def _engine_message(text: str) -> str:
    # Virtuoso repeats the whole query after its message; the message is enough.
    return text.split("\n\nSPARQL query:", 1)[0].strip()[:2000]


def _check(response: httpx.Response) -> None:
    """Raise glocal's error for an engine's error response."""
    if response.is_success:
        # Virtuoso's "anytime" answer: HTTP 200 with whatever it had at its time limit.
        if response.headers.get("X-SQL-State") == "S1TAT":
            raise QueryTimeout(_STOPPED)
        # Virtuoso's sign that a SELECT reached its row limit and may have been cut.
        if limit := response.headers.get("X-SPARQL-MaxRows"):
            raise QueryFailed(
                f"the SPARQL engine cut the result at {limit} rows; raise its limit "
                "(Virtuoso: ResultSetMaxRows in virtuoso.ini)"
            )
        return
    try:
        response.read()
    except httpx.HTTPError as err:
        raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
    message = _engine_message(response.text)
    if response.status_code == 400:
        raise QuerySyntaxError(message)
    if _TIMED_OUT.search(message):
        raise QueryTimeout(f"{_STOPPED} ({message})")
    if response.status_code == 503:
        raise StoreUnavailable(f"the SPARQL engine is unavailable: {message}")
    raise QueryFailed(f"the SPARQL engine failed ({response.status_code}): {message}")
