"""``/reports``: the pivotal-cities report and single centrality measures.

Reports are computed through the store interface and cached by data version and
options, so a repeat request costs nothing and a reload never serves a stale report.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from glocal.analysis.graph import LAYERS
from glocal.analysis.pivotality import MEASURES
from glocal.formats import SHORT_NAMES, negotiate
from glocal.report.build import (
    centrality_report,
    pivotal_report,
    render_csv,
    render_html,
    render_json,
    render_markdown,
)

__all__ = ["router"]

router = APIRouter(tags=["Reports"])

_RENDER = {
    "text/html": (render_html, HTMLResponse),
    "application/json": (render_json, Response),
    "text/csv": (render_csv, Response),
    "text/markdown": (render_markdown, Response),
}


def _layers(raw: list[str] | None) -> tuple[str, ...] | None:
    if not raw:
        return None
    layers = tuple(part.strip() for value in raw for part in value.split(",") if part.strip())
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise HTTPException(400, f"unknown layer(s) {', '.join(unknown)}; use {', '.join(LAYERS)}")
    return layers


def _cached(request: Request, key: tuple[object, ...], compute: object) -> dict[str, object]:
    runtime = request.app.state.runtime
    store = runtime.store
    full_key = (store.version, *key)
    with runtime.reports_lock:
        if full_key in runtime.reports:
            runtime.reports.move_to_end(full_key)
            return runtime.reports[full_key]  # type: ignore[no-any-return]
    report = compute(store)  # type: ignore[operator]
    with runtime.reports_lock:
        runtime.reports[full_key] = report
        while len(runtime.reports) > 16:
            runtime.reports.popitem(last=False)
    return report  # type: ignore[no-any-return]


@router.get(
    "/reports/pivotal",
    summary="Which cities are pivotal, and why (HTML, JSON, CSV or Markdown)",
    responses={
        200: {"content": {media: {} for media in _RENDER}},
        400: {"description": "Unknown layer"},
        406: {"description": "No acceptable format"},
    },
)
async def pivotal(
    request: Request,
    layers: Annotated[
        list[str] | None,
        Query(
            description=f"layers of ties to use: {', '.join(LAYERS)}", examples=["organisations"]
        ),
    ] = None,
    top: Annotated[int | None, Query(ge=1, description="list only the first N cities")] = None,
    format: Annotated[
        str | None, Query(description="html, json, csv or md (else the Accept header)")
    ] = None,
) -> Response:
    """The composite pivotality ranking with evidence, sensitivity and agreement."""
    media = SHORT_NAMES.get(format, format) if format else None
    if format == "md":
        media = "text/markdown"
    if media == "application/sparql-results+json":
        media = "application/json"
    media = media or negotiate(request.headers.get("accept"), list(_RENDER))
    if media not in _RENDER:
        return PlainTextResponse(
            f"the report is available as {', '.join(_RENDER)}\n", status_code=406
        )
    chosen = _layers(layers)

    def compute(store: object) -> dict[str, object]:
        return pivotal_report(store, layers=chosen, top=top)  # type: ignore[arg-type]

    report = await run_in_threadpool(_cached, request, ("pivotal", chosen, top), compute)
    render, response_class = _RENDER[media]
    return response_class(render(report), media_type=media)


@router.get(
    "/reports/centrality",
    summary="One centrality measure for every city, ranked (JSON)",
    responses={400: {"description": "Unknown measure or layer"}},
)
async def centrality(
    request: Request,
    measure: Annotated[
        str, Query(description=f"one of {', '.join(MEASURES)}", examples=["betweenness"])
    ],
    layers: Annotated[list[str] | None, Query(description="layers of ties to use")] = None,
    top: Annotated[int | None, Query(ge=1)] = None,
) -> JSONResponse:
    """A single measure, e.g. ``/reports/centrality?measure=betweenness&top=10``."""
    if measure not in MEASURES:
        raise HTTPException(400, f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    chosen = _layers(layers)

    def compute(store: object) -> dict[str, object]:
        return centrality_report(store, measure=measure, layers=chosen, top=top)  # type: ignore[arg-type]

    try:
        result = await run_in_threadpool(
            _cached, request, ("centrality", measure, chosen, top), compute
        )
    except ValueError as err:
        raise HTTPException(400, str(err)) from None
    return JSONResponse(result)
