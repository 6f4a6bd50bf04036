"""``/sparql`` and ``/update``: the SPARQL 1.1 Protocol, and the service description.

Queries come as GET, POST form-encoded or POST ``application/sparql-query`` and are
answered by :func:`glocal_api.query.run_query`; a request without a query gets the
service description. ``/update`` applies SPARQL Update to a new data version, and only
with the update token.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from glocal.formats import (
    FORM,
    HTML,
    RDF_FORMATS,
    RESULTS_FORMATS,
    SHORT_NAMES,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    negotiate,
)
from glocal.views.service import MEDIA_TYPES, service_description
from glocal_api.auth import require_bearer
from glocal_api.bodies import content_type, decode, parse_params, query_params, read_body
from glocal_api.errors import RequestError
from glocal_api.loop_query import run_sparql_query
from glocal_api.query import cached_answer, check, run_query
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["SPARQL"])

_UPDATE_REFUSED = (
    "SPARQL Update is not accepted on the query endpoint: updates are disabled "
    "unless the server runs with --enable-update, and then go to /update with a token"
)


async def _answer(
    request: Request, params: list[tuple[str, str]], body_query: str | None
) -> Response:
    queries = [v for k, v in params if k == "query"]
    if body_query is not None:
        queries.append(body_query)
    if any(k == "update" for k, _ in params):
        raise RequestError(403, _UPDATE_REFUSED)
    if len(queries) > 1:
        raise RequestError(
            400, f"exactly one 'query' parameter is allowed; this request has {len(queries)}"
        )
    fmt = next((v for k, v in params if k == "format"), None)
    if not queries:
        return _describe_service(request, fmt)
    default_graphs = [v for k, v in params if k == "default-graph-uri"]
    named_graphs = [v for k, v in params if k == "named-graph-uri"]
    # A cached answer costs no thread hop, nor does a query an idle worker takes at once;
    # one that must wait for a worker waits in a thread.
    checked = check(
        request, queries[0], fmt=fmt, default_graphs=default_graphs, named_graphs=named_graphs
    )
    answer = cached_answer(request, checked)
    if answer is None:
        answer = await run_sparql_query(request, checked)
    if answer is not None:
        return answer
    return await run_in_threadpool(run_query, request, checked)


def _describe_service(request: Request, fmt: str | None) -> Response:
    accept = request.headers.get("accept")
    if fmt is None and accept and negotiate(accept, [HTML, *MEDIA_TYPES]) == HTML:
        return RedirectResponse("/", status_code=303)
    media = SHORT_NAMES.get(fmt, fmt) if fmt else negotiate(accept, MEDIA_TYPES)
    if media not in MEDIA_TYPES:
        raise RequestError(406, f"the service description is available as {', '.join(MEDIA_TYPES)}")
    endpoint = str(request.url.replace(query="", fragment=""))
    body = service_description(runtime_of(request).store, endpoint=endpoint, media_type=media)
    return Response(body, media_type=media)


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
    return await _answer(request, query_params(request), None)


@router.post(
    "/sparql",
    summary="SPARQL query (POST form-encoded or application/sparql-query)",
    openapi_extra={
        "requestBody": {
            "content": {
                SPARQL_QUERY: {
                    "schema": {"type": "string"},
                    "example": "ASK { city:freetown org:memberOf orgn:mmc }",
                },
                FORM: {
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
    media = content_type(request)
    url_params = query_params(request)
    limit = runtime_of(request).settings.max_query_bytes
    if media == FORM:
        form = parse_params(await read_body(request, limit), "the form body")
        return await _answer(request, url_params + form, None)
    if media == SPARQL_QUERY:
        if any(k == "query" for k, _ in url_params):
            raise RequestError(400, "a query in the body and in the URL: send only one")
        body = decode(await read_body(request, limit), "the query")
        return await _answer(request, url_params, body)
    if media == SPARQL_UPDATE:
        raise RequestError(403, _UPDATE_REFUSED)
    raise RequestError(
        415, f"unsupported media type {media or '(none)'}: send {SPARQL_QUERY} or {FORM}"
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
    runtime = runtime_of(request)
    require_bearer(
        request,
        runtime.settings.update_token,
        off="SPARQL Update is disabled: start the server with --enable-update and "
        "--update-token-file PATH (or GLOCAL_UPDATE_TOKEN) to accept updates",
        routes="SPARQL Update",
    )
    media = content_type(request)
    raw = await read_body(request, runtime.settings.max_query_bytes)
    if media == FORM:
        updates = [v for k, v in parse_params(raw, "the form body") if k == "update"]
        if len(updates) != 1:
            raise RequestError(400, "exactly one 'update' parameter is required")
        sparql = updates[0]
    elif media == SPARQL_UPDATE:
        sparql = decode(raw, "the update")
    else:
        raise RequestError(415, f"send {SPARQL_UPDATE} or a form with 'update'")
    new_store = await run_in_threadpool(
        partial(runtime.store.update, sparql, timeout=runtime.settings.timeout)
    )
    runtime.swap(new_store)
    return PlainTextResponse(f"updated: data version {new_store.version}\n")
