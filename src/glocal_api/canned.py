"""``/queries``: the canned queries from ``queries/*.rq``, listed and run by name."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from glocal.canned import bind
from glocal_api.bodies import query_params
from glocal_api.errors import RequestError
from glocal_api.query import run_query
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Canned queries"])


@router.get("/queries", summary="List the canned queries with their parameters")
async def list_queries(request: Request) -> list[dict[str, object]]:
    """Every canned query: name, title, description, parameters and its URL."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "url": f"/queries/{q.name}",
            "sparql": q.sparql,
            "parameters": [
                {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                for p in q.parameters
            ],
        }
        for q in runtime_of(request).queries.values()
    ]


@router.get(
    "/queries/{name}",
    summary="Run a canned query; parameters come from the query string",
    responses={
        200: {"description": "Results, in any SPARQL results or RDF format"},
        400: {"description": "A parameter is missing or not valid for its type"},
        404: {"description": "No canned query of that name"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string"},
                "example": "csv",
                "description": "json, xml, csv, tsv (or ttl, nt ... for CONSTRUCT)",
            },
            {
                "name": "city",
                "in": "query",
                "schema": {"type": "string"},
                "example": "city:freetown",
                "description": "a parameter of the chosen query",
            },
        ]
    },
)
async def run_canned(name: str, request: Request) -> Response:
    """Run the named query with ``?param=value`` bound safely (never pasted into SPARQL)."""
    query = runtime_of(request).queries.get(name)
    if query is None:
        # Names are looked up in a dict loaded at start-up, never used as paths.
        raise RequestError(404, f"no canned query named {name!r}; see /queries")
    params = dict(query_params(request))
    return await run_in_threadpool(
        run_query,
        request,
        bind(query, params),
        default_graphs=[],
        named_graphs=[],
        fmt=params.get("format"),
    )
