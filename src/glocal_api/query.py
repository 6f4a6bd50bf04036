"""Answer one SPARQL query: size limit, cache, parsing, negotiation, streaming.

Shared by ``/sparql`` and the canned-query routes, so both behave the same. Queries
run in the store's workers under the time limit and stream back; small results are
cached by data version, and every response has an ``ETag`` so clients can revalidate
with ``If-None-Match``. A query takes a lighter way when a worker is idle
(:mod:`glocal_api.loop_query`): the event loop talks to the worker itself, without a
thread.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from pyoxigraph import NamedNode

from glocal.formats import ALIASES, GRAPH_ALIASES, GRAPH_SHORT_NAMES, SHORT_NAMES, negotiate
from glocal.store import (
    ParsedQuery,
    QueryForm,
)
from glocal_api.cut_stream import CutOnError
from glocal_api.errors import RequestError
from glocal_api.runtime import ResultCache, Runtime, runtime_of

__all__ = [
    "GZIP_LEVEL",
    "GZIP_MIN_BYTES",
    "Checked",
    "Kept",
    "accepts_gzip",
    "cached_answer",
    "check",
    "choose_media_type",
    "run_query",
    "take_slot",
    "whole_response",
]

logger = logging.getLogger("glocal.query")


def choose_media_type(offered: list[str], accept: str | None, fmt: str | None, form: str) -> str:
    """The media type for a query's results: ``format=`` if it fits the query, else what
    ``Accept`` asks for, so that a client gets something it can read.

    Clients' usual names are understood for each form: ``application/json`` is SPARQL
    JSON for SELECT and ASK but JSON-LD for CONSTRUCT; ``format=xml`` is SPARQL XML or
    RDF/XML; ``text/n3`` and ``application/x-turtle`` are Turtle.

    Raises
    ------
    RequestError
        406 if neither ``format=`` nor ``Accept`` names a type that can carry the results.
    """
    graph = form == "CONSTRUCT"
    aliases = GRAPH_ALIASES if graph else ALIASES
    if fmt:
        named = (GRAPH_SHORT_NAMES.get(fmt) if graph else None) or SHORT_NAMES.get(fmt, fmt)
        media = aliases.get(named, named)
        if media in offered:
            return media
    # Expand aliases in the Accept header so that e.g. application/json selects JSON.
    accept_expanded = accept
    if accept:
        parts = []
        for part in accept.split(","):
            media, _, params = part.strip().partition(";")
            alias = aliases.get(media.strip().lower())
            if alias in offered:
                parts.append(alias + (";" + params if params else ""))
            parts.append(part.strip())
        accept_expanded = ",".join(parts)
    chosen = negotiate(accept_expanded, offered) if accept or not fmt else None
    if chosen is None:
        names = ", ".join(k for k, v in SHORT_NAMES.items() if v in offered)
        asked = f"format={fmt}" if fmt else f"the accepted types ({accept})"
        raise RequestError(
            406, f"{asked} cannot carry {form} results; offered: {', '.join(offered)} ({names})"
        )
    return chosen


#: Bodies smaller than this go out uncompressed (as the GZip middleware's minimum).
GZIP_MIN_BYTES = 1024
#: The compression level of answers compressed as they are sent (the GZip middleware's,
#: and an uncached whole result's): level 1 takes half level 5's time for 10-25 % more
#: bytes (183 KB of SPARQL JSON: 0.25 ms and 5.9 KB against 0.51 ms and 5.4 KB; 537 KB:
#: 1.6 ms and 57 KB against 3.2 ms and 48 KB), paid on every request, on the event loop.
#: What is compressed once and sent many times (the result cache, pages) takes level 5.
GZIP_LEVEL = 1


def accepts_gzip(request: Request) -> bool:
    """Whether ``Accept-Encoding`` names gzip with a non-zero quality.

    >>> from starlette.requests import Request
    >>> def asking(value: str) -> bool:
    ...     scope = {"type": "http", "headers": [(b"accept-encoding", value.encode())]}
    ...     return accepts_gzip(Request(scope))
    >>> asking("gzip, deflate"), asking("br;q=1, gzip;q=0"), asking("identity")
    (True, False, False)
    """
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            try:
                return not quality or float(quality) > 0
            except ValueError:
                return False
    return False


def _left(deadline: float) -> float:
    """Seconds left before ``deadline``; a little at least, so the error says "time limit"."""
    return max(0.05, deadline - time.monotonic())


@dataclass(frozen=True)
class Checked:
    """A query request that passed the size and graph checks, with its cache key.

    Made once per request by :func:`check` and handed on, so that the cache lookup on
    the event loop and the run in a thread do not check and hash the request again.
    """

    sparql: str
    default_graphs: list[str]
    named_graphs: list[str]
    fmt: str | None
    #: The data version the key was computed for.
    version: str
    #: The cache key, sent as the ``ETag``.
    etag: str

    def headers(self) -> dict[str, str]:
        """The headers every answer to this request has (a fresh dict each call)."""
        return {"ETag": self.etag, "Vary": "Accept", "Cache-Control": "no-cache"}


def check(
    request: Request,
    sparql: str,
    *,
    default_graphs: list[str],
    named_graphs: list[str],
    fmt: str | None,
    version: str | None = None,
) -> Checked:
    """Check a request's graphs and size, and compute its ``ETag`` for data ``version``
    (the served store's by default).

    Raises
    ------
    RequestError
        400 if a graph is not an absolute IRI, 413 if the query is too large.
    """
    runtime = runtime_of(request)
    settings = runtime.settings
    request.state.sparql = sparql  # for a syntax error's hint (glocal_api.errors)
    for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for graph in graphs:
            try:
                NamedNode(graph)
            except ValueError:
                raise RequestError(400, f"{name} {graph!r} is not an absolute IRI") from None
    size = len(sparql.encode())
    if size > settings.max_query_bytes:
        raise RequestError(413, f"query is {size} bytes; the limit is {settings.max_query_bytes}")
    version = runtime.store.version if version is None else version
    # The cache key is computed from the request as sent, so a repeat (or a 304) is
    # answered before the query is even parsed.
    wanted = fmt or request.headers.get("accept") or ""
    key_source = "\0".join(
        [version, sparql, wanted, "|".join(default_graphs), "|".join(named_graphs)]
    )
    etag = '"' + hashlib.sha256(key_source.encode()).hexdigest()[:32] + '"'
    return Checked(sparql, default_graphs, named_graphs, fmt, version, etag)


def cached_answer(request: Request, checked: Checked) -> Response | None:
    """The answer to a query that needs no worker: ``304``, or a result from the cache;
    None when the query must run (:func:`run_query`).

    Nothing here blocks, so the endpoint calls it on the event loop and hops to a
    thread only for a query that runs: a cached repeat skips the hop (~0.1 ms of CPU).
    """
    runtime = runtime_of(request)
    headers = checked.headers()
    etag = checked.etag
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    cached = runtime.results.get(etag)
    if cached is not None:
        headers["X-Cache"] = "hit"
        if len(cached[1]) >= GZIP_MIN_BYTES and accepts_gzip(request):
            # Compressed once when cached: a repeat costs a lookup, whatever its size.
            gzipped = runtime.results.get_gzip(etag)
            if gzipped is not None:
                return _gzipped(gzipped[1], gzipped[0], headers)
        return Response(cached[1], media_type=cached[0], headers=headers)
    return None


def _gzipped(body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    """A gzip-compressed body, marked so; the GZip middleware passes it through."""
    headers["Content-Encoding"] = "gzip"
    headers["Vary"] = "Accept, Accept-Encoding"
    return Response(body, media_type=media_type, headers=headers)


def take_slot(request: Request, runtime: Runtime) -> str:
    """Take one of the client's query slots; the client's key, to give it back with.

    Raises
    ------
    RequestError
        429 if the client already runs as many queries as it may.
    """
    client = request.client.host if request.client else "unknown"
    if not runtime.clients.take(client):
        raise RequestError(
            429,
            f"this client already has {runtime.settings.max_queries_per_client} queries "
            "running; wait for one to finish",
        )
    return client


def run_query(request: Request, checked: Checked, *, form: QueryForm | None = None) -> Response:
    """Negotiate, then answer a checked query from the store; put a small result in the
    cache.

    ``form`` is given for trusted text whose form is known (a canned query with its
    values bound): it then goes to the store as it is, without the round trip to a
    worker that parses untrusted text (:meth:`GraphStore.parse
    <glocal.store.GraphStore.parse>`). A result of one chunk that the client may take
    compressed is compressed here, in the request's thread, once for the response and
    the cache both. Errors are raised, for :mod:`glocal_api.errors` to answer.
    """
    runtime = runtime_of(request)
    settings = runtime.settings
    store = runtime.store
    if store.version != checked.version:
        # A reload swapped the store since the check: the key must name the version
        # that answers.
        checked = check(
            request,
            checked.sparql,
            default_graphs=checked.default_graphs,
            named_graphs=checked.named_graphs,
            fmt=checked.fmt,
            version=store.version,
        )
    headers = checked.headers()
    client = take_slot(request, runtime)
    streaming = False
    try:
        # One time limit for the whole request, from its arrival: parsing and waiting
        # for a worker count against it too.
        deadline = time.monotonic() + settings.timeout
        query = (
            store.parse(
                checked.sparql, federation=settings.federation_allow, timeout=_left(deadline)
            )
            if form is None
            else ParsedQuery(checked.sparql, form)
        )
        media_type = choose_media_type(
            query.media_types, request.headers.get("accept"), checked.fmt, query.form
        )
        chunks = store.stream(
            query,
            media_type=media_type,
            default_graphs=checked.default_graphs or None,
            named_graphs=checked.named_graphs or None,
            timeout=_left(deadline),
        )
        # A result that fits in one chunk (most do) is sent as a plain response:
        # streaming it would cost a thread hop per chunk for nothing.
        first = next(chunks, b"")
        second = next(chunks, None)
        if second is None:
            return whole_response(request, checked.etag, media_type, first, headers)
        streaming = True
    finally:
        if not streaming:
            runtime.clients.give_back(client)

    def body() -> Iterator[bytes]:
        try:
            kept = Kept(settings.result_cache_max_bytes, [first, second])
            yield first
            yield second
            for chunk in chunks:
                kept.add(chunk)
                yield chunk
            kept.cache(runtime.results, checked.etag, media_type)
        finally:
            # Closing the worker's stream stops (kills) a worker still writing.
            if isinstance(chunks, Generator):
                chunks.close()
            runtime.clients.give_back(client)

    return CutOnError(body(), media_type=media_type, headers=headers)


class Kept:
    """The chunks of a streamed result, kept for the result cache while they fit it."""

    def __init__(self, limit: int, chunks: list[bytes]) -> None:
        self._limit = limit
        self._chunks = chunks
        self._size = sum(len(c) for c in chunks)

    def add(self, chunk: bytes) -> None:
        if self._size <= self._limit:
            self._chunks.append(chunk)
            self._size += len(chunk)

    def cache(self, results: ResultCache, etag: str, media_type: str) -> None:
        if self._size <= self._limit:
            results.put(etag, media_type, b"".join(self._chunks))


def whole_response(
    request: Request, etag: str, media_type: str, body: bytes, headers: dict[str, str]
) -> Response:
    """The response of a result that came whole, cached if the cache is on; compressed
    here if the client takes gzip, so that the event loop does not compress it."""
    results = runtime_of(request).results
    if results.entries > 0:
        results.put(etag, media_type, body)
    if len(body) < GZIP_MIN_BYTES or not accepts_gzip(request):
        return Response(body, media_type=media_type, headers=headers)
    # The cache compressed it as it stored it; compress it here only when it did not.
    kept = results.get_gzip(etag) if results.entries > 0 else None
    compressed = kept[1] if kept is not None else gzip.compress(body, GZIP_LEVEL, mtime=0)
    return _gzipped(compressed, media_type, headers)
