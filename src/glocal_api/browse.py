"""``/browse``, ``/id/{kind}`` and ``/search``: the ways in that need no SPARQL.

``/browse`` lists the indexes; ``/id/city`` (any kind of resource path) is the index of
that kind, with facets and sorting in its query string; ``/search?q=`` finds resources
by name. Each answers as HTML, JSON or CSV (:mod:`glocal_api.listings`); the JSON of
``/search`` is what editor autocompletion calls.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from glocal.formats import CSV, HTML
from glocal.views.browse import COLUMNS, FACETS, SORTS, browse, rows
from glocal.views.catalogue import KINDS, Catalogue, catalogue
from glocal.views.search import search as find
from glocal_api.errors import RequestError
from glocal_api.listings import csv_response, json_response, page_format, split_suffix
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Browse and search"])

#: Rows on one page of an HTML index.
_HTML_PAGE = 200
_SEARCH_COLUMNS = ("iri", "curie", "label", "matched", "kind", "types", "quoted")


async def _catalogue(request: Request) -> Catalogue:
    return await run_in_threadpool(catalogue, runtime_of(request).store)


@router.get("/browse", summary="The indexes of every kind of resource, with counts")
async def indexes(request: Request) -> Response:
    """Cities, organisations, declarations, events, people, sources ...: one index each."""
    media = page_format(request)
    known = await _catalogue(request)
    listed = [
        {
            "kind": kind,
            "title": KINDS[kind][0],
            "description": KINDS[kind][1],
            "url": f"/id/{kind}",
            "count": count,
        }
        for kind, count in known.counts().items()
    ]
    if media == CSV:
        return csv_response(listed, ("kind", "title", "count", "url"), filename="glocal-indexes")
    if media != HTML:
        return json_response(listed)
    return runtime_of(request).templates.TemplateResponse(
        request, "browse.html", {"indexes": listed, "version": known.version}
    )


@router.get(
    "/id/{kind}",
    summary="The index of one kind of resource (/id/city): facets, sorting, HTML, JSON, CSV",
    responses={404: {"description": "Not a kind of resource"}},
    openapi_extra={
        "parameters": [
            {
                "name": facet,
                "in": "query",
                "schema": {"type": "string"},
                "description": f"only rows with this {heading.lower()} (repeatable)",
            }
            for facet, heading in FACETS.items()
        ]
    },
)
async def index(
    kind: str,
    request: Request,
    sort: Annotated[
        str, Query(alias="_sort", description=f"one of {', '.join(SORTS)}, '-' for descending")
    ] = "label",
    size: Annotated[
        int | None,
        Query(alias="_size", ge=1, le=100_000, description="rows per page (HTML: 200)"),
    ] = None,
    offset: Annotated[int, Query(alias="_offset", ge=0, description="rows to skip")] = 0,
) -> Response:
    """``/id/city?region=Africa&_sort=-quoted``; ``/id/city.csv`` for the same rows as CSV."""
    kind, suffix_media = split_suffix(kind)
    if kind not in KINDS:
        raise RequestError(
            404,
            f"not a glocal resource path; the indexes are {', '.join(f'/id/{k}' for k in KINDS)}",
        )
    media = page_format(request, suffix_media)
    filters = {facet: request.query_params.getlist(facet) for facet in FACETS}
    known = await _catalogue(request)
    try:
        found = browse(known, kind, filters=filters, sort=sort)
    except ValueError as err:
        raise RequestError(400, str(err)) from None
    # A page of an HTML index is bounded (a graph of 20,000 cities is one click away);
    # JSON and CSV give every row unless asked for a page.
    size = size or (_HTML_PAGE if media == HTML else None)
    end = None if size is None else offset + size
    page = found.entries[offset:end]
    if media == CSV:
        return csv_response(rows(page), COLUMNS, filename=f"glocal-{kind}")
    if media != HTML:
        return json_response(
            {
                "kind": kind,
                "title": found.title,
                "total": found.total,
                "count": len(found.entries),
                "filters": found.filters,
                "sort": sort,
                "offset": offset,
                "rows": rows(page),
                "facets": {
                    name: [{"value": v.key, "label": v.label, "count": v.count} for v in values]
                    for name, values in found.facets.items()
                },
            }
        )
    return runtime_of(request).templates.TemplateResponse(
        request,
        "kind_index.html",
        {
            "index": found,
            "shown": page,
            "offset": offset,
            "previous": _url(request, offset=max(0, offset - (size or 0))) if offset else None,
            "next": _url(request, offset=end)
            if end is not None and end < len(found.entries)
            else None,
            "catalogue": known,
            "facet_names": FACETS,
            "facet_label": {
                (facet, v.key): v.label for facet, values in found.facets.items() for v in values
            },
            "sorts": SORTS,
            "type_labels": lambda e: ", ".join(sorted(known.label(t) for t in e.types)),
            "toggle": lambda facet, value: _url(request, toggle=(facet, value)),
            "sorted_by": lambda key: _url(request, sort=key),
            "as_format": lambda name: _url(request, fmt=name),
        },
    )


def _url(
    request: Request,
    *,
    toggle: tuple[str, str] | None = None,
    sort: str | None = None,
    fmt: str | None = None,
    offset: int | None = None,
) -> str:
    """This page's URL with one facet value turned on or off, another sort, a format, or
    another page (sorting and filtering start again from the first page)."""
    params = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("_format", "_offset")
    ]
    if offset:
        params.append(("_offset", str(offset)))
    if toggle is not None:
        if toggle in params:
            params.remove(toggle)
        else:
            params.append(toggle)
    if sort is not None:
        params = [(k, v) for k, v in params if k != "_sort"] + [("_sort", sort)]
    path = request.url.path
    if fmt is not None:
        path = split_suffix(path)[0] + "." + fmt
    return path + ("?" + urlencode(params) if params else "")


@router.get(
    "/search",
    summary="Find resources by name: labels and alternative labels, any accents or case",
)
async def search(
    request: Request,
    q: Annotated[str, Query(description="what to look for", examples=["sao paulo"])] = "",
    kind: Annotated[str | None, Query(description=f"only this kind: {', '.join(KINDS)}")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 20,
) -> Response:
    """``/search?q=sao+paulo``; ``&_format=json`` (or ``Accept: application/json``) gives
    ``[{iri, curie, label, matched, kind, types, quoted}]`` for autocompletion."""
    if kind is not None and kind not in KINDS:
        raise RequestError(400, f"kind={kind!r} is not one of {', '.join(KINDS)}")
    media = page_format(request)
    known = await _catalogue(request)
    hits = find(known, q, kind=kind, limit=limit)
    records = [
        {
            "iri": h.entry.iri,
            "curie": h.entry.curie,
            "label": h.entry.label,
            "matched": h.matched,
            "kind": h.entry.kind,
            "types": sorted(known.label(t) for t in h.entry.types),
            "quoted": h.entry.quoted,
        }
        for h in hits
    ]
    if media == CSV:
        return csv_response(records, _SEARCH_COLUMNS, filename="glocal-search")
    if media != HTML:
        return json_response(records)
    return runtime_of(request).templates.TemplateResponse(
        request,
        "search.html",
        {"q": q, "kind": kind, "hits": records, "kinds": KINDS, "limit": limit},
    )
