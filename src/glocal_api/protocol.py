"""``/sparql``: the SPARQL 1.1 Protocol query operation, and the service description.

Requests come as GET, POST form-encoded or POST ``application/sparql-query``. The
response format is chosen by ``format=`` or by ``Accept``. Queries run in the store's
workers under the time limit and stream back; small results are cached by data
version, and every response has an ``ETag`` so clients can revalidate with
``If-None-Match``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

from glocal.formats import RDF_FORMATS, RESULTS_FORMATS, SHORT_NAMES, negotiate
from glocal.store import query_form
from glocal.store.errors import FederationRefused, QuerySyntaxError, QueryTimeout
from glocal.store.service_policy import check_federation
from glocal.views.service import service_description

__all__ = ["ProtocolError", "router", "run_query"]

router = APIRouter(tags=["SPARQL"])

#: Aliases that common clients send; each maps onto a canonical results type.
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
}
_SD_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


class ProtocolError(Exception):
    """A request the protocol refuses, with the status code and a readable message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(f"{message}\n", status_code=status)


def _choose_media_type(form: str, accept: str | None, fmt: str | None) -> str:
    offered = list(RESULTS_FORMATS) if form in ("SELECT", "ASK") else list(RDF_FORMATS)
    if fmt:
        media = SHORT_NAMES.get(fmt, fmt)
        media = _ALIASES.get(media, media)
        if media not in offered:
            names = ", ".join(k for k, v in SHORT_NAMES.items() if v in offered)
            raise ProtocolError(
                406, f"format={fmt} cannot carry {form} results; use one of {names}"
            )
        return media
    # Expand aliases in the Accept header so that e.g. application/json selects JSON.
    accept_expanded = accept
    if accept:
        parts = []
        for part in accept.split(","):
            media, _, params = part.strip().partition(";")
            alias = _ALIASES.get(media.strip().lower())
            if alias in offered:
                parts.append(alias + (";" + params if params else ""))
            parts.append(part.strip())
        accept_expanded = ",".join(parts)
    chosen = negotiate(accept_expanded, offered)
    if chosen is None:
        raise ProtocolError(
            406,
            f"none of the accepted types ({accept}) can carry {form} results; "
            f"offered: {', '.join(offered)}",
        )
    return chosen


def run_query(
    request: Request,
    sparql: str,
    *,
    default_graphs: list[str],
    named_graphs: list[str],
    fmt: str | None,
) -> Response:
    """Validate, negotiate, then answer a query from the cache or the store.

    Shared by ``/sparql`` and the canned-query routes, so both behave the same.
    """
    runtime = request.app.state.runtime
    settings = runtime.settings
    store = runtime.store
    if len(sparql.encode()) > settings.max_query_bytes:
        raise ProtocolError(
            413, f"query is {len(sparql.encode())} bytes; the limit is {settings.max_query_bytes}"
        )
    # The cache key is computed from the request as sent, so a repeat (or a 304) is
    # answered before the query is even parsed.
    wanted = fmt or request.headers.get("accept") or ""
    key_source = "\0".join(
        [store.version, sparql, wanted, "|".join(default_graphs), "|".join(named_graphs)]
    )
    etag = '"' + hashlib.sha256(key_source.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    cached = runtime.results.get(etag)
    if cached is not None:
        headers["X-Cache"] = "hit"
        return Response(cached[1], media_type=cached[0], headers=headers)

    try:
        check_federation(sparql, allow=settings.federation_allow)
        form = query_form(sparql)
    except FederationRefused as err:
        raise ProtocolError(403, str(err)) from None
    except QuerySyntaxError as err:
        raise ProtocolError(400, f"SPARQL syntax error: {err}") from None
    except RecursionError:
        raise ProtocolError(400, "query is nested too deeply to parse") from None
    media_type = _choose_media_type(form, request.headers.get("accept"), fmt)

    try:
        chunks = store.stream(
            sparql,
            media_type=media_type,
            default_graphs=default_graphs or None,
            named_graphs=named_graphs or None,
            timeout=settings.timeout,
            federation=settings.federation_allow,
        )
    except QuerySyntaxError as err:
        raise ProtocolError(400, f"SPARQL syntax error: {err}") from None
    except QueryTimeout:
        raise ProtocolError(
            503, f"query stopped: it ran past the {settings.timeout:g} s time limit"
        ) from None
    except FederationRefused as err:
        raise ProtocolError(403, str(err)) from None
    except ConnectionError as err:
        raise ProtocolError(502, f"the SPARQL engine is unavailable: {err}") from None
    except RuntimeError as err:
        raise ProtocolError(500, f"query failed in the engine: {err}") from None

    # A result that fits in one chunk (most do) is sent as a plain response: streaming
    # it would cost a thread hop per chunk for nothing.
    first = next(chunks, b"")
    second = next(chunks, None)
    if second is None:
        runtime.results.put(etag, media_type, first)
        return Response(first, media_type=media_type, headers=headers)

    def body() -> Iterator[bytes]:
        kept = [first, second]
        size = len(first) + len(second)
        yield first
        yield second
        for chunk in chunks:
            if size <= settings.result_cache_max_bytes:
                kept.append(chunk)
                size += len(chunk)
            yield chunk
        if size <= settings.result_cache_max_bytes:
            runtime.results.put(etag, media_type, b"".join(kept))

    return StreamingResponse(body(), media_type=media_type, headers=headers)


async def _answer(
    request: Request, params: list[tuple[str, str]], body_query: str | None
) -> Response:
    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if body_query is not None:
        queries.append(body_query)
    if updates:
        return _error(
            403,
            "SPARQL Update is not accepted on the query endpoint: updates are disabled "
            "unless the server runs with --enable-update, and then go to /update with a token",
        )
    if len(queries) > 1:
        return _error(
            400, f"exactly one 'query' parameter is allowed; this request has {len(queries)}"
        )
    fmt = next((v for k, v in params if k == "format"), None)
    if not queries:
        return _describe_service(request, fmt)
    try:
        return await run_in_threadpool(
            run_query,
            request,
            queries[0],
            default_graphs=[v for k, v in params if k == "default-graph-uri"],
            named_graphs=[v for k, v in params if k == "named-graph-uri"],
            fmt=fmt,
        )
    except ProtocolError as err:
        return _error(err.status, err.message)


def _describe_service(request: Request, fmt: str | None) -> Response:
    accept = request.headers.get("accept")
    if fmt is None and accept and negotiate(accept, ["text/html", *_SD_TYPES]) == "text/html":
        return RedirectResponse("/", status_code=303)
    media = SHORT_NAMES.get(fmt, fmt) if fmt else negotiate(accept, _SD_TYPES)
    if media not in _SD_TYPES:
        return _error(406, f"the service description is available as {', '.join(_SD_TYPES)}")
    endpoint = str(request.url.replace(query="", fragment=""))
    runtime = request.app.state.runtime
    body = service_description(runtime.store, endpoint=endpoint, media_type=media)
    return Response(body, media_type=media)


async def _read_body(request: Request) -> bytes:
    """Read a request body, refusing it with 413 as soon as it passes the limit."""
    limit = request.app.state.runtime.settings.max_query_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"request body is {declared} bytes; the limit is {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProtocolError(413, f"request body is larger than the limit of {limit} bytes")
    return bytes(body)


def parse_params(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` data, refusing invalid UTF-8.

    Both the raw bytes and the percent-escapes must be UTF-8: a silently replaced
    byte would run a different query from the one the client sent.
    """
    text = _decode(raw, what)
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as err:
        raise ProtocolError(
            400, f"{what} has a percent-escape that is not valid UTF-8 (byte {err.start})"
        ) from None


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {err.start})") from None


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description when no query is given",
    responses={
        200: {
            "description": "Results in the negotiated format",
            "content": {media: {} for media in [*RESULTS_FORMATS, *RDF_FORMATS]},
        },
        400: {"description": "Syntax error or more than one query"},
        406: {"description": "No acceptable format"},
        413: {"description": "Query larger than the limit"},
        503: {"description": "Query stopped at the time limit"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "schema": {"type": "string"},
                "example": "SELECT ?c ?name WHERE { ?c a gl:City ; rdfs:label ?name } LIMIT 9",
            },
            {
                "name": "default-graph-uri",
                "in": "query",
                "schema": {"type": "string"},
                "example": "https://w3id.org/glocal/id/source/stuerner-2020",
            },
            {"name": "named-graph-uri", "in": "query", "schema": {"type": "string"}},
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string"},
                "description": "json, xml, csv, tsv, ttl, nt, jsonld, rdfxml, trig, nq",
            },
        ]
    },
)
async def sparql_get(request: Request) -> Response:
    """Answer a query given in the URL (``?query=...``)."""
    try:
        raw = request.scope.get("query_string", b"")
        params = parse_params(raw, "the query string")
    except ProtocolError as err:
        return _error(err.status, err.message)
    return await _answer(request, params, None)


@router.post(
    "/sparql",
    summary="SPARQL query (POST form-encoded or application/sparql-query)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/sparql-query": {
                    "schema": {"type": "string"},
                    "example": "ASK { city:freetown org:memberOf orgn:mmc }",
                },
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}},
                    },
                    "example": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"},
                },
            }
        }
    },
)
async def sparql_post(request: Request) -> Response:
    """Answer a query sent in the body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        url_params = parse_params(request.scope.get("query_string", b""), "the query string")
        if content_type == "application/x-www-form-urlencoded":
            form = parse_params(await _read_body(request), "the form body")
            return await _answer(request, url_params + form, None)
        if content_type == "application/sparql-query":
            if any(k == "query" for k, _ in url_params):
                raise ProtocolError(400, "a query in the body and in the URL: send only one")
            body = _decode(await _read_body(request), "the query")
            return await _answer(request, url_params, body)
        if content_type == "application/sparql-update":
            return _error(
                403,
                "SPARQL Update is disabled on this endpoint unless the server "
                "runs with --enable-update; send updates to /update with a token",
            )
    except ProtocolError as err:
        return _error(err.status, err.message)
    return _error(
        415,
        f"unsupported media type {content_type or '(none)'}: send "
        "application/sparql-query or application/x-www-form-urlencoded",
    )


@router.post(
    "/update",
    summary="SPARQL Update (off unless the server runs with --enable-update and a token)",
    responses={403: {"description": "Updates are disabled, or the bearer token is wrong"}},
)
async def sparql_update(request: Request) -> Response:
    """Apply an update to a new data version and switch to it atomically.

    Queries already running finish on the old version; new ones see the new version.
    """
    runtime = request.app.state.runtime
    token = runtime.settings.update_token
    if not token:
        return _error(
            403,
            "SPARQL Update is disabled: start the server with --enable-update "
            "--update-token TOKEN to accept updates",
        )
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return _error(403, "SPARQL Update needs the header 'Authorization: Bearer <token>'")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        raw = _decode(await _read_body(request), "the update")
    except ProtocolError as err:
        return _error(err.status, err.message)
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_params(raw.encode(), "the form body")
        except ProtocolError as err:
            return _error(err.status, err.message)
        updates = [v for k, v in form if k == "update"]
        if len(updates) != 1:
            return _error(400, "exactly one 'update' parameter is required")
        raw = updates[0]
    elif content_type != "application/sparql-update":
        return _error(415, "send application/sparql-update or a form with 'update'")
    store = runtime.store
    if not hasattr(store, "updated"):
        return _error(501, "this store backend applies updates through its own engine")
    try:
        new_store = await run_in_threadpool(store.updated, raw)
    except QuerySyntaxError as err:
        return _error(400, f"SPARQL Update syntax error: {err}")
    runtime.swap(new_store)
    return PlainTextResponse(f"updated: data version {new_store.version}\n")
